"""The distribution engine's bookkeeping: materialise deliveries, claim them with a lease,
record outcomes, reclaim what a dead worker held, and control a distribution.

Sending itself is in `delivery.sending`; this module only moves Delivery rows between
statuses, in short transactions, so any number of workers can share the work.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, case, func, literal, or_, select, text, update
from sqlmodel import Session, col

from core.db import as_utc, insert_ignoring, session_scope, utcnow
from core.errors import Conflict, NotFound, error_text, heals_by_waiting
from core.outbox import OutboxEvent, emit
from core.settings import get_settings
from delivery.models import (
    CLAIMABLE,
    UNFINISHED,
    Delivery,
    DeliveryStatus,
    Distribution,
    DistributionStatus,
)
from subscribers.audience import SUPPRESSED
from subscribers.models import Subscriber, SubscriberStatus, Suppression
from workflow.models import Release
from workflow.service import record_note
from workflow.states import State
from workflow.withdrawals import withdrawal_of

log = logging.getLogger(__name__)

# Distributions that a withdrawal still has something to stop in.
STOPPABLE = (DistributionStatus.PREPARING, DistributionStatus.SENDING, DistributionStatus.PAUSED)
WITHDRAWN_NOTE = "withdrawn"
CANCELLED_NOTE = "distribution cancelled"
# The event whose handler inserts the bulk of a release's deliveries; while one is unhandled
# the distribution is not complete, whatever its rows say (see `delivery.handlers`).
PREPARING_EVENT = "distribution.preparing"
# Statuses in which a distribution's batches may send: a preparing one sends its priority
# deliveries while the rest are being inserted.
SENDABLE = (DistributionStatus.SENDING, DistributionStatus.PREPARING)

CONTROL_MOVES: dict[str, tuple[tuple[DistributionStatus, ...], DistributionStatus]] = {
    "pause": ((DistributionStatus.SENDING, DistributionStatus.PREPARING), DistributionStatus.PAUSED),
    "resume": ((DistributionStatus.PAUSED,), DistributionStatus.SENDING),
    "cancel": (
        (DistributionStatus.PREPARING, DistributionStatus.SENDING, DistributionStatus.PAUSED),
        DistributionStatus.CANCELLED,
    ),
    "retry-failed": ((DistributionStatus.DONE, DistributionStatus.SENDING, DistributionStatus.PAUSED,
                      DistributionStatus.FAILED), DistributionStatus.SENDING),
}


@dataclass(frozen=True)
class Claimed:
    """A delivery leased to one batch."""

    id: int
    subscriber_id: int
    list_id: int | None
    email: str
    name: str
    language: str
    attempts: int
    lease_until: datetime | None = None


class Lease:
    """The lease one batch holds on its claimed rows, renewed while the batch works.

    The lease's expiry doubles as a fencing token: every claim writes its own moment, so a
    renewal or a give-back that finds another expiry on a row knows the sweep took the row away
    (the batch outlived its lease) and someone else may hold it now.
    """

    def __init__(self, claimed: Sequence[Claimed], seconds: float | None = None) -> None:
        self.seconds = seconds if seconds is not None else get_settings().delivery_lease_seconds
        self.until = claimed[0].lease_until if claimed else None
        self.held = {c.id for c in claimed}
        self.lost = False
        self._renew_at = time.monotonic() + self.seconds / 3

    def done(self, delivery_ids: Iterable[int]) -> None:
        """These rows have their outcome saved: they are no longer leased."""
        self.held.difference_update(delivery_ids)

    def due(self) -> bool:
        return time.monotonic() >= self._renew_at

    def renew(self, now: datetime | None = None) -> bool:
        """Extend the lease on every row still held; False (and `lost`) when any was taken away."""
        if self.lost or self.until is None:
            return not self.lost
        if self.held:
            moment = now or utcnow()
            until = moment + timedelta(seconds=self.seconds)
            with session_scope() as session:
                renewed = session.connection().execute(
                    update(_table)
                    .where(_table.c.id.in_(sorted(self.held)), _table.c.status == DeliveryStatus.SENDING,
                           _table.c.lease_until == self.until)
                    .values(lease_until=until)
                ).rowcount
            if renewed != len(self.held):
                self.lost = True
                return False
            self.until = until
        self._renew_at = time.monotonic() + self.seconds / 3
        return True


@dataclass(frozen=True)
class Outcome:
    """What the mail server said about one delivery."""

    delivery_id: int
    status: DeliveryStatus  # SENT, DEFERRED (transient) or FAILED (permanent)
    message_id: str = ""
    smtp_code: int | None = None
    response: str = ""
    attempts: int = 1


class DistributionStateError(Conflict):
    """A control action that the distribution's status does not allow."""

    def __init__(self, distribution_id: int, status: str, action: str, allowed: Iterable[str]):
        self.status = status
        self.action = action
        self.allowed = list(allowed)
        names = ", ".join(self.allowed) or "none"
        super().__init__(
            f"distribution {distribution_id} is {status}: cannot {action}; possible now: {names}"
        )


