"""The 0020 migration creates exactly the webhook tables the models describe, and can be undone."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from core import migrate
from core.db import dispose_engines, get_engine
from tests.schema_drift import schema_drift

TABLES = {"webhook_endpoint", "webhook_delivery", "webhook_attempt"}


def test_migrated_schema_matches_the_models_and_downgrades(db: str) -> None:
    assert schema_drift(db, TABLES) == []
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0020-1")
    assert not TABLES & set(inspect(get_engine(db)).get_table_names())
    dispose_engines()
    migrate.upgrade(db)
    assert schema_drift(db, TABLES) == []
