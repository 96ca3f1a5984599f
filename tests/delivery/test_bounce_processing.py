"""Bounces read from a Maildir mark deliveries and suppress addresses; the CLI shows and steers."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from cli.main import cli
from core.db import session_scope
from core.settings import override_settings
from delivery.bounces import process_maildir, verp_address
from delivery.models import Delivery, DeliveryStatus
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from subscribers import find_suppression
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release


def _dsn(delivery_id: int, status: str, action: str = "failed") -> bytes:
    return f"""From: MAILER-DAEMON@mx.example.org
To: {verp_address(delivery_id, "diplomatie.example.be")}
Subject: Delivery Status Notification
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; someone@example.org
Action: {action}
Status: {status}

--B--
""".encode()


def test_hard_and_repeated_soft_bounces_suppress(db: str, tmp_path: Path) -> None:
    make_lists()
    add_people(3)
    override_settings(soft_bounce_threshold=2)
    outbox = Outbox()
    for topic in ("one", "two"):
        send_batch(prepare(publish_release(topics=[topic])), MemoryTransport(outbox))
    with session_scope() as s:
        rows = s.execute(select(Delivery.id, Delivery.email, Delivery.distribution_id).order_by(Delivery.id)).all()
    by_email: dict[str, list[int]] = {}
    for delivery_id, email, _ in rows:
        by_email.setdefault(email, []).append(delivery_id)
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(_dsn(by_email["p0@example.org"][0], "5.1.1"))
    box.add(_dsn(by_email["p1@example.org"][0], "4.2.2", "delayed"))
    box.add(_dsn(by_email["p1@example.org"][1], "4.2.2", "delayed"))
    box.add(b"From: a@b.example\nTo: press@example.be\nSubject: hello\n\nNot a bounce.\n")

    report = process_maildir(tmp_path / "bounces")
    assert (report.read, report.hard, report.soft, report.suppressed, report.not_bounces) == (4, 1, 2, 2, 1)
    assert process_maildir(tmp_path / "bounces").read == 0  # read once only
    with session_scope() as s:
        assert find_suppression(s, "p0@example.org").reason == "hard_bounce"  # type: ignore[union-attr]
        assert find_suppression(s, "p1@example.org") is not None  # two soft bounces reached the threshold
        assert find_suppression(s, "p2@example.org") is None
        bounced = s.get(Delivery, by_email["p0@example.org"][0])
        assert bounced is not None and bounced.status == DeliveryStatus.BOUNCED and "5.1.1" in bounced.last_error

    result = CliRunner().invoke(cli, ["bounces", "process", str(tmp_path), "--json"])
    assert result.exit_code == 2 and "is not a Maildir" in result.stderr


def test_distribution_cli_show_and_control(db: str, celery_app) -> None:  # type: ignore[no-untyped-def]
    make_lists()
    add_people(4)
    distribution_id = prepare(publish_release())
    outbox = Outbox()
    outbox.replies["p3@example.org"] = (550, "5.7.1 Refused")
    send_batch(distribution_id, MemoryTransport(outbox))
    runner = CliRunner()
    shown = json.loads(runner.invoke(cli, ["distributions", "show", str(distribution_id), "--json"]).output)
    assert (shown["status"], shown["sent"], shown["failed"], shown["total"]) == ("done", 3, 1, 4)
    assert shown["last_errors"][0]["email"] == "p3@example.org"
    paused = runner.invoke(cli, ["distributions", "pause", str(distribution_id)])
    assert paused.exit_code == 5 and "is done: cannot pause; possible now: retry-failed" in paused.stderr
    retried = runner.invoke(cli, ["distributions", "retry-failed", str(distribution_id)])
    assert retried.exit_code == 0 and "retry-failed → sending" in retried.output
    listed = json.loads(runner.invoke(cli, ["distributions", "list", "--json"]).output)
    assert listed[0]["queued"] == 1


def _arf(delivery_id: int, feedback_type: str = "abuse") -> bytes:
    return f"""From: fbl@provider.example
To: abuse@example.be
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

--ARF
Content-Type: text/plain

A user marked this message as spam.
--ARF
Content-Type: message/feedback-report

Feedback-Type: {feedback_type}
User-Agent: ExampleFBL/1.0
Version: 1
Original-Mail-From: <{verp_address(delivery_id, "diplomatie.example.be")}>

--ARF
Content-Type: text/rfc822-headers

Subject: Jaarverslag

