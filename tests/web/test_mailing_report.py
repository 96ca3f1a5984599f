"""The mailing report, held to its numbers as an office would check them: a release sent through
a real worker to an SMTP sink that refuses some addresses, bounces (one hard, one soft, both after
the relay accepted the message) and a complaint (ARF) read by the bounce processor from a
Maildir, unsubscribes through the one-click POST of the mail's own link over HTTP; then an
embargoed release held for its lift and withdrawn. The figures are asserted exactly through the
domain, the CLI (text, --json and --csv) and the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import mailbox
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from sqlalchemy import select

from cli.main import cli
from core.db import session_scope, utcnow
from delivery.bounces import process_maildir
from delivery.models import Distribution, DistributionStatus
from reports.mailing import FAILURE_CLASSES, mailing_report, release_report
from reports.models import MailingTally
from subscribers import add_subscriber, create_list, tokens
from subscribers.models import MailingList, Subscriber
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import (
    Web,
    csrf_of,
    publish_through_api,
    signed_in,
)
from web.deps import relay_events

JOURNALISTS = {"j0": "nl", "j1": "fr", "j2": "nl", "j3": "fr"}
CITIZENS = {"c0": "nl", "c1": "fr", "c2": "en", "c3": "nl", "c4": "fr", "c5": "en", "c6": "nl"}
TEXTS = {"nl": {"title": "Jaarcijfers", "body": "Cijfers."}, "fr": {"title": "Chiffres annuels", "body": "Chiffres."},
         "en": {"title": "Annual figures", "body": "Figures."}}




def _address(name: str) -> str:
    return f"{name}@example.org"


def _audience() -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", default_language="nl", visibility="private",
                    receives_embargoed=True)
        create_list(s, "citizens", "Citizens", default_language="nl")
        for slug, people in (("journalists", JOURNALISTS), ("citizens", CITIZENS)):
            for name, language in people.items():
                add_subscriber(s, _address(name), slug, language=language, confirmed=True)


def _mails(sink: Sink, name: str) -> list[EmailMessage]:
    return [message_from_bytes(r.content, policy=policy.default)  # type: ignore[misc]
            for r in sink.received if _address(name) in r.rcpt_tos]


def _mailing(release_id: int, kind: str = "release") -> int:
    def found() -> int | None:
        with session_scope() as s:
            return s.execute(select(Distribution.id).where(Distribution.release_id == release_id,
                                                           Distribution.kind == kind)).scalar()
    return int(wait_until(found, 60, f"the {kind} mailing of release {release_id}"))


def _done(distribution_id: int) -> None:
    def finished() -> bool:
        with session_scope() as s:
            return s.get(Distribution, distribution_id).status == DistributionStatus.DONE  # type: ignore[union-attr]
    wait_until(finished, 90, f"distribution {distribution_id} to finish")


def _dsn(verp: str, status: str, action: str, message_id: str) -> bytes:
    """A delivery status notification (RFC 3464) as a remote server sends it, later."""
    return f"""From: MAILER-DAEMON@mx.example.org
To: {verp}
Subject: Delivery Status Notification
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; someone@example.org
Action: {action}
Status: {status}

--B
Content-Type: text/rfc822-headers

Message-ID: {message_id}
Subject: Jaarcijfers

--B--
""".encode()


def _arf(verp: str, rcpt: str, message_id: str) -> bytes:
    """A feedback loop's complaint (RFC 5965 ARF) about one message."""
    return f"""From: fbl@mailbox-provider.example
To: abuse@example.be
Subject: Complaint about a message
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

--ARF
Content-Type: text/plain

This is an email abuse report for an email message received from IP 127.0.0.1.
--ARF
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ExampleFBL/1.0
Version: 1
Original-Mail-From: <{verp}>
Original-Rcpt-To: <{rcpt}>
Arrival-Date: Sat, 05 Dec 2026 12:00:00 +0000

--ARF
Content-Type: text/rfc822-headers

Return-Path: <{verp}>
Message-ID: {message_id}
Subject: Jaarcijfers

--ARF--
""".encode()


def _one_click(mail: EmailMessage) -> httpx.Response:
    """What a mail client does with RFC 8058's List-Unsubscribe-Post: POST to the header's URL."""
    url = next(part.strip("<> ") for part in str(mail["List-Unsubscribe"]).split(",") if "http" in part)
    return httpx.post(url, data={"List-Unsubscribe": "One-Click"}, timeout=10)


def _counts(**figures: int) -> dict[str, Any]:
    reasons = figures.pop("reasons", {})
    base = dict.fromkeys(("recipients", "accepted", "pending", "held", "deferred", "failed", "bounced_hard",
                          "bounced_soft", "skipped", "unsubscribed", "complaints"), 0)
    base.update(figures)
    base["failed_by_reason"] = {name: reasons.get(name, 0) for name in FAILURE_CLASSES}  # type: ignore[union-attr]
    return base


