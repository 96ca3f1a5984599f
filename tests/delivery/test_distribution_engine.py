"""The distribution engine without Celery: materialise, claim with leases, send, record, control."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from sqlalchemy import select, update

from core.db import session_scope, utcnow
from core.settings import override_settings
from delivery import engine
from delivery.bounces import delivery_id_from_address
from delivery.models import Delivery, DeliveryStatus, DistributionStatus
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox, SMTPTransport
from subscribers import suppress, unsubscribe_by_token
from subscribers.models import Subscriber
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release
from tests.delivery.smtp_sink import Sink, smtp_server


def _deliveries(distribution_id: int) -> list[Delivery]:
    with session_scope() as s:
        return list(s.execute(select(Delivery).where(Delivery.distribution_id == distribution_id)).scalars())


def _send_all(distribution_id: int, outbox: Outbox, rounds: int = 50) -> None:
    for _ in range(rounds):
        if send_batch(distribution_id, MemoryTransport(outbox)).claimed == 0:
            return


def test_each_recipient_once_in_their_language(db: str) -> None:
    make_lists()
    add_people(5, ("journalists", "public"), "fr", prefix="both")  # on two target lists
    add_people(3, ("diplomats",), "de", prefix="de")  # German is not in the release: default nl
    add_people(2, ("public",), "nl", prefix="nl")
    with session_scope() as s:
        suppress(s, "both0@example.org", "admin")
    release_id = publish_release()
    distribution_id = prepare(release_id)
    assert prepare(release_id) == distribution_id  # a second run finds the receipt: nothing new
    rows = _deliveries(distribution_id)
    assert len(rows) == 4 + 3 + 2
    assert {r.email: r.language for r in rows}["de1@example.org"] == "nl"
    assert {r.language for r in rows if r.email.startswith("both")} == {"fr"}

    override_settings(delivery_batch_size=4, delivery_record_every=3)
    outbox = Outbox()
    _send_all(distribution_id, outbox)
    recipients = [m.recipients[0] for m in outbox.messages]
    assert sorted(recipients) == sorted(r.email for r in rows)
    french = next(m for m in outbox.messages if m.recipients[0] == "both1@example.org")
    parsed = message_from_bytes(french.message)
    assert parsed["Content-Language"] == "fr" and "Le ministre" in parsed["Subject"]
    assert delivery_id_from_address(french.envelope_from) is not None  # VERP names the delivery
    with session_scope() as s:
        assert engine.counts(s, distribution_id)["sent"] == 9
        assert engine.get_distribution(s, distribution_id).status == DistributionStatus.DONE
    assert {r.message_id for r in _deliveries(distribution_id)} == {
        message_from_bytes(m.message)["Message-ID"] for m in outbox.messages
    }


def test_claims_never_overlap_and_expired_leases_come_back(db: str) -> None:
    make_lists()
    add_people(10)
    distribution_id = prepare(publish_release())
    assert not engine.has_live_claims(distribution_id)  # stalled: the sweep would fan out
    first = engine.claim(distribution_id, 4)
    assert engine.has_live_claims(distribution_id)  # being sent: the sweep leaves it alone
    second = engine.claim(distribution_id, 4)
    assert not {c.id for c in first} & {c.id for c in second}
    assert len(engine.claim(distribution_id, 100)) == 2
    assert engine.claim(distribution_id, 100) == []
    # the worker holding `first` dies: its lease runs out and the sweep puts the rows back
    assert not engine.has_live_claims(distribution_id, utcnow() + timedelta(hours=1))
    assert engine.reclaim_expired(utcnow() + timedelta(hours=1)) == 10
    again = engine.claim(distribution_id, 100)
    assert len(again) == 10 and all(c.attempts == 2 for c in again if c.id in {f.id for f in first})


def test_transient_failures_back_off_then_fail_permanent_ones_suppress(db: str) -> None:
    make_lists()
    add_people(3)
    override_settings(delivery_max_attempts=2, delivery_retry_base=30)
    distribution_id = prepare(publish_release())
    outbox = Outbox()
    outbox.replies["p0@example.org"] = (451, "4.7.1 Try again later")
    outbox.replies["p1@example.org"] = (550, "5.1.1 No such user")
    report = send_batch(distribution_id, MemoryTransport(outbox))
    assert (report.sent, report.deferred, report.failed, report.suppressed) == (1, 1, 1, 1)
    rows = {r.email: r for r in _deliveries(distribution_id)}
    assert rows["p0@example.org"].status == DeliveryStatus.DEFERRED
    assert rows["p0@example.org"].next_attempt_at > utcnow() + timedelta(seconds=20)  # type: ignore[operator]
    assert rows["p1@example.org"].status == DeliveryStatus.FAILED and "5.1.1" in rows["p1@example.org"].last_error
    assert send_batch(distribution_id, MemoryTransport(outbox)).claimed == 0  # not due yet
    with session_scope() as s:
        s.execute(update(Delivery).values(next_attempt_at=utcnow()))
    assert send_batch(distribution_id, MemoryTransport(outbox)).failed == 1  # second try was the last
    with session_scope() as s:
        assert engine.get_distribution(s, distribution_id).status == DistributionStatus.DONE
    # the unknown user is suppressed: a later release does not even materialise them
    later = prepare(publish_release(topics=["later"]))
    assert "p1@example.org" not in {r.email for r in _deliveries(later)}


def test_pause_resume_cancel(db: str) -> None:
    make_lists()
    add_people(6)
    override_settings(delivery_batch_size=2)
    distribution_id = prepare(publish_release())
    outbox = Outbox()
    send_batch(distribution_id, MemoryTransport(outbox))
    engine.control(distribution_id, "pause")
    assert send_batch(distribution_id, MemoryTransport(outbox)).claimed == 0
    with pytest.raises(engine.DistributionStateError, match="cannot pause; possible now: resume, cancel"):
        engine.control(distribution_id, "pause")
    engine.control(distribution_id, "resume")
    send_batch(distribution_id, MemoryTransport(outbox))
    engine.control(distribution_id, "cancel")
    assert send_batch(distribution_id, MemoryTransport(outbox)).claimed == 0
    with session_scope() as s:
        counts = engine.counts(s, distribution_id)
    assert (counts["sent"], counts["skipped"]) == (4, 2)
    assert len(outbox.messages) == 4


class CancellingSink(Sink):
    """A relay during whose 7th message the press office cancels the mailing."""

    distribution_id = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.received) == 7:
            engine.control(self.distribution_id, "cancel")
        return reply


def test_a_cancel_noticed_at_a_save_records_each_outcome_once(db: str) -> None:
    """The outcomes saved at the save that noticed the cancel are not saved again when the batch
    ends: the report counts each message once, and what was sent is what the relay took. The
    10th message, whose content was held back for the next write when the cancel was noticed,
    is not sent at all: it is skipped with the rest."""
    override_settings(delivery_record_every=5, max_smtp_connections=1, rate_limit_per_second=0)
    make_lists()
    add_people(20)
    distribution_id = prepare(publish_release(lists=["journalists"]))
    sink = CancellingSink(pipelining=True)
    sink.distribution_id = distribution_id
    with smtp_server(sink) as controller:
        report = send_batch(distribution_id, SMTPTransport(controller.hostname, controller.port,
                                                           local_hostname="pressroom.test"))
    sent = sorted(d.email for d in _deliveries(distribution_id) if d.status == DeliveryStatus.SENT)
    assert sent == sorted(r.rcpt_tos[0] for r in sink.received) and len(sent) == 9  # before the save
    assert (report.claimed, report.sent, report.released) == (20, 9, 11)
    skipped = [d for d in _deliveries(distribution_id) if d.status == DeliveryStatus.SKIPPED]
    assert len(skipped) == 11 and all(d.attempts == 0 for d in skipped)  # given back untried, then skipped


def test_embargo_holds_lists_without_embargo_access(db: str) -> None:
    make_lists(embargo_lists=("journalists",))
    add_people(2, ("journalists",), prefix="press")
    add_people(2, ("public",), prefix="citizen")
    add_people(1, ("journalists", "public"), prefix="both")
    embargo = utcnow() + timedelta(hours=3)
    distribution_id = prepare(publish_release(embargo_until=embargo))
    outbox = Outbox()
    _send_all(distribution_id, outbox)
    assert sorted(m.recipients[0] for m in outbox.messages) == [
        "both0@example.org", "press0@example.org", "press1@example.org"]
    text = message_from_bytes(outbox.messages[0].message).get_payload()[0].get_payload(decode=True)
    assert b"EMBARGO" in text.upper()
    held = [r for r in _deliveries(distribution_id) if r.status == DeliveryStatus.QUEUED]
    assert sorted(r.email for r in held) == ["citizen0@example.org", "citizen1@example.org"]
    assert all(abs((r.next_attempt_at - embargo).total_seconds()) < 1 for r in held)  # type: ignore[operator]


def test_unsubscribed_and_erased_are_never_mailed(db: str) -> None:
    from subscribers import tokens

    make_lists()
    add_people(3)
    with session_scope() as s:
        leaver = s.execute(select(Subscriber).where(Subscriber.email == "p2@example.org")).scalar_one()
        token = tokens.unsubscribe_token(leaver.id, 1, leaver.email_hash)  # type: ignore[arg-type]
        unsubscribe_by_token(s, token, everywhere=True)
    distribution_id = prepare(publish_release())
    assert sorted(r.email for r in _deliveries(distribution_id)) == ["p0@example.org", "p1@example.org"]


def test_an_unsendable_recipient_fails_alone_and_the_rest_of_its_chunk_is_sent(db: str) -> None:
    make_lists()
    add_people(7, prefix="chunk")
    distribution_id = prepare(publish_release())
    with session_scope() as s:  # a name no header may carry, as stored by an older import
        s.execute(update(Delivery).where(Delivery.email == "chunk3@example.org")
                  .values(name="Jan\r\nBcc: x@evil.example"))
    override_settings(delivery_batch_size=7, delivery_record_every=5, max_smtp_connections=1)  # one batch of 7
    outbox = Outbox()
    report = send_batch(distribution_id, MemoryTransport(outbox))
    assert (report.claimed, report.sent, report.failed) == (7, 6, 1)
    expected = [f"chunk{i}@example.org" for i in range(7) if i != 3]
    assert sorted(m.recipients[0] for m in outbox.messages) == expected
    failed = next(r for r in _deliveries(distribution_id) if r.email == "chunk3@example.org")
    assert failed.status == DeliveryStatus.FAILED and failed.last_error.startswith("not sendable")


def test_a_batch_under_a_rate_limit_claims_no_more_than_it_can_send_within_its_lease(db: str) -> None:
    make_lists()
    add_people(30, prefix="slow")
    distribution_id = prepare(publish_release())
    override_settings(delivery_batch_size=500, rate_limit_per_second=0)
    assert engine.batch_size() == 500
    # 200 messages/s over 4 connections is 50/s per batch; half a 0.4 s lease is 10 messages.
    override_settings(rate_limit_per_second=200, max_smtp_connections=4, delivery_lease_seconds=0.4)
    assert engine.batch_size() == 10
    report = send_batch(distribution_id, MemoryTransport(Outbox()))
    assert report.claimed == report.sent == 10


def test_a_small_mailing_is_shared_out_over_every_connection_and_a_large_one_takes_whole_batches(db: str) -> None:
    override_settings(delivery_batch_size=2000, max_smtp_connections=8, delivery_record_every=50,
                      rate_limit_per_second=0)
    assert engine.batch_size() == 2000
    assert engine.batch_size(1_000_500) == 2000  # a national list: whole batches
    assert engine.batch_size(10_000) == 1250  # 8 connections, 8 equal batches
    assert engine.batch_size(100) == 50  # never below a save's worth
    make_lists()
    add_people(30, prefix="share")
    distribution_id = prepare(publish_release())
    override_settings(max_smtp_connections=3, delivery_record_every=5)
    report = send_batch(distribution_id, MemoryTransport(Outbox()))
    assert (report.size, report.claimed, report.sent) == (10, 10, 10)  # a third of 30
    assert report.claimed == report.size  # a full batch, so it hands on to a successor


def test_show_gives_an_eta_for_what_can_go_now_and_says_when_the_held_part_goes(sqlite_db: str) -> None:
    """`pressroom distributions show`: the copies held for tomorrow's embargo and those waiting
    for a retry are not in the ETA; each is one line with the office's local time."""
    from click.testing import CliRunner

    from cli.main import cli
    from workflow.service import local_time

    make_lists(embargo_lists=("journalists",))
    add_people(4, ("journalists",), prefix="press")
    add_people(3, ("public",), prefix="citizen")
    override_settings(delivery_batch_size=2, delivery_retry_base=600)
    lift = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    distribution_id = prepare(publish_release(embargo_until=lift))
    outbox = Outbox()
    outbox.replies["press0@example.org"] = (451, "4.7.1 Try again later")
    send_batch(distribution_id, MemoryTransport(outbox))  # press0 deferred, press1 sent

    shown = CliRunner().invoke(cli, ["distributions", "show", str(distribution_id)]).output
    lines = dict(line.split(None, 1) for line in shown.splitlines() if len(line.split(None, 1)) == 2)
    assert lines["held"] == f"3 held until {local_time(lift)}"
    assert lines["retrying"].startswith("1 waiting to retry, the first at ")
    assert lines["eta"].endswith(" for the 2 that can go now")  # press2 and press3
    assert lines["eta"].split()[1] in ("s", "min")  # the rate of the first sends: seconds, not a day


