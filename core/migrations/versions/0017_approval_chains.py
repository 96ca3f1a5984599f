"""approval chains per release kind

Revision ID: 0017
Revises: 0020
Create Date: 2026-12-05 16:00:00.000000

`approval_chain` holds the ordered steps admins set for a release kind (a kind without a row has
the default: one step of PRESSROOM_REQUIRED_APPROVALS approvers). `release.chain` is the chain a
release was submitted under (NULL: the default). `approval.step` says which step a sign-off
counts at; existing sign-offs were all of the one step there was, so they get 1. One person may
sign several steps of a revision when the chain allows it, so the unique constraint on approvals
becomes (revision, step, approver).

On SQLite the constraint is changed by copying the table, which drops its append-only triggers
(0006) with the old table: they are created again here.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0017'
down_revision = '0020'
branch_labels = None
depends_on = None

OLD_UNIQUE = 'approval_revision_id_approver_id_key'  # PostgreSQL's name for 0001's constraint
NEW_UNIQUE = 'approval_revision_id_step_approver_id_key'


def _approval_table(with_step: bool) -> sa.Table:
    """The approval table as SQLite holds it, its unique constraint named so it can be dropped."""
    columns = [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('approver_id', sa.Integer(), nullable=False),
        sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['approver_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['release_id'], ['release.id']),
        sa.ForeignKeyConstraint(['revision_id'], ['revision.id']),
        sa.PrimaryKeyConstraint('id'),
    ]
    if with_step:
        columns.insert(3, sa.Column('step', sa.Integer(), nullable=False))
        columns.append(sa.UniqueConstraint('revision_id', 'step', 'approver_id', name=NEW_UNIQUE))
    else:
        columns.append(sa.UniqueConstraint('revision_id', 'approver_id', name=OLD_UNIQUE))
    return sa.Table('approval', sa.MetaData(), *columns, sa.Index('ix_approval_release_id', 'release_id'))


def _sqlite_triggers() -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS approval_no_{verb.lower()}")
        op.execute(
            f"CREATE TRIGGER approval_no_{verb.lower()} BEFORE {verb} ON approval "
            f"BEGIN SELECT RAISE(ABORT, 'approval is append-only: {verb} refused'); END"
        )


def upgrade() -> None:
    op.create_table(
        'approval_chain',
        sa.Column('kind', sa.Enum('press_release', 'annual_report', 'event', 'statement',
                                  name='releasekind', native_enum=False, length=23, create_constraint=False),
                  nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('allow_same_approver', sa.Boolean(), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.PrimaryKeyConstraint('kind'),
    )
    op.add_column('release', sa.Column('chain', sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.add_column('approval', sa.Column('step', sa.Integer(), nullable=False, server_default='1'))
        op.alter_column('approval', 'step', server_default=None)
        op.drop_constraint(OLD_UNIQUE, 'approval', type_='unique')
        op.create_unique_constraint(NEW_UNIQUE, 'approval', ['revision_id', 'step', 'approver_id'])
    else:
        with op.batch_alter_table('approval', recreate='always', copy_from=_approval_table(False)) as batch_op:
            batch_op.add_column(sa.Column('step', sa.Integer(), nullable=False, server_default='1'))
            batch_op.drop_constraint(OLD_UNIQUE, type_='unique')
            batch_op.create_unique_constraint(NEW_UNIQUE, ['revision_id', 'step', 'approver_id'])
        _sqlite_triggers()


def downgrade() -> None:
    # Sign-offs of later steps have no place in a one-step workflow; they are left out (on
    # PostgreSQL the append-only guard refuses this, as it refuses every DELETE: a superuser
    # downgrading sets session_replication_role = replica first).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DELETE FROM approval WHERE step <> 1")
        op.drop_constraint(NEW_UNIQUE, 'approval', type_='unique')
        op.create_unique_constraint(OLD_UNIQUE, 'approval', ['revision_id', 'approver_id'])
        op.drop_column('approval', 'step')
    else:
        op.execute("DROP TRIGGER IF EXISTS approval_no_delete")
        op.execute("DELETE FROM approval WHERE step <> 1")
        with op.batch_alter_table('approval', recreate='always', copy_from=_approval_table(True)) as batch_op:
            batch_op.drop_constraint(NEW_UNIQUE, type_='unique')
            batch_op.drop_column('step')
            batch_op.create_unique_constraint(OLD_UNIQUE, ['revision_id', 'approver_id'])
        _sqlite_triggers()
    op.execute("ALTER TABLE release DROP COLUMN chain")  # SQLite 3.35+ and PostgreSQL; no copy
    op.drop_table('approval_chain')
