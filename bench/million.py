#!/usr/bin/env python3
"""Benchmark: a release to a national list of a million and a press list of 500, on PostgreSQL.

    python3 dev.py shell python bench/million.py [--size 1000000] [--press 500] [--send-seconds 60]
                                                 [--database-url URL] [--quick]

In a fresh PostgreSQL database (created on `--admin-url`, 127.0.0.1:5432 by default, dropped at
the end; or `--database-url`), it imports `--size` confirmed subscribers on a public list and
`--press` on a private journalists' list set-based (INSERT … SELECT over generate_series), then
publishes a release to both (the public list named first) through real workers over the
embedded Redis, with an aiosmtpd sink in a process of its own:

  - one worker for the `bulk` queue (`--concurrency` processes, one SMTP connection each) and
    one for `transactional`, `housekeeping` and `pressroom` with the scheduler, as
    docs/operations.md lays them out;
  - it measures the import, the materialisation (publish until every delivery row exists: the
    audience inserted inside the database), when the first and the last journalist's message
    reach the sink and how many public messages arrived before the last of them, the send rate
    for `--send-seconds` once the rows exist, and then the time to cancel: the control call,
    and until the last message in flight has arrived;
  - the baseline, in the same run: as many of the release's messages as Pressroom sent in its
    window (at most 20,000), built beforehand by Pressroom's own mailer, sent by a plain smtplib
    loop over as many connections (bench/distribution.py), once before and once after; the
    ratio uses their mean;
  - the peak RSS of every process: this one, the sink, and each worker's main and pool
    processes.

Then it checks what must hold at any size: every journalist's message arrived, and before any
public one is claimed; the sink received exactly the messages the database says were sent; after
the cancel nothing is left queued or sending, and sent + skipped is the audience. `--quick` (run
by the test suite) imports 20,000 and sends for a few seconds, and judges correctness only.
Goals (full size): materialisation well under a minute, the first journalist within 2 s and all
within 10 s of publish, worker RSS flat (< 200 MB).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, too

from distribution import (  # bench/ is the script's own directory
    DEFAULT_ADMIN_URL,
    Sink,
    _baseline_messages,
    _create_database,
    _drop_database,
    _run_baseline,
)

GOAL_MATERIALISE_S = 60.0
GOAL_FIRST_PRESS_S = 2.0
GOAL_ALL_PRESS_S = 10.0
GOAL_RSS_MB = 200.0
BASELINE_CAP = 20_000
WARM_UP = 1_000  # subscribers of the warm-up list: two batches
PRESS_PREFIX = "press"


@dataclass
class Figures:
    """What one run measured (seconds from publish unless said otherwise)."""

    size: int
    press: int
    imported_s: float = 0.0
    materialised_s: float = float("nan")
    first_press_s: float = float("nan")
    all_press_s: float = float("nan")
    public_before_last_press: int = -1
    press_received: int = 0
    rate: float = 0.0
    baseline: float = 0.0
    cancel_status_s: float = 0.0
    cancel_call_s: float = 0.0
    cancel_quiet_s: float = 0.0
    sent: int = 0
    rss: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _import(list_slug: str, prefix: str, count: int) -> None:
    """`count` confirmed subscribers on `list_slug`, inserted by the database from
    generate_series (the hash is the one `subscribers.validation.address_hash` computes)."""
    from sqlalchemy import func, select, text
    from sqlmodel import col

    from core.db import session_scope
    from subscribers.models import (
        Frequency,
        MailingList,
        Subscriber,
        SubscriberStatus,
        SubscriptionStatus,
    )

    with session_scope() as s:
        list_id = s.execute(select(col(MailingList.id)).where(col(MailingList.slug) == list_slug)).scalar_one()
        before = s.execute(select(func.max(col(Subscriber.id)))).scalar() or 0
        s.execute(text(
            "INSERT INTO subscriber (email, email_hash, name, language, organisation, frequency, status,"
            " created_at, updated_at)"
            " SELECT e, encode(sha256(convert_to(e, 'UTF8')), 'hex'), 'Subscriber ' || g,"
            " CASE WHEN g % 3 = 0 THEN 'fr' ELSE 'nl' END, '', :frequency, :status, now(), now()"
            " FROM (SELECT g, :prefix || g || '@example.org' AS e FROM generate_series(1, :count) AS g) AS people"
        ), {"prefix": prefix, "count": count, "frequency": Frequency.IMMEDIATE.value,
            "status": SubscriberStatus.ACTIVE.value})
        s.execute(text(
            "INSERT INTO subscription (subscriber_id, list_id, status, source, confirmed_at, created_at, updated_at)"
            " SELECT id, :list_id, :status, 'import', now(), now(), now() FROM subscriber WHERE id > :before"
        ), {"list_id": list_id, "status": SubscriptionStatus.CONFIRMED.value, "before": before})
    with session_scope() as s:
        s.connection().exec_driver_sql("ANALYZE subscriber; ANALYZE subscription")


def _setup(directory: Path, database_url: str, mail_url: str, figures: Figures) -> int:
    """Schema, broker, lists, subscribers and an approved release; returns the release id."""
    from core import migrate
    from core.broker import broker_url
    from core.db import session_scope
    from core.settings import override_settings
    from subscribers import create_list
    from workflow import service
    from workflow.content import parse_content
    from workflow.users import add_user

    override_settings(data_dir=str(directory / "data"), database_url=database_url, broker_url="embedded",
                      mail_url=mail_url, outbox_relay_interval=0.5, sweep_interval=5, scheduler_interval=5)
    migrate.upgrade()
    from tasks.app import app

    app.close()
    app.amqp._producer_pool = None
    app.conf.broker_url = broker_url()
    with session_scope() as s:
        create_list(s, "public", "Public", default_language="nl")
        create_list(s, "journalists", "Journalists", default_language="nl", visibility="private",
                    receives_embargoed=True)
        create_list(s, "warm-up", "Warm-up", default_language="nl")
        author = add_user(s, "an@example.be", "An", "spokesperson")
        approver = add_user(s, "marc@example.be", "Marc", "approver")
        content = parse_content({
            "kind": "press_release", "default_language": "nl", "lists": ["public", "journalists"],
            "translations": {
                "nl": {"title": "Jaarverslag 2025", "lead": "Een jaar diplomatie.", "body": "Tekst " * 300},
                "fr": {"title": "Rapport annuel 2025", "lead": "Une année.", "body": "Texte " * 300},
            },
        })
        release_id = service.create_release(s, author, content).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
    _import("warm-up", "w", WARM_UP)
    started = time.monotonic()
    _import("public", "s", figures.size)
    _import("journalists", PRESS_PREFIX, figures.press)
    figures.imported_s = time.monotonic() - started
    return release_id


def _worker(directory: Path, name: str, queues: str, concurrency: int, beat: bool = False) -> subprocess.Popen[bytes]:
    pool = ["--pool", "solo"] if concurrency == 1 else ["--pool", "prefork", "--concurrency", str(concurrency)]
    command = [sys.executable, "-c", "from cli.main import main; main()", "worker", *pool, "--queues", queues,
               "--loglevel", "INFO"] + (["--beat"] if beat else [])
    # This checkout's code, wherever the bench is run from.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with (directory / f"{name}.log").open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)


def _wait_ready(directory: Path, workers: dict[str, subprocess.Popen[bytes]], timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not all(" ready." in (directory / f"{name}.log").read_text(errors="replace") for name in ("bulk", "mail")):
        if time.time() > deadline or any(p.poll() is not None for p in workers.values()):
            raise SystemExit(f"the workers did not start; see the logs in {directory}")
        time.sleep(0.1)


def _warm_up(sink: Sink) -> None:
    """A small mailing (two batches) through the workers before the clock starts."""
    from core.db import session_scope
    from workflow import service
    from workflow.users import get_user

    with session_scope() as s:
        release_id = _warm_up_release(s)
    with session_scope() as s:
        service.publish(s, release_id, get_user(s, "marc@example.be"))
    deadline = time.time() + 300
    while _distribution_state(release_id)[1] != "done":
        if time.time() > deadline:
            raise SystemExit("the warm-up mailing did not finish")
        time.sleep(0.1)
    _wait_quiet()


def _warm_up_release(session: Any) -> int:
    from core.settings import get_settings
    from workflow import service
    from workflow.content import parse_content
    from workflow.users import get_user

    author, approver = get_user(session, "an@example.be"), get_user(session, "marc@example.be")
    content = parse_content({"kind": "press_release", "default_language": "nl", "lists": ["warm-up"],
                             "translations": {"nl": {"title": "Proef", "body": "Tekst " * 300}}})
    release_id = service.create_release(session, author, content).id or 0
    service.submit(session, release_id, author)
    service.approve(session, release_id, approver)
    assert get_settings().delivery_batch_size * 2 >= WARM_UP
    return release_id


def _wait_quiet(timeout: float = 120) -> None:
    from sqlalchemy import select
    from sqlmodel import col

    from cli.relay import relay_now
    from core.db import session_scope
    from core.outbox import OutboxEvent

    relay_now()
    deadline = time.time() + timeout
    while time.time() < deadline:
        with session_scope() as s:
            if s.execute(select(col(OutboxEvent.id)).where(col(OutboxEvent.handled_at).is_(None))).first() is None:
                return
        time.sleep(0.1)
    raise SystemExit("the set-up's events were not handled in time")


def _distribution_state(release_id: int) -> tuple[int | None, str | None]:
    from sqlalchemy import select
    from sqlmodel import col

    from core.db import session_scope
    from delivery.models import Distribution

    with session_scope() as s:
        row = s.execute(select(col(Distribution.id), col(Distribution.status))
                        .where(col(Distribution.release_id) == release_id)).first()
    return (row[0], str(row[1])) if row else (None, None)


def _run(release_id: int, directory: Path, sink: Sink, concurrency: int, send_seconds: float,
         figures: Figures) -> None:
    """Publish, watch the press and the materialisation, send for a while, cancel."""
    from cli.relay import relay_now
    from core.db import session_scope
    from delivery import engine
    from delivery.models import DistributionStatus
    from workflow import service
    from workflow.users import get_user

    workers = {"bulk worker": _worker(directory, "bulk", "bulk", concurrency),
               "mail worker": _worker(directory, "mail", "transactional,housekeeping,pressroom", 2, beat=True)}
    try:
        _wait_ready(directory, workers)  # the clock starts once both consume their queues
        _wait_quiet()  # and once the set-up's own events (review request, approval) are handled
        _warm_up(sink)  # a running installation's workers have sent mail before
        sink.reset()
        published = time.time()
        with session_scope() as s:
            service.publish(s, release_id, get_user(s, "marc@example.be"))
        relay_now()
        distribution_id: int | None = None
        sending_since: float | None = None
        window_start = (0.0, 0)
        deadline = time.time() + 1800
        while time.time() < deadline:
            if any(p.poll() is not None for p in workers.values()):
                logs = "".join((directory / f"{name}.log").read_text()[-2000:] for name in ("bulk", "mail"))
                raise SystemExit(f"a worker died:\n{logs}")
            distribution_id, status = _distribution_state(release_id)
            if sending_since is None and status in (DistributionStatus.SENDING, DistributionStatus.DONE):
                sending_since = time.time()
                figures.materialised_s = sending_since - published
                window_start = (sending_since, sink.count.value)
            if sending_since is not None and (time.time() - sending_since >= send_seconds + 60 or (
                    sink.watched[0] >= figures.press
                    and (time.time() - sending_since >= send_seconds or status == DistributionStatus.DONE))):
                break
            time.sleep(0.02)
        else:
            raise SystemExit("the run took longer than 30 minutes")
        now, count = time.time(), sink.count.value
        figures.rate = (count - window_start[1]) / max(now - window_start[0], 1e-9)
        figures.first_press_s = sink.watched[1] - published
        figures.all_press_s = sink.watched[2] - published
        figures.public_before_last_press = int(sink.watched[3])
        figures.press_received = int(sink.watched[0])
        assert distribution_id is not None
        figures.cancel_status_s, figures.cancel_quiet_s, figures.cancel_call_s = _cancel(distribution_id, sink)
        figures.rss = {"bench process (holds the baseline's messages)": _peak_rss_mb_one(os.getpid()),
                       "sink": _peak_rss_mb_one(sink.process.pid or 0)}
        for name, process in workers.items():
            figures.rss.update(_worker_rss(name, process.pid))
        with session_scope() as s:
            counts = engine.counts(s, distribution_id)
            total = engine.get_distribution(s, distribution_id).total
        figures.sent = counts["sent"]
        _check(figures, counts, total, sink.count.value)
    finally:
        for process in workers.values():
            process.terminate()
        for process in workers.values():
            process.wait(60)
        if os.environ.get("BENCH_KEEP_LOGS"):
            import shutil
            for name in ("bulk", "mail"):
                shutil.copy(directory / f"{name}.log", os.environ["BENCH_KEEP_LOGS"] + f"/{name}.log")


def _cancel(distribution_id: int, sink: Sink) -> tuple[float, float, float]:
    """Cancel the distribution from another thread, as an operator would, and watch: seconds
    until the cancelled status is visible (batches stop at their next check), until the last
    message in flight had arrived and no batch held a row, and until the control call returned
    (every unsent row marked skipped). Zeros when it was already done (a small run may finish)."""
    import threading

    from delivery import engine
    from delivery.models import DistributionStatus

    started = time.time()
    returned: list[float] = []
    refused: list[Exception] = []

    def call() -> None:
        try:
            engine.control(distribution_id, "cancel")
        except engine.DistributionStateError as exc:
            refused.append(exc)
        returned.append(time.time() - started)

    thread = threading.Thread(target=call)
    thread.start()
    visible: float | None = None
    last_count, last_change = sink.count.value, time.time()
    while not returned or time.time() - last_change < 2 or engine.has_live_claims(distribution_id):
        if visible is None and engine.distribution_status(distribution_id) == DistributionStatus.CANCELLED:
            visible = time.time() - started
        if sink.count.value != last_count:
            last_count, last_change = sink.count.value, time.time()
        time.sleep(0.02)
    thread.join()
    if refused:
        return 0.0, 0.0, 0.0
    return visible or returned[0], max(last_change - started, 0.0), returned[0]


def _worker_rss(name: str, pid: int) -> dict[str, float]:
    """Peak RSS of a worker's main process and of each pool process."""
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    found = {f"{name} (main)": _peak_rss_mb_one(pid)}
    for i, child in enumerate(children, 1):
        found[f"{name} (pool {i})"] = _peak_rss_mb_one(child)
    return found


