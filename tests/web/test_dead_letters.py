"""An event whose handler always fails ends in the dead letters after PRESSROOM_EVENT_MAX_ATTEMPTS
tries (a real worker, the real broker): `pressroom failures`, /api/failures and /press/failures
show it, /healthz says degraded, /metrics counts it, `pressroom check` lists it, and a retry after
the fix handles it once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from cli.check import check_dead_letters
from core.db import session_scope
from core.outbox import OutboxEvent, emit, relay_pending
from core.settings import get_settings, override_settings
from tasks.events import HANDLERS, send_event
from tests.cli.helpers import fails, invoker, ok
from tests.conftest import wait_until
from tests.web.conftest import Web, post, signed_in

EVENT = "test.flaky"
runs: dict[str, int] = {"failed": 0, "succeeded": 0}
broken = {"now": True}


def flaky_handler(session: Session, event: OutboxEvent) -> None:
    """Fails while `broken`, as a handler would before its cause is fixed."""
    if broken["now"]:
        runs["failed"] += 1
        raise RuntimeError("the archive service refused the release")
    runs["succeeded"] += 1


def _event(event_id: str) -> OutboxEvent:
    with session_scope() as s:
        event = s.get(OutboxEvent, event_id)
        assert event is not None
        s.expunge(event)
        return event


def test_a_handler_that_always_fails_reaches_the_dead_letters_and_a_retry_handles_it_once(
        web: Web, worker: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(HANDLERS, EVENT, [flaky_handler])
    runs.update(failed=0, succeeded=0)
    broken["now"] = True
    override_settings(event_max_attempts=2, event_retry_base=0.05, event_retry_max=0.1)
    with session_scope() as s:
        event_id = emit(s, EVENT, 7).id

    def dead() -> bool:
        relay_pending(send_event)  # what beat's relay does every few seconds
        return _event(event_id).dead_at is not None

    wait_until(dead, 30, "the event to become a dead letter")
    event = _event(event_id)
    assert runs["failed"] == 2 and event.failures == 2 and event.handled_at is None
    assert event.last_error.startswith("RuntimeError: the archive service refused the release (handler ")
    assert "flaky_handler" in event.last_error
    assert relay_pending(send_event) == 0  # no longer relayed
    run = invoker()
    listed = ok(run("failures", "list")).output
    assert event_id in listed and EVENT in listed and "RuntimeError" in listed

    with web.browser() as client:
        health = client.get("/healthz")
        metrics = client.get("/metrics").text.splitlines()
    assert health.status_code == 200 and health.json()["status"] == "degraded" and health.json()["dead_letters"] == 1
    assert "pressroom_dead_letters 1" in metrics
    result = check_dead_letters(get_settings())
    assert not result.ok and event_id in result.detail and "RuntimeError" in result.detail

    with web.api(web.admin) as api:
        [shown] = api.get("/failures").json()
        assert shown["id"] == event_id and shown["state"] == "dead" and shown["failures"] == 2
    with web.api(web.spokesperson) as api:
        assert api.get("/failures").status_code == 403
    with signed_in(web, web.admin) as client:
        page = client.get("/press/failures")
        assert page.status_code == 200 and event_id in page.text and "the archive service refused" in page.text
        assert 'id="failed-events"' in client.get("/press").text  # the dashboard says so in red
    with signed_in(web, web.approver) as client:
        assert 'id="failed-events"' not in client.get("/press").text  # only admins can act on it

    broken["now"] = False  # the cause is fixed
    ok(run("failures", "retry", event_id))
    wait_until(lambda: _event(event_id).handled_at is not None, 30, "the retried event to be handled")
    assert runs == {"failed": 2, "succeeded": 1}
    fails(run("failures", "retry", event_id), 5, "is handled: cannot retry")
    with web.browser() as client:
        assert client.get("/healthz").json()["status"] == "ok"


def test_an_admin_discards_a_dead_letter_in_the_press_office(web: Web, sqlite_db: str) -> None:
    override_settings(event_max_attempts=1)
    with session_scope() as s:
        event_id = emit(s, EVENT, 8).id
    from core.outbox import record_failure

    assert record_failure(event_id, RuntimeError("gone wrong"))  # one failure is the maximum here
    with signed_in(web, web.admin) as client:
        response = post(client, f"/press/failures/{event_id}/discard", {}, page="/press/failures")
        assert response.status_code == 303
        assert f'id="event-{event_id}"' not in client.get("/press/failures").text
    event = _event(event_id)
    assert event.discarded_at is not None and event.handled_at is None
    with web.browser() as client:
        assert client.get("/healthz").json()["status"] == "ok"
