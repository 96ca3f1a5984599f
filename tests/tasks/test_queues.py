"""Each kind of work lands on its own queue of the real broker; `pressroom worker --queues` takes
only known names; the compose file and `pressroom serve` keep transactional mail, and the
housekeeping that must never wait behind a send, on workers of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.db import session_scope
from core.outbox import emit, relay_pending
from tasks.distribution import fan_out, send_batch, sweep
from tasks.events import send_event
from tasks.queues import BULK, DEFAULT, HOUSEKEEPING, QUEUES, TRANSACTIONAL
from tests.cli.helpers import fails, invoker

ROOT = Path(__file__).resolve().parents[2]


def _lengths(celery_app: Any) -> dict[str, int]:
    with celery_app.connection_for_write() as connection:
        client = connection.default_channel.client
        return {queue: int(client.llen(queue)) for queue in QUEUES}


def test_events_and_tasks_are_queued_where_their_workers_take_them(db: str, celery_app: Any) -> None:
    celery_app.control.purge()
    with session_scope() as s:
        for name in ("subscription.requested", "account.password_reset_requested", "release.test_requested",
                     "release.submitted", "release.published", "distribution.preparing", "media.uploaded"):
            emit(s, name, 1)
    assert relay_pending(send_event) == 7
    fan_out.delay(1)
    send_batch.delay(1)
    sweep.delay()
    try:
        assert _lengths(celery_app) == {TRANSACTIONAL: 5, BULK: 3, HOUSEKEEPING: 1, DEFAULT: 1}
    finally:
        celery_app.control.purge()
    assert _lengths(celery_app) == dict.fromkeys(QUEUES, 0)


def test_a_worker_refuses_a_queue_that_does_not_exist() -> None:
    fails(invoker()("worker", "--queues", "transactional,urgent"), 2, "unknown queue urgent")


def test_compose_runs_transactional_mail_and_housekeeping_on_workers_of_their_own() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    def queues(name: str) -> set[str]:
        command = services[name]["command"]
        return set(command[command.index("--queues") + 1].split(","))

    assert queues("transactional") == {TRANSACTIONAL}
    assert queues("housekeeping") == {HOUSEKEEPING}
    assert queues("worker") == set(QUEUES) - {TRANSACTIONAL, HOUSEKEEPING}


def test_the_scheduler_tasks_go_to_housekeeping() -> None:
    from tasks.queues import TASK_QUEUES

    for task in ("outbox.relay", "releases.publish_due", "distribution.sweep", "digests.send"):
        assert TASK_QUEUES[task] == HOUSEKEEPING, task
