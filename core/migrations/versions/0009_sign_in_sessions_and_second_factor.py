"""server-side sign-in sessions, second factors, recovery codes and the account log

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 06:45:00.000000

The session cookie now carries a random id whose hash is a `sign_in_session` row, so a user
sees and ends their sessions. `totp_factor` holds an authenticator secret (encrypted) and the
last time step used; `recovery_code` keyed hashes of single-use codes; `account_event` the
account log: who signed in and out, and every change to an account (invitations, roles,
deactivation, passwords set through links) with the fields before and after. Sessions from the old cookie (which
held the user id itself) are no longer accepted: everyone signs in once more.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('role', sa.Enum('spokesperson', 'approver', 'admin', name='role', native_enum=False,
                                  create_constraint=False, length=22), nullable=False),
        sa.Column('password_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('last_used_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('ended_at', core.db.UTCDateTime(), nullable=True),
        sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index(op.f('ix_sign_in_session_user_id'), 'sign_in_session', ['user_id'], unique=False)
    op.create_table(
        'totp_factor',
        sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('confirmed_at', core.db.UTCDateTime(), nullable=True),
        sa.Column('last_step', sa.BigInteger(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('used_at', core.db.UTCDateTime(), nullable=True),
        sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code_hash'),
    )
    op.create_index(op.f('ix_recovery_code_user_id'), 'recovery_code', ['user_id'], unique=False)
    op.create_table(
        'account_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_account_event_user_id'), 'account_event', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_account_event_user_id'), table_name='account_event')
    op.drop_table('account_event')
    op.drop_index(op.f('ix_recovery_code_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    op.drop_table('totp_factor')
    op.drop_index(op.f('ix_sign_in_session_user_id'), table_name='sign_in_session')
    op.drop_table('sign_in_session')
