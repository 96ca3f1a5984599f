"""Faults injected into real worker processes: a DKIM key that is not a key stops a worker before
it takes any work, with one clear line; a mail server that accepts connections and never answers
holds up neither the scheduler nor the sweep, which run on a worker of their own."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from core.db import as_utc, session_scope, utcnow
from core.settings import override_settings
from tests import factories
from tests.conftest import wait_until
from tests.delivery.distribution_helpers import make_lists
from tests.delivery.workers import BeatProcess, WorkerProcess, import_people
from workflow import service
from workflow.models import Release
from workflow.states import State


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port whose connections the kernel accepts and nobody ever answers (no greeting)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(128)
        yield int(server.getsockname()[1])


def test_a_worker_with_an_unusable_dkim_key_refuses_to_start(sqlite_db: str, process_broker: str,
                                                             tmp_path: Path) -> None:
    key = tmp_path / "dkim.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    override_settings(broker_url=process_broker, mail_url=f"maildir://{tmp_path / 'mail'}",
                      dkim_private_key_path=str(key), dkim_selector="mail")
    worker = WorkerProcess(tmp_path / "worker.log", concurrency=1)
    try:
        assert worker.process.wait(60) == 6
    finally:
        worker.stop()
    lines = [line for line in (tmp_path / "worker.log").read_text().splitlines() if line.strip()]
    [error] = [line for line in lines if "error" in line.lower()]
    assert error.startswith("error: cannot send mail: PRESSROOM_DKIM_PRIVATE_KEY_PATH: ") and "private key" in error
    assert "celery@" not in "\n".join(lines)  # no worker came up
    check = CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    [problem] = [line for line in check.stderr.splitlines() if line.startswith("PROBLEM  mail")]
    assert error.removeprefix("error: cannot send mail: ") in problem


def test_a_silent_mail_server_delays_neither_a_scheduled_release_nor_the_sweep(
        sqlite_db: str, process_broker: str, silent_server: int, tmp_path: Path) -> None:
    override_settings(
        broker_url=process_broker, mail_url=f"smtp://127.0.0.1:{silent_server}", smtp_connect_timeout=3,
        smtp_command_timeout=3, outbox_relay_interval=0.5, sweep_interval=1, scheduler_interval=1,
        delivery_batch_size=5, delivery_lease_seconds=9, delivery_retry_base=0.2, delivery_retry_max=0.5,
        delivery_max_attempts=100, max_smtp_connections=2,
    )
    make_lists()
    import_people(40, "journalists", ("nl",))
    with session_scope() as s:
        author, approver = factories.user(s), factories.user(s, "approver")
        mailing = factories.release(s, author, lists=["journalists"]).id or 0
        scheduled = factories.release(s, author, lists=[]).id or 0
        for release_id in (mailing, scheduled):
            service.submit(s, release_id, author)
            service.approve(s, release_id, approver)
        service.publish(s, mailing, approver)
    sender = WorkerProcess(tmp_path / "sender.log", concurrency=1, queues="transactional,bulk,pressroom")
    upkeep = WorkerProcess(tmp_path / "housekeeping.log", concurrency=1, queues="housekeeping")
    beat = BeatProcess(tmp_path / "beat.log")
    try:
        # The sending worker waits on the server: staff notices first, then the mailing's batches.
        wait_until(lambda: "timed out" in (tmp_path / "sender.log").read_text(), 60, "a send to time out")
        due = utcnow() + timedelta(seconds=3)
        with session_scope() as s:
            service.publish(s, scheduled, approver, at=due)

        def published() -> Release | None:
            with session_scope() as s:
                release = s.get(Release, scheduled)
                return release if release is not None and release.state == State.PUBLISHED else None

        release = wait_until(published, 30, "the scheduled release to be published")
        assert release.published_at is not None
        assert as_utc(release.published_at) - due < timedelta(seconds=6)  # the scheduler's interval, and a margin
        sweeps = wait_until(lambda: (tmp_path / "housekeeping.log").read_text().count("distribution.sweep") >= 4
                            and (tmp_path / "housekeeping.log").read_text(), 20, "sweeps")
        assert "succeeded" in sweeps
    finally:
        for process in (beat, upkeep, sender):
            process.kill()
