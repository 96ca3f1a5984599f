"""Webhook tasks: queue a release's deliveries, try one delivery (again, with Celery's countdown,
when the domain says so), sweep for deliveries whose task was lost. Ids in, `webhooks` called."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from core.db import session_scope
from tasks.app import app
from webhooks import delivery


@app.task(name="webhooks.dispatch")
def dispatch(release_id: int) -> int:
    """Queue the untried deliveries of a release, each with a countdown to its time when that is
    near (an endpoint waiting for the lift); later ones are the sweep's."""
    with session_scope() as session:
        found = delivery.queued(session, release_id)
    queued = 0
    for delivery_id, wait in found:
        if wait <= delivery.LONGEST_COUNTDOWN:
            deliver.apply_async(args=[delivery_id], countdown=wait or None)
            queued += 1
    return queued


@app.task(name="webhooks.deliver", bind=True, autoretry_for=(OperationalError,), retry_backoff=True,
          retry_jitter=True, max_retries=8)
def deliver(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    """One try of one delivery; a transient failure comes back after the domain's backoff."""
    outcome = delivery.attempt(delivery_id)
    if outcome.disabled:  # the admins' mail is an outbox event: hand it over now
        app.send_task("outbox.relay")
    if outcome.retry_in is not None and outcome.retry_in <= delivery.LONGEST_COUNTDOWN:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.kind


@app.task(name="webhooks.sweep")
def sweep() -> int:
    """Queue pending deliveries well past their time that no task is trying."""
    ids = delivery.overdue()
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)
