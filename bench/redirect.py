#!/usr/bin/env python3
"""Benchmark of the click redirect `/r/<token>` against a static 302 in the same app and run.

    python3 dev.py shell python bench/redirect.py [--requests 2000] [--database-url URL] [--quick]

The whole web app (its middleware: security headers, session cookie, body limit) is called
in-process through httpx's ASGI transport; the time measured is the server's: from the moment
the app receives a request to the moment it has sent the answer, around the ASGI call itself.
The baseline is a route added to the same app for this run that answers a fixed 302 from the
same kind of handler (a plain `def`, run in the same thread pool), so the difference is what a
click costs: checking the token, reading the link, writing the click event in one transaction
(SQLite file by default, or `--database-url`), and the burst rule's one Redis round trip
(the embedded Redis unless PRESSROOM_BROKER_URL says otherwise). Clicks come from a thousand
different networks, people's browsers, as in a real mailing's first hour.

It prints the median and 95th percentile per request of both and their ratio. Goal: the
redirect's median server time well under a millisecond. `--quick` (the test suite's form) checks
the answers only: every click a 302 to its link's exact URL, counted once, forged tokens 404.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
URLS = [f"https://example.org/rapport-{n}?jaar=2025&taal=nl#deel-{n}" for n in range(5)]
GOAL_MS = 1.0

Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class Timed:
    """An ASGI app that records how long each request spent inside `inner`."""

    def __init__(self, inner: ASGI) -> None:
        self.inner = inner
        self.seconds: list[float] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        started = time.perf_counter()
        await self.inner(scope, receive, send)
        self.seconds.append(time.perf_counter() - started)


def _setup() -> list[tuple[str, str]]:
    """A distribution with its links stored as a mailing stores them; (token, URL) per link."""
    from core.db import session_scope
    from delivery.models import Distribution
    from reports.links import Found, register
    from subscribers.tokens import link_token

    with session_scope() as session:
        distribution = Distribution(key="release:bench", kind="release")
        session.add(distribution)
        session.flush()
        ids = register(session, distribution.id or 0, "nl", [Found(url, f"link {n}", False) for n, url in enumerate(URLS)])
    return [(link_token(ids[url]), url) for url in URLS]


def _app() -> Timed:
    from fastapi.responses import Response
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from web.app import create_app

    app = create_app()

    @app.get("/bench/static-302", include_in_schema=False)
    def static_302() -> Response:  # the baseline: a handler of the same kind, nothing to check
        return Response(status_code=302, headers={"Location": URLS[0], "Cache-Control": "no-store"})

    # As `pressroom web` serves it behind a proxy: the client's address from X-Forwarded-For.
    return Timed(ProxyHeadersMiddleware(app, trusted_hosts="127.0.0.1"))  # type: ignore[arg-type]


async def _run(app: Timed, paths: list[str], count: int) -> list[float]:
    import httpx

    app.seconds.clear()
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        for number in range(count):
            network = f"10.{number % 250}.{number // 250 % 4}.7"
            answer = await client.get(paths[number % len(paths)],
                                      headers={"User-Agent": BROWSER, "X-Forwarded-For": network})
            assert answer.status_code == 302, (answer.status_code, answer.text[:200])
    return list(app.seconds)


def _ms(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def _quick(app: Timed, links: list[tuple[str, str]]) -> int:
    import httpx

    from core.db import session_scope
    from reports.clicks import clicks_for_distribution

    async def check() -> None:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            for number, (token, url) in enumerate(links):
                answer = await client.get(f"/r/{token}", headers={"User-Agent": BROWSER,
                                                                   "X-Forwarded-For": f"10.{number}.0.1"})
                assert answer.status_code == 302 and answer.headers["location"] == url, answer
            for forged in (links[0][0][:-1] + "x", "1.AAAAAAAAAAAAAAAAAAAAAA", "nonsense"):
                answer = await client.get(f"/r/{forged}", headers={"User-Agent": BROWSER})
                assert answer.status_code == 404 and "location" not in answer.headers, forged

    asyncio.run(check())
    with session_scope() as session:
        counts = {row.url: (row.human, row.bot) for row in clicks_for_distribution(session, 1)}
    assert counts == {url: (1, 0) for url in URLS}, counts
    print(f"{len(links)} links: each click a 302 to the exact URL, counted once; forged tokens 404")
    print("result: correct")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="check the answers only (the test suite's form)")
    args = parser.parse_args()

    from core import migrate
    from core.broker import stop_embedded
    from core.settings import get_settings, override_settings

    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
        values: dict[str, Any] = {"data_dir": tmp, "database_url": args.database_url or f"sqlite:///{tmp}/redirect.db",
                                  "log_level": "warning"}
        if get_settings().broker_url.strip().lower() == "embedded":
            values["broker_url"] = "embedded"
        override_settings(**values)
        migrate.upgrade()
        try:
            links = _setup()
            app = _app()
            if args.quick:
                return _quick(app, links)
            paths = [f"/r/{token}" for token, _ in links]
            asyncio.run(_run(app, paths, 200))  # warm up: imports, connections, the thread pool
            asyncio.run(_run(app, ["/bench/static-302"], 200))
            redirect: list[float] = []
            static: list[float] = []
            for _ in range(4):  # taking turns, so a noisy neighbour slows both alike
                redirect += asyncio.run(_run(app, paths, args.requests // 4))
                static += asyncio.run(_run(app, ["/bench/static-302"], args.requests // 4))
        finally:
            stop_embedded(Path(tmp))
    (r_median, r_p95), (s_median, s_p95) = _ms(redirect), _ms(static)
    print(f"{len(redirect)} requests each, server time per request (median / 95th percentile):")
    print(f"  baseline (static 302 route):  {s_median:6.3f} / {s_p95:6.3f} ms")
    print(f"  /r/<token> (verify, count):   {r_median:6.3f} / {r_p95:6.3f} ms")
    print(f"  ratio (median): {r_median / s_median:.2f}; the click's own cost: {r_median - s_median:.3f} ms")
    print(f"goal: median under {GOAL_MS:.1f} ms: {'met' if r_median < GOAL_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
