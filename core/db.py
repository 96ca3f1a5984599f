"""Database engine and transactions, shared by every room.

SQLite is the default and PostgreSQL the production database; both are driven through the same
SQLModel models. On SQLite every transaction starts with BEGIN IMMEDIATE so that concurrent
writers queue up (and see each other's commits) instead of failing on lock upgrades.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

from core.settings import get_settings

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A timezone-aware UTC datetime; naive input is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def enum_type(enum_class: type[StrEnum]) -> SAEnum:
    """Store a StrEnum by its value in a plain VARCHAR: new members need no migration of a
    PostgreSQL enum type, and the database still reads as text."""
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=max(len(member.value) for member in enum_class) + 10,
        values_callable=lambda members: [member.value for member in members],
    )


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: the configured database), created once per process."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _make_engine(url)
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (after a fork, or at the end of tests)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_ignoring(session: Session, table: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for the session's database (SQLite or PostgreSQL).

    Bulk loads use it so that re-running an import or a materialisation changes nothing, and a
    concurrent insert of the same key is no error.
    """
    return dialect_insert(session, table).on_conflict_do_nothing()


def dialect_insert(session: Session, table: Any) -> Any:
    """The INSERT of the session's database (SQLite or PostgreSQL), which knows ON CONFLICT."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    from core.errors import ConfigurationError

    raise ConfigurationError(f"bulk inserts support SQLite and PostgreSQL, not {dialect}")


def insert_ignoring_duplicates(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """Bulk INSERT of `rows` that skips rows clashing with a unique constraint; returns rows inserted."""
    if not rows:
        return 0
    result = session.execute(insert_ignoring(session, table), rows)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def add_to_count(session: Session, table: Any, key: dict[str, Any], amount: int = 1, column: str = "count") -> None:
    """Add `amount` to the counter row `key` (its primary key's columns) of the Core `table`,
    creating the row at `amount`: one
    INSERT … ON CONFLICT DO UPDATE, so two requests counting at once both count (a read and a
    write would lose one of them)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(table)
    else:
        from core.errors import ConfigurationError

        raise ConfigurationError(f"counters support SQLite and PostgreSQL, not {dialect}")
    statement = statement.values({**key, column: amount})
    session.execute(statement.on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + statement.excluded[column]},
    ))
