"""the media library: uploaded files and their renditions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 09:50:00.000000

`media_file` has one row per distinct file (by SHA-256) with the facts read from its bytes and
its processing status; `media_rendition` one row per metadata-free rendition made of it.
Revisions name files by hash in their content (`media`), so no column of `revision` changes.
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
        'media_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('kind', sa.Enum('image', 'document', name='mediakind', native_enum=False,
                                  create_constraint=False, length=18), nullable=False),
        sa.Column('mime', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('extension', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('status', sa.Enum('processing', 'ready', 'failed', name='mediastatus', native_enum=False,
                                    create_constraint=False, length=20), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('error_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('processed_at', core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('sha256'),
    )
    op.create_table(
        'media_rendition',
        sa.Column('media_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('mime', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['media_id'], ['media_file.id']),
        sa.PrimaryKeyConstraint('media_id', 'name'),
    )


def downgrade() -> None:
    op.drop_table('media_rendition')
    op.drop_table('media_file')
