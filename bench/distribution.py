"""Benchmark: a whole distribution through real workers, against a plain smtplib loop.

    python3 dev.py shell python bench/distribution.py [--sizes 10000,100000] [--workers 2] [--postgres]
                                                      [--pipelining] [--quick]

For each size it starts an aiosmtpd sink in a process of its own, creates that many confirmed
subscribers, publishes a release and lets `--workers` workers (each with `--concurrency` pool
processes, one SMTP connection each) distribute it over the embedded Redis. In the same run it measures the baseline: the same messages, built
beforehand, sent by a plain smtplib loop to the same sink over the same number of connections,
once before and once after Pressroom's run (the ratio uses their mean). With `--pipelining` the
sink offers PIPELINING, as most relays do; the smtplib loop does not use it, Pressroom does.
It prints messages per second of both and their ratio, the time from publish to last delivery,
the workers' CPU per message (from publish, and from the first message's arrival, which leaves
out starting up and preparing the mailing) against the smtplib loop's, the peak RSS of each worker, and the count of messages the sink received (it must equal the
number of subscribers). With `--postgres` each size gets a fresh PostgreSQL database (created on
`--admin-url`, dropped at the end) instead of SQLite. Goals: a rate at least the loop's
(ratio >= 1.0), the workers' CPU per message while sending at most 1.2 times the loop's, worker
RSS flat (< 200 MB) from 10k to 100k. `--quick` (the test suite's form) sends 600 messages with
PIPELINING offered and checks the outcome only: the sink received each subscriber's message
once, and the database says each was sent; speed is not judged.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

GOAL_RATIO = 1.0
GOAL_CPU_RATIO = 1.2
QUICK_SIZE = 600
GOAL_RSS_MB = 200.0
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _sink_process(port: int, count: multiprocessing.sharedctypes.Synchronized, ready: multiprocessing.synchronize.Event,  # type: ignore[name-defined]
                  watch: str = "", watched: Any = None, pipelining: bool = False,
                  distinct_count: Any = None) -> None:
    from aiosmtpd.controller import Controller

    # With `distinct_count`, the recipients are remembered and their number kept there: a
    # message sent twice shows as more messages than recipients.
    distinct: set[str] | None = set() if distinct_count is not None else None

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
            session.host_name = hostname
            if pipelining:  # as Postfix, Exim and most relays do (RFC 2920)
                responses.insert(-1, "250-PIPELINING")
            return responses

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            if all(r.endswith("@example.org") for r in envelope.rcpt_tos):  # staff notices aside
                with count.get_lock():
                    count.value += 1
                    if distinct is not None:
                        distinct.update(envelope.rcpt_tos)
                        distinct_count.value = len(distinct)
                    if watch and envelope.rcpt_tos[0].startswith(watch):
                        # [count, first arrival, last arrival, others arrived before the last]
                        watched[0] += 1
                        watched[1] = watched[1] or time.time()
                        watched[2] = time.time()
                        watched[3] = count.value - watched[0]
            return "250 2.0.0 accepted"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    signal.sigwait({signal.SIGTERM})
    controller.stop()


class Sink:
    """An aiosmtpd server in a process of its own, counting subscribers' messages; with `watch`,
    also when messages to addresses starting with it arrived, and how many others came first;
    with `pipelining`, offering PIPELINING (which smtplib's loop never uses)."""

    def __init__(self, watch: str = "", pipelining: bool = False, distinct: bool = False) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.count = multiprocessing.Value("l", 0)
        self.watched = multiprocessing.Array("d", 4, lock=False)  # guarded by count's lock
        # How many different recipients got a message (with `distinct`; guarded by count's lock)
        self.distinct = multiprocessing.Value("l", 0, lock=False) if distinct else None
        ready = multiprocessing.Event()
        self.process = multiprocessing.Process(target=_sink_process,
                                               args=(self.port, self.count, ready, watch, self.watched, pipelining,
                                                     self.distinct))
        self.process.start()
        ready.wait(10)

    def reset(self) -> None:
        with self.count.get_lock():
            self.count.value = 0
            for i in range(4):
                self.watched[i] = 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a worker: the largest of its main process and pool processes."""
    pids = [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    peaks = []
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks) if peaks else float("nan")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its live children."""
    pids = [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    ticks = 0
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _create_database(admin_url: str) -> str:
    """A fresh database beside `admin_url`'s; returns its URL."""
    import uuid

    from sqlalchemy import create_engine, make_url, text

    name = f"pressroom_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    from core.db import dispose_engines

    dispose_engines()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _setup(directory: Path, size: int, mail_url: str, database_url: str = "") -> int:
    """Database, broker, subscribers and an approved release; returns the release id."""
    from core import migrate
    from core.broker import broker_url
    from core.db import session_scope
    from core.settings import override_settings
    from subscribers import create_list, import_csv
    from workflow import service
    from workflow.content import parse_content
    from workflow.users import add_user

    override_settings(
        data_dir=str(directory / "data"), database_url=database_url or f"sqlite:///{directory / 'bench.db'}",
        broker_url="embedded", mail_url=mail_url, outbox_relay_interval=1, sweep_interval=5,
    )
    migrate.upgrade()
    from tasks.app import app

    app.close()  # drop connections to an earlier size's broker
    app.amqp._producer_pool = None
    app.conf.broker_url = broker_url()
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", default_language="nl", visibility="private",
                    receives_embargoed=True)
        author = add_user(s, "an@example.be", "An", "spokesperson")
        approver = add_user(s, "marc@example.be", "Marc", "approver")
        content = parse_content({
            "kind": "press_release", "default_language": "nl", "lists": ["journalists"],
            "translations": {
                "nl": {"title": "Jaarverslag 2025", "lead": "Een jaar diplomatie.", "body": "Tekst " * 300},
                "fr": {"title": "Rapport annuel 2025", "lead": "Une année.", "body": "Texte " * 300},
            },
        })
        release_id = service.create_release(s, author, content).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
    lines = ["email;name;language"] + [
        f"s{i}@example.org;Subscriber {i};{'nl' if i % 3 else 'fr'}" for i in range(size)
    ]
    import_csv(session_scope, io.BytesIO("\n".join(lines).encode()), "journalists", confirmed=True)
    return release_id


def _run_pressroom(release_id: int, workers: int, concurrency: int, directory: Path, sink: Sink,
                   size: int) -> dict[str, float]:
    from sqlalchemy import func, select
    from sqlmodel import col

    from cli.relay import relay_now
    from core.db import session_scope
    from delivery.models import Delivery, Distribution, DistributionStatus
    from workflow import service
    from workflow.users import get_user

    processes = []
    for n in range(workers):
        pool = ["--pool", "solo"] if concurrency == 1 else ["--pool", "prefork", "--concurrency", str(concurrency)]
        command = [sys.executable, "-c", "from cli.main import main; main()", "worker", *pool,
                   "--loglevel", "WARNING"] + (["--beat"] if n == 0 else [])
        log = (directory / f"worker{n}.log").open("wb")
        processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy()))
    time.sleep(3)  # let the workers connect before the clock starts
    idle_cpu = [_cpu_seconds(p.pid) for p in processes]
    sink.reset()
    started = time.monotonic()
    with session_scope() as s:
        service.publish(s, release_id, get_user(s, "marc@example.be"))
    relay_now()
    arrival: tuple[float, int] | None = None  # (workers' CPU, messages received) at the first arrival
    while True:
        if arrival is None and sink.count.value:
            arrival = (sum(_cpu_seconds(p.pid) for p in processes), sink.count.value)
        with session_scope() as s:
            status = s.execute(
                select(col(Distribution.status)).where(col(Distribution.release_id) == release_id)
            ).scalar()
        if status == DistributionStatus.DONE and sink.count.value >= size:
            break
        if any(p.poll() is not None for p in processes):
            raise SystemExit("a worker died; see the worker logs in " + str(directory))
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    with session_scope() as s:
        first, last = s.execute(select(func.min(Delivery.sent_at), func.max(Delivery.sent_at))).one()
    rss = [_peak_rss_mb(p.pid) for p in processes]
    total_cpu = sum(_cpu_seconds(p.pid) for p in processes)
    cpu = total_cpu - sum(idle_cpu)
    if arrival is None or arrival[1] >= size:
        arrival = (sum(idle_cpu), 0)
    sending_cpu_us = (total_cpu - arrival[0]) / (size - arrival[1]) * 1e6
    for p in processes:
        p.send_signal(signal.SIGTERM)
    for p in processes:
        p.wait(60)
    window = (last - first).total_seconds() or elapsed
    return {"elapsed": elapsed, "rate": size / window, "e2e_rate": size / elapsed, "received": sink.count.value,
            "cpu_us": cpu / size * 1e6, "sending_cpu_us": sending_cpu_us,
            **{f"rss{i}": r for i, r in enumerate(rss)}}


