"""The audit log is append-only in the database itself, and carries timezone-aware times."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.db import get_engine, session_scope
from tests import factories
from workflow import service


def test_audit_rows_refuse_update_and_delete(db: str) -> None:
    with session_scope() as s:
        author = factories.user(s)
        release_id = factories.release(s, author).id
    for statement in ("UPDATE audit_entry SET comment = 'rewritten'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"), get_engine().begin() as connection:
            connection.execute(text(statement))
    with session_scope() as s:
        entries = service.audit_log(s, release_id or 0)
        assert len(entries) == 1 and entries[0].comment == ""
        assert entries[0].at.tzinfo is not None and entries[0].at.utcoffset() == UTC.utcoffset(None)
        assert entries[0].actor_label == author.email
        assert entries[0].revision_hash and len(entries[0].revision_hash) == 64
