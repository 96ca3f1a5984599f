"""Migration 0005: a list that was both public and receiving embargoed releases becomes private,
and `pressroom db upgrade` names each one it changed; other lists are left as they were."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic import command
from sqlmodel import col, select

from core import migrate
from core.db import dispose_engines, session_scope
from subscribers.models import MailingList, Visibility


def _lists() -> dict[str, tuple[str, bool]]:
    with session_scope() as s:
        rows = s.exec(select(MailingList).order_by(col(MailingList.slug))).all()
        return {m.slug: (m.visibility.value, m.receives_embargoed) for m in rows}


def test_public_embargo_lists_become_private_and_are_named(db: str) -> None:
    command.downgrade(migrate.alembic_config(db), "0004")
    try:
        with session_scope() as s:  # as rows could be made before the rule
            for slug, visibility, embargoed in (
                ("journalists", Visibility.PUBLIC, True),
                ("press-agencies", Visibility.PUBLIC, True),
                ("diplomats", Visibility.PRIVATE, True),
                ("public", Visibility.PUBLIC, False),
            ):
                s.add(MailingList(slug=slug, name=slug.title(), default_language="nl", visibility=visibility,
                                  receives_embargoed=embargoed))
        dispose_engines()
        env = {**os.environ, "PRESSROOM_DATABASE_URL": db}
        result = subprocess.run(
            [sys.executable, "-c", "from cli.main import main; main()", "db", "upgrade"],
            check=False, env=env, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        named = [line for line in result.stderr.splitlines() if "now private" in line]
        assert len(named) == 2, result.stderr
        assert "'journalists'" in named[0] and "'press-agencies'" in named[1]  # in slug order
        assert "'diplomats'" not in result.stderr and "'public'" not in result.stderr
    finally:
        dispose_engines()
        migrate.upgrade(db)  # the PostgreSQL database is shared by the session's tests
    assert _lists() == {
        "diplomats": ("private", True),
        "journalists": ("private", True),
        "press-agencies": ("private", True),
        "public": ("public", False),
    }
