"""`pressroom subscribers import` as an admin runs it: --update, --dry-run, --map, and the
questions asked on a terminal about unknown columns; asserted on the database."""

from __future__ import annotations

import json
import os
import pty
import sys
from pathlib import Path

import pytest
from sqlmodel import col, select

from cli.main import cli
from core.db import session_scope
from core.outbox import OutboxEvent
from subscribers import create_list
from subscribers.models import ConsentRecord, Subscriber, Subscription
from tests.subscribers.conftest import confirmed


def _state() -> list[tuple[object, ...]]:
    """Everything an import could write: people, subscriptions, consent, events."""
    with session_scope() as s:
        return [
            *s.exec(select(Subscriber.email, Subscriber.name, Subscriber.language, Subscriber.organisation,
                           Subscriber.updated_at).order_by(col(Subscriber.email))).all(),
            *s.exec(select(Subscription.subscriber_id, Subscription.status, Subscription.updated_at)
                    .order_by(col(Subscription.id))).all(),
            *s.exec(select(ConsentRecord.id, ConsentRecord.action).order_by(col(ConsentRecord.id))).all(),
            *s.exec(select(OutboxEvent.name, OutboxEvent.subject_id).order_by(col(OutboxEvent.created_at))).all(),
        ]


def _consent() -> list[tuple[object, ...]]:
    """Subscriptions and consent records: what --update must never touch."""
    with session_scope() as s:
        return [
            *s.exec(select(Subscription.subscriber_id, Subscription.status, Subscription.updated_at)
                    .order_by(col(Subscription.id))).all(),
            *s.exec(select(ConsentRecord.id, ConsentRecord.action, ConsentRecord.at).order_by(col(ConsentRecord.id))).all(),
        ]


def _person(email: str) -> tuple[str, str, str]:
    with session_scope() as s:
        found = s.exec(select(Subscriber).where(Subscriber.email == email)).one()
        return found.name, found.language, found.organisation