def _baseline_sender(port: int, messages: list[tuple[str, str, bytes]], start: int, step: int) -> None:
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for envelope_from, to, data in messages[start::step]:
            connection.sendmail(envelope_from, [to], data)


def _baseline_messages(release_id: int, limit: int | None = None) -> list[tuple[str, str, bytes]]:
    """The release's messages, built once by Pressroom's own mailer for every recipient (the
    first `limit` of them, when given)."""
    from core.db import session_scope
    from delivery import engine
    from delivery.models import Distribution
    from delivery.sending import ReleaseMailer
    from subscribers.audience import resolve_audience
    from workflow.models import Release
    from workflow.service import current_content

    messages: list[tuple[str, str, bytes]] = []
    with session_scope() as s:
        release = s.get(Release, release_id)
        assert release is not None
        content = current_content(s, release)
        mailer = ReleaseMailer(s, Distribution(key="bench", kind="release", release_id=release_id))
        audience = resolve_audience(s, content.lists, content.topics, list(content.translations),
                                    content.default_language)
        for batch in audience:
            for r in batch:  # numbered as the deliveries will be
                claimed = engine.Claimed(len(messages) + 1, r.subscriber_id, r.list_id, r.email, r.name,
                                         r.language, 1)
                envelope_from, _message_id, data = mailer.build(claimed)
                messages.append((envelope_from, r.email, data))
                if limit is not None and len(messages) >= limit:
                    return messages
    return messages


