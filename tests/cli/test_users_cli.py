"""`pressroom users invite | role | deactivate | reactivate`: the users page's actions from the
command line, recorded like the page's, and the last active admin kept (exit 5)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from core.db import session_scope
from core.outbox import OutboxEvent
from tests.cli.helpers import fails, invoker, ok
from workflow.accounts import INVITED_EVENT
from workflow.models import AccountEvent, User
from workflow.sessions import live_session, open_session

ADMIN, SPOKES = "root@example.be", "an@example.be"


@pytest.fixture
def run(db: str):  # type: ignore[no-untyped-def]
    invoke = invoker()
    ok(invoke("users", "add", ADMIN, "--name", "Ada", "--role", "admin"))
    ok(invoke("users", "add", SPOKES, "--name", "An", "--role", "spokesperson"))
    return invoke


def _users(run) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    return {row["email"]: row for row in json.loads(ok(run("users", "list", "--json")).output)}


def _actions() -> list[tuple[str, str]]:
    """The account log after the fixture's two `users add` (each logged as "created")."""
    with session_scope() as session:
        rows = session.exec(select(AccountEvent).where(AccountEvent.action != "created")
                            .order_by(col(AccountEvent.id))).all()
        return [(row.action, row.actor_label) for row in rows]


def test_invite_creates_a_user_without_a_password_and_queues_the_mail(run) -> None:  # type: ignore[no-untyped-def]
    made = ok(run("users", "invite", "Els@Example.be", "--name", "Els Wouters", "--role", "approver",
                  "--language", "fr"))
    assert "invitation for els@example.be queued; its link works once, for 7 days" in made.output
    els = _users(run)["els@example.be"]
    assert els["role"] == "approver" and els["language"] == "fr" and els["active"] and els["status"] == "invited"
    with session_scope() as session:
        events = session.exec(select(OutboxEvent).where(OutboxEvent.name == INVITED_EVENT)).all()
        assert [e.subject_id for e in events] == [els["id"]]
    assert _actions() == [("invited", "pressroom")]
    fails(run("users", "invite", "els@example.be", "--name", "Els", "--role", "admin"), 5, "already exists")
    fails(run("users", "invite", "x@example.be", "--name", "X", "--role", "admin", "--language", "xx"), 2,
          "language")


def test_role_deactivate_reactivate_and_the_last_admin(run) -> None:  # type: ignore[no-untyped-def]
    assert ok(run("users", "role", SPOKES, "approver")).output.strip() == f"{SPOKES} is now approver"
    assert ok(run("users", "deactivate", SPOKES)).output.strip() == f"{SPOKES} is deactivated"
    assert not _users(run)[SPOKES]["active"]
    assert ok(run("users", "reactivate", SPOKES)).output.strip() == f"{SPOKES} is active again"
    assert _users(run)[SPOKES]["active"]

    fails(run("users", "deactivate", ADMIN), 5, "they are the last active admin")
    fails(run("users", "role", ADMIN, "approver"), 5, "they are the last active admin")
    fails(run("users", "deactivate", "nobody@example.be"), 3, "not found")
    assert _users(run)[ADMIN]["active"] and _users(run)[ADMIN]["role"] == "admin"

    ok(run("users", "role", SPOKES, "admin"))
    ok(run("users", "deactivate", ADMIN))
    assert _actions() == [("role_changed", "pressroom"), ("deactivated", "pressroom"), ("reactivated", "pressroom"),
                          ("role_changed", "pressroom"), ("deactivated", "pressroom")]


def test_the_log_shows_what_a_change_changed(run) -> None:  # type: ignore[no-untyped-def]
    ok(run("users", "role", SPOKES, "approver"))
    created, event = json.loads(ok(run("users", "log", SPOKES, "--json")).output)
    assert (created["action"], created["actor"], created["after"]["role"]) == ("created", "pressroom", "spokesperson")
    assert (event["action"], event["actor"]) == ("role_changed", "pressroom")
    assert (event["before"]["role"], event["after"]["role"]) == ("spokesperson", "approver")
    assert "role: spokesperson → approver" in ok(run("users", "log", SPOKES)).output


def _open_session(email: str) -> str:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return open_session(session, user, method="password", user_agent="test", ip="127.0.0.1")


def _is_live(token: str) -> bool:
    with session_scope() as session:
        return live_session(session, token) is not None


def test_a_password_set_from_the_cli_is_logged_and_ends_the_sessions_at_once(run) -> None:  # type: ignore[no-untyped-def]
    token = _open_session(SPOKES)
    assert _is_live(token)
    ok(run("users", "password", SPOKES, "--password-stdin", input="a new long password\n"))
    assert not _is_live(token)
    assert _actions()[-1] == ("password_set", "pressroom")


def test_a_role_changed_away_and_back_leaves_no_old_session(run) -> None:  # type: ignore[no-untyped-def]
    token = _open_session(SPOKES)
    ok(run("users", "role", SPOKES, "approver"))
    ok(run("users", "role", SPOKES, "spokesperson"))
    assert not _is_live(token)
