"""Running work either inside the caller's transaction or in short transactions of its own.

Long jobs (an audience of a million, a large import) take a session factory such as
`core.db.session_scope` and open one short transaction per batch: on SQLite every transaction
takes the write lock (BEGIN IMMEDIATE), so one long transaction would stall every sign-up.
Given a Session instead, they run inside it and leave committing to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlmodel import Session

SessionFactory = Callable[[], AbstractContextManager[Session]]
Database = Session | SessionFactory


@contextmanager
def transaction(db: Database) -> Iterator[Session]:
    """The caller's session as it is, or a new transaction from the factory."""
    if isinstance(db, Session):
        yield db
    else:
        with db() as session:
            yield session
