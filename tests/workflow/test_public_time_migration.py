"""Migration 0005: `release.public_at` and its index match the models, and releases published
before it get their public time: the lift of their embargo when that came after their
publication, else their publication."""

from __future__ import annotations

from datetime import datetime, timedelta

from alembic import command
from sqlalchemy import inspect, update

from core import migrate
from core.db import dispose_engines, get_engine, session_scope, utcnow
from tests import factories
from tests.workflow.test_release_languages_migration import _release_diffs
from workflow import service
from workflow.models import Release


def _published(embargo_until: datetime | None, withdrawn: bool = False) -> int:
    """A release published under `embargo_until` as rows from before 0005 hold it (publishing
    today refuses an embargo already past, so the row gets its lift afterwards)."""
    ahead = utcnow() + timedelta(days=30) if embargo_until is not None else None
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author, lists=[], embargo_until=ahead).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
        if withdrawn:
            service.withdraw(s, release_id, approver, "wrong figures")
        s.execute(update(Release).where(Release.id == release_id).values(embargo_until=embargo_until))  # type: ignore[arg-type]
    return release_id


def test_public_time_is_backfilled_from_publication_and_embargo(db: str) -> None:
    assert _release_diffs(db) == []
    now = utcnow().replace(microsecond=0)
    plain = _published(None)
    lifted_later = _published(now + timedelta(days=1))
    lifted_earlier = _published(now - timedelta(days=3), withdrawn=True)
    with session_scope() as s:
        draft = factories.release(s, factories.user(s), embargo_until=now + timedelta(days=1)).id
        for release_id, published in ((plain, now - timedelta(days=1)), (lifted_later, now - timedelta(hours=5)),
                                      (lifted_earlier, now - timedelta(days=2))):
            s.execute(update(Release).where(Release.id == release_id).values(published_at=published))  # type: ignore[arg-type]
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0004")
    assert "public_at" not in {c["name"] for c in inspect(get_engine(db)).get_columns("release")}
    migrate.upgrade(db)
    with session_scope() as s:
        public = {i: s.get(Release, i).public_at for i in (plain, lifted_later, lifted_earlier, draft)}  # type: ignore[union-attr]
    assert public == {plain: now - timedelta(days=1), lifted_later: now + timedelta(days=1),
                      lifted_earlier: now - timedelta(days=2), draft: None}
    assert _release_diffs(db) == []
