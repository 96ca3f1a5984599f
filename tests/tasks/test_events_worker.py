"""Outbox events reach a real Celery worker over a real Redis broker and take effect once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from core.db import session_scope, utcnow
from core.outbox import EventReceipt, OutboxEvent, handler_key, relay_pending
from tasks.events import HANDLERS, handle, publish_due_releases, send_event
from tests import factories
from tests.conftest import wait_until
from workflow import service
from workflow.models import Notification, Release, User
from workflow.states import State


def _notifications(kind: str) -> list[Notification]:
    with session_scope() as s:
        return list(s.exec(select(Notification).where(Notification.kind == kind)).all())


def _handled(event_id: str) -> bool:
    with session_scope() as s:
        event = s.get(OutboxEvent, event_id)
        return event is not None and event.handled_at is not None


def test_submitted_event_notifies_approvers_through_the_worker(db: str, worker) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        author = factories.user(s)
        approvers = [factories.user(s, "approver"), factories.user(s, "approver")]
        release_id = factories.release(s, author).id or 0
        service.submit(s, release_id, author)
    assert relay_pending(send_event) == 2  # release.created and release.submitted
    notes = wait_until(lambda: len(_notifications("review_request")) == 2 and _notifications("review_request"),
                       what="review requests")
    assert {n.user_id for n in notes} == {a.id for a in approvers}


def test_an_event_delivered_twice_is_handled_once(db: str, worker) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author).id or 0
        service.submit(s, release_id, author)
        service.request_changes(s, release_id, approver, "Name the ambassador.")
    with session_scope() as s:
        event_id = s.exec(select(OutboxEvent.id).where(OutboxEvent.name == "release.changes_requested")).one()
    # the same event twice, as a redelivery after a lost acknowledgement would do
    handle.apply_async(args=[event_id], task_id=event_id)
    handle.apply_async(args=[event_id], task_id=f"{event_id}-again")
    wait_until(lambda: _handled(event_id), what="the event to be handled")
    # a third, marker task: once it is handled, both copies before it have run
    with session_scope() as s:
        marker_id = s.exec(select(OutboxEvent.id).where(OutboxEvent.name == "release.submitted")).one()
    handle.apply_async(args=[marker_id], task_id=marker_id)
    wait_until(lambda: _handled(marker_id), what="the marker event")
    notes = _notifications("changes_requested")
    assert len(notes) == 1 and "Name the ambassador." in notes[0].message
    with session_scope() as s:
        receipts = s.exec(select(EventReceipt).where(EventReceipt.event_id == event_id)).all()
        # one receipt per handler (the notification and the mail), none twice
        assert sorted(r.handler for r in receipts) == sorted(handler_key(h) for h in HANDLERS[
            "release.changes_requested"])


def test_scheduled_release_is_published_by_the_worker(db: str, worker) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver, at=utcnow() + timedelta(hours=1))
    # an hour passes: move the schedule into the past instead of waiting
    with session_scope() as s:
        s.execute(update(Release).where(Release.id == release_id).values(publish_at=utcnow() - timedelta(seconds=1)))
    publish_due_releases.delay()
    publish_due_releases.delay()  # beat and an ETA may fire together: still one publication

    def published() -> bool:
        with session_scope() as s:
            return service.get_release(s, release_id).state == State.PUBLISHED

    wait_until(published, what="the scheduled publication")
    with session_scope() as s:
        log = service.audit_log(s, release_id)
        assert [e.action for e in log].count("publish") == 1
        assert log[-1].actor_label == "scheduler"
    wait_until(lambda: _notifications("published_receipt"), what="the published receipt")
    with session_scope() as s:
        author_id = s.exec(select(User.id).where(User.email == author.email)).one()
    assert [n.user_id for n in _notifications("published_receipt")] == [author_id]
