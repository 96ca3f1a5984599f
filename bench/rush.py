#!/usr/bin/env python3
"""The newsroom under a rush: many readers at once on `pressroom web --workers 2`.

    python3 dev.py shell python bench/rush.py [--readers 200] [--seconds 10] [--database-url URL]

It seeds a fresh database (SQLite unless told otherwise) with 200 published releases, starts
`pressroom web --workers 2` on a loopback port as an operator would, and sends `--readers`
concurrent readers (asyncio tasks, one keep-alive connection each, httpx) at each route in turn
for `--seconds`: the newsroom home, a release page, the Atom feed, then the home and the release
page revalidated by readers who hold them (`If-None-Match`: the 304 path, no page made; the
release's 304 still counts a read), and, as the baseline served by the same server in the same
run, `/robots.txt` (no database, no template). Routes take turns in rounds so a noisy neighbour
slows them alike. It prints requests per second, p50 and p99 latency per route, each p50 against
the baseline's, and the number of 5xx answers, which must be 0. Locust is not a dependency;
this is the same closed-loop load.

`--quick` (tests/bench/test_rush_bench.py) runs 20 readers for a moment and checks answers
only: every one a 200 (a 304 for the revalidating readers), none a 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, too



def _publish(count: int) -> None:
    """`count` published releases, seeded as the newsroom benchmark seeds them (imported by
    name: mypy checks bench/ as files, not as a package)."""
    importlib.import_module("bench.newsroom")._publish(count)


RELEASES = 200


@dataclass
class Tally:
    """What the readers of one route saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.seconds += other.seconds
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _served(env: dict[str, str], port: int) -> Iterator[str]:
    """`pressroom web --workers 2` on `port`, until the block ends."""
    command = [sys.executable, "-c", "from cli.main import main; main()",
               "web", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/robots.txt", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"pressroom web did not start: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


async def _readers(url: str, path: str, readers: int, seconds: float, headers: dict[str, str]) -> Tally:
    """`readers` closed-loop readers on `path` for `seconds`, each on its own connection."""
    tally = Tally()
    stop = time.perf_counter() + seconds

    async def reader() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as client:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    status = (await client.get(path)).status_code
                except httpx.HTTPError:
                    status = 599  # a dropped connection counts as a server failure
                tally.latencies.append(time.perf_counter() - started)
                tally.statuses[status] = tally.statuses.get(status, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(reader() for _ in range(readers)))
    tally.seconds = time.perf_counter() - began
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="per route, over all rounds")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="check the answers only (the test suite's form)")
    args = parser.parse_args()
    readers, seconds, rounds, releases = ((20, 1.0, 1, 30) if args.quick
                                          else (args.readers, args.seconds, args.rounds, RELEASES))

    from core import migrate
    from core.broker import stop_embedded
    from core.settings import get_settings, override_settings

    with tempfile.TemporaryDirectory(prefix="pressroom-rush-") as tmp:
        port = _free_port()
        values = {"data_dir": tmp, "database_url": args.database_url or f"sqlite:///{tmp}/rush.db",
                  "base_url": f"http://127.0.0.1:{port}", "log_level": "warning"}
        if get_settings().broker_url.strip().lower() == "embedded":
            values["broker_url"] = "embedded"
        override_settings(**values)
        migrate.upgrade()
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")},
               **{f"PRESSROOM_{k.upper()}": str(v) for k, v in values.items()},
               "PYTHONPATH": str(ROOT)}
        if get_settings().broker_url.strip().lower() != "embedded":
            env["PRESSROOM_BROKER_URL"] = get_settings().broker_url
        try:
            _publish(releases)
            with _served(env, port) as url:
                release = f"/releases/{releases // 2}/nl"
                etag = httpx.get(f"{url}{release}").headers.get("etag", "")
                home_etag = httpx.get(f"{url}/newsroom/nl").headers.get("etag", "")
                routes = {"baseline /robots.txt": ("/robots.txt", {}),
                          "home /newsroom/nl": ("/newsroom/nl", {}),
                          f"release {release}": (release, {}),
                          "feed /feeds/nl.atom": ("/feeds/nl.atom", {}),
                          "home, revalidated (304)": ("/newsroom/nl", {"If-None-Match": home_etag}),
                          "release, revalidated (304)": (release, {"If-None-Match": etag})}
                for path, headers in routes.values():  # warm both workers: imports, templates, connections
                    asyncio.run(_readers(url, path, min(readers, 20), 0.5, headers))
                tallies = {name: Tally() for name in routes}
                for _ in range(rounds):
                    for name, (path, headers) in routes.items():
                        tallies[name].add(asyncio.run(_readers(url, path, readers, seconds / rounds, headers)))
        finally:
            stop_embedded(Path(tmp))
    errors = sum(t.errors for t in tallies.values())
    print(f"{readers} concurrent readers, {seconds:.0f} s per route, pressroom web --workers 2, "
          f"{releases} releases, {'PostgreSQL' if args.database_url.startswith('postgres') else 'SQLite'}")
    base = tallies["baseline /robots.txt"].percentile(0.5) or 1.0
    print(f"  {'route':32} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'p50/base':>9} {'5xx':>5}  statuses")
    for name, tally in tallies.items():
        rate = len(tally.latencies) / tally.seconds if tally.seconds else 0.0
        print(f"  {name:32} {rate:8.0f} {tally.percentile(0.5):9.1f} {tally.percentile(0.99):9.1f} "
              f"{tally.percentile(0.5) / base:9.2f} {tally.errors:5d}  {dict(sorted(tally.statuses.items()))}")
    print(f"5xx answers: {errors}")
    wrong = [name for name, tally in tallies.items()
             if set(tally.statuses) != ({304} if "304" in name else {200})]
    if wrong or errors or not etag or not home_etag:
        print(f"result: WRONG ({', '.join(wrong) or 'no ETag on the release page'})")
        return 1
    print("result: correct (every answer a 200, the revalidating readers' a 304, no 5xx)")
    if not args.quick:
        print(f"median of medians, pages vs baseline: "
              f"{statistics.median(t.percentile(0.5) for n, t in tallies.items() if 'baseline' not in n) / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
