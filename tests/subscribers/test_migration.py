"""The 0002 migration creates exactly the tables the models describe, and can be undone."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from core import migrate
from core.db import get_engine
from tests.schema_drift import schema_drift

TABLES = {"mailing_list", "subscriber", "subscriber_topic", "subscription", "consent_record", "suppression"}




def test_migrated_schema_matches_the_models_and_downgrades(db: str) -> None:
    assert schema_drift(db, TABLES) == []
    if db.startswith("sqlite"):
        command.downgrade(migrate.alembic_config(db), "0001")
        assert not TABLES & set(inspect(get_engine(db)).get_table_names())
        migrate.upgrade(db)
        assert TABLES <= set(inspect(get_engine(db)).get_table_names())
