"""newsroom readership: raw page views and their daily counts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 13:00:00.000000

`page_view` holds one row per read of a public release page (day, language, bot or not, the
referrer's host, first read of the day or not): nothing about the reader. The retention folds
rows older than `PRESSROOM_REPORT_RETENTION_DAYS` into `page_view_day` and deletes them.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'page_view',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('bot', sa.Boolean(), nullable=False),
        sa.Column('first_visit', sa.Boolean(), nullable=False),
        sa.Column('referrer_host', sqlmodel.sql.sqltypes.AutoString(length=253), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['release.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_page_view_release_day', 'page_view', ['release_id', 'day'])
    op.create_index('ix_page_view_day', 'page_view', ['day'])
    op.create_table(
        'page_view_day',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column('bot', sa.Boolean(), nullable=False),
        sa.Column('referrer_host', sqlmodel.sql.sqltypes.AutoString(length=253), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('visitors', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['release.id']),
        sa.PrimaryKeyConstraint('day', 'release_id', 'language', 'bot', 'referrer_host'),
    )


def downgrade() -> None:
    op.drop_table('page_view_day')
    op.drop_index('ix_page_view_day', table_name='page_view')
    op.drop_index('ix_page_view_release_day', table_name='page_view')
    op.drop_table('page_view')
