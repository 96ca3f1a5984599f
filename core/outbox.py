"""The transactional outbox: events written with the change, relayed to Celery, handled once.

A domain function calls `emit()` inside its transaction, so an event exists if and only if its
change was committed. `relay_pending()` hands undelivered events to a sender (Celery in
production); a lost hand-off is retried after `outbox_redispatch_after` seconds. Delivery is
therefore at least once, and `handle_event()` makes the effect exactly once: each handler runs in
one transaction together with a receipt row whose primary key is (event, handler).

A handler that raises is tried again with exponential backoff (`record_failure`); after
`PRESSROOM_EVENT_MAX_ATTEMPTS` failures, or at once for an error that waiting cannot heal, the
event is a dead letter: no longer relayed, shown by `pressroom failures`, `/healthz` and
`pressroom check`, until an admin retries or discards it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, Column, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import UTCDateTime, session_scope, utcnow
from core.errors import Conflict, NotFound, error_text, heals_by_waiting
from core.settings import get_settings

log = logging.getLogger(__name__)

Handler = Callable[[Session, "OutboxEvent"], None]
Sender = Callable[["OutboxEvent"], None]


class OutboxEvent(SQLModel, table=True):
    """A state change, recorded in the transaction that made it."""

    __tablename__ = "outbox_event"

    id: str = Field(default_factory=lambda: uuid4().hex, primary_key=True, max_length=32)
    name: str = Field(index=True, max_length=80)
    subject_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dispatch_count: int = 0
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # Failed runs of its handlers, the last error (class, message, handler) and when to try again.
    failures: int = 0
    last_error: str = Field(default="", max_length=1000)
    retry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A dead letter since (no longer relayed); discarded by an admin who gave up on it.
    dead_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    discarded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EventReceipt(SQLModel, table=True):
    """Proof that one handler has applied one event; its key makes a second run a no-op."""

    __tablename__ = "event_receipt"

    event_id: str = Field(foreign_key="outbox_event.id", primary_key=True, max_length=32)
    handler: str = Field(primary_key=True, max_length=120)
    handled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def emit(session: Session, name: str, subject_id: int | None = None, **payload: Any) -> OutboxEvent:
    """Record event `name` in the caller's transaction."""
    event = OutboxEvent(name=name, subject_id=subject_id, payload=payload)
    session.add(event)
    return event


def handler_key(handler: Handler) -> str:
    """The stable name under which a handler's receipts are stored."""
    return f"{handler.__module__}.{handler.__qualname__}"


@dataclass(frozen=True)
class Handled:
    """The outcome of handling one event: its name and subject, and the handlers that ran now."""

    name: str
    subject_id: int | None
    ran: list[str]
    dead: bool = False  # a dead letter (or discarded): nothing was run


def handle_event(event_id: str, handlers: Mapping[str, Sequence[Handler]],
                 after_each: Callable[[], object] | None = None) -> Handled:
    """Apply every handler registered for the event that has not applied it yet.

    `after_each` is called after each handler that committed: the worker relays the events a
    handler emitted at once, so that work one handler started (a mailing's first batches) does
    not wait for the handlers after it. Raises NotFound for an unknown event id, and whatever a
    handler raises, with a note naming the handler (see `record_failure`).
    """
    with session_scope() as session:
        event = session.get(OutboxEvent, event_id)
        if event is None:
            raise NotFound("event", event_id)
        session.expunge(event)
    if event.dead_at is not None:  # a message queued before it died: only a retry revives it
        return Handled(event.name, event.subject_id, [], dead=True)
    ran: list[str] = []
    for handler in handlers.get(event.name, ()):
        key = handler_key(handler)
        try:
            with session_scope() as session:
                if session.get(EventReceipt, (event_id, key)) is not None:
                    continue
                session.add(EventReceipt(event_id=event_id, handler=key))
                try:
                    session.flush()
                except IntegrityError:
                    raise _AlreadyHandled from None
                handler(session, session.merge(event))
        except _AlreadyHandled:
            continue
        except Exception as exc:
            exc.add_note(f"handler {key}")  # the dead letter says which handler failed
            raise
        ran.append(key)
        log.info("event %s %s handled by %s", event.name, event_id, key)
        if after_each is not None:
            after_each()
    with session_scope() as session:
        session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.id) == event_id, col(OutboxEvent.handled_at).is_(None))
            .values(handled_at=utcnow())
        )
    return Handled(event.name, event.subject_id, ran)


