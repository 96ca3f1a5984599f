"""A real HTTP receiver of webhooks on loopback, for tests and the benchmark.

Each path has a script of answers (status, headers, seconds to wait before answering), used in
turn, the last one repeating; a `body-bytes` header (not sent) makes the answer that long, a
`body` header (not sent) is the answer. Every request is recorded with whether its signature checked out,
verified as docs/webhooks.md tells a receiver to (HMAC-SHA256 of "<t>.<body>", constant-time
comparison, a timestamp within five minutes). `processed` holds, per path and idempotency key, the
requests it accepted (2xx, signature valid): exactly one each is what a sender owes it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], float]
OK: Answer = (200, {}, 0.0)


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as the docs show it."""
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamp = next((v for k, v in fields if k == "t"), "")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= tolerance
    return fresh and any(hmac.compare_digest(expected, v) for k, v in fields if k == "v1")


@dataclass
class Request:
    path: str
    key: str
    event: str
    attempt: int
    at: float
    body: dict[str, Any]
    signed: bool
    answered: int


@dataclass
class Receiver:
    port: int = 0
    scripts: dict[str, list[Answer]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    # (path, key) → the requests answered 2xx with a valid signature: what the receiver acted on
    processed: dict[tuple[str, str], list[Request]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def on(self, path: str, *answers: Answer, secret: str = "") -> str:
        self.scripts[path] = list(answers) or [OK]
        if secret:
            self.secrets[path] = secret
        return self.url(path)

    def answer(self, path: str) -> Answer:
        with self.lock:
            script = self.scripts.get(path, [(404, {}, 0.0)])
            return script.pop(0) if len(script) > 1 else script[0]

    def record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)
            if 200 <= request.answered < 300 and request.signed:
                self.processed.setdefault((request.path, request.key), []).append(request)

    def at(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each answer waits for a delayed ACK (40 ms)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, headers, wait = receiver.answer(self.path)
            secret = receiver.secrets.get(self.path, "")
            signed = bool(secret) and verify(secret, self.headers.get("Pressroom-Signature", ""), body)
            try:
                document = json.loads(body)
            except ValueError:
                document = {}
            request = Request(self.path, self.headers.get("Idempotency-Key", ""), self.headers.get("Pressroom-Event", ""),
                              int(self.headers.get("Pressroom-Attempt", "0")), time.time(), document, signed, status)
            receiver.record(request)
            if wait:  # a receiver that hangs: the sender gives up before the answer comes
                time.sleep(wait)
            reply = b'{"ok": true}' if status < 300 else b"not this time"
            if "body-bytes" in headers:  # an endless-looking answer: this many bytes
                reply = b"x" * int(headers["body-bytes"])
            if "body" in headers:  # this answer, as it is
                reply = headers["body"].encode("latin-1")
            try:
                self.send_response(status)
                for name, value in headers.items():
                    if name not in ("body-bytes", "body"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver on a free loopback port, for the duration of the block."""
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
