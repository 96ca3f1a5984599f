"""Every retry loop of a mailing has an end: an error that stops a batch counts against the
deliveries it held, and a mailing its batches cannot send ends `failed`, with its reason."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from core.db import session_scope
from core.outbox import OutboxEvent, handle_event
from core.settings import override_settings
from delivery import engine, notices
from delivery.models import Delivery, DeliveryStatus, DistributionStatus
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox, memory_outbox
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release
from tests.delivery.smtp_sink import content_never_answered, falls_silent


def _rows(distribution_id: int) -> list[tuple[DeliveryStatus, int, str]]:
    with session_scope() as s:
        return [(DeliveryStatus(status), attempts, error) for status, attempts, error in s.execute(
            select(col(Delivery.status), col(Delivery.attempts), col(Delivery.last_error))
            .where(col(Delivery.distribution_id) == distribution_id).order_by(col(Delivery.id))
        ).all()]


def _distribution(distribution_id: int) -> tuple[DistributionStatus, str]:
    with session_scope() as s:
        distribution = engine.get_distribution(s, distribution_id)
        return DistributionStatus(distribution.status), distribution.note


def _text(message: bytes) -> str:
    body = message_from_bytes(message, policy=policy.default).get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def _finished_event(distribution_id: int) -> OutboxEvent:
    with session_scope() as s:
        event = s.execute(select(OutboxEvent).where(col(OutboxEvent.name) == engine.FINISHED_EVENT,
                                                    col(OutboxEvent.subject_id) == distribution_id)).scalar_one()
        s.expunge(event)
        return event


def test_a_batch_that_raises_fails_its_deliveries_after_the_maximum_and_the_people_are_told(sqlite_db: str) -> None:
    override_settings(delivery_max_attempts=2, delivery_retry_base=0.05, delivery_retry_max=0.1,
                      mail_url="memory://staff")
    make_lists()
    people = add_people(3)
    release_id = publish_release(lists=["journalists"])
    distribution_id = prepare(release_id)
    faulty = Outbox(errors={people[0]: RuntimeError("the relay client crashed")})

    first = send_batch(distribution_id, MemoryTransport(faulty))
    assert first.claimed == 3 and first.failed == 0
    assert _rows(distribution_id) == [(DeliveryStatus.DEFERRED, 1, "batch error: RuntimeError: the relay client crashed")] * 3
    assert _distribution(distribution_id)[0] is DistributionStatus.SENDING

    time.sleep(0.15)  # the retry's backoff
    second = send_batch(distribution_id, MemoryTransport(faulty))
    assert second.claimed == 3 and second.failed == 3
    assert _rows(distribution_id) == [(DeliveryStatus.FAILED, 2, "batch error: RuntimeError: the relay client crashed")] * 3
    assert _distribution(distribution_id) == (DistributionStatus.FAILED, "RuntimeError: the relay client crashed")
    assert faulty.messages == []  # nothing reached anyone; no row is left to send
    assert send_batch(distribution_id, MemoryTransport(faulty)).claimed == 0

    # The author and the approver hear why, each by mail.
    event = _finished_event(distribution_id)
    assert event.payload["status"] == "failed" and event.payload["reason"] == "RuntimeError: the relay client crashed"
    staff = memory_outbox("staff")
    staff.clear()
    handle_event(event.id, {engine.FINISHED_EVENT: [notices.mailing_problem]})
    told = {rcpt for message in staff.messages for rcpt in message.recipients}
    assert len(told) == 2 and all(address.endswith("@example.be") for address in told)
    texts = [" ".join(_text(message.message).split()) for message in staff.messages]
    assert all("De verzending is mislukt: RuntimeError: the relay client crashed. Van de 3 berichten konden er 3 niet"
               in text for text in texts)  # staff read Dutch here


def test_an_error_waiting_cannot_heal_fails_the_mailing_at_once_with_its_class(sqlite_db: str, tmp_path: Path) -> None:
    key = tmp_path / "dkim.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    override_settings(delivery_max_attempts=6, delivery_batch_size=2, mail_url="memory://unused",
                      dkim_private_key_path=str(key), dkim_selector="mail")
    make_lists()
    add_people(5)
    distribution_id = prepare(publish_release(lists=["journalists"]))

    report = send_batch(distribution_id, MemoryTransport())
    assert report.claimed == 2 and report.failed == 5  # the two it held and the three waiting
    rows = _rows(distribution_id)
    assert [status for status, _, _ in rows] == [DeliveryStatus.FAILED] * 5
    assert [attempts for _, attempts, _ in rows] == [1, 1, 0, 0, 0]  # no attempt burnt on the rest
    assert all(error.startswith("batch error: DkimKeyError: ") for _, _, error in rows)
    status, note = _distribution(distribution_id)
    assert status is DistributionStatus.FAILED and note.startswith("DkimKeyError: ")
    # Once the key is fixed, an admin sends it again.
    del os.environ["PRESSROOM_DKIM_PRIVATE_KEY_PATH"]
    override_settings(mail_url="memory://fixed")
    engine.control(distribution_id, "retry-failed")
    assert send_batch(distribution_id, MemoryTransport(memory_outbox("fixed"))).sent == 2


@contextmanager
def mute_after_greeting() -> Iterator[int]:
    """An SMTP server that greets, answers EHLO, and then never answers again."""
    with falls_silent(b"250 mute.example\r\n") as (port, _accepted):
        yield port


def test_a_batch_whose_server_times_out_gives_its_unsent_rows_back_at_once(sqlite_db: str) -> None:
    override_settings(smtp_connect_timeout=0.5, smtp_command_timeout=0.5, delivery_retry_base=30, delivery_retry_max=60)
    make_lists()
    add_people(4)
    distribution_id = prepare(publish_release(lists=["journalists"]))
    with mute_after_greeting() as port:
        override_settings(mail_url=f"smtp://127.0.0.1:{port}")
        started = time.monotonic()
        report = send_batch(distribution_id)
        took = time.monotonic() - started
    assert took < 3, took  # one wait for one reply, not one per message nor the lease's end
    assert report.claimed == 4 and report.deferred == 1 and report.released == 3
    rows = _rows(distribution_id)
    assert rows[0][:2] == (DeliveryStatus.DEFERRED, 1) and "timed out" in rows[0][2]
    assert [row[:2] for row in rows[1:]] == [(DeliveryStatus.QUEUED, 0)] * 3  # not tried: no attempt spent
    with session_scope() as s:
        waits = s.execute(select(col(Delivery.next_attempt_at), col(Delivery.lease_until))
                          .where(col(Delivery.distribution_id) == distribution_id)).all()
    assert all(lease is None and not_before is not None for not_before, lease in waits)  # back, after a delay


def test_a_rate_limited_batch_asks_a_server_that_let_a_reply_time_out_nothing_more(sqlite_db: str) -> None:
    """Under a rate limit the content goes before the wait for the next message's turn: when
    its reply times out there, the next message must not go over a new connection (and wait
    out a second timeout) before the batch notices."""
    override_settings(smtp_connect_timeout=0.5, smtp_command_timeout=0.5, delivery_retry_base=30,
                      delivery_retry_max=60, rate_limit_per_second=1000)
    make_lists()
    add_people(4)
    distribution_id = prepare(publish_release(lists=["journalists"]))
    with content_never_answered() as (port, accepted):
        override_settings(mail_url=f"smtp://127.0.0.1:{port}")
        started = time.monotonic()
        report = send_batch(distribution_id)
        took = time.monotonic() - started
        connections = accepted[0]
    assert connections == 1 and took < 0.9, (connections, took)  # one wait for one reply
    assert report.claimed == 4 and report.deferred == 1 and report.released == 3
    rows = _rows(distribution_id)
    assert rows[0][:2] == (DeliveryStatus.DEFERRED, 1)
    assert [row[:2] for row in rows[1:]] == [(DeliveryStatus.QUEUED, 0)] * 3  # not tried: no attempt spent
