"""Distribution tasks: fan a mailing out into batches, send a batch, sweep stale leases.

Each task passes ids only and calls `delivery`; each is safe to run twice (a batch claims
rows with a lease, and a sent row is never claimed again).
"""

from __future__ import annotations

import logging
import math

from sqlalchemy.exc import OperationalError

from core.settings import get_settings
from delivery import digests, engine
from delivery.bounces import process_maildir
from delivery.sending import send_batch as send_one_batch
from delivery.throttle import NoConnectionSlot
from tasks.app import app

log = logging.getLogger(__name__)


@app.task(name="distribution.fan_out")
def fan_out(distribution_id: int) -> int:
    """Queue batch tasks for what can be sent now, at most `engine.batches_in_flight()` of them
    (each full batch queues its successor); extra tasks find nothing and stop."""
    width = engine.batches_in_flight()
    size = engine.batch_size_for(distribution_id)
    due = engine.due_count(distribution_id, cap=width * size)
    batches = math.ceil(due / size)
    for _ in range(batches):
        send_batch.delay(distribution_id)
    if not due:
        engine.finish_if_complete(distribution_id)
    return batches


@app.task(
    name="distribution.send_batch",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=10,
)
def send_batch(self, distribution_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Claim one batch of deliveries and send it over one SMTP connection."""
    try:
        report = send_one_batch(distribution_id)
    except NoConnectionSlot as exc:
        raise self.retry(exc=exc, countdown=1, max_retries=None) from None
    if report.claimed >= report.size:  # a full batch: keep the mailing's batches in flight
        send_batch.delay(distribution_id)
    return report.as_dict()


@app.task(name="distribution.sweep")
def sweep() -> int:
    """Return dead workers' leases to the queue and top up every stalled sending distribution.

    A distribution with a live lease is being sent, and its batches hand on to their successors;
    topping it up anyway would queue another set of batches every sweep. One with none (its
    tasks were lost with the broker, or its retries fell due) gets a fresh fan-out.
    """
    reclaimed = engine.reclaim_expired()
    if reclaimed:
        log.warning("reclaimed %d deliveries whose lease expired", reclaimed)
    for distribution_id in engine.active_distributions():
        if not engine.has_live_claims(distribution_id):
            fan_out.delay(distribution_id)
    return reclaimed


@app.task(name="digests.send")
def send_digest(period: str) -> int | None:
    """Prepare the last complete period's digest (once per period) and fan it out."""
    distribution_id = digests.prepare_digest(period)
    if distribution_id is not None:
        fan_out.delay(distribution_id)
    return distribution_id


@app.task(name="bounces.poll")
def poll_bounces() -> dict[str, int]:
    """Read new bounces from the configured Maildir (PRESSROOM_BOUNCE_MAILDIR)."""
    path = get_settings().bounce_maildir
    if path is None:
        return {}
    report = process_maildir(path)
    return {k: v for k, v in vars(report).items() if isinstance(v, int)}
