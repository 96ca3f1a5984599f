"""Who may be mailed, whether the embargo holds and whether the release still stands are decided
when a batch sends, not when the distribution was prepared (the engine without Celery, on both
databases, with the in-memory transport)."""

from __future__ import annotations

import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select, update

from core.db import session_scope, utcnow
from core.outbox import OutboxEvent, handle_event
from delivery import engine
from delivery.handlers import erase_deliveries, notify_withdrawal, stop_withdrawn_release
from delivery.models import Delivery, DeliveryStatus, Distribution, DistributionStatus
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from subscribers import forget, suppress, tokens, unsubscribe_by_token
from subscribers.models import Subscriber, SuppressionReason
from tests import factories
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release
from tests.reports.tracked import followed
from workflow import service
from workflow.models import AuditEntry


def _deliveries(distribution_id: int) -> dict[str, Delivery]:
    with session_scope() as s:
        rows = s.execute(select(Delivery).where(Delivery.distribution_id == distribution_id)).scalars()
        return {row.email or f"#{row.subscriber_id}": row for row in rows}


def _send_all(distribution_id: int, outbox: Outbox, rounds: int = 20) -> None:
    for _ in range(rounds):
        if send_batch(distribution_id, MemoryTransport(outbox)).claimed == 0:
            return


def _recipients(outbox: Outbox) -> list[str]:
    return sorted(m.recipients[0] for m in outbox.messages)


