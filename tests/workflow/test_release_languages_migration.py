"""Migration 0004: `release.languages` and the newsroom index match the models, existing
releases get their languages from their current revision, and the step can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, update
from sqlmodel import SQLModel

from core import migrate
from core.db import dispose_engines, get_engine, session_scope
from core.models import load_all_models
from tests import factories
from workflow.models import Release


def _release_diffs(url: str) -> list[object]:
    load_all_models()
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, SQLModel.metadata) if "'release'" in repr(d)]


def test_languages_are_kept_backfilled_and_the_migration_undone(db: str) -> None:
    assert _release_diffs(db) == []
    with session_scope() as s:
        author = factories.user(s)
        both = factories.release(s, author).id
        dutch = factories.release(s, author, translations={"nl": {"title": "Alleen Nederlands"}}).id
    with session_scope() as s:
        assert [s.get(Release, i).languages for i in (both, dutch)] == [",fr,nl,", ",nl,"]  # type: ignore[union-attr]
        s.execute(update(Release).values(languages=""))  # as rows were before 0004
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0003")
    columns = {c["name"] for c in inspect(get_engine(db)).get_columns("release")}
    assert "languages" not in columns
    migrate.upgrade(db)
    with session_scope() as s:
        assert [s.get(Release, i).languages for i in (both, dutch)] == [",fr,nl,", ",nl,"]  # type: ignore[union-attr]
    assert _release_diffs(db) == []