def _run_baseline(messages: list[tuple[str, str, bytes]], connections: int, sink: Sink) -> tuple[float, float]:
    """The pre-built messages sent with smtplib over `connections` connections: (msg/s, CPU µs/msg)."""
    import resource

    sink.reset()
    context = multiprocessing.get_context("fork")  # children share the built messages
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    senders = [context.Process(target=_baseline_sender, args=(sink.port, messages, i, connections))
               for i in range(connections)]
    for p in senders:
        p.start()
    for p in senders:
        p.join()
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - children_cpu.ru_utime - children_cpu.ru_stime
    assert sink.count.value == len(messages), (sink.count.value, len(messages))
    return len(messages) / elapsed, cpu / len(messages) * 1e6


def _quick(workers: int, concurrency: int) -> int:
    """The suite's form: one small mailing through real workers to a sink that offers
    PIPELINING; every subscriber's message arrives once and is recorded as sent."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from core.broker import stop_embedded
    from core.db import dispose_engines, session_scope
    from delivery.models import Delivery, DeliveryStatus

    sink = Sink(pipelining=True, distinct=True)
    try:
        with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
            directory = Path(tmp)
            release_id = _setup(directory, QUICK_SIZE, f"smtp://127.0.0.1:{sink.port}")
            try:
                ours = _run_pressroom(release_id, workers, concurrency, directory, sink, QUICK_SIZE)
                with session_scope() as s:
                    sent = s.execute(select(func.count()).select_from(Delivery).where(
                        col(Delivery.status) == DeliveryStatus.SENT)).scalar_one()
            finally:
                stop_embedded(directory / "data")
                dispose_engines()
        assert sink.distinct is not None
        received, distinct = int(ours["received"]), sink.distinct.value
    finally:
        sink.stop()
    print(f"{QUICK_SIZE} subscribers: the sink received {received} messages for {distinct} recipients; "
          f"{sent} recorded as sent")
    ok = received == distinct == sent == QUICK_SIZE
    print("result: " + ("correct" if ok else "WRONG"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2,
                        help="SMTP connections per worker (threads); the baseline uses as many in all")
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database instead of SQLite")
    parser.add_argument("--pipelining", action="store_true",
                        help="the sink offers PIPELINING, as most relays do (the smtplib loop does not use it)")
    parser.add_argument("--admin-url", default=os.environ.get("PRESSROOM_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL))
    parser.add_argument("--quick", action="store_true", help="check the outcome only (the test suite's form)")
    args = parser.parse_args()
    if args.quick:
        return _quick(args.workers, args.concurrency)
    sizes = [int(s) for s in args.sizes.split(",")]
    sink = Sink(pipelining=args.pipelining)
    ok = True
    results = []
    try:
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
                directory = Path(tmp)
                from core.broker import stop_embedded
                from core.db import dispose_engines

                database = "PostgreSQL" if args.postgres else "SQLite"
                offered = ", the sink offers PIPELINING" if args.pipelining else ""
                print(f"\n== {size:,} subscribers, {args.workers} workers × {args.concurrency} connections, "
                      f"{database}{offered} ==", flush=True)
                t = time.monotonic()
                database_url = _create_database(args.admin_url) if args.postgres else ""
                release_id = _setup(directory, size, f"smtp://127.0.0.1:{sink.port}", database_url)
                print(f"set-up (import, release): {time.monotonic() - t:.1f} s", flush=True)
                try:
                    connections = args.workers * args.concurrency
                    messages = _baseline_messages(release_id)
                    # The baseline runs before and after Pressroom and the two are averaged, so a
                    # machine that speeds up or slows down during the run favours neither side.
                    before, before_cpu = _run_baseline(messages, connections, sink)
                    ours = _run_pressroom(release_id, args.workers, args.concurrency, directory, sink, size)
                    after, after_cpu = _run_baseline(messages, connections, sink)
                    del messages
                finally:
                    stop_embedded(directory / "data")
                    dispose_engines()
                    if database_url:
                        _drop_database(args.admin_url, database_url)
                base, base_cpu_us = (before + after) / 2, (before_cpu + after_cpu) / 2
                ratio = ours["rate"] / base
                rss = [ours[k] for k in sorted(ours) if k.startswith("rss")]
                results.append((size, ratio, rss))
                print(f"pressroom:  {ours['rate']:8.0f} msg/s while sending, {ours['e2e_rate']:.0f} msg/s "
                      f"publish to last delivery ({ours['elapsed']:.1f} s)")
                print(f"baseline:   {base:8.0f} msg/s (smtplib, {connections} connections, messages pre-built; "
                      f"{before:.0f} before, {after:.0f} after)")
                cpu_ratio = ours["sending_cpu_us"] / base_cpu_us
                print(f"ratio:      {ratio:.2f} (goal >= {GOAL_RATIO})")
                print(f"client CPU per message: pressroom {ours['cpu_us']:.0f} µs from publish, "
                      f"{ours['sending_cpu_us']:.0f} µs while sending (workers, Celery included), "
                      f"baseline {base_cpu_us:.0f} µs (smtplib); ratio while sending "
                      f"{cpu_ratio:.2f} (goal <= {GOAL_CPU_RATIO})")
                print("worker peak RSS: " + ", ".join(f"{r:.0f} MB" for r in rss) + f" (goal < {GOAL_RSS_MB:.0f} MB)")
                print(f"sink received {ours['received']:,} of {size:,} messages")
                ok &= (ours["received"] == size and ratio >= GOAL_RATIO and cpu_ratio <= GOAL_CPU_RATIO
                       and max(rss) < GOAL_RSS_MB)
    finally:
        sink.stop()
    if len(results) > 1:
        growth = max(results[-1][2]) - max(results[0][2])
        print(f"\nRSS growth from {results[0][0]:,} to {results[-1][0]:,}: {growth:+.0f} MB")
    print("\nresult: " + ("within goals" if ok else "OUTSIDE GOALS"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
