"""the staff accounts' change log

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-05 07:00:00.000000

`account_change` records every change to a staff account made from the users page, the CLI or a
link sent by mail: invitations, roles, deactivation and reactivation, passwords set by link.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'account_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_account_change_user_id'), 'account_change', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_account_change_user_id'), table_name='account_change')
    op.drop_table('account_change')
