"""topics' display names and descriptions per language

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-05 11:00:00.000000

Releases tag themselves with topic slugs; `topic` gives a slug a name and a description per
language for the public topic pages, feeds and forms. A slug without a row still shows, as a
readable form of itself.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import core.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'topic',
        sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('names', sa.JSON(), nullable=False),
        sa.Column('descriptions', sa.JSON(), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.PrimaryKeyConstraint('slug'),
    )


def downgrade() -> None:
    op.drop_table('topic')