def _parsed(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def _unsubscribe(email: str) -> None:
    """What the one-click link in an earlier mail does."""
    with session_scope() as s:
        person = s.execute(select(Subscriber).where(Subscriber.email == email)).scalar_one()
        token = tokens.unsubscribe_token(person.id or 0, 1, person.email_hash)
        unsubscribe_by_token(s, token, everywhere=True)


def _handle(name: str, release_id: int, handlers: list) -> None:  # type: ignore[type-arg]
    with session_scope() as s:
        event_id = s.execute(select(OutboxEvent.id).where(
            OutboxEvent.name == name, OutboxEvent.subject_id == release_id)).scalar_one()
    handle_event(event_id, {name: handlers})


def test_people_who_left_after_publication_are_skipped_with_the_reason(db: str) -> None:
    """README: "a suppressed address is never mailed", and neither is someone who unsubscribed
    or was erased after the release was published but before their message went out."""
    make_lists()
    add_people(6, ("public",), language="en", prefix="late")
    distribution_id = prepare(publish_release())
    _unsubscribe("late0@example.org")
    with session_scope() as s:
        suppress(s, "late1@example.org", SuppressionReason.COMPLAINT)
        forget(s, "late2@example.org")
    outbox = Outbox()
    _send_all(distribution_id, outbox)
    assert _recipients(outbox) == ["late3@example.org", "late4@example.org", "late5@example.org"]
    rows = _deliveries(distribution_id)
    assert rows["late0@example.org"].status == DeliveryStatus.SKIPPED
    assert rows["late0@example.org"].last_error == "not sent: unsubscribed"
    assert rows["late1@example.org"].last_error == "not sent: suppressed"
    erased = [row for row in rows.values() if row.last_error == "not sent: erased"]
    assert len(erased) == 1 and erased[0].status == DeliveryStatus.SKIPPED
    with session_scope() as s:
        counts = engine.counts(s, distribution_id)
        assert DistributionStatus(engine.get_distribution(s, distribution_id).status) is DistributionStatus.DONE
    assert (counts["sent"], counts["skipped"]) == (3, 3)


def test_retry_failed_never_resends_to_a_suppressed_address(db: str) -> None:
    make_lists()
    add_people(3, ("public",), language="en", prefix="gone")
    distribution_id = prepare(publish_release())
    outbox = Outbox()
    outbox.replies["gone0@example.org"] = (550, "5.1.1 no such user")
    outbox.replies["gone1@example.org"] = (554, "5.7.1 message refused")
    _send_all(distribution_id, outbox)
    assert _recipients(outbox) == ["gone2@example.org"]
    engine.control(distribution_id, "retry-failed")
    rows = _deliveries(distribution_id)
    assert rows["gone0@example.org"].status == DeliveryStatus.SKIPPED  # suppressed by its 5.1.1
    assert rows["gone1@example.org"].status == DeliveryStatus.QUEUED
    retried = Outbox()
    _send_all(distribution_id, retried)
    assert _recipients(retried) == ["gone1@example.org"]


def test_the_embargo_of_each_message_is_decided_when_it_is_built(db: str) -> None:
    """The worker keeps one mailer per distribution; messages built after the lift carry neither
    the banner nor the EMBARGO subject, and no access token."""
    make_lists(embargo_lists=("journalists",))
    add_people(2, ("journalists",), prefix="press")
    add_people(2, ("public",), language="en", prefix="citizen")
    lift = utcnow() + timedelta(seconds=3)
    release_id = publish_release(embargo_until=lift)
    distribution_id = prepare(release_id)
    early = Outbox()
    _send_all(distribution_id, early)
    assert _recipients(early) == ["press0@example.org", "press1@example.org"]
    for message in early.messages:
        parsed = _parsed(message.message)
        assert "EMBARGO" in str(parsed["Subject"]).upper()
        # Through the click redirect, which hands the recipient's access query on.
        text = followed(parsed.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        assert f"/releases/{release_id}/nl?access=" in text and f"/releases/{release_id}/fr?access=" in text
    time.sleep(max(0.0, (lift - utcnow()).total_seconds()) + 0.2)
    late = Outbox()
    _send_all(distribution_id, late)
    assert _recipients(late) == ["citizen0@example.org", "citizen1@example.org"]
    for message in late.messages:
        parsed = _parsed(message.message)
        assert "EMBARGO" not in str(parsed["Subject"]).upper()
        html = parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert "embargo" not in html.lower() and "access=" not in html


def test_a_list_that_stopped_receiving_embargoed_news_waits_for_the_lift(db: str) -> None:
    make_lists(embargo_lists=("journalists",))
    add_people(2, ("journalists",), prefix="press")
    lift = utcnow() + timedelta(hours=2)
    distribution_id = prepare(publish_release(embargo_until=lift))
    with session_scope() as s:  # an admin takes the list's early access away after publishing
        from subscribers.models import MailingList

        s.execute(update(MailingList).where(MailingList.slug == "journalists").values(receives_embargoed=False))
    outbox = Outbox()
    _send_all(distribution_id, outbox)
    assert outbox.messages == []
    rows = _deliveries(distribution_id)
    assert {row.status for row in rows.values()} == {DeliveryStatus.QUEUED}
    assert all(abs((row.next_attempt_at - lift).total_seconds()) < 1 for row in rows.values())  # type: ignore[operator]


def test_withdrawing_stops_the_mailing_embargo_held_part_included(db: str) -> None:
    make_lists(embargo_lists=("journalists",))
    add_people(2, ("journalists",), prefix="press")
    add_people(3, ("public",), language="en", prefix="citizen")
    release_id = publish_release(embargo_until=utcnow() + timedelta(hours=1))
    distribution_id = prepare(release_id)
    _send_all(distribution_id, Outbox())  # the journalists have it; the public waits
    with session_scope() as s:
        approver = factories.user(s, "approver", email="withdrawer@example.be")
        service.withdraw(s, release_id, approver, "wrong figures")
    # Before the withdrawal's handler has run, no batch sends any more.
    with session_scope() as s:
        s.execute(update(Delivery).where(Delivery.distribution_id == distribution_id)
                  .values(next_attempt_at=None))
    assert engine.claim(distribution_id, 100) == []
    _handle("release.withdrawn", release_id, [stop_withdrawn_release])
    outbox = Outbox()
    _send_all(distribution_id, outbox)
    assert outbox.messages == []
    with session_scope() as s:
        distribution = engine.get_distribution(s, distribution_id)
        counts = engine.counts(s, distribution_id)
        notes = s.execute(select(AuditEntry.comment).where(
            AuditEntry.release_id == release_id, AuditEntry.action == "mailing_stopped")).scalars().all()
    assert distribution.status == DistributionStatus.CANCELLED
    assert distribution.note == "withdrawn: wrong figures"
    assert (counts["sent"], counts["skipped"]) == (2, 3)
    assert len(notes) == 1 and "cancelled: withdrawn" in notes[0] and "3 unsent" in notes[0]
    with pytest.raises(engine.DistributionStateError, match="withdrawn"):
        engine.control(distribution_id, "retry-failed")


def test_a_withdrawal_notice_reaches_those_who_got_the_release_and_still_consent(db: str) -> None:
    make_lists()
    add_people(3, ("public",), language="en", prefix="reader")
    add_people(1, ("diplomats",), language="fr", prefix="diplomat")
    release_id = publish_release()
    distribution_id = prepare(release_id)
    _send_all(distribution_id, Outbox())
    _unsubscribe("reader2@example.org")  # left after reading it
    with session_scope() as s:
        approver = factories.user(s, "approver", email="withdrawer@example.be")
        service.withdraw(s, release_id, approver, "wrong figures <b>in table 2</b>", notify=True)
    _handle("release.withdrawn", release_id, [stop_withdrawn_release, notify_withdrawal])
    _handle("release.withdrawn", release_id, [notify_withdrawal])  # run twice: one notice each
    with session_scope() as s:
        notice_id = s.execute(select(Distribution.id).where(Distribution.kind == "withdrawal")).scalar_one()
    outbox = Outbox()
    _send_all(notice_id, outbox)
    assert _recipients(outbox) == ["diplomat0@example.org", "reader0@example.org", "reader1@example.org"]
    by_recipient = {m.recipients[0]: _parsed(m.message) for m in outbox.messages}
    french = by_recipient["diplomat0@example.org"]
    assert str(french["Subject"]).startswith("Retiré")
    html = french.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;b&gt;in table 2&lt;/b&gt;" in html and "<b>in table 2" not in html
    assert by_recipient["reader0@example.org"]["List-Unsubscribe"]
    assert _deliveries(notice_id)["reader2@example.org"].last_error == "not sent: unsubscribed"


def test_erasure_leaves_no_copy_of_the_person_in_any_table(db: str) -> None:
    """`pressroom subscribers forget`: every table with an address or a name is scanned."""
    from sqlmodel import SQLModel

    make_lists()
    add_people(2, ("public",), language="en", prefix="forgettable")
    with session_scope() as s:
        s.execute(update(Subscriber).where(Subscriber.email == "forgettable0@example.org")
                  .values(name="Griet Vandeputte"))
    distribution_id = prepare(publish_release())
    outbox = Outbox()
    outbox.replies["forgettable0@example.org"] = (550, "5.2.1 <forgettable0@example.org> mailbox full")
    _send_all(distribution_id, outbox)
    with session_scope() as s:
        forget(s, "forgettable0@example.org")
        event_id = s.execute(select(OutboxEvent.id).where(OutboxEvent.name == "subscriber.erased")).scalar_one()
    handle_event(event_id, {"subscriber.erased": [erase_deliveries]})
    personal = [
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if any(part in column.name for part in ("email", "name", "error", "response", "payload", "detail"))
    ]
    assert ("delivery", "email") in personal and ("outbox_event", "payload") in personal
    with session_scope() as s:
        for table, column in personal:
            values = s.connection().exec_driver_sql(f'SELECT "{column}" FROM "{table}"').scalars().all()
            text = " ".join(str(v) for v in values if v is not None).lower()
            assert "forgettable0" not in text, f"{table}.{column} still holds the address"
            assert "vandeputte" not in text, f"{table}.{column} still holds the name"
    rows = _deliveries(distribution_id)
    assert "forgettable1@example.org" in rows and len(rows) == 2  # the counts still add up


def test_a_batch_that_lost_its_lease_stops_and_gives_back_nothing_it_no_longer_holds(db: str) -> None:
    make_lists()
    add_people(4, ("public",), language="en", prefix="lease")
    distribution_id = prepare(publish_release())
    claimed = engine.claim(distribution_id, 10)
    lease = engine.Lease(claimed)
    assert lease.renew() and lease.until is not None
    with session_scope() as s:  # the sweep reclaimed the rows and another batch took them
        s.execute(update(Delivery).where(Delivery.distribution_id == distribution_id)
                  .values(lease_until=utcnow() + timedelta(minutes=5)))
    assert not lease.renew() and lease.lost
    engine.release_claims([c.id for c in claimed], lease_until=lease.until)
    assert {row.status for row in _deliveries(distribution_id).values()} == {DeliveryStatus.SENDING}


# --- found by trying to break the promises above ---------------------------------------------------


def _dsn(delivery_id: int, status: str, action: str, quoted: str) -> bytes:
    from delivery.bounces import verp_address

    return (f"From: MAILER-DAEMON@mx.example.org\nTo: {verp_address(delivery_id, 'diplomatie.example.be')}\n"
            "Subject: Delivery Status Notification\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n--B\n'
            "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
            f"Final-Recipient: rfc822; {quoted}\nAction: {action}\nStatus: {status}\n"
            f"Diagnostic-Code: smtp; 550 {status} <{quoted}> unknown\n\n--B--\n").encode()


def test_a_bounce_for_an_erased_person_neither_stops_bounce_processing_nor_brings_the_address_back(
        db: str, tmp_path: object) -> None:
    import mailbox
    from pathlib import Path

    from delivery.bounces import process_maildir
    from subscribers import find_suppression

    make_lists()
    add_people(3, ("public",), language="en", prefix="bounce")
    distribution_id = prepare(publish_release())
    _send_all(distribution_id, Outbox())
    rows = _deliveries(distribution_id)
    with session_scope() as s:
        forget(s, "bounce0@example.org")
        forget(s, "bounce1@example.org")
    handle_event(_erased_event(), {"subscriber.erased": [erase_deliveries]})
    handle_event(_erased_event(1), {"subscriber.erased": [erase_deliveries]})
    box_path = Path(str(tmp_path)) / "bounces"
    box = mailbox.Maildir(box_path, create=True)
    box.add(_dsn(rows["bounce0@example.org"].id or 0, "5.1.1", "failed", "bounce0@example.org"))
    box.add(_dsn(rows["bounce1@example.org"].id or 0, "4.2.2", "delayed", "bounce1@example.org"))
    box.add(_dsn(rows["bounce2@example.org"].id or 0, "5.1.1", "failed", "bounce2@example.org"))
    report = process_maildir(box_path)
    assert (report.read, report.hard, report.soft) == (3, 2, 1)
    with session_scope() as s:
        assert find_suppression(s, "bounce2@example.org") is not None  # the later bounce still counts
        texts = [f"{r.email} {r.name} {r.last_error} {r.smtp_response} {r.message_id}"
                 for r in s.execute(select(Delivery)).scalars()]
    assert not any("bounce0" in t or "bounce1" in t for t in texts), texts


def _erased_event(index: int = 0) -> str:
    with session_scope() as s:
        return s.execute(select(OutboxEvent.id).where(OutboxEvent.name == "subscriber.erased")
                         .order_by(OutboxEvent.created_at)).scalars().all()[index]


def test_a_reply_recorded_after_the_person_was_erased_keeps_no_address(db: str) -> None:
    make_lists()
    add_people(1, ("public",), language="en", prefix="inflight")
    distribution_id = prepare(publish_release())
    [claimed] = engine.claim(distribution_id, 10)
    with session_scope() as s:  # erased while the message was with the relay
        forget(s, "inflight0@example.org")
    handle_event(_erased_event(), {"subscriber.erased": [erase_deliveries]})
    engine.record([engine.Outcome(claimed.id, DeliveryStatus.SENT, "<x.inflight0@example.org>", 250,
                                  "250 queued for <inflight0@example.org>", 1)])
    [row] = _deliveries(distribution_id).values()
    assert row.status == DeliveryStatus.SENT
    assert (row.email, row.message_id, row.smtp_response) == ("", "", "")


def test_a_person_erased_after_the_audience_was_read_is_skipped_and_emptied(db: str) -> None:
    make_lists()
    add_people(2, ("public",), language="en", prefix="race")
    distribution_id = prepare(publish_release())
    with session_scope() as s:  # the erasure's own handler ran before these rows were visible
        forget(s, "race0@example.org")
    _send_all(distribution_id, Outbox())
    erased = [row for row in _deliveries(distribution_id).values() if row.last_error == "not sent: erased"]
    assert len(erased) == 1 and (erased[0].email, erased[0].name) == ("", "")


def test_a_notice_waits_for_messages_that_were_in_flight_when_the_release_was_withdrawn(db: str) -> None:
    make_lists()
    add_people(2, ("public",), language="en", prefix="flight")
    release_id = publish_release()
    distribution_id = prepare(release_id)
    claimed = engine.claim(distribution_id, 10)  # a batch is sending these right now
    with session_scope() as s:
        approver = factories.user(s, "approver", email="withdrawer@example.be")
        service.withdraw(s, release_id, approver, "wrong figures", notify=True)
    _handle("release.withdrawn", release_id, [stop_withdrawn_release, notify_withdrawal])
    with session_scope() as s:
        notice_id = s.execute(select(Distribution.id).where(Distribution.kind == "withdrawal")).scalar_one()
    early = Outbox()
    report = send_batch(notice_id, MemoryTransport(early))
    assert early.messages == [] and report.held == 2  # their copies are not recorded yet
    engine.record([engine.Outcome(c.id, DeliveryStatus.SENT, "", 250, "ok", 1) for c in claimed[:1]])
    engine.release_claims([c.id for c in claimed[1:]], DeliveryStatus.SKIPPED, "not sent: withdrawn")
    with session_scope() as s:
        s.execute(update(Delivery).where(Delivery.distribution_id == notice_id).values(next_attempt_at=None))
    late = Outbox()
    _send_all(notice_id, late)
    assert _recipients(late) == [claimed[0].email]
    assert _deliveries(notice_id)[claimed[1].email].last_error == "not sent: the release never reached them"


def test_a_release_withdrawn_before_its_mailing_was_prepared_gets_none(db: str) -> None:
    from delivery.handlers import prepare_release_distribution

    make_lists()
    add_people(2, ("public",), language="en", prefix="early")
    release_id = publish_release()
    with session_scope() as s:
        approver = factories.user(s, "approver", email="withdrawer@example.be")
        service.withdraw(s, release_id, approver, "too early")
    _handle("release.withdrawn", release_id, [stop_withdrawn_release])
    _handle("release.published", release_id, [prepare_release_distribution])
    with session_scope() as s:
        assert s.execute(select(Distribution.id)).scalars().all() == []


def test_a_mailing_prepared_while_its_release_was_withdrawn_is_cancelled_by_the_first_batch(db: str) -> None:
    make_lists()
    add_people(2, ("public",), language="en", prefix="stuck")
    release_id = publish_release()
    distribution_id = prepare(release_id)
    with session_scope() as s:  # withdrawn; its handler ran before the distribution was visible
        approver = factories.user(s, "approver", email="withdrawer@example.be")
        service.withdraw(s, release_id, approver, "wrong figures")
    assert send_batch(distribution_id, MemoryTransport(Outbox())).claimed == 0
    with session_scope() as s:
        distribution = engine.get_distribution(s, distribution_id)
        assert distribution.status == DistributionStatus.CANCELLED
        assert distribution.note == "withdrawn: wrong figures"
        assert engine.counts(s, distribution_id)["skipped"] == 2


def test_copies_of_a_digest_built_after_a_withdrawal_leave_the_release_out(db: str) -> None:
    from datetime import UTC, datetime

    from delivery import digests
    from subscribers import add_subscriber
    from workflow.models import Release

    now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    make_lists()
    with session_scope() as s:
        for i in range(2):
            add_subscriber(s, f"digest{i}@example.org", "public", frequency="daily", confirmed=True)
    kept = publish_release(lists=["public"], translations={"nl": {"title": "Blijft staan", "body": "x"}})
    gone = publish_release(lists=["public"], translations={"nl": {"title": "Wordt ingetrokken", "body": "x"}})
    with session_scope() as s:
        s.execute(update(Release).values(public_at=now - timedelta(hours=12), published_at=now - timedelta(hours=12)))
    distribution_id = digests.prepare_digest("daily", now) or 0
    from delivery.sending import mailer_for

    assert "Wordt ingetrokken" in str(mailer_for(distribution_id).issue.input("nl"))  # this worker's copy
    with session_scope() as s:
        approver = factories.user(s, "approver", email="withdrawer@example.be")
        service.withdraw(s, gone, approver, "wrong")
    outbox = Outbox()
    _send_all(distribution_id, outbox)
    assert len(outbox.messages) == 2
    for message in outbox.messages:
        text = _parsed(message.message).get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Blijft staan" in text and "Wordt ingetrokken" not in text
    assert kept != gone


def test_internationalised_domains_go_out_under_their_own_idna_2008_name() -> None:
    from delivery.message import ascii_address

    assert ascii_address("jan@faß.de") == "jan@xn--fa-hia.de"  # not fass.de: another domain
    assert ascii_address("jan@exämple.be") == "jan@xn--exmple-cua.be"


def test_replies_to_a_release_without_contacts_go_to_the_press_office(db: str) -> None:
    """A release naming no spokesperson is answered to the press office's own address (the
    organisation's e-mail), not to a noreply sender nobody reads; one with a contact, to that
    contact."""
    from workflow.organisation import change_organisation

    make_lists()
    add_people(2, ("public",))
    with session_scope() as s:
        change_organisation(s, factories.user(s, "admin"), "nl", {}, email="pers@diplomatie.example.be")
    outbox = Outbox()
    _send_all(prepare(publish_release(lists=["public"], contacts=[])), outbox)
    replies = {str(_parsed(m.message)["Reply-To"]) for m in outbox.messages}
    assert len(outbox.messages) == 2 and len(replies) == 1
    assert replies.pop().endswith("<pers@diplomatie.example.be>")
