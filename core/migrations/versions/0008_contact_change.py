"""the contact directory's change log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:40:00.000000

Revisions now keep the details of their contacts as they were reviewed; the directory only
feeds new revisions. `contact_change` records every change to it: who, when, before and after.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'contact_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_contact_change_contact_id'), 'contact_change', ['contact_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_contact_change_contact_id'), table_name='contact_change')
    op.drop_table('contact_change')
