"""the search index of public releases

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 11:00:00.000000

`search_entry` holds one row per (published release, language): title, lead, plain body and
topics. PostgreSQL adds `document`, a tsvector weighted title A, lead B, body C in the language's
dictionary, under a GIN index; SQLite adds the FTS5 table `search_fts` of the Snowball stems
(rowid = search_entry.id). Releases published before this migration are indexed by it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('lead', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('topics', sa.String(length=2000), nullable=False),
        sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('release_id', 'language'),
    )
    op.create_index('ix_search_entry_release_id', 'search_entry', ['release_id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE search_entry ADD COLUMN document tsvector')
        op.execute('CREATE INDEX ix_search_entry_document ON search_entry USING GIN (document)')
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, lead, body,"
                   " tokenize = 'unicode61 remove_diacritics 0')")
    from workflow.search import reindex_all

    session = Session(bind=op.get_bind())
    reindex_all(session)
    session.flush()  # the migration's transaction commits it


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        op.execute('DROP TABLE search_fts')
    op.drop_index('ix_search_entry_release_id', table_name='search_entry')
    op.drop_table('search_entry')
