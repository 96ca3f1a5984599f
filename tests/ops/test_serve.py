"""`pressroom serve` as a newcomer runs it: on the embedded defaults (SQLite, embedded Redis,
Maildir) in an empty directory, it answers /healthz, carries a published release to a
subscriber's mailbox through its own worker with links to its own port, and stops everything on
SIGINT (Ctrl-C), the embedded Redis included."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

from tests.conftest import redis_servers, wait_until
from tests.delivery.smtp_sink import free_port

PRESSROOM = [sys.executable, "-c", "from cli.main import main; main()"]
AUTHOR, APPROVER, READER = "an@example.be", "marc@example.be", "reader@example.org"
TITLE = "Minister bezoekt Kinshasa"
RELEASE = f"""---
kind: press_release
language: nl
title: {TITLE}
lead: Een werkbezoek van twee dagen.
lists: [journalists]
topics: [africa]
---
De minister reist vandaag af naar Kinshasa voor gesprekken over consulaire samenwerking.
"""


def _environment() -> dict[str, str]:
    """The defaults, relative to the working directory; only the relay sweeps more often."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    env["PRESSROOM_OUTBOX_RELAY_INTERVAL"] = "1"
    return env


def _our_processes(directory: Path) -> list[int]:
    """Pressroom processes (and their forks) still running in `directory`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) != directory:
                continue
            cmdline = (entry / "cmdline").read_bytes()
            state = next(
                (line for line in (entry / "status").read_text().splitlines() if line.startswith("State:")), ""
            )
        except OSError:
            continue
        if b"cli.main" in cmdline and "zombie" not in state:
            found.append(int(entry.name))
    return found


class Serve:
    """`pressroom serve` in a subprocess, its output in files."""

    def __init__(self, directory: Path, *args: str) -> None:
        self.directory = directory
        self.out = directory / "serve.out"
        self.err = directory / "serve.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [*PRESSROOM, "serve", *args], cwd=directory, env=_environment(), stdout=out, stderr=err
            )

    @property
    def stdout(self) -> str:
        return self.out.read_text()

    @property
    def stderr(self) -> str:
        return self.err.read_text()

    def wait_running(self, timeout: float = 60) -> None:
        def running() -> bool:
            assert self.process.poll() is None, self.stdout + self.stderr
            return "Pressroom is running" in self.stdout

        wait_until(running, timeout, "pressroom serve to start")

    def interrupt(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in _our_processes(self.directory):
            os.kill(pid, signal.SIGKILL)


def _cli(directory: Path, *args: str) -> str:
    result = subprocess.run(
        [*PRESSROOM, *args], cwd=directory, env=_environment(), capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def _mail_for(maildir: Path, address: str) -> list[bytes]:
    new = maildir / "new"
    if not new.is_dir():
        return []
    messages = [path.read_bytes() for path in new.iterdir()]
    return [m for m in messages if f"Delivered-To: {address}".encode() in m.split(b"\r\n\r\n", 1)[0]]


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    path = tmp_path / "office"
    path.mkdir()
    return path


def _text(message: Message) -> str:
    return "".join(part.get_payload(decode=True).decode() for part in message.walk()  # type: ignore[union-attr]
                   if not part.is_multipart())


def test_serve_runs_web_worker_and_beat_and_mails_a_published_release(directory: Path) -> None:
    port = free_port()
    data_dir = directory / ".pressroom"
    serve = Serve(directory, "--port", str(port))
    try:
        serve.wait_running()
        out = serve.stdout
        assert "database migrated to" in out
        assert f"web       http://127.0.0.1:{port}/" in out
        assert f"links     http://127.0.0.1:{port}/" in out  # PRESSROOM_BASE_URL is unset
        assert f"data      {data_dir}\n" in out
        maildir = data_dir / "maildir"
        assert f"Maildir {maildir}" in out
        assert "embedded Redis redis+socket://" in out
        assert len(redis_servers(data_dir)) == 1
        desk = directory / "desk"  # commands run below the project find its data directory
        desk.mkdir()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200
            assert json.loads(response.read())["status"] == "ok"

        _cli(desk, "users", "add", AUTHOR, "--name", "An Peeters", "--role", "spokesperson")
        _cli(desk, "users", "add", APPROVER, "--name", "Marc Dubois", "--role", "approver")
        _cli(desk, "lists", "add", "journalists", "--name", "Journalists")
        _cli(desk, "subscribers", "add", READER, "--list", "journalists", "--confirmed")
        (desk / "release.md").write_text(RELEASE)
        release_id = str(json.loads(_cli(desk, "releases", "new", "release.md", "--as", AUTHOR, "--json"))["id"])
        _cli(desk, "releases", "submit", release_id, "--as", AUTHOR)
        _cli(desk, "releases", "approve", release_id, "--as", APPROVER)
        _cli(desk, "releases", "publish", release_id, "--as", APPROVER)
        assert not (desk / ".pressroom").exists()

        [mail] = wait_until(lambda: _mail_for(maildir, READER), 60, "the release in the Maildir")
        message = message_from_bytes(mail)
        assert TITLE in str(make_header(decode_header(message["Subject"])))
        assert message["To"] and READER in message["To"]
        # The worker rendered the links with serve's own address, not the default port.
        text = _text(message)
        assert f"http://127.0.0.1:{port}/r/" in text  # the tracked links
        assert "127.0.0.1:8000" not in text
        assert f"<http://127.0.0.1:{port}/" in message["List-Unsubscribe"]

        # The worker logs JSON (stderr is a file) with the release and distribution on task lines.
        def batch_lines() -> list[dict[str, object]]:
            lines = [json.loads(line) for line in serve.stderr.splitlines() if line.startswith("{")]
            return [line for line in lines if line.get("task") == "distribution.send_batch"]

        sent = wait_until(batch_lines, 10, "the batch task's log lines")
        assert all(line["release_id"] == int(release_id) for line in sent)
        assert all("distribution_id" in line and line["service"] == "worker" for line in sent)

        assert serve.interrupt() == 0, serve.stdout + serve.stderr
        assert "Pressroom stopped" in serve.stdout
        assert _our_processes(directory) == []  # web, worker (and its pool) and beat are gone
        assert not (data_dir / "redis.sock").exists()  # embedded Redis stopped
        assert redis_servers(data_dir) == []
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0  # the port is free again
    finally:
        serve.kill()


def test_serve_stops_everything_when_a_child_fails(directory: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        serve = Serve(directory, "--port", str(port))
        try:
            assert serve.process.wait(90) == 1, serve.stdout + serve.stderr
        finally:
            serve.kill()
    assert "error: web stopped (exit code" in serve.stderr
    assert "Pressroom stopped (web failed)" in serve.stdout
    deadline = time.monotonic() + 5
    while _our_processes(directory) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _our_processes(directory) == []
    assert not (directory / ".pressroom" / "redis.sock").exists()
    assert redis_servers(directory / ".pressroom") == []
