"""release languages and the newsroom index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 01:20:00.000000

`release.languages` mirrors the languages with a title in the current revision (",fr,nl,"), so
the newsroom of a language filters on a column instead of every revision's JSON; existing
releases get theirs from their current revision.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _titled(content: object) -> str:
    data = json.loads(content) if isinstance(content, str) else content
    translations = data.get("translations", {}) if isinstance(data, dict) else {}
    titled = sorted(lang for lang, text in translations.items() if isinstance(text, dict) and text.get("title"))
    return f",{','.join(titled)}," if titled else ""


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch copy: SQLite cannot drop a table other tables refer to.
    op.add_column('release', sa.Column('languages', sqlmodel.sql.sqltypes.AutoString(length=60),
                                       nullable=False, server_default=''))
    op.create_index('ix_release_state_published_at', 'release', ['state', 'published_at'], unique=False)
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT release.id, revision.content FROM release JOIN revision ON revision.id = release.current_revision_id"
    )).all()
    for release_id, content in rows:
        connection.execute(sa.text("UPDATE release SET languages = :languages WHERE id = :id"),
                           {"languages": _titled(content), "id": release_id})


def downgrade() -> None:
    op.drop_index('ix_release_state_published_at', table_name='release')
    op.execute("ALTER TABLE release DROP COLUMN languages")  # SQLite 3.35+ and PostgreSQL