def get_distribution(session: Session, distribution_id: int) -> Distribution:
    distribution = session.get(Distribution, distribution_id)
    if distribution is None:
        raise NotFound("distribution", distribution_id)
    return distribution


def create_distribution(
    session: Session, key: str, kind: str, release_id: int | None = None, revision_id: int | None = None
) -> tuple[Distribution, bool]:
    """The distribution named `key`, created if new; returns (distribution, created)."""
    existing = session.execute(select(Distribution).where(col(Distribution.key) == key)).scalars().first()
    if existing is not None:
        return existing, False
    distribution = Distribution(key=key, kind=kind, release_id=release_id, revision_id=revision_id)
    session.add(distribution)
    session.flush()
    return distribution, True


def materialise_audience(session: Session, distribution: Distribution, audience: Select[Any],
                         not_before: datetime | None = None) -> int:
    """One queued Delivery per person of `audience` (an `AudienceRule.select()`, or any select
    of id, list_id, email, name and language per subscriber) who has none in
    this distribution yet, in one `INSERT … SELECT` run by the database: no row passes through
    Python, so a list of a million costs the worker no memory. Returns how many rows it
    inserted, for the caller to add to the total: the distribution's row is not written here, so
    a pause or cancel committed meanwhile does not wait for a long insert (see `prepared`).

    Rows inserted earlier get lower ids, and batches claim in id order: whatever one call
    inserts is sent before what a later call inserts.
    """
    people = audience.selected_columns
    columns = ("distribution_id", "subscriber_id", "list_id", "email", "name", "language", "status",
               "attempts", "next_attempt_at", "message_id", "smtp_response", "last_error", "updated_at")
    # The audience's own select with the delivery's columns (not a subquery of it: SQLite
    # needs the WHERE right there to tell "ON CONFLICT" from a join's ON).
    rows = audience.with_only_columns(
        literal(distribution.id, _table.c.distribution_id.type),
        people.id, people.list_id, people.email, people.name, people.language,
        literal(DeliveryStatus.QUEUED, _table.c.status.type),
        literal(0, _table.c.attempts.type),
        literal(not_before, _table.c.next_attempt_at.type),
        literal("", _table.c.message_id.type), literal("", _table.c.smtp_response.type),
        literal("", _table.c.last_error.type),
        literal(utcnow(), _table.c.updated_at.type),
    )
    # ON CONFLICT DO NOTHING: a person already materialised (from an earlier group, or by an
    # earlier run of the same step) keeps their row, and the pair stays unique.
    insert = insert_ignoring(session, _table).from_select(columns, rows)
    if session.get_bind().dialect.name == "postgresql":
        # psycopg reports no row count for INSERT … ON CONFLICT; the database counts the rows
        # it inserted instead (returning them all would bring a million ids to Python).
        inserted = insert.returning(literal(1)).cte("inserted")
        return int(session.execute(select(func.count()).select_from(inserted)).scalar_one())
    return max(int(session.execute(insert).rowcount or 0), 0)  # type: ignore[attr-defined]


# Rows inserted at once beyond which PostgreSQL's statistics of the delivery table are renewed.
ANALYSE_AFTER = 10_000


def refresh_statistics(session: Session, inserted: int) -> None:
    """After a large insert, renew PostgreSQL's statistics of the delivery table at once: claims
    are planned from them, and a plan made for the table as it was before a million rows came
    (a sort of every due row instead of an ordered scan of the claim index) would cost every
    batch a table scan until autovacuum got round to it."""
    if inserted >= ANALYSE_AFTER and session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("ANALYZE delivery")


def prepared(session: Session, distribution: Distribution) -> int:
    """Every delivery of the distribution exists now: a preparing one becomes sending (paused or
    cancelled ones keep their status). Returns the total."""
    now = utcnow()
    if distribution.status == DistributionStatus.PREPARING:
        distribution.status = DistributionStatus.SENDING
    distribution.started_at = distribution.started_at or now
    session.add(distribution)
    session.flush()
    return distribution.total


def started_early(session: Session, distribution: Distribution) -> None:
    """Some deliveries go before the rest exist (see `delivery.handlers`): the distribution stays
    preparing, but its batches may send what is there, and its clock starts now."""
    distribution.started_at = distribution.started_at or utcnow()
    session.add(distribution)
    session.flush()