def test_the_eta_after_an_embargo_lifts_is_at_the_rate_of_the_last_minute(
        sqlite_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The journalists' copies went three hours ago, the embargo lifted 20 s ago and 20 of the
    public's copies went since: the rate is that of the last minute, not the average since the
    start (which counts the hours of waiting and would make the ETA hours long)."""
    from click.testing import CliRunner

    from cli.distributions import watch_progress
    from cli.main import cli
    from delivery.models import Distribution
    from delivery.progress import distribution_view

    make_lists(embargo_lists=("journalists",))
    add_people(3, ("journalists",), prefix="press")
    add_people(30, ("public",), prefix="citizen")
    distribution_id = prepare(publish_release(embargo_until=utcnow() + timedelta(days=1)))
    send_batch(distribution_id, MemoryTransport(Outbox()))  # the journalists' copies; the rest held
    now = utcnow()
    hours_ago = now - timedelta(hours=3)
    with session_scope() as s:
        s.execute(update(Distribution).where(Distribution.id == distribution_id).values(started_at=hours_ago))
        s.execute(update(Delivery).where(Delivery.distribution_id == distribution_id,
                                         Delivery.status == DeliveryStatus.SENT).values(sent_at=hours_ago))
        public = sorted(d.id for d in s.execute(select(Delivery).where(
            Delivery.distribution_id == distribution_id, Delivery.status == DeliveryStatus.QUEUED)).scalars())
        s.execute(update(Delivery).where(Delivery.id.in_(public)).values(next_attempt_at=now - timedelta(seconds=20)))
        for i, delivery_id in enumerate(public[:20]):  # two copies recorded every two seconds
            s.execute(update(Delivery).where(Delivery.id == delivery_id).values(
                status=DeliveryStatus.SENT, sent_at=now - timedelta(seconds=20 - 2 * (i // 2))))
    shown = distribution_view(distribution_id, now=now)
    # 18 copies recorded after the window's first moment, in the 20 s since: 0.9/s; 10 left.
    assert (shown["sent"], shown["held"], shown["sendable"]) == (23, 0, 10)
    assert (shown["rate_per_second"], shown["eta_seconds"]) == (0.9, 11)
    printed = CliRunner().invoke(cli, ["distributions", "show", str(distribution_id)]).output
    eta = next(line.split(None, 1)[1] for line in printed.splitlines() if line.startswith("eta"))
    assert eta.endswith(" s for the 10 that can go now") and int(eta.split()[0]) in range(10, 14)
    capsys.readouterr()
    watch_progress(distribution_id, timeout=0)  # `distributions watch`: the same time left
    assert re.search(r"23/33 +[01]/s +1[0-3] s\b", capsys.readouterr().out)


@pytest.mark.parametrize(("throttle", "eta"), [(1.0, 2), (0.0, 60)])
def test_with_too_few_recent_sends_the_rate_is_the_configured_throttle(sqlite_db: str, throttle: float,
                                                                        eta: int) -> None:
    """One record moment in the last minute does not tell the pace: the throttle does, when
    set; otherwise the minute's copies over the minute (2 copies: 2 more take a minute)."""
    from delivery.progress import distribution_view

    make_lists()
    add_people(4)
    distribution_id = prepare(publish_release())
    override_settings(delivery_batch_size=2, rate_limit_per_second=throttle)
    send_batch(distribution_id, MemoryTransport(Outbox()))
    shown = distribution_view(distribution_id)
    assert (shown["sendable"], shown["rate_per_second"], shown["eta_seconds"]) == (2, throttle, eta)
