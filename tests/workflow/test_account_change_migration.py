"""Migration 0010: `account_change` matches its model, and comes and goes with the migration."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from core import migrate
from core.db import dispose_engines, get_engine
from core.models import load_all_models


def _diffs(url: str) -> list[object]:
    load_all_models()
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, SQLModel.metadata) if "account_change" in repr(d)]


def test_the_account_change_table_matches_its_model_and_downgrades(db: str) -> None:
    assert _diffs(db) == []
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0008")
    assert "account_change" not in inspect(get_engine(db)).get_table_names()
    dispose_engines()
    migrate.upgrade(db)
    assert _diffs(db) == []
