"""link clicks and opens: the links of each mailing, raw click events, daily counts, and
per-recipient clicks

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 12:42:42.129231

`link` holds each distinct URL of a distribution's mail per language (and its open pixel);
`click_event` the raw clicks and opens (link, time, bot verdict; no person, no address);
`click_count` the raw events folded into UTC days after the retention; `recipient_click` the
delivery a click came from, written only with PRESSROOM_TRACKING=per_recipient.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('distribution_id', sa.Integer(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column('kind', sa.Enum('click', 'open', name='linkkind', native_enum=False, length=15), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('url_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('forwards_access', sa.Boolean(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['distribution_id'], ['distribution.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('distribution_id', 'language', 'kind', 'url_hash'),
    )
    op.create_table(
        'click_count',
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('bot', sa.Boolean(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['link.id']),
        sa.PrimaryKeyConstraint('link_id', 'day', 'bot'),
    )
    op.create_table(
        'click_event',
        sa.Column('id', _BIG_ID, nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('bot', sa.Boolean(), nullable=False),
        sa.Column('kind', sa.Enum('human', 'head', 'agent', 'burst', name='verdict', native_enum=False, length=15),
                  nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['link.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_click_event_at', 'click_event', ['at'], unique=False)
    op.create_index('ix_click_event_link_id', 'click_event', ['link_id'], unique=False)
    op.create_table(
        'recipient_click',
        sa.Column('id', _BIG_ID, nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', _BIG_ID, nullable=False),
        sa.Column('at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('bot', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id']),
        sa.ForeignKeyConstraint(['link_id'], ['link.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_recipient_click_delivery_id', 'recipient_click', ['delivery_id'], unique=False)
    op.create_index('ix_recipient_click_link_id', 'recipient_click', ['link_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_recipient_click_link_id', table_name='recipient_click')
    op.drop_index('ix_recipient_click_delivery_id', table_name='recipient_click')
    op.drop_table('recipient_click')
    op.drop_index('ix_click_event_link_id', table_name='click_event')
    op.drop_index('ix_click_event_at', table_name='click_event')
    op.drop_table('click_event')
    op.drop_table('click_count')
    op.drop_table('link')