def _peak_rss_mb_one(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _check(figures: Figures, counts: dict[str, int], total: int, received: int) -> None:
    """What must hold whatever the size and speed."""
    expected = figures.size + figures.press
    if total != expected:
        figures.problems.append(f"the distribution holds {total:,} deliveries, not {expected:,}")
    if counts["queued"] or counts["sending"] or counts["deferred"]:
        figures.problems.append(f"left unfinished after the cancel: {counts}")
    if counts["sent"] + counts["skipped"] + counts["failed"] != expected:
        figures.problems.append(f"sent + skipped + failed is not the audience: {counts}")
    if received != counts["sent"]:
        figures.problems.append(f"the sink received {received:,} messages, the database says {counts['sent']:,} sent")
    if figures.press_received != figures.press:
        figures.problems.append(f"{figures.press_received} of {figures.press} journalists' messages arrived")


def _print(figures: Figures, connections: int, before: float, after: float) -> None:
    figures.baseline = (before + after) / 2
    rows = [
        ("import (set-based)", f"{figures.imported_s:.1f} s for {figures.size + figures.press:,} subscribers"),
        ("materialisation", (f"{figures.materialised_s:.1f} s publish → all {figures.size + figures.press:,} "
                            f"deliveries in (goal < {GOAL_MATERIALISE_S:.0f} s)")),
        ("first journalist", f"{figures.first_press_s:.2f} s after publish (goal < {GOAL_FIRST_PRESS_S:.0f} s)"),
        (f"all {figures.press} journalists", f"{figures.all_press_s:.2f} s after publish (goal < {GOAL_ALL_PRESS_S:.0f} s)"),
        ("public before last journalist", f"{figures.public_before_last_press} messages"),
        ("send rate, pressroom", f"{figures.rate:.0f} msg/s ({connections} connections, rows all in)"),
        ("send rate, smtplib baseline", f"{figures.baseline:.0f} msg/s ({before:.0f} before, {after:.0f} after)"),
        ("ratio", f"{figures.rate / figures.baseline:.2f}" if figures.baseline else "n/a"),
        ("cancel: status visible", f"{figures.cancel_status_s:.2f} s after the control call began"),
        ("cancel: last message", f"{figures.cancel_quiet_s:.2f} s after it (what was in flight)"),
        ("cancel: rows skipped", f"{figures.cancel_call_s:.2f} s after it (every unsent row marked)"),
        ("sent before the cancel", f"{figures.sent:,}"),
    ] + [(f"peak RSS, {name}", f"{mb:.0f} MB") for name, mb in figures.rss.items()]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--press", type=int, default=500)
    parser.add_argument("--send-seconds", type=float, default=60.0,
                        help="how long to send once every row exists, before cancelling")
    parser.add_argument("--concurrency", type=int, default=2, help="bulk worker processes (SMTP connections)")
    parser.add_argument("--admin-url", default=os.environ.get("PRESSROOM_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL))
    parser.add_argument("--database-url", default="", help="an existing, empty PostgreSQL database")
    parser.add_argument("--quick", action="store_true", help="20,000 subscribers, a few seconds; check correctness")
    args = parser.parse_args()
    size, send_seconds = (20_000, 3.0) if args.quick else (args.size, args.send_seconds)
    figures = Figures(size, args.press)
    database_url = args.database_url or _create_database(args.admin_url)
    sink = Sink(watch=PRESS_PREFIX)
    try:
        with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
            from core.broker import stop_embedded

            directory = Path(tmp)
            print(f"== {size:,} public + {args.press} journalists on PostgreSQL, bulk worker × {args.concurrency} ==",
                  flush=True)
            release_id = _setup(directory, database_url, f"smtp://127.0.0.1:{sink.port}", figures)
            print(f"imported in {figures.imported_s:.1f} s", flush=True)
            try:
                messages = _baseline_messages(release_id, min(BASELINE_CAP, max(size // 10, 2000)))
                before, _ = _run_baseline(messages, args.concurrency, sink)
                _run(release_id, directory, sink, args.concurrency, send_seconds, figures)
                after, _ = _run_baseline(messages, args.concurrency, sink)
                del messages
            finally:
                stop_embedded(directory / "data")
    finally:
        sink.stop()
        if not args.database_url:
            _drop_database(args.admin_url, database_url)
    _print(figures, args.concurrency, before, after)
    for problem in figures.problems:
        print(f"WRONG: {problem}")
    if args.quick:
        print("baseline (smtplib loop): measured in the same run; ratios not judged in --quick")
        print("result: " + ("correct" if not figures.problems else "WRONG"))
        return 0 if not figures.problems else 1
    worker_rss = max(mb for name, mb in figures.rss.items() if "worker" in name)
    ok = not figures.problems and figures.materialised_s < GOAL_MATERIALISE_S and \
        figures.first_press_s < GOAL_FIRST_PRESS_S and figures.all_press_s < GOAL_ALL_PRESS_S and \
        worker_rss < GOAL_RSS_MB
    print("result: " + ("within goals" if ok else "OUTSIDE GOALS"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

