"""`pressroom workflows show|set|clear`, and a release walking a three-step chain through the CLI."""

from __future__ import annotations

import json

import pytest

from core.db import session_scope
from tests import factories
from tests.cli.helpers import Run, fails, invoker, ok
from workflow import service


@pytest.fixture
def run(sqlite_db: str, celery_app) -> Run:  # type: ignore[no-untyped-def]
    return invoker()


def test_a_three_step_chain_set_shown_and_walked(run: Run) -> None:
    with session_scope() as s:
        author = factories.user(s, email="an@example.be")
        head = factories.user(s, "approver", email="head@example.be")
        cabinet = factories.user(s, "approver", email="cabinet@example.be")
        admin = factories.user(s, "admin", email="admin@example.be")
        release_id = factories.release(s, author).id or 0
    assert "press_release: default" in ok(run("workflows", "show", "press_release")).output
    fails(run("workflows", "set", "press_release", "--step", "nl=Kabinet;approvers=nobody@example.be"),
          2, "steps.1.approvers: no user nobody@example.be")
    fails(run("workflows", "set", "event", "--step", "nl=X", "--as", head.email), 4, "needs role admin")
    shown = ok(run("workflows", "set", "press_release",
                   "--step", "nl=Hoofd communicatie;en=Head of communications;approvers=head@example.be",
                   "--step", "nl=Kabinet;fr=Cabinet;approvers=cabinet@example.be;required=1",
                   "--step", "nl=Secretaris-generaal;approvers=admin", "--as", admin.email)).output
    assert "3 steps" in shown and "2. nl: Kabinet / fr: Cabinet — 1 of cabinet@example.be" in shown
    as_json = json.loads(ok(run("workflows", "show", "press_release", "--json")).output)
    assert [step["approvers"] for step in as_json["steps"]] == [["head@example.be"], ["cabinet@example.be"], "admin"]

    rid = str(release_id)
    assert "step 1 of 3: Hoofd communicatie, 0 of 1" in ok(run("releases", "submit", rid, "--as", author.email)).output
    fails(run("releases", "approve", rid, "--as", cabinet.email), 4, "not in the group that signs this step")
    assert "step 2 of 3: Kabinet, 0 of 1" in ok(run("releases", "approve", rid, "--as", head.email)).output
    assert "step 3 of 3: Secretaris-generaal" in ok(run("releases", "approve", rid, "--as", cabinet.email)).output
    assert "step 3 of 3: Secretaris-generaal, 0 of 1" in ok(run("releases", "show", rid)).output
    assert "in_review → approved" in ok(run("releases", "approve", rid, "--as", admin.email)).output

    assert "press_release: default" in ok(run("workflows", "clear", "press_release")).output
    fails(run("workflows", "clear", "press_release"), 3, "approval chain press_release not found")
    with session_scope() as s:
        assert service.get_release(s, release_id).chain is not None  # what it was submitted under
