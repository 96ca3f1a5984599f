#!/usr/bin/env python3
"""Benchmark of counting newsroom reads: a release page served with its read counted, against
the same page with counting off, in the same run.

    python3 dev.py shell python bench/page_views.py [--requests 2000] [--database-url URL] [--quick]

It publishes one release on a fresh database (SQLite unless --database-url says otherwise) with
the embedded Redis, then serves `/releases/1/nl` in-process through the whole app (middleware,
templates, database reads), in alternating rounds: counting on, then off (the page's
`count_read` call made a no-op for that round). Each request has its own User-Agent, so every
counted read is a first visit and pays the Redis round trip and the INSERT. It prints the
median request's milliseconds both ways, their ratio, and the cost of one count alone and of
its two parts. Goal: counting
adds at most 25 % to the page (ratio ≤ 1.25). It checks the counts too: exactly one row per
counted request, all first visits, none for the uncounted ones; `--quick` (run by the suite)
checks only that.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

GOAL_RATIO = 1.25


def _publish() -> int:
    from core.db import session_scope
    from workflow import service
    from workflow.content import parse_content
    from workflow.users import add_user

    content = parse_content({
        "kind": "press_release", "default_language": "nl", "lists": [], "web_only": True,
        "translations": {"nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.",
                                "body": "De minister reist af. " * 80},
                         "fr": {"title": "Le ministre visite Kinshasa", "lead": "Une visite.", "body": "Texte."}},
    })
    with session_scope() as s:
        author = add_user(s, "an@example.be", "An Peeters", "spokesperson")
        approver = add_user(s, "marc@example.be", "Marc Dubois", "approver")
        release_id = service.create_release(s, author, content).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
    return release_id


def _counted() -> tuple[int, int]:
    from sqlalchemy import case, func, select

    from core.db import session_scope
    from reports.models import PageView

    with session_scope() as s:
        rows, first = s.execute(select(func.count(), func.sum(case((PageView.first_visit, 1), else_=0)))).one()  # type: ignore[arg-type]
    return int(rows), int(first or 0)


def _parts(release_id: int, repeat: int = 300) -> tuple[float, float]:
    """Median milliseconds of the two parts of a count: the Redis round trip, the INSERT."""
    from core.broker import redis_client
    from core.db import session_scope, utcnow
    from reports.readership import record_view
    from reports.visitors import first_visit

    client, day = redis_client(), utcnow().date()
    redis_times, insert_times = [], []
    for number in range(repeat):
        started = time.perf_counter()
        first_visit(client, day, release_id, "nl", "192.0.2.1", f"Mozilla/5.0 part {number}")
        redis_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with session_scope() as s:
            record_view(s, release_id, "nl", day, bot=False, first_visit=True, referrer="")
        insert_times.append(time.perf_counter() - started)
    return statistics.median(redis_times) * 1000, statistics.median(insert_times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests each way")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="a few requests; check the counts only")
    args = parser.parse_args()
    per_round = max(1, (40 if args.quick else args.requests) // args.rounds)

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from fastapi.testclient import TestClient

    import web.public
    from core import migrate
    from core.settings import override_settings
    from web.app import create_app

    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
        override_settings(data_dir=tmp, database_url=args.database_url or f"sqlite:///{tmp}/views.db",
                          broker_url="embedded", required_approvals=1)
        migrate.upgrade()
        release_id = _publish()
        counting = web.public.count_read
        client = TestClient(create_app())
        path = f"/releases/{release_id}/nl"
        assert client.get(path, headers={"User-Agent": "Mozilla/5.0 warm-up"}).status_code == 200
        baseline = _counted()
        timings: dict[str, list[float]] = {"on": [], "off": []}
        sent = {"on": 0, "off": 0}
        reader = 0
        try:
            for _ in range(args.rounds):
                for mode in ("on", "off"):
                    web.public.count_read = counting if mode == "on" else (lambda *_: None)  # type: ignore[assignment]
                    for _ in range(per_round):
                        reader += 1
                        started = time.perf_counter()
                        response = client.get(path, headers={"User-Agent": f"Mozilla/5.0 (X11; reader {reader})"})
                        timings[mode].append((time.perf_counter() - started) * 1000)
                        assert response.status_code == 200
                    sent[mode] += per_round
        finally:
            web.public.count_read = counting  # type: ignore[assignment]
        rows, first = _counted()
        rows, first = rows - baseline[0], first - baseline[1]
        ok = rows == sent["on"] and first == sent["on"]
        print(f"release page, {sent['on']:,} requests each way in {args.rounds} alternating rounds")
        print(f"counted reads: {rows:,} rows, {first:,} first visits (expected {sent['on']:,} and {sent['on']:,}; "
              f"uncounted requests added none: {'yes' if ok else 'NO'})")
        if args.quick:
            print("baseline (counting off): compared in the same run; ratio not judged in --quick")
            print("result: " + ("correct" if ok else "WRONG"))
            return 0 if ok else 1
        # The median request of each kind: a shared machine's stalls land on either side, and a
        # median is not moved by a few of them the way a mean is.
        on, off = statistics.median(timings["on"]), statistics.median(timings["off"])
        from starlette.requests import Request

        scope = {"type": "http", "method": "GET", "path": path, "headers": [(b"user-agent", b"Mozilla/5.0 x")],
                 "client": ("192.0.2.1", 1234), "query_string": b"", "server": ("bench", 80), "scheme": "http"}
        alone = []
        for number in range(200):
            scope["headers"] = [(b"user-agent", f"Mozilla/5.0 alone {number}".encode())]
            started = time.perf_counter()
            counting(Request(scope), release_id, "nl")
            alone.append((time.perf_counter() - started) * 1000)
        redis_ms, insert_ms = _parts(release_id)
        print(f"page with counting: {on:7.3f} ms   baseline (counting off): {off:7.3f} ms   ratio {on / off:.3f}")
        print(f"one count alone: {statistics.median(alone):.3f} ms (Redis first-visit check {redis_ms:.3f} ms, "
              f"INSERT in its own transaction {insert_ms:.3f} ms)")
        within = ok and on / off <= GOAL_RATIO
        print(f"goal: ratio ≤ {GOAL_RATIO}")
        print("result: " + ("within goals" if within else "OUTSIDE GOALS"))
        return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
