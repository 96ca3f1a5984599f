"""Transactions for request handlers, and handing their events to the broker after commit.

`reading()` is one read transaction. `acting()` is one write transaction whose outbox events
are relayed to Celery right after it commits, like the CLI does after each command; a broker
that is down does not fail the request (the beat relay sends the events later).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from core.db import session_scope
from core.errors import ConfigurationError, NotFound
from workflow.models import User

log = logging.getLogger(__name__)


def relay_events() -> int:
    """Send pending outbox events now; returns how many went, 0 if the broker is unreachable."""
    from kombu.exceptions import OperationalError as BrokerError

    from core.outbox import relay_pending
    from tasks.events import send_event

    try:
        return relay_pending(send_event)
    except (BrokerError, ConfigurationError, OSError) as exc:
        log.warning("broker unreachable (%s); events stay in the outbox for the beat relay", exc)
        return 0


def act_on_dead_letter(event_id: str, action: str) -> None:
    """Retry an open dead letter, relayed at once rather than at the beat's next round, or
    (any other action) discard it: the API's and the press page's one way. Raises Conflict
    unless the event is an open dead letter, NotFound if there is none."""
    from core.outbox import discard_dead_letter, retry_dead_letter

    if action == "retry":
        retry_dead_letter(event_id)
        relay_events()
    else:
        discard_dead_letter(event_id)


@contextmanager
def reading() -> Iterator[Session]:
    with session_scope() as session:
        yield session


@contextmanager
def acting() -> Iterator[Session]:
    """One write transaction; its events are relayed once it has committed."""
    with session_scope() as session:
        yield session
    relay_events()


def attach(session: Session, user: User) -> User:
    """The authenticated user as a row of `session` (the one the action runs in)."""
    row = session.get(User, user.id)
    if row is None:
        raise NotFound("user", user.email)
    return row
