"""The `mailto:` unsubscribe as an attacker tries it: each copy's own signed address, read from
the recipient headers of mail in the bounce Maildir by `pressroom bounces process`."""

from __future__ import annotations

import json
import mailbox
import threading
import time
from email import message_from_bytes
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, text

from cli.main import cli
from core.db import session_scope
from core.outbox import handle_event, relay_pending
from core.settings import override_settings
from delivery.bounces import BounceReport, apply_unsubscribe, verp_address
from delivery.models import Delivery
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from reports import tallies
from reports.mailing import mailing_report
from subscribers import find_suppression
from subscribers.models import ConsentRecord, Subscriber, Subscription, SubscriptionStatus
from subscribers.subscriptions import unsubscribe
from tasks.events import HANDLERS
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release

DOMAIN = "diplomatie.example.be"
_LOCK_WAITS = text("SELECT count(*) FROM pg_locks WHERE NOT granted")


def _mailing(tmp_path: Path, people: int) -> tuple[int, dict[str, str]]:
    """A mailing to p0…p<people-1> with the poller's Maildir set: (its id, each one's address)."""
    make_lists()
    add_people(people)
    override_settings(bounce_maildir=tmp_path / "bounces")
    distribution_id = prepare(publish_release())
    outbox = Outbox()
    send_batch(distribution_id, MemoryTransport(outbox))
    headers = {m.recipients[0]: str(message_from_bytes(m.message)["List-Unsubscribe"]) for m in outbox.messages}
    return distribution_id, {who.split("@")[0]: h.split("<mailto:", 1)[1].split("?", 1)[0] for who, h in headers.items()}


