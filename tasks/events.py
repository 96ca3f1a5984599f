"""Tasks for outbox events and the schedule; each loads ids and calls a domain function."""

from __future__ import annotations

import logging

from celery import Task
from sqlalchemy.exc import OperationalError

from core.errors import NotFound
from core.outbox import Handler, OutboxEvent, handle_event, record_failure, relay_pending
from delivery import notices, proofs
from delivery.errors import TransportUnavailable
from delivery.handlers import (
    erase_deliveries,
    notify_withdrawal,
    prepare_release_distribution,
    prepare_remaining_deliveries,
    stop_withdrawn_release,
)
from tasks.app import app
from tasks.distribution import fan_out
from tasks.media import process_media
from tasks.queues import queue_for_event
from tasks.webhooks import deliver as deliver_webhook
from tasks.webhooks import dispatch as dispatch_webhooks
from webhooks import delivery as webhook_delivery
from webhooks import handlers as webhooks
from webhooks import notices as webhook_notices
from workflow import notifications, search
from workflow.publishing import publish_due

log = logging.getLogger(__name__)

# Event name -> the domain handlers that react to it, each applied once per event.
HANDLERS: dict[str, list[Handler]] = {
    "release.submitted": [notifications.review_requested, notices.review_request],
    # The next step of an approval chain, or step 1 again after signed text was edited.
    "release.step_reached": [notifications.review_requested, notices.review_request],
    "release.edited": [notifications.review_requested, notices.review_request],
    "release.changes_requested": [notifications.changes_requested, notices.changes_requested],
    "release.approved": [notifications.approved],
    # The mailing first: its priority batches leave while the receipts are being written.
    "release.published": [prepare_release_distribution, notifications.published_receipt,
                          notices.published_receipt, search.follow_release, webhooks.release_published],
    "release.withdrawn": [stop_withdrawn_release, notifications.withdrawn, notify_withdrawal,
                          search.follow_release, webhooks.release_withdrawn],
    "release.archived": [search.follow_release],
    "subscription.requested": [notices.subscription_confirmation],
    "subscription.confirmed": [notices.welcome],
    "subscriber.erased": [erase_deliveries],
    "distribution.preparing": [prepare_remaining_deliveries],
    "distribution.finished": [notices.mailing_problem],
    "release.test_requested": [proofs.send_test_mail],
    "comment.mentioned": [notifications.mentioned, notices.comment_mention],
    "account.invited": [notices.invitation],
    "account.password_reset_requested": [notices.password_reset],
    "webhook.endpoint_disabled": [webhook_notices.endpoint_disabled],
}


# Event name -> the task that continues the work outside a transaction (queuing is idempotent:
# a batch task that finds nothing to claim simply ends).
FOLLOW_UPS: dict[str, Task] = {"distribution.ready": fan_out, "media.uploaded": process_media,
                               webhook_delivery.READY: dispatch_webhooks,
                               webhook_delivery.REDELIVERY: deliver_webhook}


def send_event(event: OutboxEvent) -> None:
    """Hand one outbox event to the broker, on its queue (tasks/queues.py); the event id is the
    task id."""
    handle.apply_async(args=[event.id], task_id=event.id, queue=queue_for_event(event.name))


@app.task(
    name="events.handle",
    bind=True,
    autoretry_for=(OperationalError,),  # the database briefly unreachable or locked
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def handle(self, event_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Apply an outbox event's handlers, then start the work it calls for; safe to run twice.

    A handler that raises is counted against the event (`record_failure`): the relay tries it
    again after a backoff, and after PRESSROOM_EVENT_MAX_ATTEMPTS it is a dead letter.
    """
    try:
        handled = handle_event(event_id, HANDLERS, after_each=_relay_now)
    except NotFound as exc:
        if exc.kind == "event":
            # Only a database restored from before the event, or emptied, has no such event.
            log.warning("event %s is not in the database; nothing to do", event_id)
            return []
        record_failure(event_id, exc)
        return []
    except TransportUnavailable as exc:
        if not exc.transient or self.request.retries >= self.max_retries:
            record_failure(event_id, exc)
            return []
        # The mail server said "later": handlers that finished keep their receipts.
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 1800)) from None
    except OperationalError:
        raise  # the database itself: Celery's own retries (and the relay) try again
    except Exception as exc:
        log.exception("event %s: a handler failed", event_id)
        record_failure(event_id, exc)
        return []
    if handled.dead:
        return []
    follow_up = FOLLOW_UPS.get(handled.name)
    if follow_up is not None and handled.subject_id is not None:
        follow_up.delay(handled.subject_id)
    return handled.ran


def _relay_now() -> None:
    """A handler may have emitted events of its own: hand them over now."""
    relay_pending(send_event)


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


__all__ = ["HANDLERS", "handle", "publish_due_releases", "relay", "send_event"]
