"""The transactional outbox: events written with the change, relayed to Celery, handled once.

A domain function calls `emit()` inside its transaction, so an event exists if and only if its
change was committed. `relay_pending()` hands undelivered events to a sender (Celery in
production); a lost hand-off is retried after `outbox_redispatch_after` seconds. Delivery is
therefore at least once, and `handle_event()` makes the effect exactly once: each handler runs in
one transaction together with a receipt row whose primary key is (event, handler).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, Column, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import UTCDateTime, session_scope, utcnow
from core.errors import NotFound
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


def handle_event(event_id: str, handlers: Mapping[str, Sequence[Handler]],
                 after_each: Callable[[], object] | None = None) -> Handled:
    """Apply every handler registered for the event that has not applied it yet.

    `after_each` is called after each handler that committed: the worker relays the events a
    handler emitted at once, so that work one handler started (a mailing's first batches) does
    not wait for the handlers after it. Raises NotFound for an unknown event id.
    """
    with session_scope() as session:
        event = session.get(OutboxEvent, event_id)
        if event is None:
            raise NotFound("event", event_id)
        session.expunge(event)
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
    """How many events are not handled yet (for progress and health checks)."""
    from sqlalchemy import func

    return int(
        session.exec(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.handled_at.is_(None))  # type: ignore[union-attr]
        ).one()
    )
