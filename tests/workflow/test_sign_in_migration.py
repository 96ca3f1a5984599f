"""The 0009 migration creates exactly the sign-in tables and the account log the models describe,
and can be undone, on every backend."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from core import migrate
from core.db import dispose_engines, get_engine
from core.models import load_all_models

TABLES = {"sign_in_session", "totp_factor", "recovery_code", "account_event"}


def _differences(url: str) -> list[object]:
    load_all_models()
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)
    return [d for d in diffs if any(f"'{t}'" in repr(d) or f"<{t}>" in repr(d) for t in TABLES)]


def test_migrated_schema_matches_the_models_and_downgrades(db: str) -> None:
    assert _differences(db) == []
    columns = {c["name"]: c for c in inspect(get_engine(db)).get_columns("account_event")}
    assert columns["before"]["nullable"] and columns["after"]["nullable"]  # a sign-in changes no field
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0008")
    assert not TABLES & set(inspect(get_engine(db)).get_table_names())
    dispose_engines()
    migrate.upgrade(db)
    assert _differences(db) == []
