"""`pressroom serve`: the web app, workers and the scheduler on one machine, in one command.

Each runs as a child process (`pressroom web`, `pressroom worker` three times: one for the
transactional queue, one for the housekeeping queue, which sends no mail, one for the others,
and `pressroom beat`) in a
session of its own, so a Ctrl-C reaches only this supervisor, which then stops every child once
and in order: a worker finishes the tasks it holds (warm shutdown). A second Ctrl-C, or the
shutdown timeout, kills what is left. The data directory, the database, the links' base (this
web app's own address unless PRESSROOM_BASE_URL says otherwise) and the embedded Redis are
resolved here, once, and handed to the children through their PRESSROOM_* variables. At the end
this command stops using the embedded Redis, which stops it unless another process of the same
data directory still does (core/broker.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from types import FrameType
from typing import Self

import click

from cli.check import masked_url, shown_database
from cli.web import adopt_web_address, local_url
from core import migrate
from core.broker import EMBEDDED, broker_url, release_embedded
from core.db import dispose_engines
from core.settings import Settings, get_settings
from tasks.queues import HOUSEKEEPING, QUEUES, TRANSACTIONAL

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL = 0.1  # seconds between looks at the children


def _say(message: str, err: bool = False) -> None:
    """Print, unless the terminal is gone (a closed window must not stop the clean-up)."""
    try:
        click.echo(message, err=err)
    except OSError:
        pass


def pressroom_command(*args: str) -> list[str]:
    """The command line of a `pressroom` sub-command run with this interpreter."""
    return [sys.executable, "-c", "from cli.main import main; main()", *args]


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def terminate(self) -> None:
        """Ask for a graceful stop (SIGTERM: uvicorn drains, Celery does a warm shutdown)."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """Kill the child and whatever it started (a worker's pool processes)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


class _Signals:
    """Counts stop signals; restores the previous handlers on exit."""

    def __init__(self) -> None:
        self.received = 0
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.received += 1
        if self.received == 1:
            _say(f"\n{signal.Signals(signum).name}: stopping (again to force)…", err=True)

    def __enter__(self) -> Self:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *_: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _start(name: str, args: list[str]) -> Child:
    process = subprocess.Popen(pressroom_command(*args), env=os.environ.copy(), start_new_session=True)
    return Child(name, process)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_ready(web: Child, health_url: str, signals: _Signals, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not signals.received and web.running:
        if _answers(health_url):
            return True
        time.sleep(0.2)
    return False


def _stop(children: list[Child], signals: _Signals, timeout: float) -> None:
    """Stop every child gracefully; kill the rest after `timeout` or a second signal."""
    for child in children:
        child.terminate()
    first = signals.received or 1
    deadline = time.monotonic() + timeout
    while any(child.running for child in children):
        if time.monotonic() > deadline or signals.received > first:
            for child in children:
                if child.running:
                    _say(f"{child.name} did not stop in time: killed", err=True)
                    child.kill()
            break
        time.sleep(POLL)


def _describe_mail(settings: Settings) -> str:
    from delivery.transports import MaildirTransport, default_mail_url, transport_from_url

    transport = transport_from_url(default_mail_url(settings))
    if isinstance(transport, MaildirTransport):
        return f"Maildir {transport.path}  (new mail in {transport.path / 'new'})"
    return transport.describe()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the web app listens on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes sending mail.")
@click.option("--migrate/--no-migrate", "migrate_first", default=True, show_default=True,
              help="Bring the database schema up to date before starting.")
@click.option("--shutdown-timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True,
              help="Seconds to wait for a graceful stop before killing.")
def serve(host: str, port: int, concurrency: int, migrate_first: bool, shutdown_timeout: float) -> None:
    """Run the web app, a worker and the scheduler together until Ctrl-C (one machine)."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # The children see what this process resolved, wherever they would have looked themselves.
    os.environ["PRESSROOM_DATA_DIR"] = str(settings.data_dir)
    os.environ["PRESSROOM_DATABASE_URL"] = settings.database_url
    if migrate_first and migrate.current() != _head():
        migrate.upgrade()
        _say(f"database migrated to {migrate.current()}")
    dispose_engines()  # the children open their own connections

    web_url = local_url(host, port)
    base_url = adopt_web_address(host, port)  # exported to the children as PRESSROOM_BASE_URL
    settings = get_settings()
    mail = _describe_mail(settings)
    embedded = settings.broker_url.strip().lower() == EMBEDDED

    children: list[Child] = []
    failed: Child | None = None
    kept_for_others = False
    try:
        with _Signals() as signals:
            broker = broker_url()  # exported to the children as PRESSROOM_BROKER_URL
            if signals.received:
                return
            children = [
                _start("web", ["web", "--host", host, "--port", str(port)]),
                # Mail someone waits for has a worker of its own, free while a mailing sends.
                _start("worker", ["worker", "--concurrency", str(concurrency), "--queues",
                                  ",".join(q for q in QUEUES if q not in (TRANSACTIONAL, HOUSEKEEPING))]),
                _start("transactional", ["worker", "--concurrency", "1", "--queues", TRANSACTIONAL]),
                # The relay, the sweep and the scheduler never wait behind a send.
                _start("housekeeping", ["worker", "--concurrency", "1", "--queues", HOUSEKEEPING]),
                _start("beat", ["beat"]),
            ]
            by_name = {child.name: child for child in children}
            ready = _wait_until_ready(by_name["web"], f"{web_url}/healthz", signals, timeout=60)
            if not signals.received and by_name["web"].running:
                if not ready:
                    _say(f"warning: {web_url}/healthz did not answer 200 within 60 s", err=True)
                _say(
                    "\nPressroom is running — Ctrl-C to stop\n"
                    f"  web       {web_url}/   (health: {web_url}/healthz)\n"
                    f"  links     {base_url}/\n"
                    f"  worker    pid {by_name['worker'].process.pid}, {concurrency} processes\n"
                    f"  mailer    pid {by_name['transactional'].process.pid}, the transactional queue\n"
                    f"  upkeep    pid {by_name['housekeeping'].process.pid}, the housekeeping queue (no mail)\n"
                    f"  beat      pid {by_name['beat'].process.pid}\n"
                    f"  data      {settings.data_dir}\n"
                    f"  database  {shown_database(settings.database_url)}\n"
                    f"  broker    {'embedded Redis ' if embedded else ''}{_masked_broker(broker)}\n"
                    f"  mail      {mail}\n"
                )
            while not signals.received:
                failed = next((child for child in children if not child.running), None)
                if failed is not None:
                    _say(
                        f"error: {failed.name} stopped (exit code {failed.process.returncode}); "
                        "stopping the others",
                        err=True,
                    )
                    break
                time.sleep(POLL)
            _stop(children, signals, shutdown_timeout)
    finally:
        try:
            for child in children:  # an exception above must not leave children behind
                if child.running:
                    child.kill()
        finally:
            if embedded:  # stopped now, unless another process of this data directory uses it
                kept_for_others = not release_embedded(settings.data_dir)
    if kept_for_others:
        _say("the embedded Redis keeps running for the other Pressroom processes of "
             f"{settings.data_dir}; it stops when the last of them ends")
    _say("Pressroom stopped" + (f" ({failed.name} failed)" if failed else ""))
    if failed is not None:
        raise click.exceptions.Exit(1)


def _head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def _masked_broker(url: str) -> str:
    return masked_url(url)