def test_update_and_dry_run_change_details_never_consent(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", default_language="nl", visibility="private")
    confirmed("jan@example.be", ["journalists"], name="Jan", language="nl")
    confirmed("marie@example.be", ["journalists"], name="Marie Dubois", language="fr")
    run("subscribers", "remove", "marie@example.be", "--list", "journalists")
    source = tmp_path / "pers.csv"
    source.write_bytes(
        "E-mail;Naam;Taal;Organisatie\r\n"
        "jan@example.be;Jan Peeters;FR-be;De Standaard\r\n"
        "marie@example.be;;;Le Soir\r\n"  # empty cells keep what is held
        "nieuw@example.be;Nieuw;Nederlands;VRT\r\n".encode("cp1252")
    )
    before = _state()

    dry = run("subscribers", "import", str(source), "--list", "journalists", "--confirmed", "--update", "--dry-run").stdout
    assert _state() == before
    assert "pers.csv → list journalists (encoding UTF-8; separator ';'; columns E-mail→email, Naam→name, " \
           "Taal→language, Organisatie→organisation)" in dry
    assert "dry run: nothing was written" in dry
    jan_line = "line 2: jan@example.be: name 'Jan' → 'Jan Peeters'; language 'nl' → 'fr'; organisation '' → 'De Standaard'"
    assert f"{jan_line}\nline 3: marie@example.be: organisation '' → 'Le Soir'\n" in dry
    assert "new subscribers      1" in dry and "details updated      2" in dry

    kept = json.loads(run("subscribers", "import", str(source), "--list", "journalists", "--confirmed", "--json").stdout)
    assert (kept["subscribers_created"], kept["subscribers_updated"], kept["left_unsubscribed"]) == (1, 0, 1)
    assert [(c["line"], c["applied"], sorted(c["fields"])) for c in kept["changes"]] == [
        (2, False, ["language", "name", "organisation"]), (3, False, ["organisation"])]
    assert _person("jan@example.be") == ("Jan", "nl", "")
    consent_before = _consent()

    updated = run("subscribers", "import", str(source), "--list", "journalists", "--confirmed", "--update").stdout
    assert f"{jan_line}\nline 3: marie@example.be: organisation '' → 'Le Soir'\n" in updated
    assert (_person("jan@example.be"), _person("marie@example.be")) == (
        ("Jan Peeters", "fr", "De Standaard"), ("Marie Dubois", "fr", "Le Soir"))
    assert _consent() == consent_before
    assert sorted(str(row[1]) for row in consent_before[:3]) == ["confirmed", "confirmed", "unsubscribed"]
    with session_scope() as s:
        updates = s.exec(select(OutboxEvent.payload).where(OutboxEvent.name == "subscriber.updated")).all()
    assert sorted(p["changed"] for p in updates) == [["name", "language", "organisation"], ["organisation"]]
    assert "details updated      0" in run("subscribers", "import", str(source), "--list", "journalists",
                                           "--confirmed", "--update").stdout


def test_unknown_columns_are_named_with_the_map_that_imports_them(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", default_language="nl")
    source = tmp_path / "lijst.csv"
    source.write_text("Wie;E-mail;Functie\nJan Peeters;jan@example.be;chef\n", encoding="utf-8")

    refused = run("subscribers", "import", str(source), "--list", "journalists", "--map", "Naam=name", code=2)
    assert "no column 'Naam' in the header of lijst.csv (found 'Wie', 'E-mail', 'Functie')" in refused.stderr
    with session_scope() as s:
        assert s.exec(select(Subscriber)).all() == []

    out = run("subscribers", "import", str(source), "--list", "journalists", "--confirmed").stdout
    assert "unknown column 'Wie' ignored: to import it, add --map Wie=FIELD (FIELD one of name, language, " \
           "organisation, topics); --map Wie=ignore leaves it out without this note" in out
    assert _person("jan@example.be") == ("", "nl", "")

    mapped = run("subscribers", "import", str(source), "--list", "journalists", "--confirmed", "--update",
                 "--map", "Wie=name", "--map", "functie=ignore").stdout
    assert "unknown column" not in mapped and "ignored columns: 'Functie'" in mapped
    assert _person("jan@example.be") == ("Jan Peeters", "nl", "")

    # Column names are printed as text: a header cannot reverse the line or drive the terminal.
    # The empty columns Excel leaves at the end of a header are no ignored columns worth naming.
    source.write_text("E-mail\u200b;Naam\u202e;Wie\x1b[2J\x07;;\njan@example.be;Jan;x;;\n", encoding="utf-8")
    shown = run("subscribers", "import", str(source), "--list", "journalists").stdout
    assert "ignored columns" not in shown
    assert "columns E-mail\\u200b→email, Naam\\u202e→name)" in shown
    assert "add --map 'Wie\\x1b[2J\\x07=FIELD'" in shown
    assert not any(c in shown for c in "\u200b\u202e\x1b\x07")


def test_a_terminal_is_asked_about_unknown_columns(sqlite_db: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", default_language="nl")
    source = tmp_path / "lijst.csv"
    source.write_text("Wie;E-mail;Functie\nJan Peeters;jan@example.be;chef\n", encoding="utf-8")
    leader, follower = pty.openpty()  # standard input is a real terminal, the answers typed ahead
    os.write(leader, b"name\n\n")
    with open(follower, encoding="utf-8") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        cli.main(["subscribers", "import", str(source), "--list", "journalists", "--confirmed"],
                 prog_name="pressroom", standalone_mode=False)
    os.close(leader)
    said = capsys.readouterr()
    # 'email' is not offered for 'Wie': the 'E-mail' column after it holds the addresses.
    assert "Import 'Wie' as (name, language, organisation, topics, ignore) [ignore]:" in said.err
    assert "Import 'Functie' as (language, organisation, topics, ignore) [ignore]:" in said.err
    assert "to import such a file again without questions: --map Wie=name --map Functie=ignore" in said.err
    assert "columns Wie→name, E-mail→email" in said.out and "ignored columns: 'Functie'" in said.out
    assert _person("jan@example.be") == ("Jan Peeters", "nl", "")


def test_a_dry_run_of_an_unconfirmed_import_says_the_mails_would_be_queued(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", default_language="nl")
    source = tmp_path / "pers.csv"
    source.write_text("E-mail;Naam\nnieuw@example.be;Nieuw\n", encoding="utf-8")
    dry = run("subscribers", "import", str(source), "--list", "journalists", "--dry-run").stdout
    assert "confirmation mails would be queued" in dry and "mails queued" not in dry
    with session_scope() as s:
        assert s.exec(select(OutboxEvent)).all() == []
