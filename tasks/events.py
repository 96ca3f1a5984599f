"""Tasks for outbox events and the schedule; each loads ids and calls a domain function."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from core.outbox import Handler, OutboxEvent, handle_event, relay_pending
from tasks.app import app
from workflow import notifications
from workflow.publishing import publish_due

log = logging.getLogger(__name__)

# Event name -> the domain handlers that react to it, each applied once per event.
HANDLERS: dict[str, list[Handler]] = {
    "release.submitted": [notifications.review_requested],
    "release.changes_requested": [notifications.changes_requested],
    "release.approved": [notifications.approved],
    "release.published": [notifications.published_receipt],
    "release.withdrawn": [notifications.withdrawn],
}


def send_event(event: OutboxEvent) -> None:
    """Hand one outbox event to the broker; the event id is the task id."""
    handle.apply_async(args=[event.id], task_id=event.id)


@app.task(
    name="events.handle",
    autoretry_for=(OperationalError,),  # database briefly unreachable or locked
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def handle(event_id: str) -> list[str]:
    """Apply an outbox event's handlers; safe to run any number of times."""
    return handle_event(event_id, HANDLERS)


@app.task(name="outbox.relay")
def relay() -> int:
    """Send events that were committed but not yet handed to the broker."""
    return relay_pending(send_event)


@app.task(name="releases.publish_due")
def publish_due_releases() -> list[int]:
    """Publish scheduled releases whose time has come (runs from beat, and at a release's ETA)."""
    published = publish_due()
    if published:
        relay_pending(send_event)
    return published


__all__ = ["handle", "relay", "publish_due_releases", "send_event", "HANDLERS"]
