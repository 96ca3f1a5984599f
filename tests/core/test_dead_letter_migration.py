"""The 0019 migration gives outbox events exactly the failure columns the model describes, keeps
the events there are, and can be undone."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from core import migrate
from core.db import dispose_engines, get_engine, session_scope
from core.outbox import OutboxEvent, emit
from tests.schema_drift import schema_drift

COLUMNS = {"failures", "last_error", "retry_at", "dead_at", "discarded_at"}


def test_migrated_schema_matches_the_models_and_downgrades(db: str) -> None:
    assert schema_drift(db, {"outbox_event"}) == []
    with session_scope() as s:
        event_id = emit(s, "release.published", 1).id
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0019-1")
    assert not COLUMNS & {c["name"] for c in inspect(get_engine(db)).get_columns("outbox_event")}
    dispose_engines()
    migrate.upgrade(db)
    assert schema_drift(db, {"outbox_event"}) == []
    with session_scope() as s:
        event = s.get(OutboxEvent, event_id)
        assert event is not None and event.failures == 0 and event.last_error == "" and event.dead_at is None
