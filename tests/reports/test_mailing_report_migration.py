"""The 0014 migration adds the bounce kind and time to deliveries and the mailing tallies table,
as the models describe them, gives bounces recorded before it their kind, and can be undone."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select, text

from core import migrate
from core.db import dispose_engines, get_engine, session_scope
from delivery.models import Delivery
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release
from tests.schema_drift import schema_drift

TABLES = {"mailing_tally", "delivery"}


def test_migrated_schema_matches_the_models_and_downgrades(db: str) -> None:
    assert schema_drift(db, TABLES) == []
    make_lists()
    add_people(3)
    send_batch(prepare(publish_release()), MemoryTransport(Outbox()))
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0013")
    engine = get_engine(db)
    assert "mailing_tally" not in inspect(engine).get_table_names()
    assert not {"bounce", "bounced_at"} & {c["name"] for c in inspect(engine).get_columns("delivery")}
    with engine.begin() as connection:  # what the bounce processor wrote before the migration
        ids = connection.execute(text("SELECT id FROM delivery ORDER BY id")).scalars().all()
        for delivery_id, error in zip(ids, ("hard bounce 5.1.1: gone", "soft bounce 4.2.2: full"), strict=False):
            connection.execute(text("UPDATE delivery SET status = 'bounced', last_error = :e WHERE id = :i"),
                               {"e": error, "i": delivery_id})
    dispose_engines()
    migrate.upgrade(db)
    assert schema_drift(db, TABLES) == []
    with session_scope() as s:
        kinds = s.execute(select(Delivery.bounce).order_by(Delivery.id)).scalars().all()
    assert kinds == ["hard", "soft", ""]
