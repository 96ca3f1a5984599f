#!/usr/bin/env python3
"""Benchmark of a webhook fan-out: one event to 50 endpoints, against plain httpx calls in a loop.

    python3 dev.py shell python bench/webhook_fanout.py [--endpoints 50] [--rounds 5] [--quick]

A receiver on loopback (a threaded HTTP server that checks every signature as docs/webhooks.md
tells a receiver to) listens on one port with one path per endpoint. Each round publishes one
`release.published` event and measures, in this process and without a broker in between, what
the workers do for it: the outbox handler that builds the document and inserts one delivery per
endpoint (SQLite file by default, or `--database-url`), then every delivery as the
`webhooks.deliver` task runs it — decide, claim, sign, post through the address-checking client,
record the attempt — one after the other, as one worker process would. The baseline, in the same
round, posts the same bodies to the same URLs with one plain `httpx.Client` in a loop: no
database, no signature, no checks. It prints the median round of both, per delivery and in all,
and their ratio. `--quick` (the test suite's form) checks the outcome only: every endpoint
received the event exactly once, signed, and every delivery is recorded as delivered.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too


class Receiver:
    """Counts signed requests per (path, idempotency key); answers 200."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.seen: Counter[tuple[str, str]] = Counter()
        self.unsigned = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each answer waits for a delayed ACK (40 ms)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                secret = receiver.secrets.get(self.path)
                header = self.headers.get("Pressroom-Signature")
                with receiver.lock:
                    if secret is None or header is None:
                        receiver.unsigned += 1
                    elif _valid(secret, header, body):
                        receiver.seen[(self.path, self.headers.get("Idempotency-Key", ""))] += 1
                    else:
                        receiver.unsigned += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _valid(secret: str, header: str, body: bytes) -> bool:
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamp = next((v for k, v in fields if k == "t"), "")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= 300
    return fresh and any(hmac.compare_digest(expected, v) for k, v in fields if k == "v1")


def _setup(receiver: Receiver, endpoints: int) -> int:
    """Staff, `endpoints` endpoints on the receiver, a published release; returns its id."""
    from core.db import session_scope
    from webhooks.endpoints import add_endpoint
    from workflow import service
    from workflow.content import parse_content
    from workflow.users import add_user

    with session_scope() as s:
        author = add_user(s, "author@example.be", "Author", "spokesperson")
        approver = add_user(s, "approver@example.be", "Approver", "approver")
        for number in range(endpoints):
            path = f"/hook/{number}"
            made = add_endpoint(s, None, f"http://127.0.0.1:{receiver.port}{path}",
                                "release.published,release.withdrawn", embargoed=number % 5 == 0)
            receiver.secrets[path] = made.secret
        content = parse_content({
            "kind": "press_release", "default_language": "nl", "web_only": True, "topics": ["bench"],
            "translations": {code: {"title": f"Titel {code}", "lead": "Lead. " * 20, "body": "Tekst. " * 400}
                             for code in ("nl", "fr", "en", "de")},
        })
        release_id = service.create_release(s, author, content).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
    return release_id


def _round(release_id: int) -> tuple[float, float, list[tuple[str, bytes]]]:
    """(seconds to create the deliveries, seconds to send them all, (url, body) of each)."""
    import json

    from core.db import session_scope
    from core.outbox import emit, handle_event
    from webhooks import delivery, handlers
    from workflow.models import Release
    from workflow.service import current_revision

    with session_scope() as s:
        release = s.get(Release, release_id)
        assert release is not None
        event_id = emit(s, "release.published", release_id, revision_hash=current_revision(s, release).content_hash).id
    started = time.perf_counter()
    handle_event(event_id, {"release.published": [handlers.release_published]})
    created = time.perf_counter() - started
    with session_scope() as s:
        rows = s.exec(select_deliveries(event_id)).all()
        ids = [row.id or 0 for row in rows]
        urls = {e.id: e.url for e in s.exec(select_endpoints()).all()}
        requests = [(urls[row.endpoint_id], json.dumps(row.payload, separators=(",", ":")).encode()) for row in rows]
    started = time.perf_counter()
    for delivery_id in ids:
        outcome = delivery.attempt(delivery_id)
        assert outcome.kind == "delivered", outcome
    sent = time.perf_counter() - started
    return created, sent, requests


def select_deliveries(event_id: str) -> Any:
    from sqlmodel import col, select

    from webhooks.models import WebhookDelivery

    return select(WebhookDelivery).where(WebhookDelivery.event_id == event_id).order_by(col(WebhookDelivery.id))


def select_endpoints() -> Any:
    from sqlmodel import select

    from webhooks.models import WebhookEndpoint

    return select(WebhookEndpoint)


def _baseline(requests: list[tuple[str, bytes]]) -> float:
    """Seconds to post the same bodies with a plain httpx client in a loop."""
    import httpx

    with httpx.Client(timeout=10) as client:
        started = time.perf_counter()
        for url, body in requests:
            answer = client.post(url, content=body, headers={"Content-Type": "application/json"})
            assert answer.status_code == 200
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoints", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="check the outcome only (the test suite's form)")
    args = parser.parse_args()

    from core import migrate
    from core.settings import override_settings
    from webhooks.delivery import close_clients

    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as tmp:
        override_settings(data_dir=tmp, database_url=args.database_url or f"sqlite:///{tmp}/webhooks.db",
                          log_level="warning", environment="development")
        migrate.upgrade()
        try:
            release_id = _setup(receiver, args.endpoints)
            if args.quick:
                _created, _sent, requests = _round(release_id)
                assert len(requests) == args.endpoints
                assert receiver.unsigned == 0 and len(receiver.seen) == args.endpoints, receiver.seen
                assert set(receiver.seen.values()) == {1}, receiver.seen
                print(f"{args.endpoints} endpoints: one event each, exactly once, signed; every delivery recorded")
                print("result: correct")
                return 0
            _round(release_id)  # warm up: imports, connections
            rounds = [_round(release_id) for _ in range(args.rounds)]
            baseline = [_baseline(requests) for _, _, requests in rounds]
        finally:
            close_clients()
            receiver.close()
    created = statistics.median(r[0] for r in rounds)
    sent = statistics.median(r[1] for r in rounds)
    plain = statistics.median(baseline)
    n = args.endpoints
    print(f"one event to {n} endpoints, median of {args.rounds} rounds:")
    print(f"  baseline (plain httpx.Client loop):     {plain * 1000:8.1f} ms  ({plain / n * 1000:.2f} ms a request)")
    print(f"  fan-out: create {n} deliveries:         {created * 1000:8.1f} ms")
    print(f"  send them (decide, sign, post, record): {sent * 1000:8.1f} ms  ({sent / n * 1000:.2f} ms a delivery)")
    print(f"  ratio, sending to baseline: {sent / plain:.1f}; in all: {(created + sent) / plain:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
