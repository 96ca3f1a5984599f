"""Migration 0017: sign-offs made before chains count at step 1, the approval table stays
append-only, the schema matches the models, and the step can be undone."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from core import migrate
from core.db import dispose_engines, get_engine, session_scope
from tests import factories
from tests.schema_drift import schema_drift
from workflow import service

TABLES = {"approval", "approval_chain", "release"}


def test_sign_offs_keep_counting_and_the_table_stays_append_only(db: str) -> None:
    with session_scope() as s:
        author, approver = factories.user(s), factories.user(s, "approver")
        release_id = factories.release(s, author).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0017-1")
    migrate.upgrade(db)
    assert schema_drift(db, TABLES) == []
    with get_engine(db).connect() as connection:
        assert connection.execute(text("SELECT step FROM approval")).scalars().all() == [1]
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(text("UPDATE approval SET comment = 'changed'"))
