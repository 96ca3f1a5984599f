"""Fixtures: real databases (SQLite, and PostgreSQL where reachable), a real Redis broker and a
real Celery worker thread.

PostgreSQL: `PRESSROOM_TEST_POSTGRES_URL`, else 127.0.0.1:5432 if it answers. With CI=true it
must answer. Redis: `PRESSROOM_TEST_REDIS_URL`, else 127.0.0.1:6379 if it answers, else the
embedded redis-server that Pressroom itself ships.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core import migrate
from core.broker import start_embedded, stop_embedded
from core.db import dispose_engines
from core.settings import get_settings, override_settings

IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def _postgres_admin_url() -> str | None:
    url = os.environ.get("PRESSROOM_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return url
    except Exception as exc:
        if IN_CI or os.environ.get("PRESSROOM_TEST_POSTGRES_URL"):
            raise RuntimeError(f"PostgreSQL for tests is not reachable at {url}: {exc}") from exc
        return None


POSTGRES_ADMIN_URL = _postgres_admin_url()
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_ADMIN_URL else [])


def wait_until(predicate: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def redis_servers(data_dir: Path) -> list[int]:
    """The embedded redis-server processes listening in `data_dir` (their title names the socket)."""
    socket = f"{data_dir.resolve()}/redis.sock".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
        except OSError:
            continue
        if b"redis-server" in cmdline.split(b"\0")[0] and socket in cmdline:
            found.append(int(entry.name))
    return found


_session_broker: list[str] = []


@pytest.fixture(autouse=True)
def _restore_settings() -> Iterator[None]:
    """Settings a test overrides (they live in PRESSROOM_* variables) end with the test."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("PRESSROOM_")}
    yield
    for key in [k for k in os.environ if k.startswith("PRESSROOM_")]:
        if key not in saved:
            del os.environ[key]
    os.environ.update(saved)
    if _session_broker:  # the test broker stays for the whole session
        os.environ["PRESSROOM_BROKER_URL"] = _session_broker[0]
    get_settings.cache_clear()


# --- databases ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    dispose_engines()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated, dropped at the end."""
    assert POSTGRES_ADMIN_URL is not None
    name = f"pressroom_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    dispose_engines()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(url: str) -> None:
    """Empty every table. Revisions, approvals and the audit log refuse TRUNCATE (migration 0006);
    `session_replication_role = replica`, for this transaction only, skips their triggers."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'")
        ).scalars().all()
        if tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


def _use_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "pressroom.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        _truncate_all(url)
    override_settings(database_url=url, data_dir=str(tmp_path / "data"), required_approvals=1)
    yield url
    dispose_engines()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each backend; the settings point at it."""
    yield from _use_database(request, request.param, tmp_path)


@pytest.fixture(params=[backend for backend in BACKENDS if backend == "postgresql"])
def postgresql_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty PostgreSQL database, for what only PostgreSQL has (TRUNCATE, plans)."""
    yield from _use_database(request, request.param, tmp_path)


@pytest.fixture
def sqlite_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty SQLite database, for tests whose point is not the backend."""
    yield from _use_database(request, "sqlite", tmp_path)


# --- broker and worker -------------------------------------------------------------------------


def _resolve_broker() -> tuple[str, Path | None]:
    """The test broker, and the directory of the embedded server when one had to be started."""
    url = os.environ.get("PRESSROOM_TEST_REDIS_URL")
    if url:
        return url, None
    try:
        client = redis_lib.Redis.from_url(DEFAULT_REDIS, socket_timeout=2)
        client.ping()
        client.close()
        return DEFAULT_REDIS, None
    except redis_lib.RedisError:
        if IN_CI:
            raise
    directory = Path(tempfile.mkdtemp(prefix="pressroom-test-redis-"))
    return start_embedded(directory), directory


# Resolved before collection: merely importing a module that defines a task configures the
# Celery app, and it must find the test broker then, not start an embedded one of its own.
BROKER_URL, _EMBEDDED_BROKER_DIR = _resolve_broker()
os.environ["PRESSROOM_BROKER_URL"] = BROKER_URL
_session_broker.append(BROKER_URL)
# A data directory of the session's own: a checkout's `.pressroom` (a developer's database, the
# address of a web app they ran there) never reaches a test.
_SESSION_DATA_DIR = Path(tempfile.mkdtemp(prefix="pressroom-test-data-"))
os.environ.setdefault("PRESSROOM_DATA_DIR", str(_SESSION_DATA_DIR))


@pytest.fixture(scope="session", autouse=True)
def broker() -> Iterator[str]:
    """A real Redis for Celery, emptied at the start of the session."""
    client = redis_lib.Redis.from_url(BROKER_URL.replace("redis+socket://", "unix://"))
    client.flushdb()
    client.close()
    yield BROKER_URL
    shutil.rmtree(_SESSION_DATA_DIR, ignore_errors=True)
    if _EMBEDDED_BROKER_DIR is not None:
        stop_embedded(_EMBEDDED_BROKER_DIR)


@pytest.fixture(scope="session")
def celery_app(broker: str):  # type: ignore[no-untyped-def]
    """The Pressroom Celery app, pointed at the test broker."""
    from tasks.app import app

    if app.conf.broker_url != broker:
        app.close()  # connections made to another broker must not be reused
        app.amqp._producer_pool = None
        app.conf.broker_url = broker
    return app


@pytest.fixture
def worker(celery_app):  # type: ignore[no-untyped-def]
    """A real Celery worker consuming the real broker, in a thread of this process, for one test.

    It starts with an empty queue (what tests without a worker relayed stays theirs) and is
    drained and stopped when the test ends, so no task meets another test's database and no
    other test finds a worker taking its events (request it after `db`, so it ends first).
    """
    from celery.contrib.testing.worker import start_worker
    from celery.worker import state

    from tasks.queues import QUEUES

    celery_app.control.purge()
    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=20,
        loglevel="WARNING", queues=list(QUEUES),  # every queue, as `pressroom worker` by default
    ) as running:
        yield running

        def idle() -> bool:
            with celery_app.connection_for_write() as connection:
                client = connection.default_channel.client
                queued = sum(client.llen(queue) for queue in QUEUES)
            return not queued and not state.active_requests and not state.reserved_requests

        deadline = time.monotonic() + 30
        while not idle() and time.monotonic() < deadline:
            time.sleep(0.05)
    celery_app.control.purge()
