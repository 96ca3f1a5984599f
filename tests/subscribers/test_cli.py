"""The `pressroom lists` and `pressroom subscribers` verbs end to end on a fresh database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from core.db import session_scope
from subscribers import resolve_audience


@pytest.fixture
def run(broker: str, db: str):  # type: ignore[no-untyped-def]
    """Invoke the CLI; commands that queue mail relay to the test broker."""
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, stdin: str | None = None) -> Result:
        result = runner.invoke(cli, list(args), input=stdin, catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return invoke


def test_lists_and_subscribers_verbs_end_to_end(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("lists", "add", "journalists", "--name", "Journalists", "--language", "nl", "--private", "--receives-embargoed")
    run("lists", "add", "diplomats", "--name", "Diplomatic corps", "--language", "fr", "--private")
    assert "already exists" in run("lists", "add", "journalists", "--name", "Again", code=5).stderr
    assert "not a slug" in run("lists", "add", "Bad Slug", "--name", "X", code=2).stderr

    source = tmp_path / "journalists.csv"
    source.write_bytes(
        "\ufeffEmail;Name;Language;Organisation;Topics\r\n"
        "jan@example.be;Jan Peeters;nl;De Standaard;africa\r\n"
        "JAN@example.be;Jan;nl;;\r\n"
        "marie@example.be;Marie Dubois;fr;Le Soir;\r\n"
        "broken;X;nl;;\r\n".encode()
    )
    out = run("subscribers", "import", str(source), "--list", "journalists", "--confirmed").stdout
    assert "line 3: duplicate of line 2 (jan@example.be)" in out
    assert "line 5: email: 'broken' is not a valid e-mail address" in out
    assert "rejected             2" in out
    again = json.loads(run("subscribers", "import", str(source), "--list", "journalists", "--confirmed", "--json").stdout)
    assert (again["subscriptions_created"], again["already_on_list"], len(again["rejected"])) == (0, 2, 2)
    assert "no 'email' column" in run(
        "subscribers", "import", "-", "--list", "journalists", code=2, stdin="name\nJan\n"
    ).stderr

    run("subscribers", "add", "piet@example.be", "--list", "diplomats", "--name", "Piet", "--topic", "trade")
    run("subscribers", "add", "piet@example.be", "--list", "diplomats", "--confirmed")
    listing = {row["slug"]: row for row in json.loads(run("lists", "list", "--json").stdout)}
    assert (listing["journalists"]["confirmed"], listing["diplomats"]["confirmed"]) == (2, 1)
    shown = json.loads(run("lists", "show", "diplomats", "--json").stdout)
    assert (shown["visibility"], shown["language"], shown["embargoed"]) == ("private", "fr", False)
    assert listing["journalists"]["embargoed"] is True

    exported = run("subscribers", "export", "--list", "journalists", "--delimiter", ";").stdout
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert [r[0] for r in rows] == ["email", "jan@example.be", "marie@example.be"]

    person = json.loads(run("subscribers", "show", "piet@example.be", "--json").stdout)
    assert person["subscriber"]["topics"] == ["trade"]
    consent = person["subscriber"]["subscriptions"][0]["consent"]
    assert [c["action"] for c in consent] == ["requested", "confirmed"]

    run("subscribers", "suppress", "jan@example.be", "--reason", "hard_bounce", "--note", "550 5.1.1")
    assert "suppression list (hard_bounce)" in run(
        "subscribers", "add", "jan@example.be", "--list", "diplomats", code=5
    ).stderr
    suppressions = json.loads(run("subscribers", "suppressions", "--json").stdout)
    assert [(e["email"], e["reason"]) for e in suppressions] == [("jan@example.be", "hard_bounce")]
    assert _audience(["journalists"]) == ["marie@example.be"]
    run("subscribers", "unsuppress", "jan@example.be")
    assert _audience(["journalists"]) == ["jan@example.be", "marie@example.be"]
    run("subscribers", "unsuppress", "jan@example.be", code=3)

    assert "unsubscribed from journalists" in run("subscribers", "remove", "marie@example.be", "--list", "journalists").stdout
    run("subscribers", "remove", "jan@example.be", "--suppress")
    assert _audience(["journalists", "diplomats"]) == ["piet@example.be"]

    run("subscribers", "forget", "piet@example.be", code=1, stdin="n\n")  # asks first
    erased = json.loads(run("subscribers", "forget", "piet@example.be", "--yes", "--json").stdout)
    assert erased["subscriptions_closed"] == 1
    after = json.loads(run("subscribers", "show", "piet@example.be", "--json").stdout)
    assert after["subscriber"] is None and after["suppression"]["reason"] == "erased"
    assert _audience(["journalists", "diplomats"]) == []
    assert "not found" in run("subscribers", "show", "nobody@example.be", code=3).stderr
    assert "not found" in run("lists", "show", "nope", code=3).stderr


def _audience(lists: list[str]) -> list[str]:
    return sorted(
        r.email for batch in resolve_audience(session_scope, lists, [], ["nl"], "nl") for r in batch
    )
