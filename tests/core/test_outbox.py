"""The outbox: events commit with their change, relay at least once, take effect exactly once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from core.db import session_scope
from core.outbox import EventReceipt, OutboxEvent, emit, handle_event, pending_count, relay_pending
from core.settings import override_settings
from workflow.models import Notification

applied: list[str] = []


def count_effect(session: Session, event: OutboxEvent) -> None:
    applied.append(event.id)


def _event(name: str = "test.happened") -> str:
    with session_scope() as s:
        return emit(s, name, None, note="x").id


def test_event_exists_only_if_its_transaction_commits(db: str) -> None:
    with pytest.raises(RuntimeError), session_scope() as s:
        emit(s, "test.rolled_back")
        raise RuntimeError("the change failed")
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(OutboxEvent)).one() == 0


def test_relay_sends_each_pending_event_once_until_redispatch(db: str) -> None:
    first, second = _event(), _event()
    sent: list[str] = []
    assert relay_pending(lambda e: sent.append(e.id)) == 2
    assert sent == [first, second]
    assert relay_pending(lambda e: sent.append(e.id)) == 0  # claimed, not yet stale
    override_settings(outbox_redispatch_after=0.001)
    handle_event(first, {})  # handled events are never sent again
    assert relay_pending(lambda e: sent.append(e.id)) == 1
    assert sent[-1] == second


def test_failed_send_leaves_the_event_pending(db: str) -> None:
    event_id = _event()

    def broken(_: OutboxEvent) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        relay_pending(broken)
    sent: list[str] = []
    assert relay_pending(lambda e: sent.append(e.id)) == 1
    assert sent == [event_id]


def test_handling_twice_applies_once(db: str) -> None:
    applied.clear()
    event_id = _event()
    handlers = {"test.happened": [count_effect]}
    first = handle_event(event_id, handlers)
    assert (first.name, first.ran) == ("test.happened", ["tests.core.test_outbox.count_effect"])
    assert handle_event(event_id, handlers).ran == []
    assert applied == [event_id]
    with session_scope() as s:
        assert pending_count(s) == 0
        assert len(s.exec(select(EventReceipt)).all()) == 1


def test_concurrent_handling_applies_once(db: str) -> None:
    from tests import factories
    from workflow import notifications, service

    with session_scope() as s:
        author = factories.user(s)
        for _ in range(3):
            factories.user(s, "approver")
        release_id = factories.release(s, author).id or 0
        service.submit(s, release_id, author)
    with session_scope() as s:
        event_id = s.exec(select(OutboxEvent.id).where(OutboxEvent.name == "release.submitted")).one()
    handlers = {"release.submitted": [notifications.review_requested]}
    barrier = threading.Barrier(4)
    results: list[list[str]] = []

    def run() -> None:
        barrier.wait()
        results.append(handle_event(event_id, handlers).ran)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]
    with session_scope() as s:
        assert len(s.exec(select(Notification)).all()) == 3  # three approvers, each once


def test_a_failed_event_waits_its_backoff_and_one_that_waiting_cannot_heal_dies_at_once(sqlite_db: str) -> None:
    from datetime import timedelta

    from core.db import utcnow
    from core.errors import NotFound
    from core.outbox import DeadLetterStateError, record_failure, retry_dead_letter

    override_settings(event_max_attempts=5, event_retry_base=60)
    flaky, lasting = _event(), _event()
    sent: list[str] = []
    assert relay_pending(lambda e: sent.append(e.id)) == 2
    assert record_failure(flaky, TimeoutError("the archive did not answer")) is False
    assert record_failure(lasting, NotFound("release", 12)) is True  # a missing row does not come back
    assert relay_pending(lambda e: sent.append(e.id)) == 0  # the one waits a minute, the other for an admin
    with session_scope() as s:
        event = s.get(OutboxEvent, flaky)
        assert event is not None and event.failures == 1 and event.last_error == "TimeoutError: the archive did not answer"
        assert event.retry_at is not None and timedelta(seconds=55) < event.retry_at - utcnow() <= timedelta(seconds=60)
        assert pending_count(s) == 1  # a dead letter is not pending
    with pytest.raises(DeadLetterStateError, match="is pending: cannot retry"):
        retry_dead_letter(flaky)
    retry_dead_letter(lasting)
    assert relay_pending(lambda e: sent.append(e.id)) == 1 and sent[-1] == lasting