def _parts(report: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {part["label"]: part["counts"] for part in report[key]}


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def test_the_report_counts_what_happened_to_each_mailing(web_both: Web, worker: Any, sink: Sink,
                                                         tmp_path: Path) -> None:
    web = web_both
    _audience()
    sink.rcpt_replies[_address("j1")] = "550 5.1.1 No such user"
    sink.rcpt_replies[_address("c1")] = "554 5.7.1 Message rejected as spam"
    sink.rcpt_replies[_address("c2")] = "552 5.2.2 Mailbox full"
    release_id = publish_through_api(web, lists=["journalists", "citizens"], translations=TEXTS)
    distribution_id = _mailing(release_id)
    _done(distribution_id)
    accepted = ("j0", "j2", "j3", "c0", "c3", "c4", "c5", "c6")
    assert sorted(name for name in {**JOURNALISTS, **CITIZENS} if _mails(sink, name)) == sorted(accepted)
    received = {r.rcpt_tos[0].split("@")[0]: r for r in sink.received if r.rcpt_tos[0].endswith("@example.org")}

    def message_id(name: str) -> str:
        return str(_mails(sink, name)[0]["Message-ID"])

    # Bounces and a complaint come back later, after the relay accepted the messages.
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(_dsn(received["j2"].mail_from, "5.1.1", "failed", message_id("j2")))
    box.add(_dsn(received["c3"].mail_from, "4.2.2", "delayed", message_id("c3")))
    box.add(_arf(received["c4"].mail_from, _address("c4"), message_id("c4")))
    processed = process_maildir(tmp_path / "bounces")
    assert (processed.hard, processed.soft, processed.complaints, processed.unmatched) == (1, 1, 1, 0)

    # Two people leave through their mail's one-click link (one of them twice); a third through
    # an old link that names no mailing: counted for no mailing.
    assert _one_click(_mails(sink, "j3")[0]).status_code == 200
    assert _one_click(_mails(sink, "c5")[0]).status_code == 200
    assert _one_click(_mails(sink, "c5")[0]).status_code == 200
    with session_scope() as s:
        c6 = s.execute(select(Subscriber).where(Subscriber.email == _address("c6"))).scalar_one()
        citizens = s.execute(select(MailingList.id).where(MailingList.slug == "citizens")).scalar_one()
        old_link = tokens.unsubscribe_url(tokens.unsubscribe_token(c6.id or 0, citizens, c6.email_hash))
    assert httpx.post(old_link, data={"List-Unsubscribe": "One-Click"}, timeout=10).status_code == 200
    # And one through the page the link opens, with its button (a browser's form post).
    page_url = next(part.strip("<> ") for part in str(_mails(sink, "c0")[0]["List-Unsubscribe"]).split(",")
                    if "http" in part)
    with httpx.Client(timeout=10) as browser:
        asked = browser.get(page_url)
        assert asked.status_code == 200
        left = browser.post(page_url, data={"csrf_token": csrf_of(asked.text)})
        assert left.status_code == 200, left.text

    expected_totals = _counts(recipients=11, accepted=8, failed=3, bounced_hard=1, bounced_soft=1, unsubscribed=3,
                              complaints=1, reasons={"recipient_refused": 1, "policy": 1, "mailbox_full": 1})
    expected_lists = {
        "journalists": _counts(recipients=4, accepted=3, failed=1, bounced_hard=1, unsubscribed=1,
                               reasons={"recipient_refused": 1}),
        "citizens": _counts(recipients=7, accepted=5, failed=2, bounced_soft=1, unsubscribed=2, complaints=1,
                            reasons={"policy": 1, "mailbox_full": 1}),
    }
    expected_languages = {
        "nl": _counts(recipients=5, accepted=5, bounced_hard=1, bounced_soft=1, unsubscribed=1),
        "fr": _counts(recipients=4, accepted=2, failed=2, unsubscribed=1, complaints=1,
                      reasons={"recipient_refused": 1, "policy": 1}),
        "en": _counts(recipients=2, accepted=1, failed=1, unsubscribed=1, reasons={"mailbox_full": 1}),
    }

    # The domain.
    with session_scope() as s:
        report = mailing_report(s, distribution_id).as_dict()
    assert report["totals"] == expected_totals
    assert _parts(report, "by_list") == expected_lists
    assert _parts(report, "by_language") == expected_languages
    assert report["held_until"] is None and report["embargo_until"] is None
    with session_scope() as s:  # the counts stored name no one: numbers per mailing, list, language, day
        tally_columns = set(MailingTally.__table__.columns.keys())  # type: ignore[attr-defined]
        tallies = s.execute(select(MailingTally.kind, MailingTally.count)).all()
    assert tally_columns == {"distribution_id", "list_id", "language", "day", "kind", "count"}
    assert sorted(tallies) == [("complaint", 1), ("unsubscribe", 1), ("unsubscribe", 1), ("unsubscribe", 1)]
    [timing] = report["timing"]
    assert timing["phase"] == "from_publication" and timing["messages"] == 8
    assert 0 <= timing["first"] <= timing["p50"] <= timing["p90"] <= timing["p99"] <= timing["last"] < 120

    # The CLI: JSON, CSV and the text table.
    as_json = json.loads(_cli("distributions", "report", str(distribution_id), "--json"))
    assert as_json["totals"] == expected_totals and _parts(as_json, "by_list") == expected_lists
    assert _parts(as_json, "by_language") == expected_languages
    rows = list(csv.DictReader(io.StringIO(_cli("distributions", "report", str(distribution_id), "--csv"))))
    by_scope = {(row["scope"], row["label"]): row for row in rows}
    assert set(by_scope) == {("total", ""), ("list", "journalists"), ("list", "citizens"), ("language", "nl"),
                             ("language", "fr"), ("language", "en")}
    for (scope, label), row in by_scope.items():
        want = expected_totals if scope == "total" else (expected_lists if scope == "list" else expected_languages)[label]
        assert {k: int(v) for k, v in row.items() if k not in ("scope", "key", "label")} == {
            **{k: v for k, v in want.items() if k != "failed_by_reason"},
            **{f"failed_{k}": v for k, v in want["failed_by_reason"].items()},
        }
    text = _cli("distributions", "report", str(distribution_id))
    assert "failed by reason: recipient_refused 1, policy 1, mailbox_full 1" in text
    assert "accepted after publication (8 messages)" in text

    # The API and the press page.
    with web.api(web.spokesperson) as api:
        answered = api.get(f"/distributions/{distribution_id}/report")
        assert answered.status_code == 200, answered.text
        assert answered.json()["totals"] == expected_totals
        assert _parts(answered.json(), "by_list") == expected_lists
        assert _parts(answered.json(), "by_language") == expected_languages
        assert api.get("/distributions/999999/report").status_code == 404
    with signed_in(web, web.spokesperson) as client:
        page = client.get(f"/press/distributions/{distribution_id}/report")
        assert page.status_code == 200
        assert '<svg class="chart" id="chart-outcomes" role="img"' in page.text
        assert 'aria-labelledby="chart-outcomes-title chart-outcomes-desc"' in page.text
        assert '<title id="chart-lists-title">Per lijst</title>' in page.text  # in the user's language
        assert 'fill="url(#chart-lists-stripes)"' in page.text  # bounced: striped, not only coloured
        assert '<td data-field="recipient_refused">1</td>' in page.text
        assert f'href="/press/distributions/{distribution_id}/report"' in client.get(
            f"/press/distributions/{distribution_id}").text
        assert '<td data-field="accepted">8</td>' in page.text and '<td data-field="complaints">1</td>' in page.text
        assert f'href="/press/distributions/{distribution_id}/report"' in client.get(
            f"/press/releases/{release_id}").text

    # An embargoed release: the journalists' copy goes now, the citizens' waits for the lift.
    lift = utcnow() + timedelta(hours=1)
    embargoed = publish_through_api(web, lists=["journalists", "citizens"], translations=TEXTS,
                                    embargo_until=lift.isoformat())
    held_mailing = _mailing(embargoed)

    def sent_now() -> dict[str, Any] | None:
        with session_scope() as s:
            found = mailing_report(s, held_mailing).as_dict()
        return found if found["totals"]["accepted"] == 1 else None

    held = wait_until(sent_now, 60, "the journalists' embargoed copy")
    # j1, j2 and c4 are suppressed (refused as unknown, bounced hard, complained); j3, c0, c5, c6 left.
    assert held["totals"] == _counts(recipients=4, accepted=1, held=3)
    assert held["held_until"] == held["embargo_until"] == lift.isoformat()
    assert "3 held for the embargo until" in _cli("distributions", "report", str(held_mailing))
    with signed_in(web, web.spokesperson) as client:
        shown = client.get(f"/press/distributions/{held_mailing}/report").text
        assert 'id="report-held"' in shown and "3 berichten wachten op het embargo tot" in shown

    # Withdrawn with a notice: the held copies are skipped, the notice reaches the journalist.
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{embargoed}/withdraw", json={"reason": "wrong", "notify": True}).status_code == 200
    relay_events()
    notice = _mailing(embargoed, "withdrawal")
    _done(notice)
    with session_scope() as s:
        whole = release_report(s, embargoed).as_dict()
    assert [m["kind"] for m in whole["mailings"]] == ["release", "withdrawal"]
    assert whole["mailings"][0]["totals"] == _counts(recipients=4, accepted=1, skipped=3)
    assert whole["mailings"][1]["totals"] == _counts(recipients=1, accepted=1)
    assert whole["totals"] == _counts(recipients=5, accepted=2, skipped=3)
    assert _parts(whole, "by_list") == {"journalists": _counts(recipients=2, accepted=2),
                                        "citizens": _counts(recipients=3, skipped=3)}
    assert json.loads(_cli("releases", "report", str(embargoed), "--json"))["totals"] == whole["totals"]
    with web.api(web.spokesperson) as api:
        assert api.get(f"/releases/{embargoed}/report").json()["totals"] == whole["totals"]
        assert api.get("/releases/999999/report").status_code == 404

    missing = CliRunner().invoke(cli, ["distributions", "report", "999999"])
    assert missing.exit_code == 3 and "distribution 999999" in missing.stderr
