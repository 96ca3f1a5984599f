"""Which Celery queue each kind of work goes to, so that mail one person is waiting for never
queues behind a mailing to a million (docs/operations.md, "Queues and workers").

- `transactional`: mail to one person or a few, which someone is waiting for (double opt-in
  confirmations, welcome mails, invitations, password resets, review requests, test mails,
  staff notices, comment mentions), and the head start of a release's mailing (its journalists' deliveries,
  bounded by the size of the lists that receive embargoed releases).
- `bulk`: the mailings themselves: inserting a release's audience, fanning out and sending its
  batches.
- `housekeeping`: the scheduler's periodic work: outbox relay, publishing due releases, the
  delivery sweep, the webhooks' sweep, preparing digests (their batches go to `bulk`), polling bounces, the reports'
  daily fold. Short, sends no mail, and has a worker of its own, so it never waits behind a
  mailing or a mail server that does not answer.
- `pressroom` (the default): everything else (media renditions, search index, withdrawals,
  erasure, webhook deliveries: each bounded by PRESSROOM_WEBHOOK_TIMEOUT), so an upload's renditions wait neither for mail nor behind it.

Run a worker per queue, or one for all of them (`pressroom worker --queues …`); only a worker
that consumes `transactional` apart from `bulk` guarantees that mail is never held up, and only
one that consumes `housekeeping` alone that the scheduler's work is never held up by sending.
"""

from __future__ import annotations

from core.errors import InvalidInput

TRANSACTIONAL = "transactional"
BULK = "bulk"
HOUSEKEEPING = "housekeeping"
DEFAULT = "pressroom"
QUEUES = (TRANSACTIONAL, BULK, HOUSEKEEPING, DEFAULT)

# Task name -> queue, for tasks whose queue does not depend on their arguments (Celery's
# `task_routes`). `events.handle` is routed per event by `queue_for_event`.
TASK_QUEUES: dict[str, str] = {
    "distribution.fan_out": BULK,
    "distribution.send_batch": BULK,
    "digests.send": HOUSEKEEPING,
    "outbox.relay": HOUSEKEEPING,
    "releases.publish_due": HOUSEKEEPING,
    "distribution.sweep": HOUSEKEEPING,
    "bounces.poll": HOUSEKEEPING,
    "reports.fold": HOUSEKEEPING,
    "media.process": DEFAULT,
    "webhooks.dispatch": DEFAULT,
    "webhooks.deliver": DEFAULT,
    "webhooks.sweep": HOUSEKEEPING,
    "events.handle": DEFAULT,
}

# Event name -> the queue of the task that handles it (others: DEFAULT).
EVENT_QUEUES: dict[str, str] = {
    "subscription.requested": TRANSACTIONAL,
    "subscription.confirmed": TRANSACTIONAL,
    "account.invited": TRANSACTIONAL,
    "account.password_reset_requested": TRANSACTIONAL,
    "release.test_requested": TRANSACTIONAL,
    "comment.mentioned": TRANSACTIONAL,
    "release.submitted": TRANSACTIONAL,
    "release.step_reached": TRANSACTIONAL,
    "release.changes_requested": TRANSACTIONAL,
    "release.approved": TRANSACTIONAL,
    "release.published": TRANSACTIONAL,
    "distribution.ready": TRANSACTIONAL,
    "distribution.finished": TRANSACTIONAL,
    "distribution.preparing": BULK,
    "webhook.endpoint_disabled": TRANSACTIONAL,
}


def queue_for_event(name: str) -> str:
    """The queue whose worker handles the event `name`."""
    return EVENT_QUEUES.get(name, DEFAULT)


def parse_queues(value: str) -> list[str]:
    """A comma-separated list of queue names (`pressroom worker --queues`); empty means all.
    Raises InvalidInput naming an unknown queue and the known ones."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in QUEUES]
    if unknown:
        raise InvalidInput("--queues", f"unknown queue {', '.join(unknown)}; the queues are {', '.join(QUEUES)}")
    return list(dict.fromkeys(names)) or list(QUEUES)
