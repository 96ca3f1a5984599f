"""the privacy notice per language, and the public notice of a withdrawal

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-05 11:00:00.000000

`privacy_notice` holds an admin's text of the privacy notice per language (none: the default
text). `withdrawal_notice` holds, per withdrawn release, whether its page shows the reason of
the withdrawal and which release corrects it.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'privacy_notice',
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('language'),
    )
    op.create_table(
        'withdrawal_notice',
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('publish_reason', sa.Boolean(), nullable=False),
        sa.Column('corrected_by_id', sa.Integer(), nullable=True),
        sa.Column('at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['release.id']),
        sa.ForeignKeyConstraint(['corrected_by_id'], ['release.id']),
        sa.PrimaryKeyConstraint('release_id'),
    )


def downgrade() -> None:
    op.drop_table('withdrawal_notice')
    op.drop_table('privacy_notice')