def skip_unsent(session: Session, distribution_id: int, note: str, now: datetime | None = None) -> None:
    """Mark every delivery still waiting to be claimed skipped, with why."""
    session.execute(
        update(Delivery)
        .where(col(Delivery.distribution_id) == distribution_id, col(Delivery.status).in_(CLAIMABLE))
        .values(status=DeliveryStatus.SKIPPED, last_error=note, updated_at=now or utcnow())
    )


_table = Delivery.__table__  # type: ignore[attr-defined]


def batch_size(total: int | None = None) -> int:
    """How many deliveries one batch claims: `delivery_batch_size`, but

    - under a rate limit never more than a batch can send in half its lease at its share of the
      rate (a lease that ran out mid-batch would let the sweep hand the same rows to another
      worker);
    - for a mailing of `total`, no more than its share per SMTP connection (at least
      `delivery_record_every`): a mailing smaller than connections × batch size is still spread
      over every connection, and a large one pays a batch's fixed costs (a claim, a check of
      who may still be mailed, a connection, a task) once per `delivery_batch_size` messages.
    """
    settings = get_settings()
    size = settings.delivery_batch_size
    if settings.rate_limit_per_second > 0:
        share = settings.rate_limit_per_second / settings.max_smtp_connections
        size = min(size, max(1, int(share * settings.delivery_lease_seconds / 2)))
    if total is not None:
        per_connection = -(-total // settings.max_smtp_connections)
        size = min(size, max(per_connection, settings.delivery_record_every))
    return max(size, 1)


def batch_size_for(distribution_id: int) -> int:
    """`batch_size` for a distribution, by its total as it stands (the press lists' rows alone
    while the rest of a large mailing is still being inserted)."""
    with session_scope() as session:
        total = session.execute(
            select(col(Distribution.total)).where(col(Distribution.id) == distribution_id)
        ).scalar()
    return batch_size(total or 0)


def claim(distribution_id: int, size: int, now: datetime | None = None) -> list[Claimed]:
    """Lease up to `size` due deliveries of a sending distribution to the caller.

    PostgreSQL skips rows other workers hold locked; SQLite serialises writers, so two batches
    never claim the same row on either. Rows come in two reads, each a range of the claim index
    so that a claim costs the same at the first row of a million as at the last: first rows
    whose time has come (retries after their backoff, rows held for an embargo that lifted),
    then fresh rows in id order, i.e. in the order they were inserted, so the priority lists a
    release inserts first (its journalists) are claimed before any row inserted after them.
    """
    moment = now or utcnow()
    lease = moment + timedelta(seconds=get_settings().delivery_lease_seconds)
    with session_scope() as session:
        if not _may_send(session, distribution_id):
            _cancel_if_withdrawn(session, distribution_id)
            return []
        mine = _table.c.distribution_id == distribution_id
        timed = select(_table.c.id).where(mine, _table.c.status.in_(CLAIMABLE), _table.c.next_attempt_at <= moment)
        fresh = (
            select(_table.c.id)
            .where(mine, _table.c.status == DeliveryStatus.QUEUED, _table.c.next_attempt_at.is_(None))
            # The index's own order (its leading columns fixed): an ordered range scan, no sort.
            .order_by(_table.c.next_attempt_at, _table.c.id)
        )
        rows = _lease(session, timed, size, lease, moment)
        if len(rows) < size:
            rows += _lease(session, fresh, size - len(rows), lease, moment)
    return sorted((Claimed(*row) for row in rows), key=lambda claimed: claimed.id)


def _lease(session: Session, due: Select[Any], size: int, lease: datetime, moment: datetime) -> list[Any]:
    """One statement: lease up to `size` rows of `due` and read back what a batch needs of them."""
    return list(session.connection().execute(
        update(_table)
        .where(_table.c.id.in_(due.limit(size).with_for_update(skip_locked=True).scalar_subquery()))
        .values(status=DeliveryStatus.SENDING, lease_until=lease, attempts=_table.c.attempts + 1,
                updated_at=moment)
        .returning(_table.c.id, _table.c.subscriber_id, _table.c.list_id, _table.c.email, _table.c.name,
                   _table.c.language, _table.c.attempts, _table.c.lease_until)
    ).all())


# Built once: a sending batch asks this at every save of its outcomes.
_MAY_SEND = (
    select(col(Distribution.status), col(Distribution.kind), col(Release.state))
    .outerjoin(Release, col(Release.id) == col(Distribution.release_id))
    .where(col(Distribution.id) == bindparam("distribution_id"))
)


def _may_send(session: Session, distribution_id: int) -> bool:
    """Whether a batch may send for this distribution now: it is sending and, for a release's
    mailing, the release still stands (a withdrawn release stops at the next check, even before
    the withdrawal's handler has cancelled the distribution)."""
    row = session.connection().execute(_MAY_SEND, {"distribution_id": distribution_id}).first()
    if row is None or row[0] not in SENDABLE:
        return False
    return row[1] != "release" or row[2] == State.PUBLISHED


def _cancel_if_withdrawn(session: Session, distribution_id: int) -> None:
    """A release's mailing found sending after its release was withdrawn (prepared while the
    withdrawal's handler ran, so that handler found nothing to stop) is cancelled by the first
    batch that notices, instead of being topped up by every sweep."""
    distribution = session.get(Distribution, distribution_id)
    if distribution is None or distribution.status not in STOPPABLE or release_stands(session, distribution):
        return
    release_id = distribution.release_id or 0
    try:
        reason = withdrawal_of(session, release_id).comment
    except NotFound:
        reason = "the release is no longer published"
    stop_release(session, release_id, reason)


def may_send(distribution_id: int) -> bool:
    """Whether a batch may (still) send for this distribution: asked between messages, too."""
    with session_scope() as session:
        return _may_send(session, distribution_id)


def release_stands(session: Session, distribution: Distribution) -> bool:
    """Whether the release a mailing sends is still published (digests: always)."""
    if distribution.kind != "release" or distribution.release_id is None:
        return True
    release = session.get(Release, distribution.release_id)
    return release is not None and release.state == State.PUBLISHED


def retry_delay(attempts: int) -> float:
    """Exponential backoff with ±20 % jitter, capped: seconds before the next try."""
    settings = get_settings()
    delay = min(settings.delivery_retry_base * 2 ** max(attempts - 1, 0), settings.delivery_retry_max)
    return delay * random.uniform(0.8, 1.2)


# Server replies and errors quote the address, and the Message-ID is made from it: a row whose
# person was erased while its message was in flight (its address already emptied) keeps none.
_PERSONAL = ("message_id", "smtp_response", "last_error")
_RECORD = (
    update(_table)
    .where(_table.c.id == bindparam("b_id"))
    .values({
        **{name: bindparam(name) for name in (
            "status", "smtp_code", "next_attempt_at", "lease_until", "sent_at", "updated_at",
        )},
        **{name: case((_table.c.email == "", ""), else_=bindparam(name)) for name in _PERSONAL},
    })
)
# PostgreSQL: the same update as one statement per save, its rows passed as one JSON document
# (an executemany runs a statement per row; arrays of text cost psycopg a quoting pass per
# element, where `json.dumps` is one C call).
_RECORD_JSON = text(
    "UPDATE delivery AS d SET status = v.status, smtp_code = v.smtp_code, next_attempt_at = v.next_attempt_at,"
    " lease_until = NULL, sent_at = v.sent_at, updated_at = v.updated_at,"
    + ",".join(f" {name} = CASE WHEN d.email = '' THEN '' ELSE v.{name} END" for name in _PERSONAL)
    + " FROM json_to_recordset(CAST(:rows AS JSON)) AS v(b_id BIGINT, status VARCHAR, smtp_code INTEGER,"
    " next_attempt_at TIMESTAMPTZ, sent_at TIMESTAMPTZ, updated_at TIMESTAMPTZ,"
    + ",".join(f" {name} VARCHAR" for name in _PERSONAL)
    + ") WHERE d.id = v.b_id"
)


def _store_outcomes(session: Session, params: list[dict[str, Any]]) -> None:
    """Write the rows `record` prepared: one UPDATE on PostgreSQL, one executemany of a plain
    UPDATE on SQLite (in-process, where a statement per row costs little). The ORM's bulk path
    costs more than the SQL either way."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_RECORD_JSON, {"rows": json.dumps(params, default=datetime.isoformat)})
    else:
        connection.execute(_RECORD, params)


def record(
    outcomes: Sequence[Outcome], distribution_id: int | None = None, now: datetime | None = None
) -> tuple[list[Outcome], bool | None]:
    """Store outcomes in bulk; a transient failure past the attempt limit becomes permanent.

    Returns the outcomes as stored, and — read in the same transaction, so a sending batch needs
    no second one — whether the batch may go on sending, when `distribution_id` is given.
    """
    if not outcomes and distribution_id is None:
        return [], None
    moment = as_utc(now) if now else utcnow()  # aware: JSON bypasses the column type
    max_attempts = get_settings().delivery_max_attempts
    final: list[Outcome] = []
    params: list[dict[str, Any]] = []
    for o in outcomes:
        status = o.status
        next_at = None
        if status is DeliveryStatus.DEFERRED:
            if o.attempts >= max_attempts:
                status = DeliveryStatus.FAILED
            else:
                next_at = moment + timedelta(seconds=retry_delay(o.attempts))
        final.append(Outcome(o.delivery_id, status, o.message_id, o.smtp_code, o.response, o.attempts))
        params.append({
            "b_id": o.delivery_id,
            "status": status.value,
            "message_id": o.message_id,
            "smtp_code": o.smtp_code,
            "smtp_response": o.response[:500] if status is DeliveryStatus.SENT else "",
            "last_error": "" if status is DeliveryStatus.SENT else o.response[:500],
            "next_attempt_at": next_at,
            "lease_until": None,
            "sent_at": moment if status is DeliveryStatus.SENT else None,
            "updated_at": moment,
        })
    with session_scope() as session:
        if params:
            _store_outcomes(session, params)
        may_send = None if distribution_id is None else _may_send(session, distribution_id)
    return final, may_send


def release_claims(delivery_ids: Sequence[int], status: DeliveryStatus = DeliveryStatus.QUEUED,
                   note: str = "", lease_until: datetime | None = None,
                   not_before: datetime | None = None) -> None:
    """Give claimed, unsent deliveries back (paused; or held until `not_before`) or mark them
    skipped (cancelled). With `lease_until`, only rows still under that lease are touched: rows
    the sweep took from a batch that outlived its lease may be someone else's by now."""
    if not delivery_ids:
        return
    conditions = [col(Delivery.id).in_(list(delivery_ids)), col(Delivery.status) == DeliveryStatus.SENDING]
    if lease_until is not None:
        conditions.append(col(Delivery.lease_until) == lease_until)
    with session_scope() as session:
        session.execute(
            update(Delivery)
            .where(*conditions)
            .values(status=status, lease_until=None, last_error=note, updated_at=utcnow(),
                    next_attempt_at=not_before, attempts=Delivery.attempts - 1)
        )


# How a delivery failed by its batch (not by the mail server's reply to it) starts its error: a
# distribution with such a failure ends `failed`, with that error as its reason.
BATCH_ERROR = "batch error: "


def fail_claims(distribution_id: int, claimed: Sequence[Claimed], error: BaseException,
                lease_until: datetime | None, now: datetime | None = None) -> int:
    """Count an error that stopped a batch against each delivery it held, like a send failure:
    the rows wait for a retry, or fail at PRESSROOM_DELIVERY_MAX_ATTEMPTS. An error that waiting
    cannot heal (a setting, a missing row, a validation error) fails them at once, and every
    delivery of the distribution still waiting with them: the next batch would only meet it
    again. Returns how many failed."""
    moment = now or utcnow()
    text = BATCH_ERROR + error_text(error, 500 - len(BATCH_ERROR))
    lasting = not heals_by_waiting(error)
    verdict = DeliveryStatus.FAILED if lasting else DeliveryStatus.DEFERRED
    mine = [Outcome(c.id, verdict, "", None, text, c.attempts) for c in claimed]
    if lease_until is not None and mine:  # only rows still under this batch's lease are its to count
        with session_scope() as session:
            held = set(session.execute(
                select(_table.c.id).where(_table.c.id.in_([c.id for c in claimed]),
                                          _table.c.status == DeliveryStatus.SENDING,
                                          _table.c.lease_until == lease_until)
            ).scalars())
        mine = [o for o in mine if o.delivery_id in held]
    stored, _ = record(mine, now=moment)
    failed = sum(1 for o in stored if o.status is DeliveryStatus.FAILED)
    if lasting:
        with session_scope() as session:
            failed += int(session.execute(
                update(Delivery)
                .where(col(Delivery.distribution_id) == distribution_id, col(Delivery.status).in_(CLAIMABLE))
                .values(status=DeliveryStatus.FAILED, next_attempt_at=None, updated_at=moment,
                        last_error=case((col(Delivery.email) == "", ""), else_=text))
            ).rowcount or 0)  # type: ignore[attr-defined]
    log.error("distribution %s: %s; %s deliveries %s", distribution_id, text, len(mine),
              "failed" if lasting else "count it as an attempt")
    return failed


def _batch_failure(session: Session, distribution_id: int) -> str:
    """The error of a delivery its batch failed, if the distribution has one, else ""."""
    row = session.execute(
        select(col(Delivery.last_error)).where(
            col(Delivery.distribution_id) == distribution_id, col(Delivery.status) == DeliveryStatus.FAILED,
            col(Delivery.last_error).startswith(BATCH_ERROR),
        ).limit(1)
    ).first()
    return str(row[0]).removeprefix(BATCH_ERROR) if row is not None else ""


def reclaim_expired(now: datetime | None = None) -> int:
    """Put deliveries whose lease ran out (their worker died) back in the queue."""
    moment = now or utcnow()
    expired = [col(Delivery.status) == DeliveryStatus.SENDING, col(Delivery.lease_until) < moment]
    cancelled = select(col(Distribution.id)).where(col(Distribution.status) == DistributionStatus.CANCELLED)
    with session_scope() as session:
        # A dead worker's rows of a cancelled mailing are done with, not waiting.
        session.execute(
            update(Delivery)
            .where(*expired, col(Delivery.distribution_id).in_(cancelled.scalar_subquery()))
            .values(status=DeliveryStatus.SKIPPED, lease_until=None, updated_at=moment,
                    last_error="not sent: distribution cancelled")
        )
        # So are unsent rows of a mailing cancelled lately whose canceller died before marking
        # them (recent ones only: each is an index probe, and older ones were seen to already).
        lately = cancelled.where(col(Distribution.finished_at) > moment - timedelta(hours=1))
        for distribution_id in session.execute(lately).scalars().all():
            skip_unsent(session, distribution_id, CANCELLED_NOTE, moment)
        # A row whose every try ended with its worker gone has had its tries: it fails, so that a
        # message that kills its worker cannot keep a mailing sending for ever.
        tries = get_settings().delivery_max_attempts
        session.execute(
            update(Delivery).where(*expired, col(Delivery.attempts) >= tries)
            .values(status=DeliveryStatus.FAILED, lease_until=None, updated_at=moment,
                    last_error=f"{BATCH_ERROR}the batch holding it ended without an outcome {tries} times")
        )
        result = session.execute(
            update(Delivery).where(*expired).values(status=DeliveryStatus.QUEUED, lease_until=None, updated_at=moment)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def distribution_status(distribution_id: int) -> DistributionStatus:
    with session_scope() as session:
        return DistributionStatus(get_distribution(session, distribution_id).status)


def finish_if_complete(distribution_id: int) -> bool:
    """Mark a sending distribution done when no delivery is left to send, or failed when its
    batches failed deliveries (`fail_claims`); returns whether it is finished."""
    with session_scope() as session:
        distribution = get_distribution(session, distribution_id)
        if distribution.status != DistributionStatus.SENDING:
            return distribution.status in (DistributionStatus.DONE, DistributionStatus.FAILED)
        if _still_preparing(session, distribution_id):  # resumed while its rows were being inserted
            return False
        left = session.execute(  # one row is enough to know: counting them all is not
            select(col(Delivery.id)).where(
                col(Delivery.distribution_id) == distribution_id, col(Delivery.status).in_(UNFINISHED)
            ).limit(1)
        ).first()
        if left is not None:
            return False
        # Failed by its batches (a key that does not load, a release gone): the people behind it
        # must hear why, and the dashboard shows it in red.
        reason = _batch_failure(session, distribution_id)
        distribution.status = DistributionStatus.FAILED if reason else DistributionStatus.DONE
        if reason:
            distribution.note = reason[:1000]
        distribution.finished_at = utcnow()
        session.add(distribution)
        announce_end(session, distribution, reason)
        return True


def _still_preparing(session: Session, distribution_id: int) -> bool:
    """Whether the event that inserts the rest of this distribution's deliveries is unhandled
    (unhandled events are few, and indexed)."""
    return session.execute(
        select(col(OutboxEvent.id)).where(
            col(OutboxEvent.handled_at).is_(None), col(OutboxEvent.discarded_at).is_(None),
            col(OutboxEvent.name) == PREPARING_EVENT,
            col(OutboxEvent.subject_id) == distribution_id,
        ).limit(1)
    ).first() is not None


FINISHED_EVENT = "distribution.finished"


def announce_end(session: Session, distribution: Distribution, reason: str = "") -> None:
    """The `distribution.finished` event, in the transaction that ends the mailing, with what
    people must hear of: how many were sent and failed, or why it could not start."""
    tally = counts(session, distribution.id or 0) if distribution.id else {}
    emit(session, FINISHED_EVENT, distribution.id, release_id=distribution.release_id, kind=distribution.kind,
         status=DistributionStatus(distribution.status).value, total=distribution.total,
         sent=tally.get("sent", 0), failed=tally.get("failed", 0), reason=reason)


def active_distributions() -> list[int]:
    """Ids of distributions that are sending (for the sweeper to top up their batches)."""
    with session_scope() as session:
        return list(session.execute(
            select(col(Distribution.id)).where(col(Distribution.status) == DistributionStatus.SENDING)
        ).scalars())


def has_live_claims(distribution_id: int, now: datetime | None = None) -> bool:
    """Whether some batch holds an unexpired lease on this distribution's deliveries, i.e. it is
    being sent right now (and its batches hand on to their successors: see the sweep)."""
    moment = now or utcnow()
    with session_scope() as session:
        return session.execute(
            select(col(Delivery.id)).where(
                col(Delivery.distribution_id) == distribution_id,
                col(Delivery.status) == DeliveryStatus.SENDING,
                col(Delivery.lease_until) > moment,
            ).limit(1)
        ).first() is not None


def due_count(distribution_id: int, now: datetime | None = None, cap: int | None = None) -> int:
    """Deliveries a batch could claim right now; with `cap`, counted no further than that (a
    mailing of a million need not be counted to know it fills every batch in flight)."""
    moment = now or utcnow()
    due = select(col(Delivery.id)).where(
        col(Delivery.distribution_id) == distribution_id,
        col(Delivery.status).in_(CLAIMABLE),
        or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= moment),
    )
    if cap is not None:
        due = due.limit(cap)
    with session_scope() as session:
        return int(session.execute(select(func.count()).select_from(due.subquery())).scalar_one())


def batches_in_flight() -> int:
    """How many batch tasks a sending mailing keeps queued or running: two per SMTP connection
    (one sending while the next claims). A fan-out queues at most this many, and each batch that
    found a full batch to claim queues its successor, so a mailing of a million is never two
    thousand tasks in the broker, nor a fan-out that counts and queues them all."""
    return get_settings().max_smtp_connections * 2


def control(distribution_id: int, action: str) -> Distribution:
    """pause, resume, cancel or retry-failed; raises DistributionStateError when not possible."""
    sources, target = CONTROL_MOVES[action]
    now = utcnow()
    with session_scope() as session:
        distribution = get_distribution(session, distribution_id)
        status = DistributionStatus(distribution.status)
        if action not in ("pause", "cancel") and not release_stands(session, distribution):
            raise DistributionStateError(distribution_id, f"{status.value} ({distribution.note or 'withdrawn'})",
                                         action, [])
        if status not in sources:
            allowed = [name for name, (srcs, _) in CONTROL_MOVES.items() if status in srcs]
            raise DistributionStateError(distribution_id, status.value, action, allowed)
        distribution.status = target
        if action == "cancel":
            distribution.finished_at = now
        if action == "retry-failed":
            failed = [col(Delivery.distribution_id) == distribution_id, col(Delivery.status) == DeliveryStatus.FAILED]
            # A failure that suppressed its address (5.1.1 unknown user) is never retried.
            session.execute(
                update(Delivery)
                .where(*failed, col(Delivery.subscriber_id).in_(_suppressed_subscribers()))
                .values(status=DeliveryStatus.SKIPPED, last_error=f"not sent: {SUPPRESSED}", updated_at=now)
            )
            session.execute(
                update(Delivery)
                .where(*failed)
                .values(status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=None, updated_at=now)
            )
            distribution.finished_at = None
        session.add(distribution)
        session.flush()
        session.expunge(distribution)
    if action == "cancel":
        # Batches stop at their next check once the status is committed; marking a million
        # unsent rows takes longer, so it is its own transaction (the sweep finishes it if this
        # process dies meanwhile: see `reclaim_expired`).
        with session_scope() as session:
            skip_unsent(session, distribution_id, CANCELLED_NOTE, now)
    return distribution


def _suppressed_subscribers() -> Any:
    """Ids of subscribers whose address is on the suppression list (a subquery)."""
    return (
        select(col(Subscriber.id))
        .join(Suppression, col(Suppression.address_hash) == col(Subscriber.email_hash))
        .scalar_subquery()
    )


def stop_release(session: Session, release_id: int, reason: str, now: datetime | None = None) -> list[int]:
    """Cancel every unfinished mailing of a release that no longer stands (it was withdrawn):
    unsent deliveries, embargo-held ones included, become skipped with the reason. Rows a batch
    holds right now are given back as skipped by that batch, which stops at its next check.
    Returns the ids of the distributions cancelled."""
    moment = now or utcnow()
    note = f"{WITHDRAWN_NOTE}: {reason}"[:1000]
    stopped = list(session.execute(
        select(col(Distribution.id)).where(
            col(Distribution.release_id) == release_id,
            col(Distribution.kind) == "release",
            col(Distribution.status).in_(STOPPABLE),
        )
    ).scalars())
    if not stopped:
        return []
    session.execute(
        update(Distribution).where(col(Distribution.id).in_(stopped))
        .values(status=DistributionStatus.CANCELLED, note=note, finished_at=moment)
    )
    session.execute(
        update(Delivery)
        .where(col(Delivery.distribution_id).in_(stopped), col(Delivery.status).in_(CLAIMABLE))
        .values(status=DeliveryStatus.SKIPPED, last_error=f"not sent: {note}"[:500], updated_at=moment)
    )
    scrub_erased(session, stopped)
    skipped = skipped_for_withdrawal(session, stopped)
    record_note(session, release_id, "mailing_stopped",
                f"distribution {', '.join(map(str, stopped))} cancelled: withdrawn; {skipped} unsent messages dropped")
    log.warning("release %s withdrawn: distribution %s cancelled, %s unsent", release_id, stopped, skipped)
    return stopped


def skipped_for_withdrawal(session: Session, distribution_ids: Sequence[int]) -> int:
    """How many deliveries of these distributions a withdrawal left unsent."""
    return int(session.execute(
        select(func.count()).select_from(Delivery).where(
            col(Delivery.distribution_id).in_(list(distribution_ids)),
            col(Delivery.status) == DeliveryStatus.SKIPPED,
            col(Delivery.last_error).startswith(f"not sent: {WITHDRAWN_NOTE}"),
        )
    ).scalar_one())


def materialise_from_sent(session: Session, distribution: Distribution, release_id: int) -> int:
    """Deliveries of `distribution` for everyone a release's mailings reached or are reaching
    right now (sent, or in a running batch: the notice's batches wait for those to be recorded),
    one each (erased people, whose rows hold no address, are left out), inserted by the database;
    returns the total and moves the distribution to sending."""
    reached = (
        select(_table.c.subscriber_id.label("id"), func.min(_table.c.list_id).label("list_id"),
               func.min(_table.c.email).label("email"), func.min(_table.c.name).label("name"),
               func.min(_table.c.language).label("language"))
        .join(Distribution, col(Distribution.id) == _table.c.distribution_id)
        .where(col(Distribution.release_id) == release_id, col(Distribution.kind) == "release",
               _table.c.status.in_((DeliveryStatus.SENT, DeliveryStatus.SENDING)))
        .group_by(_table.c.subscriber_id)
        .having(func.min(_table.c.email) != "")
    )
    distribution.total += materialise_audience(session, distribution, reached)
    return prepared(session, distribution)


def scrub_erased(session: Session, distribution_ids: Sequence[int] = (), delivery_ids: Sequence[int] = ()) -> None:
    """Empty the address and name of rows whose person is erased, in these distributions or
    rows: rows made from an audience read just before an erasure committed, which the erasure's
    own handler could not see yet."""
    erased = select(col(Subscriber.id)).where(col(Subscriber.status) == SubscriberStatus.ERASED)
    where = [col(Delivery.subscriber_id).in_(erased.scalar_subquery())]
    if distribution_ids:
        where.append(col(Delivery.distribution_id).in_(list(distribution_ids)))
    if delivery_ids:
        where.append(col(Delivery.id).in_(list(delivery_ids)))
    session.execute(update(Delivery).where(*where).values(email="", name="", message_id="", smtp_response=""))


def release_delivery_states(session: Session, release_id: int,
                            subscriber_ids: Sequence[int]) -> dict[int, DeliveryStatus]:
    """How far a release's own mailing got with each of these people (one query)."""
    rows = session.execute(
        select(_table.c.subscriber_id, _table.c.status)
        .join(Distribution, col(Distribution.id) == _table.c.distribution_id)
        .where(col(Distribution.release_id) == release_id, col(Distribution.kind) == "release",
               _table.c.subscriber_id.in_(list(subscriber_ids)))
    ).all()
    return {subscriber_id: DeliveryStatus(status) for subscriber_id, status in rows}


def erase_subscriber(session: Session, subscriber_id: int) -> int:
    """Remove an erased person's address and name from every delivery row (and the server replies
    and errors, which quote the address); the rows stay, so counts still add up."""
    result = session.execute(
        update(Delivery)
        .where(col(Delivery.subscriber_id) == subscriber_id)
        .values(email="", name="", message_id="", smtp_response="", last_error="")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def counts(session: Session, distribution_id: int) -> dict[str, int]:
    """Deliveries per status (every status present, zero where none)."""
    rows = session.execute(
        select(col(Delivery.status), func.count())
        .where(col(Delivery.distribution_id) == distribution_id)
        .group_by(col(Delivery.status))
    ).all()
    found = {DeliveryStatus(status).value: int(n) for status, n in rows}
    return {s.value: found.get(s.value, 0) for s in DeliveryStatus}