class _AlreadyHandled(Exception):
    """A concurrent run of the same handler committed its receipt first."""


def relay_pending(send: Sender, limit: int = 500) -> int:
    """Hand undelivered events to `send`, oldest first; returns how many were sent.

    An event is claimed by a conditional update before sending, so concurrent relays do not
    send it twice; if `send` raises, the claim is undone and the error propagates.
    """
    now = utcnow()
    cutoff = now - timedelta(seconds=get_settings().outbox_redispatch_after)
    with session_scope() as session:
        rows = session.exec(
            select(OutboxEvent)
            .where(
                col(OutboxEvent.handled_at).is_(None),
                col(OutboxEvent.dead_at).is_(None),
                or_(col(OutboxEvent.retry_at).is_(None), col(OutboxEvent.retry_at) <= now),
                or_(
                    col(OutboxEvent.dispatched_at).is_(None),
                    col(OutboxEvent.dispatched_at) < cutoff,
                ),
            )
            .order_by(OutboxEvent.created_at)  # type: ignore[arg-type]
            .limit(limit)
        ).all()
        for row in rows:
            session.expunge(row)
    sent = 0
    for event in rows:
        previous = event.dispatched_at
        if not _claim(event.id, previous, now):
            continue
        try:
            send(event)
        except Exception:
            _release(event.id, now, previous)
            raise
        sent += 1
    return sent


def _dispatched_is(value: datetime | None) -> Any:
    column = OutboxEvent.dispatched_at
    return column.is_(None) if value is None else column == value  # type: ignore[union-attr]


def _claim(event_id: str, previous: datetime | None, now: datetime) -> bool:
    with session_scope() as session:
        result = session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id, _dispatched_is(previous))  # type: ignore[arg-type]
            .values(dispatched_at=now, dispatch_count=OutboxEvent.dispatch_count + 1)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _release(event_id: str, claimed_at: datetime, previous: datetime | None) -> None:
    with session_scope() as session:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id, _dispatched_is(claimed_at))  # type: ignore[arg-type]
            .values(dispatched_at=previous, dispatch_count=OutboxEvent.dispatch_count - 1)
        )


def pending_count(session: Session) -> int:
    """How many events are not handled yet and not dead letters (for progress and health checks)."""
    return int(
        session.exec(
            select(func.count()).select_from(OutboxEvent)
            .where(col(OutboxEvent.handled_at).is_(None), col(OutboxEvent.dead_at).is_(None))
        ).one()
    )


# --- failures and dead letters ----------------------------------------------------------------


class DeadLetterStateError(Conflict):
    """A retry or discard of an event that is not an open dead letter."""

    def __init__(self, event_id: str, state: str, action: str) -> None:
        super().__init__(f"event {event_id} is {state}: cannot {action}; only an open dead letter can")
        self.state = state
        self.action = action


def retry_delay(failures: int) -> float:
    """Seconds before an event that failed `failures` times is tried again (exponential)."""
    settings = get_settings()
    return float(min(settings.event_retry_base * 2 ** max(failures - 1, 0), settings.event_retry_max))


def describe_failure(error: BaseException) -> str:
    """What a failed event keeps of its error: class, message and the handler that raised."""
    notes = "; ".join(getattr(error, "__notes__", ()))
    return error_text(error, 1000 - len(notes) - 3) + (f" ({notes})" if notes else "")


