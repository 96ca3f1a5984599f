"""Revisions, approvals and the audit log are append-only in the database itself (migration 0006).

These tests act as someone at a database console, bypassing Pressroom: every UPDATE, DELETE and
(on PostgreSQL) TRUNCATE of those tables is refused with a message naming the table, and the
rows are exactly as they were.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from core import migrate
from core.db import dispose_engines, get_engine, session_scope
from tests import factories
from tests.conftest import _truncate_all
from workflow import service
from workflow.models import Approval, Revision

TABLES = ("audit_entry", "revision", "approval")
CHANGES = {
    "audit_entry": "comment = 'nothing happened'",
    "revision": "content_hash = 'forged', number = number + 100",
    "approval": "revision_id = :other_revision, comment = 'approved the other text'",
}


def _approved_then_edited() -> dict[str, int]:
    """A release whose first revision was approved and that was then edited, so that it has a
    second revision no approval refers to (deleting it would break no foreign key)."""
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver, comment="fine")
        approved_revision = service.get_release(s, release_id).current_revision_id or 0
        service.edit_release(s, release_id, author, factories.content(topics=["edited"]))
        edited_revision = service.get_release(s, release_id).current_revision_id or 0
    return {"approved_revision": approved_revision, "edited_revision": edited_revision}


def _rows() -> dict[str, list[Any]]:
    with get_engine().connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
            for table in TABLES
        }


def _console(statement: str, **params: Any) -> None:
    with get_engine().begin() as connection:
        connection.execute(text(statement), params)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("verb", ["UPDATE", "DELETE"])
def test_console_cannot_change_or_remove_rows(db: str, table: str, verb: str) -> None:
    _console_is_refused(table, verb)


@pytest.mark.parametrize("table", TABLES)
def test_console_cannot_truncate(postgresql_db: str, table: str) -> None:
    """SQLite has no TRUNCATE (a DELETE FROM without WHERE is a DELETE, refused above)."""
    _console_is_refused(table, "TRUNCATE")


def _console_is_refused(table: str, verb: str) -> None:
    ids = _approved_then_edited()
    before = _rows()
    assert all(before[t] for t in TABLES) and len(before["revision"]) == 2
    statements = {
        "UPDATE": [f"UPDATE {table} SET {CHANGES[table]}"],
        # One row no other row refers to, then the whole table.
        "DELETE": [f"DELETE FROM {table} WHERE id = :row", f"DELETE FROM {table}"],
        "TRUNCATE": [f"TRUNCATE {table} CASCADE", f"TRUNCATE {table} RESTART IDENTITY CASCADE"],
    }[verb]
    row = ids["edited_revision"] if table == "revision" else before[table][-1][0]
    for statement in statements:
        with pytest.raises(DBAPIError, match=f"{table} is append-only: {verb} refused"):
            _console(statement, row=row, other_revision=ids["edited_revision"])
    assert _rows() == before


def test_truncating_releases_does_not_cascade_into_the_record(postgresql_db: str) -> None:
    _approved_then_edited()
    before = _rows()
    with pytest.raises(DBAPIError, match="is append-only: TRUNCATE refused"):
        _console("TRUNCATE release CASCADE")
    assert _rows() == before


def test_code_that_edits_a_stored_revision_or_approval_is_refused(db: str) -> None:
    ids = _approved_then_edited()
    before = _rows()
    with pytest.raises(DBAPIError, match="revision is append-only: UPDATE refused"), session_scope() as s:
        revision = s.get(Revision, ids["approved_revision"])
        assert revision is not None
        revision.content = {**revision.content, "topics": ["forged"]}
        s.add(revision)
    with pytest.raises(DBAPIError, match="approval is append-only: DELETE refused"), session_scope() as s:
        approval = s.exec(select(Approval)).one()
        s.delete(approval)
    assert _rows() == before


def test_test_cleanup_still_empties_postgresql(postgresql_db: str) -> None:
    """The suite's own cleanup skips the triggers on purpose (session_replication_role), for its
    transaction only: afterwards the guards hold again. (SQLite test databases are fresh copies,
    never emptied.)"""
    _approved_then_edited()
    dispose_engines()
    _truncate_all(postgresql_db)
    assert _rows() == {table: [] for table in TABLES}
    _approved_then_edited()
    with pytest.raises(DBAPIError, match="approval is append-only: TRUNCATE refused"):
        _console("TRUNCATE approval")


def test_downgrade_removes_the_guards_and_upgrade_restores_them(db: str) -> None:
    ids = _approved_then_edited()
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0005")
    try:
        _console("UPDATE revision SET number = number WHERE id = :row", row=ids["edited_revision"])
        _console("UPDATE approval SET comment = comment")
        # 0001's guard of the audit log is back as it was.
        with pytest.raises(DBAPIError, match="audit log is append-only"):
            _console("UPDATE audit_entry SET comment = comment")
    finally:
        dispose_engines()
        migrate.upgrade(db)  # the PostgreSQL database is shared by the session's tests
    for table in TABLES:
        with pytest.raises(DBAPIError, match=f"{table} is append-only: UPDATE refused"):
            _console(f"UPDATE {table} SET id = id")
