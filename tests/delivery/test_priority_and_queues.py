"""What goes first, through real worker processes, real Redis and a real SMTP sink: a release's
journalists before its public list, and a confirmation mail before a mailing's queued batches."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from sqlalchemy import func, select

from core.db import session_scope
from core.settings import override_settings
from delivery import engine
from delivery.models import Delivery, Distribution, DistributionStatus
from subscribers import subscribe
from subscribers.models import MailingList
from tests.conftest import wait_until
from tests.delivery.distribution_helpers import make_lists, publish_release
from tests.delivery.smtp_sink import smtp_server
from tests.delivery.workers import CountingSink, WorkerProcess, import_people


@dataclass
class TimedSink(CountingSink):
    """A counting sink that takes `delay` seconds over each subscriber's copy (a mail server
    under load) and notes when any other mail arrives and how many copies were in by then."""

    delay: float = 0.0
    others: list[tuple[float, tuple[str, ...], int]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if all(rcpt.endswith("@example.org") for rcpt in envelope.rcpt_tos):
            await asyncio.sleep(self.delay)
            return await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.others.append((time.monotonic(), tuple(envelope.rcpt_tos), sum(self.by_message_id.values())))
        return "250 2.0.0 accepted"


def _redis(url: str) -> redis_lib.Redis:
    if url.startswith("redis+socket://"):
        path, _, db = url.removeprefix("redis+socket://").partition("?virtual_host=")
        return redis_lib.Redis(unix_socket_path=path, db=int(db or 0))
    return redis_lib.Redis.from_url(url)


@pytest.fixture
def sink(process_broker: str) -> Iterator[TimedSink]:
    server = TimedSink()
    with smtp_server(server) as controller:  # type: ignore[arg-type]
        override_settings(
            broker_url=process_broker, mail_url=f"smtp://127.0.0.1:{controller.port}", outbox_relay_interval=0.3,
            sweep_interval=1, scheduler_interval=1, delivery_batch_size=20, delivery_record_every=10,
            delivery_lease_seconds=10,
        )
        yield server


def _distribution(release_id: int) -> int:
    def found() -> int | None:
        with session_scope() as s:
            return s.execute(select(Distribution.id).where(Distribution.release_id == release_id)).scalar()

    return int(wait_until(found, 60, "the distribution to be created"))


def _done(distribution_id: int) -> bool:
    with session_scope() as s:
        return engine.get_distribution(s, distribution_id).status == DistributionStatus.DONE


def test_the_journalists_copies_all_go_before_any_public_one(db: str, sink: TimedSink, tmp_path: Path) -> None:
    make_lists()
    journalists = import_people(60, "journalists", ("nl", "fr"), prefix="j")
    public = import_people(400, "public", ("en",), prefix="p")
    worker = WorkerProcess(tmp_path / "worker.log", concurrency=1, beat=True)
    try:
        published = time.monotonic()
        # The public list comes first in the release: going first is the press's, not the order's.
        release_id = publish_release(lists=["public", "journalists"])
        distribution_id = _distribution(release_id)
        wait_until(lambda: sink.total >= 1, 60, "the first message")
        first_after = time.monotonic() - published
        wait_until(lambda: _done(distribution_id), 120, "the mailing to finish")
    finally:
        worker.stop()
    arrived = list(sink.recipients)  # in order of arrival
    assert sorted(arrived) == sorted(journalists + public) and sink.total == 460
    assert set(arrived[:60]) == set(journalists), "a public copy arrived before a journalist's"
    with session_scope() as s:
        press_list = s.execute(select(MailingList.id).where(MailingList.slug == "journalists")).scalar_one()
        last_press, first_public = s.execute(
            select(func.max(Delivery.id).filter(Delivery.list_id == press_list),
                   func.min(Delivery.id).filter(Delivery.list_id != press_list))
            .where(Delivery.distribution_id == distribution_id)).one()
    assert last_press < first_public  # inserted first, hence claimed first
    assert first_after < 60  # generous: the point is the order above


def test_a_confirmation_mail_does_not_wait_for_a_mailing_that_is_sending(
        db: str, sink: TimedSink, tmp_path: Path) -> None:
    sink.delay = 0.004  # 3,000 copies take the one bulk connection at least 12 s
    make_lists()
    import_people(3000, "public", ("en",), prefix="bulk")
    bulk = WorkerProcess(tmp_path / "bulk.log", concurrency=1, queues="bulk")
    mailer = WorkerProcess(tmp_path / "mailer.log", concurrency=1, beat=True,
                           queues="transactional,housekeeping,pressroom")
    try:
        release_id = publish_release(lists=["public"])
        distribution_id = _distribution(release_id)
        wait_until(lambda: sink.total >= 100, 120, "the mailing to be sending")
        asked = time.monotonic()
        with session_scope() as s:
            subscribe(s, "newcomer@example.net", "public", language="en")
        confirmation = wait_until(lambda: next((o for o in sink.others if "newcomer@example.net" in o[1]), None),
                                  60, "the confirmation mail")
        waited = confirmation[0] - asked
        copies_by_then = confirmation[2]
        wait_until(lambda: _done(distribution_id), 180, "the mailing to finish")
    finally:
        bulk.stop()
        mailer.stop()
    assert sink.total == 3000
    # Two workers on one machine, each named after its queues.
    assert "transactional+housekeeping+pressroom@" in (tmp_path / "mailer.log").read_text()
    assert "bulk@" in (tmp_path / "bulk.log").read_text()
    # It arrived while the mailing was still going, not after its queued batches.
    assert copies_by_then < 2900, copies_by_then
    assert waited < 10, waited  # generous: a few hundred milliseconds on an idle machine


def test_a_mailing_keeps_a_few_batches_in_the_broker_and_still_reaches_everyone_once(
        db: str, sink: TimedSink, process_broker: str, tmp_path: Path) -> None:
    override_settings(max_smtp_connections=1)  # two batch tasks in flight; 400 people are 20 batches
    make_lists()
    people = import_people(400, "public", ("en",), prefix="few")
    client = _redis(process_broker)
    worker = WorkerProcess(tmp_path / "worker.log", concurrency=2, beat=True)
    most = 0
    try:
        distribution_id = _distribution(publish_release(lists=["public"]))
        deadline = time.monotonic() + 120
        while not _done(distribution_id) and time.monotonic() < deadline:
            most = max(most, int(client.llen("bulk")))
            time.sleep(0.01)
    finally:
        worker.stop()
        client.close()
    assert _done(distribution_id)
    assert sorted(sink.recipients) == sorted(people) and set(sink.recipients.values()) == {1}
    assert most <= 8, most  # a fan-out (or two) of two, and successors: never the twenty at once