def _process(tmp_path: Path, *mails: str) -> dict[str, int]:
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    for mail in mails:
        box.add(mail.encode())
    result = CliRunner().invoke(cli, ["bounces", "process", str(tmp_path / "bounces"), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _statuses() -> dict[str, SubscriptionStatus]:
    with session_scope() as s:
        return {email.split("@")[0]: status for email, status in s.execute(
            select(Delivery.email, Subscription.status).join(
                Subscription, Subscription.subscriber_id == Delivery.subscriber_id)).all()}


def test_only_a_copys_own_address_in_the_recipient_headers_unsubscribes_and_only_once(
        sqlite_db: str, tmp_path: Path) -> None:
    """Forged, altered and borrowed tokens, tokens in a quoted or forwarded message or in a
    header that names no recipient do nothing; upper case, a stranger's From and a Cc work (anyone
    may mail the address, as anyone may POST the HTTPS one-click); a second copy of a request, or
    a request that also looks like a bounce, counts once and suppresses no one; one mail to two
    copies' addresses takes both off (without a Delivered-To per copy); a real bounce
    quoting the copy's List-Unsubscribe stays a bounce."""
    distribution_id, to = _mailing(tmp_path, 8)
    local, _ = to["p0"].split("@")
    token, signature = local.split("+", 1)[1].split("-")
    other_id = to["p1"].split("+", 1)[1].split("-")[0]
    with session_scope() as s:
        bounced_id = s.execute(select(Delivery.id).where(Delivery.email == "p7@example.org")).scalar_one()

    def mail(headers: str, body: str = "unsubscribe") -> str:
        return f"From: someone@example.org\n{headers}\nSubject: unsubscribe\n\n{body}\n"

    forwarded = (f"From: p0@example.org\nTo: desk@example.org\nSubject: Fwd\nMIME-Version: 1.0\n"
                 f"Content-Type: multipart/mixed; boundary=F\n\n--F\nContent-Type: text/plain\n\nsee below\n"
                 f"--F\nContent-Type: message/rfc822\n\nTo: <{to['p0']}>\nSubject: unsubscribe\n\nunsubscribe\n--F--\n")
    dsn_to_unsubscribe = (f"From: MAILER-DAEMON@mx.example.org\nTo: <{to['p4']}>\nMIME-Version: 1.0\n"
                          "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
                          "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
                          "Final-Recipient: rfc822; p4@example.org\nAction: failed\nStatus: 5.1.1\n\n--B--\n")
    real_bounce = (f"From: MAILER-DAEMON@mx.example.org\nTo: {verp_address(bounced_id, DOMAIN)}\nMIME-Version: 1.0\n"
                   "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
                   "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
                   "Final-Recipient: rfc822; p7@example.org\nAction: failed\nStatus: 5.1.1\n\n--B\n"
                   f"Content-Type: text/rfc822-headers\n\nTo: p7@example.org\n"
                   f"List-Unsubscribe: <https://x.example/u>,\n <mailto:{to['p7']}?subject=unsubscribe>\n--B--\n")
    report = _process(
        tmp_path,
        mail(f"To: <unsubscribe+{token}-{signature[:-1]}{'1' if signature[-1] == '0' else '0'}@{DOMAIN}>"),  # forged
        mail(f"To: <unsubscribe+{other_id}-{signature}@{DOMAIN}>"),  # p1's id, p0's signature
        mail(f"To: <bounces+{token}-{signature}@{DOMAIN}>"),  # the unsubscribe signature on a return path
        mail("To: press@example.be", f"> List-Unsubscribe: <mailto:{to['p0']}>"),  # quoted
        forwarded,
        mail(f"To: press@example.be\nReply-To: <{to['p0']}>\nIn-Reply-To: <{to['p0']}>"),  # no recipient header
        mail(f"To: <{to['p2'].upper()}>"),  # upper case
        mail(f"From: stranger@evil.example\nTo: desk@example.org\nCc: <{to['p3']}>"),  # a stranger, by Cc
        mail(f"To: <{to['p2']}>"),  # a second request for the same copy
        mail(f"To: <{to['p5']}>, <{to['p6']}>"),  # one mail for two copies (a desk on two lists)
        dsn_to_unsubscribe,
        real_bounce,
    )
    assert (report["unsubscribed"], report["hard"], report["suppressed"]) == (5, 1, 1)
    assert _statuses() == {f"p{i}": SubscriptionStatus.UNSUBSCRIBED if 2 <= i <= 6 else SubscriptionStatus.CONFIRMED
                           for i in range(8)}
    with session_scope() as s:
        assert mailing_report(s, distribution_id).totals.unsubscribed == 5
        assert find_suppression(s, "p4@example.org") is None  # unsubscribed from the list, not suppressed
        assert find_suppression(s, "p7@example.org") is not None
        assert s.execute(select(ConsentRecord.source).where(ConsentRecord.action == "withdrawn")).scalars().all() == [
            "mailto"] * 5



def test_two_pollers_reading_the_same_request_at_once_count_one_unsubscribe(
        postgresql_db: str, tmp_path: Path) -> None:
    """The beat's poll and a `pressroom bounces process` may read the same new message together:
    the second waits for the first's transaction and then finds the person gone (one consent
    withdrawal, one unsubscribe counted)."""
    distribution_id, to = _mailing(tmp_path, 1)
    delivery_id = int(to["p0"].split("+", 1)[1].split("-")[0], 36)
    second = BounceReport()
    later = threading.Thread(target=apply_unsubscribe, args=(delivery_id, second))
    with session_scope() as s:
        waiting_before = s.execute(_LOCK_WAITS).scalar_one()
    with session_scope() as s:  # the first poller, inside its transaction, before it commits
        delivery = s.get(Delivery, delivery_id)
        subscriber = s.get(Subscriber, delivery.subscriber_id) if delivery else None
        assert delivery is not None and subscriber is not None
        assert unsubscribe(s, subscriber, [delivery.list_id or 0], source="mailto")
        tallies.count(s, tallies.UNSUBSCRIBE, distribution_id, delivery.list_id or 0, delivery.language)
        later.start()
        deadline = time.monotonic() + 30
        while True:  # until the second poller waits for the first's rows
            with session_scope() as watcher:
                if watcher.execute(_LOCK_WAITS).scalar_one() > waiting_before:
                    break
            assert time.monotonic() < deadline, "the second poller never waited for the first"
            time.sleep(0.02)
    later.join(30)
    assert second.unsubscribed == 0
    with session_scope() as s:
        withdrawn = s.execute(select(ConsentRecord.source).where(ConsentRecord.action == "withdrawn")).scalars()
        assert list(withdrawn) == ["mailto"]
        assert mailing_report(s, distribution_id).totals.unsubscribed == 1


def test_an_erased_persons_request_does_nothing_and_an_old_copys_still_works(sqlite_db: str, tmp_path: Path) -> None:
    """An erased person's copy names no one any more (before the erasure's handler emptied the
    rows, and after): nothing is written about them. A copy from a mailing years ago still takes
    its recipient off the list, as its HTTPS link would: neither expires."""
    from datetime import timedelta

    from sqlalchemy import update

    from core.db import utcnow
    from delivery.models import Distribution
    from subscribers.privacy import forget

    distribution_id, to = _mailing(tmp_path, 2)
    with session_scope() as s:
        years_ago = utcnow() - timedelta(days=3 * 365)
        s.execute(update(Distribution).where(Distribution.id == distribution_id).values(
            started_at=years_ago, finished_at=years_ago))
        s.execute(update(Delivery).where(Delivery.distribution_id == distribution_id).values(sent_at=years_ago))
        forget(s, "p0@example.org", "dpo@example.be")
    first = _process(tmp_path, f"From: p0@example.org\nTo: <{to['p0']}>\n\nunsubscribe\n",
                     f"From: p1@example.org\nTo: <{to['p1']}>\n\nunsubscribe\n")
    ids: list[str] = []
    relay_pending(lambda event: ids.append(event.id))
    for event_id in ids:  # the erasure's handler empties p0's rows
        handle_event(event_id, HANDLERS)
    again = _process(tmp_path, f"From: p0@example.org\nTo: <{to['p0']}>\n\nplease\n")
    assert (first["unsubscribed"], again["unmatched"]) == (1, 1)
    with session_scope() as s:
        withdrawn = s.execute(select(ConsentRecord.detail).where(ConsentRecord.action == "withdrawn")).scalars()
        assert len(list(withdrawn)) == 1  # p1's; p0's records went with the erasure and none came back
        assert mailing_report(s, distribution_id).totals.unsubscribed == 1
