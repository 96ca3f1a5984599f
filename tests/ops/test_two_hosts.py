"""Two "machines" against one PostgreSQL and one Redis (docs/operations.md, "More than one
machine"): each host is a process group of its own, in its own working and data directory, running
`pressroom worker` and `pressroom beat`. Two beats on purpose: the documented installation has
one, and this shows that a second one by mistake sends nobody a second copy and publishes a
scheduled release once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import redis as redis_lib
from sqlalchemy import func, select

from core.db import session_scope, utcnow
from core.outbox import OutboxEvent
from core.settings import override_settings
from delivery.models import Delivery, Distribution, DistributionStatus
from tasks.queues import QUEUES
from tests import factories
from tests.conftest import BROKER_URL, wait_until
from tests.delivery.distribution_helpers import make_lists, publish_release
from tests.delivery.workers import BeatProcess, WorkerProcess, counting_sink, import_people
from workflow import service
from workflow.models import Release, State

HOSTS = ("host-a", "host-b")


def _settled(release_ids: list[int]) -> bool:
    """Every release published with its mailing done, and every event handled."""
    with session_scope() as s:
        done = s.execute(select(func.count()).select_from(Distribution).where(
            Distribution.release_id.in_(release_ids),  # type: ignore[union-attr]
            Distribution.status == DistributionStatus.DONE)).scalar_one()
        unhandled = s.execute(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.handled_at.is_(None))).scalar_one()  # type: ignore[union-attr]
    return done == len(release_ids) and unhandled == 0


def _task_lines(log: Path, task: str) -> list[dict[str, object]]:
    """The JSON lines of `log` that Celery wrote when a `task` succeeded."""
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("task") == task and "succeeded" in str(record.get("message")):
                lines.append(record)
    return lines


def test_two_hosts_with_a_beat_each_send_every_copy_once_and_publish_a_scheduled_release_once(
        postgresql_db: str, tmp_path: Path) -> None:
    client = redis_lib.Redis.from_url(BROKER_URL)
    client.flushdb()  # nobody else's tasks: the hosts' Redis is this one database
    shared_media = tmp_path / "shared-media"  # stands for the bucket both machines reach
    with counting_sink() as (sink, mail_url):
        override_settings(
            broker_url=BROKER_URL, mail_url=mail_url, media_url=shared_media.as_uri(),
            outbox_relay_interval=0.3, scheduler_interval=1, sweep_interval=1,
            delivery_batch_size=20, delivery_record_every=10, delivery_lease_seconds=10,
        )
        make_lists()
        journalists = import_people(40, "journalists", ("nl", "fr"), prefix="j")
        public = import_people(300, "public", ("en",), prefix="p")
        processes: list[WorkerProcess | BeatProcess] = []
        for host in HOSTS:
            home = tmp_path / host
            home.mkdir()
            env = {"PRESSROOM_DATA_DIR": str(home / "data")}  # each beat keeps its own schedule file
            processes.append(WorkerProcess(home / "worker.log", concurrency=2, env=env, cwd=home))
            processes.append(BeatProcess(home / "beat.log", env=env, cwd=home))
        try:
            now_id = publish_release(lists=["journalists", "public"])
            scheduled_id = _schedule_release(["public"], seconds=4)
            wait_until(lambda: _settled([now_id, scheduled_id]), 60, "both mailings to finish")
        finally:
            for process in processes[1::2]:  # the beats first, so that no new tick is queued
                process.stop()
            wait_until(lambda: not any(client.llen(queue) for queue in QUEUES), 20, "the queues to drain")
            for process in processes[0::2]:  # warm shutdown: each worker finishes what it holds
                process.stop()

    # Every recipient got exactly one copy of each release: nobody missing, nobody twice.
    assert sink.recipients == Counter({**{a: 1 for a in journalists}, **{a: 2 for a in public}})
    assert len(sink.by_message_id) == 40 + 300 * 2 and set(sink.by_message_id.values()) == {1}

    # The scheduled release was published once, although both beats asked for it every second.
    with session_scope() as s:
        release = s.get(Release, scheduled_id)
        assert release is not None and release.state == State.PUBLISHED
        events = s.execute(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.name == "release.published", OutboxEvent.subject_id == scheduled_id)).scalar_one()
        distributions = s.execute(select(func.count()).select_from(Distribution).where(
            Distribution.release_id == scheduled_id)).scalar_one()
        unsent = s.execute(select(func.count()).select_from(Delivery).where(
            Delivery.status != "sent")).scalar_one()
    assert (events, distributions, unsent) == (1, 1, 0)
    ticks = {host: (tmp_path / host / "beat.log").read_text().count("releases.publish_due") for host in HOSTS}
    assert all(ticks.values()), f"each host's beat sent the due-release task: {ticks}"
    published_by = {host: sum("published on schedule" in line
                              for line in (tmp_path / host / "worker.log").read_text().splitlines())
                    for host in HOSTS}
    assert sum(published_by.values()) == 1, published_by
    for host in HOSTS:  # each beat kept its schedule in its own machine's data directory
        assert list((tmp_path / host / "data").glob("celerybeat-schedule*")), host

    # Both machines sent; nothing is left in Redis (queued, or taken and not acknowledged).
    batches = {host: len(_task_lines(tmp_path / host / "worker.log", "distribution.send_batch")) for host in HOSTS}
    print(f"batches sent per host: {batches}; due-release ticks per beat: {ticks}; published by: {published_by}")
    assert all(batches.values()), batches
    assert not any(client.llen(queue) for queue in QUEUES)
    assert not client.hlen("unacked")
    client.close()


def _schedule_release(lists: list[str], seconds: float) -> int:
    """An approved release scheduled `seconds` from now; returns its id."""
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author, lists=lists).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver, at=utcnow() + timedelta(seconds=seconds))
    return release_id