--ARF--
""".encode()


def test_later_bounces_keep_the_acceptance_and_their_kind_and_complaints_suppress(db: str, tmp_path: Path) -> None:
    """A bounce after the relay accepted the message: the delivery keeps its acceptance time and
    records hard or soft (a hard one is not undone by a later soft one, and an erasure keeps
    it); an ARF complaint suppresses the address as a complaint and counts for its mailing."""
    from delivery.engine import erase_subscriber
    from reports.mailing import mailing_report
    from subscribers import forget

    make_lists()
    add_people(3)
    distribution_id = prepare(publish_release())
    send_batch(distribution_id, MemoryTransport(Outbox()))
    with session_scope() as s:
        ids = {email: i for i, email in s.execute(select(Delivery.id, Delivery.email)).all()}
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(_dsn(ids["p0@example.org"], "4.2.2", "delayed"))
    box.add(_dsn(ids["p0@example.org"], "5.1.1"))
    box.add(_dsn(ids["p0@example.org"], "4.2.2", "delayed"))
    box.add(_arf(ids["p1@example.org"]))
    box.add(_arf(ids["p2@example.org"], "not-spam"))  # a provider's "not spam" is no complaint
    report = process_maildir(tmp_path / "bounces")
    assert (report.hard, report.soft, report.complaints, report.not_bounces) == (1, 2, 1, 1)
    with session_scope() as s:
        p0 = s.get(Delivery, ids["p0@example.org"])
        assert p0 is not None and (p0.status, p0.bounce) == (DeliveryStatus.BOUNCED, "hard")
        assert p0.sent_at is not None and p0.bounced_at is not None and p0.bounced_at >= p0.sent_at
        assert find_suppression(s, "p1@example.org").reason == "complaint"  # type: ignore[union-attr]
        assert find_suppression(s, "p2@example.org") is None
        subscriber_id = p0.subscriber_id
    with session_scope() as s:  # the erasure, and what its event's handler does to the deliveries
        forget(s, "p0@example.org")
        erase_subscriber(s, subscriber_id)
    with session_scope() as s:
        p0 = s.get(Delivery, ids["p0@example.org"])
        assert p0 is not None and p0.email == "" and p0.bounce == "hard"
        totals = mailing_report(s, distribution_id).totals
    assert (totals.accepted, totals.bounced_hard, totals.bounced_soft, totals.complaints) == (3, 1, 0, 1)


def test_a_mail_to_the_mailto_unsubscribe_address_takes_that_recipient_off_the_list(db: str, tmp_path: Path) -> None:
    """List-Unsubscribe's mailto: is each recipient's own signed address on the return paths'
    domain; a mail client's message to it, read by `pressroom bounces process`, unsubscribes that
    recipient from the list of their copy and counts for the mailing. A forged one does nothing;
    without a mailbox the poller reads, the header carries the HTTPS link alone."""
    from email import message_from_bytes

    from reports.mailing import mailing_report
    from subscribers.models import ConsentRecord, Subscription, SubscriptionStatus

    make_lists()
    add_people(2)
    outbox = Outbox()
    send_batch(prepare(publish_release(topics=["earlier"])), MemoryTransport(outbox))  # no mailbox read
    assert not [m for m in outbox.messages if "mailto:" in str(message_from_bytes(m.message)["List-Unsubscribe"])]
    outbox.messages.clear()
    override_settings(bounce_maildir=tmp_path / "bounces")
    distribution_id = prepare(publish_release())
    send_batch(distribution_id, MemoryTransport(outbox))
    headers = {m.recipients[0]: str(message_from_bytes(m.message)["List-Unsubscribe"]) for m in outbox.messages}
    mailto = {who: header.split("<mailto:", 1)[1].split("?", 1)[0] for who, header in headers.items()}
    assert mailto["p0@example.org"] != mailto["p1@example.org"]
    assert all(a.startswith("unsubscribe+") and a.endswith("@diplomatie.example.be") for a in mailto.values())

    local = mailto["p1@example.org"].split("@", 1)[0]
    forged = local[:-1] + ("1" if local[-1] == "0" else "0") + "@diplomatie.example.be"  # one digit off
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    for to in (mailto["p0@example.org"], forged):
        box.add(f"From: someone@example.org\nTo: <{to}>\nSubject: unsubscribe\n\nunsubscribe\n".encode())
    result = CliRunner().invoke(cli, ["bounces", "process", str(tmp_path / "bounces"), "--json"])
    assert result.exit_code == 0, result.output
    assert (json.loads(result.output)["unsubscribed"], json.loads(result.output)["not_bounces"]) == (1, 1)
    with session_scope() as s:
        statuses = dict(s.execute(select(Delivery.email, Subscription.status).join(
            Subscription, Subscription.subscriber_id == Delivery.subscriber_id)).all())
        sources = set(s.execute(select(ConsentRecord.source)).scalars())
        assert mailing_report(s, distribution_id).totals.unsubscribed == 1
    assert statuses == {"p0@example.org": SubscriptionStatus.UNSUBSCRIBED, "p1@example.org": SubscriptionStatus.CONFIRMED}
    assert "mailto" in sources
