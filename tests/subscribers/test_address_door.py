"""Addresses that can never be sent are refused at the door: a non-ASCII part before the @ needs
SMTPUTF8, which Pressroom's relay path does not use. Internationalised domains are fine: they
go out in their IDNA (xn--) form. Here through the CLI (add and import) and the mail that
follows a sign-up; the web doors are in tests/web/test_address_door.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from core.db import session_scope
from core.outbox import OutboxEvent, handle_event, relay_pending
from core.settings import override_settings
from delivery.message import ascii_address, format_address
from subscribers import create_list, subscribe
from subscribers.models import Subscriber, Subscription
from subscribers.validation import address_hash
from tasks.events import HANDLERS
from tests.delivery.smtp_sink import Sink, smtp_server

NON_ASCII = "inès.claes@example.be"
REASON = ("'inès.claes@example.be' cannot be used: the part before @ contains non-ASCII characters (è); "
          "Pressroom's mail relay cannot deliver to such addresses")
IDN = "jan@exämple.be"


@pytest.fixture
def run(run):  # type: ignore[no-untyped-def]
    """The CLI, with a public list to add people to."""
    with session_scope() as s:
        create_list(s, "public", "Public", default_language="nl")
    return run


def _stored() -> tuple[list[str | None], int, int]:
    """Addresses of subscribers, and how many subscriptions and events exist."""
    with session_scope() as s:
        return (
            list(s.exec(select(Subscriber.email).order_by(col(Subscriber.email))).all()),
            len(s.exec(select(Subscription.id)).all()),
            len(s.exec(select(OutboxEvent.id)).all()),
        )


def test_cli_add_refuses_a_non_ascii_local_part_and_accepts_an_idn_domain(run) -> None:  # type: ignore[no-untyped-def]
    refused = run("subscribers", "add", NON_ASCII, "--list", "public", "--confirmed", code=2)
    assert refused.stderr.strip() == f"error: email: {REASON}"
    assert _stored() == ([], 0, 0)

    run("subscribers", "add", "Jan@EXÄMPLE.be", "--list", "public", "--confirmed")
    [stored], _, _ = _stored()
    assert stored == IDN  # stored as typed (normalised), converted only for the wire
    assert ascii_address(stored) == "jan@xn--exmple-cua.be"
    assert format_address("Jan Claes", stored) == "Jan Claes <jan@xn--exmple-cua.be>"


def test_csv_import_reports_the_row_and_column_and_imports_the_rest(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "people.csv"
    source.write_text(f"email;name\nels@example.be;Els\n{NON_ASCII};Inès Claes\n{IDN};Jan\n", encoding="utf-8")
    report = json.loads(run("subscribers", "import", str(source), "--list", "public", "--confirmed", "--json").stdout)
    assert report["rejected"] == [{"line": 3, "reason": f"email: {REASON}"}]
    assert report["subscriptions_created"] == 2
    assert _stored()[:2] == (["els@example.be", IDN], 2)

    text = run("subscribers", "import", str(source), "--list", "public", "--confirmed").stdout
    assert f"line 3: email: {REASON}" in text


def test_what_was_stored_before_the_rule_can_still_be_found_and_erased(run) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:  # imported before such addresses were refused
        s.add(Subscriber(email=NON_ASCII, email_hash=address_hash(NON_ASCII), name="Inès", language="fr"))
    shown = json.loads(run("subscribers", "show", "Inès.Claes@example.be", "--json").stdout)
    assert shown["subscriber"]["name"] == "Inès"
    run("subscribers", "forget", NON_ASCII, "--yes")
    with session_scope() as s:
        assert s.exec(select(Subscriber.email)).all() == [None]


def test_the_confirmation_mail_to_an_idn_domain_goes_out_with_its_xn_form(db: str) -> None:
    sink = Sink()
    with smtp_server(sink) as controller:
        override_settings(mail_url=f"smtp://{controller.hostname}:{controller.port}?helo=pressroom.test")
        with session_scope() as s:
            create_list(s, "public", "Public", default_language="nl")
            subscribe(s, IDN, "public")
        ids: list[str] = []
        relay_pending(lambda event: ids.append(event.id))
        for event_id in ids:
            handle_event(event_id, HANDLERS)
    [received] = sink.received
    assert received.rcpt_tos == ["jan@xn--exmple-cua.be"]
    assert b"To: jan@xn--exmple-cua.be" in received.content
