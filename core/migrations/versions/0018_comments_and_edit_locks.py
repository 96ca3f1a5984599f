"""comments on a release's revisions, and the editor's soft locks

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-05 16:00:00.000000

`release_comment` holds the staff's thread per release (the revision each remark was written on,
an optional paragraph anchor, the colleagues mentioned, resolved or not); `edit_lock` one row per
release open in the editor, with its holder's last heartbeat.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'release_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column('paragraph', sa.Integer(), nullable=True),
        sa.Column('mentions', sa.JSON(), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('resolved_at', core.db.UTCDateTime(), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['release_id'], ['release.id']),
        sa.ForeignKeyConstraint(['revision_id'], ['revision.id']),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_release_comment_release_id'), 'release_comment', ['release_id'])
    op.create_table(
        'edit_lock',
        sa.Column('release_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('taken_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('heartbeat_at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['release.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('release_id'),
    )


def downgrade() -> None:
    op.drop_table('edit_lock')
    op.drop_index(op.f('ix_release_comment_release_id'), table_name='release_comment')
    op.drop_table('release_comment')
