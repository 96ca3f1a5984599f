"""Counting a read on each database: one row in the caller's transaction; on PostgreSQL that
transaction alone commits without waiting for the disk."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from core.db import session_scope, utcnow
from reports.models import PageView
from reports.readership import record_view
from tests import factories


def test_a_read_is_one_row_and_waits_for_no_disk_on_postgresql(db: str) -> None:
    with session_scope() as session:
        release = factories.release(session, factories.user(session, "spokesperson", "an@example.be")).id or 0
    with session_scope() as session:
        record_view(session, release, "nl", utcnow().date(), bot=True, first_visit=True, referrer="www.standaard.be")
        if db.startswith("postgresql"):
            assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
    with session_scope() as session:
        if db.startswith("postgresql"):  # only that transaction: the next one waits for the disk again
            assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
        rows = session.exec(select(PageView)).all()
    # A bot's read is never a first visit and names no referrer.
    assert [(r.release_id, r.language, r.bot, r.first_visit, r.referrer_host) for r in rows] == [
        (release, "nl", True, False, "")]
