"""The 0009 migration creates exactly the sign-in tables and the account log the models describe,
and can be undone, on every backend."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from core import migrate
from core.db import dispose_engines, get_engine
from tests.schema_drift import schema_drift

TABLES = {"sign_in_session", "totp_factor", "recovery_code", "account_event"}




def test_migrated_schema_matches_the_models_and_downgrades(db: str) -> None:
    assert schema_drift(db, TABLES) == []
    columns = {c["name"]: c for c in inspect(get_engine(db)).get_columns("account_event")}
    assert columns["before"]["nullable"] and columns["after"]["nullable"]  # a sign-in changes no field
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0008")
    assert not TABLES & set(inspect(get_engine(db)).get_table_names())
    dispose_engines()
    migrate.upgrade(db)
    assert schema_drift(db, TABLES) == []