def record_failure(event_id: str, error: BaseException, now: datetime | None = None) -> bool:
    """Count a failed run of the event's handlers: it is relayed again after a backoff, or it
    becomes a dead letter after `PRESSROOM_EVENT_MAX_ATTEMPTS` failures, or at once for an
    error that waiting cannot heal. Returns whether it is a dead letter now."""
    moment = now or utcnow()
    with session_scope() as session:
        event = session.get(OutboxEvent, event_id, with_for_update=True)
        if event is None or event.handled_at is not None or event.dead_at is not None:
            return event is not None and event.dead_at is not None
        event.failures += 1
        event.last_error = describe_failure(error)
        event.dispatched_at = None
        if event.failures >= get_settings().event_max_attempts or not heals_by_waiting(error):
            event.dead_at = moment
            event.retry_at = None
        else:
            event.retry_at = moment + timedelta(seconds=retry_delay(event.failures))
        session.add(event)
        dead, name, text = event.dead_at is not None, event.name, event.last_error
    (log.error if dead else log.warning)(
        "event %s %s failed%s: %s", name, event_id, " and is a dead letter" if dead else "", text)
    return dead


def _open_dead_letters() -> list[Any]:
    return [col(OutboxEvent.dead_at).is_not(None), col(OutboxEvent.discarded_at).is_(None),
            col(OutboxEvent.handled_at).is_(None)]


def dead_letters(session: Session, include_discarded: bool = False, limit: int = 200) -> list[OutboxEvent]:
    """Dead letters, newest first: the open ones, and with `include_discarded` the discarded too."""
    where = [col(OutboxEvent.dead_at).is_not(None)] if include_discarded else _open_dead_letters()
    return list(session.exec(
        select(OutboxEvent).where(*where).order_by(col(OutboxEvent.dead_at).desc()).limit(limit)
    ).all())


def dead_letter_count(session: Session) -> int:
    """Open dead letters (for /healthz, /metrics and `pressroom check`)."""
    return int(session.exec(select(func.count()).select_from(OutboxEvent).where(*_open_dead_letters())).one())


def dead_letter_state(event: OutboxEvent) -> str:
    """pending, handled, dead or discarded."""
    if event.discarded_at is not None:
        return "discarded"
    if event.handled_at is not None:
        return "handled"
    return "dead" if event.dead_at is not None else "pending"


def dead_letter_view(event: OutboxEvent) -> dict[str, Any]:
    """What `pressroom failures`, the admin page and the API show of a failed event."""
    return {
        "id": event.id, "name": event.name, "subject_id": event.subject_id, "state": dead_letter_state(event),
        "failures": event.failures, "last_error": event.last_error, "created_at": event.created_at,
        "dead_at": event.dead_at, "discarded_at": event.discarded_at, "handled_at": event.handled_at,
        "payload": event.payload,
    }


def get_event(session: Session, event_id: str) -> OutboxEvent:
    """The event `event_id`; raises NotFound."""
    event = session.get(OutboxEvent, event_id)
    if event is None:
        raise NotFound("event", event_id)
    return event


def retry_dead_letter(event_id: str) -> OutboxEvent:
    """Revive an open dead letter: its failures start from zero and the next relay sends it
    (receipts keep the handlers that succeeded from running twice). Raises NotFound or
    DeadLetterStateError."""
    return _act_on_dead_letter(event_id, "retry")


def discard_dead_letter(event_id: str) -> OutboxEvent:
    """Give up on an open dead letter: it stays on record, but no longer counts as open."""
    return _act_on_dead_letter(event_id, "discard")


def _act_on_dead_letter(event_id: str, action: str) -> OutboxEvent:
    with session_scope() as session:
        event = get_event(session, event_id)
        state = dead_letter_state(event)
        if state != "dead":
            raise DeadLetterStateError(event_id, state, action)
        if action == "retry":
            event.dead_at = event.retry_at = event.dispatched_at = None
            event.failures = 0
        else:
            event.discarded_at = utcnow()
        session.add(event)
        session.flush()
        session.expunge(event)
    log.warning("dead letter %s (%s): %s by an admin", event_id, event.name, action)
    return event
