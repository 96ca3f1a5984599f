"""The `pressroom` command line: every workflow verb, --json output, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.demo import SAMPLES
from cli.main import cli
from tests.cli.helpers import fails, invoker, ok

SPOKES, APPROVER, OTHER = "an@example.be", "marc@example.be", "eva@example.be"


@pytest.fixture
def run(db: str, celery_app):  # type: ignore[no-untyped-def]
    invoke = invoker()
    return invoke


def _later(text: str) -> str:
    return text.replace("embargo_until: 2026-04-20T09:00:00+02:00", "embargo_until: 2099-06-01T09:00:00+02:00")


def _setup(run, tmp_path: Path) -> int:  # type: ignore[no-untyped-def]
    ok(run("users", "add", SPOKES, "--name", "An", "--role", "spokesperson"))
    ok(run("users", "add", APPROVER, "--name", "Marc", "--role", "approver"))
    ok(run("users", "add", OTHER, "--name", "Eva", "--role", "spokesperson"))
    ok(run("lists", "add", "journalists", "--name", "Journalists", "--private", "--receives-embargoed"))
    ok(run("lists", "add", "diplomatic-corps", "--name", "Diplomatic corps", "--private"))
    ok(run("lists", "add", "public", "--name", "Public"))
    # The sample's embargo date has passed; publishing refuses an embargo that holds nothing
    # back, so this flow's copy lifts after the time it schedules the release for (2099-01-01).
    for name in ("jaarverslag-2025.md", "jaarverslag-2025.fr.md"):
        (tmp_path / name).write_text(_later((SAMPLES / name).read_text()))
    result = ok(run("releases", "new", str(tmp_path / "jaarverslag-2025.md"), "--as", SPOKES, "--json"))
    return int(json.loads(result.stdout)["id"])


def test_full_flow_with_json_output(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    release_id = _setup(run, tmp_path)
    rid = str(release_id)
    assert "in_review" in ok(run("releases", "submit", rid, "--as", SPOKES)).output
    ok(run("releases", "request-changes", rid, "--as", APPROVER, "--comment", "Add a quote"))
    edited = tmp_path / "edited.md"
    edited.write_text(_later((SAMPLES / "jaarverslag-2025.md").read_text()).replace("Kerncijfers", "Cijfers"))
    (tmp_path / "edited.fr.md").write_text((SAMPLES / "jaarverslag-2025.fr.md").read_text())
    assert "changes_requested → draft" in ok(run("releases", "edit", rid, str(edited), "--as", SPOKES)).output
    ok(run("releases", "submit", rid, "--as", SPOKES))
    ok(run("releases", "approve", rid, "--as", APPROVER))
    assert "approved → scheduled" in ok(
        run("releases", "publish", rid, "--as", APPROVER, "--at", "2099-01-01T10:00:00+01:00")).output
    ok(run("releases", "unschedule", rid, "--as", APPROVER))
    ok(run("releases", "publish", rid, "--as", APPROVER))
    ok(run("releases", "withdraw", rid, "--as", APPROVER, "--reason", "Wrong year"))

    show = json.loads(ok(run("releases", "show", rid, "--json")).output)
    assert show["state"] == "withdrawn" and show["revision"] == 2
    assert show["content"]["translations"]["fr"]["title"].startswith("Rapport annuel")
    listed = json.loads(ok(run("releases", "list", "--state", "withdrawn", "--json")).output)
    assert [r["id"] for r in listed] == [release_id]
    log = json.loads(ok(run("releases", "log", rid, "--json")).output)
    assert [e["action"] for e in log] == [
        "create", "submit", "request_changes", "edit", "submit", "approve", "schedule",
        "unschedule", "publish", "withdraw",
    ]
    assert log[2]["comment"] == "Add a quote" and log[-1]["comment"] == "Wrong year"
    text_log = ok(run("releases", "log", rid)).output
    assert "draft → in_review" in text_log and "r2" in text_log


def test_errors_are_one_line_with_distinct_exit_codes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = str(_setup(run, tmp_path))
    fails(run("releases", "approve", rid, "--as", APPROVER), 5, "allowed actions: edit, submit, archive")
    fails(run("releases", "submit", rid, "--as", OTHER), 4, "only its author or an admin")
    ok(run("releases", "submit", rid, "--as", SPOKES))
    fails(run("releases", "approve", rid, "--as", OTHER), 4, "needs role approver or admin")
    fails(run("releases", "approve", rid, "--as", APPROVER, "--version", "1"), 5, "changed since you loaded it")
    fails(run("releases", "show", "999"), 3, "release 999 not found")
    fails(run("releases", "submit", rid, "--as", "ghost@example.be"), 3, "user ghost@example.be not found")
    fails(run("releases", "publish", rid, "--as", APPROVER, "--at", "tomorrow"), 2, "not an ISO-8601")
    fails(run("releases", "publish", rid, "--as", APPROVER, "--at", "2099-01-01T10:00"), 2, "no time zone")
    fails(run("users", "add", "not-an-address", "--name", "X", "--role", "admin"), 2, "not a valid e-mail address")
    fails(run("users", "add", SPOKES.upper(), "--name", "X", "--role", "admin"), 5, "already exists")
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: \"Hi\\r\\nBcc: x@evil.example\"\n---\nbody\n")
    fails(run("releases", "new", str(bad), "--as", SPOKES), 2, "one line without control characters")
    fails(run("releases", "new", str(tmp_path / "missing.md"), "--as", SPOKES), 2, "file not found")
    users = json.loads(ok(run("users", "list", "--json")).output)
    assert [u["email"] for u in users] == [SPOKES, APPROVER, OTHER]  # nothing half-written


def test_users_add_prints_a_working_token_once(run) -> None:  # type: ignore[no-untyped-def]
    from core.db import session_scope
    from workflow.users import user_for_token

    result = json.loads(ok(run("users", "add", SPOKES, "--name", "An", "--role", "spokesperson", "--json")).output)
    assert result["token"].startswith("prt_")
    with session_scope() as s:
        user = user_for_token(s, result["token"])
        assert user is not None and user.email == SPOKES
        assert user_for_token(s, result["token"] + "x") is None
    assert result["token"] not in ok(run("users", "list", "--json")).output


def test_database_errors_say_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    from core.settings import get_settings

    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["releases", "list"])
    fails(result, 6, "pressroom db upgrade")
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0 and "database at revision 0" in result.output
    ok(CliRunner().invoke(cli, ["releases", "list"]))


def test_invalid_settings_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_LANGUAGES", "nl,xx")
    from core.settings import get_settings

    get_settings.cache_clear()
    fails(CliRunner().invoke(cli, ["releases", "list"]), 6, "unsupported languages ['xx']")


def test_submit_without_a_required_language_exits_2_naming_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from core.settings import override_settings

    override_settings(required_languages=["nl", "fr", "de"])
    rid = str(_setup(run, tmp_path))  # the sample has Dutch and French
    fails(run("releases", "submit", rid, "--as", SPOKES), 2,
           f"error: translations: cannot submit release {rid}: required languages are missing: de (title, body)")
    show = json.loads(ok(run("releases", "show", rid, "--json")).output)
    assert show["state"] == "draft" and show["version"] == 1
    override_settings(required_languages=["nl", "fr"])
    assert "in_review" in ok(run("releases", "submit", rid, "--as", SPOKES)).output
