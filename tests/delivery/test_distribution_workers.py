"""The distribution engine end to end: real Redis, real worker processes, a real SMTP sink."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import session_scope
from core.settings import override_settings
from delivery import engine
from delivery.models import DistributionStatus
from tests.conftest import wait_until
from tests.delivery.distribution_helpers import make_lists, publish_release
from tests.delivery.workers import CountingSink, WorkerProcess, counting_sink, import_people


@pytest.fixture
def sink(process_broker: str, tmp_path: Path) -> Iterator[CountingSink]:
    with counting_sink() as (server, url):
        override_settings(
            broker_url=process_broker, mail_url=url, outbox_relay_interval=0.3, sweep_interval=1,
            scheduler_interval=1, delivery_batch_size=50, delivery_record_every=10,
            delivery_retry_base=0.3, delivery_retry_max=1, delivery_lease_seconds=6,
        )
        yield server


def _distribution(release_id: int) -> int:
    from sqlalchemy import select

    from delivery.models import Distribution

    def found() -> int | None:
        with session_scope() as s:
            return s.execute(select(Distribution.id).where(Distribution.release_id == release_id)).scalar()

    return int(wait_until(found, 60, "the distribution to be prepared"))


def _status(distribution_id: int) -> tuple[DistributionStatus, dict[str, int]]:
    with session_scope() as s:
        return (DistributionStatus(engine.get_distribution(s, distribution_id).status),
                engine.counts(s, distribution_id))


def _wait_done(distribution_id: int, timeout: float = 120) -> dict[str, int]:
    wait_until(lambda: _status(distribution_id)[0] is DistributionStatus.DONE, timeout, "the distribution to finish")
    return _status(distribution_id)[1]


def test_every_recipient_exactly_once_with_two_workers(db: str, sink: CountingSink, tmp_path: Path) -> None:
    make_lists()
    journalists = import_people(150, "journalists", ("nl", "fr"), prefix="j")
    import_people(100, "public", ("en", "fr"), prefix="j")  # j0..j99 are on both lists
    diplomats = import_people(60, "diplomats", ("de",), prefix="d")
    workers = [WorkerProcess(tmp_path / "w1.log", beat=True), WorkerProcess(tmp_path / "w2.log")]
    try:
        release_id = publish_release()
        distribution_id = _distribution(release_id)
        counts = _done_counts = _wait_done(distribution_id)
    finally:
        for worker in workers:
            worker.stop()
    expected = set(journalists) | set(diplomats)
    assert counts["sent"] == len(expected) == 210
    assert set(sink.recipients) == expected
    assert max(sink.recipients.values()) == 1
    assert max(sink.by_message_id.values()) == 1 and sink.total == 210
    assert _done_counts == counts


def test_killed_worker_loses_nothing(sqlite_db: str, sink: CountingSink, tmp_path: Path) -> None:
    make_lists()
    people = import_people(5000, "journalists", prefix="k")
    override_settings(rate_limit_per_second=600)  # slow enough to kill it halfway
    first = WorkerProcess(tmp_path / "first.log", concurrency=2, beat=True)
    try:
        distribution_id = _distribution(publish_release())
        wait_until(lambda: sink.total >= 1000, 120, "a fifth of the mail to arrive")
        first.kill()
        at_kill = sink.total
        recorded_at_kill = _status(distribution_id)[1]["sent"]
        assert at_kill < 5000
        second = WorkerProcess(tmp_path / "second.log", concurrency=2, beat=True)
        try:
            counts = _wait_done(distribution_id, 240)
        finally:
            second.stop()
    finally:
        first.stop()
    assert set(sink.recipients) == set(people)  # nobody lost
    duplicates = sink.total - len(people)
    in_flight = at_kill - recorded_at_kill
    print(f"\nkilled at {at_kill} received / {recorded_at_kill} recorded; duplicates after recovery: {duplicates}")
    assert 0 <= duplicates <= in_flight
    assert counts["sent"] == 5000


def test_transient_refusals_are_retried_and_permanent_ones_suppressed(sqlite_db: str, sink: CountingSink,
                                                                       tmp_path: Path) -> None:
    make_lists()
    people = import_people(200, "journalists", prefix="t")
    for email in people[::10]:
        sink.refuse_once[email] = "451 4.3.0 Try again later"
    gone = people[5::50]
    for email in gone:
        sink.refuse_always[email] = "550 5.1.1 No such user"
    worker = WorkerProcess(tmp_path / "w.log", beat=True)
    try:
        distribution_id = _distribution(publish_release())
        counts = _wait_done(distribution_id)
    finally:
        worker.stop()
    assert set(sink.recipients) == set(people) - set(gone)
    assert max(sink.recipients.values()) == 1
    assert (counts["sent"], counts["failed"]) == (200 - len(gone), len(gone))
    from subscribers import find_suppression

    with session_scope() as s:
        assert all(find_suppression(s, email) is not None for email in gone)


def test_pause_resume_and_cancel(sqlite_db: str, sink: CountingSink, tmp_path: Path) -> None:
    make_lists()
    import_people(1500, "journalists", prefix="p")
    override_settings(rate_limit_per_second=300)
    worker = WorkerProcess(tmp_path / "w.log", beat=True)
    try:
        distribution_id = _distribution(publish_release())
        wait_until(lambda: sink.total >= 100, 60, "sending to start")
        engine.control(distribution_id, "pause")
        time.sleep(2)  # batches in flight stop at their next save point
        paused_at = sink.total
        time.sleep(2)
        assert sink.total == paused_at < 1500
        engine.control(distribution_id, "resume")
        wait_until(lambda: sink.total >= paused_at + 200, 60, "sending to resume")
        engine.control(distribution_id, "cancel")
        time.sleep(2)
        cancelled_at = sink.total
        time.sleep(2)
        assert sink.total == cancelled_at < 1500
        status, counts = _status(distribution_id)
    finally:
        worker.stop()
    assert status is DistributionStatus.CANCELLED
    assert counts["sent"] == cancelled_at and counts["skipped"] == 1500 - cancelled_at
    assert counts["queued"] == counts["sending"] == 0


def test_broker_restart_mid_run(sqlite_db: str, sink: CountingSink, tmp_path: Path) -> None:
    from core.broker import start_embedded, stop_embedded

    redis_dir = tmp_path / "redis"
    override_settings(broker_url=start_embedded(redis_dir), rate_limit_per_second=250)
    make_lists()
    people = import_people(1000, "journalists", prefix="b")
    worker = WorkerProcess(tmp_path / "w.log", beat=True)
    try:
        distribution_id = _distribution(publish_release())
        wait_until(lambda: sink.total >= 200, 120, "sending to start")
        stop_embedded(redis_dir)  # the broker goes away mid-run ...
        time.sleep(2)
        start_embedded(redis_dir)  # ... and comes back (with its append-only file)
        counts = _wait_done(distribution_id, 300)
    finally:
        worker.stop()
        stop_embedded(redis_dir)
    assert counts["sent"] == 1000
    assert set(sink.recipients) == set(people)
