"""Real worker processes and a counting SMTP sink for the distribution tests."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

from core.db import session_scope
from subscribers import import_csv
from tests.delivery.smtp_sink import smtp_server


@dataclass
class CountingSink:
    """Accepts mail and counts subscribers' copies (addresses @example.org; staff notices go to
    @example.be) by Message-ID; can refuse chosen recipients, once or always."""

    by_message_id: Counter[str] = field(default_factory=Counter)
    recipients: Counter[str] = field(default_factory=Counter)
    refuse_once: dict[str, str] = field(default_factory=dict)
    refuse_always: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        with self.lock:
            if address in self.refuse_always:
                return self.refuse_always[address]
            if address in self.refuse_once:
                return self.refuse_once.pop(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not all(rcpt.endswith("@example.org") for rcpt in envelope.rcpt_tos):
            return "250 2.0.0 accepted (a notice to staff: not counted)"
        message_id = message_from_bytes(envelope.original_content, _class=_HeadersOnly)["Message-ID"]
        with self.lock:
            self.by_message_id[str(message_id)] += 1
            for rcpt in envelope.rcpt_tos:
                self.recipients[rcpt] += 1
        return "250 2.0.0 accepted"

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.by_message_id.values())


from email.message import Message as _HeadersOnly


@contextmanager
def counting_sink() -> Iterator[tuple[CountingSink, str]]:
    """A sink on loopback; yields it and its smtp:// URL."""
    sink = CountingSink()
    with smtp_server(sink) as controller:  # type: ignore[arg-type]
        yield sink, f"smtp://127.0.0.1:{controller.port}"


def import_people(count: int, slug: str, languages: tuple[str, ...] = ("nl", "fr"), prefix: str = "r") -> list[str]:
    """`count` confirmed subscribers on list `slug`, through the real CSV importer."""
    lines = ["email;name;language"]
    emails = []
    for i in range(count):
        email = f"{prefix}{i}@example.org"
        emails.append(email)
        lines.append(f"{email};Person {i};{languages[i % len(languages)]}")
    report = import_csv(session_scope, io.BytesIO("\n".join(lines).encode()), slug, confirmed=True)
    assert not report.rejected, report.rejected
    return emails


class PressroomProcess:
    """A `pressroom` command in its own process group, configured by the current PRESSROOM_* env
    (plus `env`), run in `cwd` (a "machine" of its own in the multi-host tests)."""

    def __init__(self, arguments: list[str], log: Path, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        command = [sys.executable, "-c", "from cli.main import main; main()", *arguments]
        self.log = log
        environment = {**os.environ, **(env or {})}
        if cwd is not None:  # the checkout stays importable from another directory
            environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()), environment.get("PYTHONPATH")]))
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment,
                                            cwd=cwd, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the whole group: the main process and its pool children, mid-work."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM (a worker's warm shutdown: it finishes what it holds), SIGKILL after 30 s."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


class WorkerProcess(PressroomProcess):
    """`pressroom worker` (prefork pool, INFO log)."""

    def __init__(self, log: Path, concurrency: int = 2, beat: bool = False, queues: str = "",
                 env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        arguments = ["worker", "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO"]
        if queues:
            arguments += ["--queues", queues]
        if beat:
            arguments.append("--beat")
        super().__init__(arguments, log, env, cwd)


class BeatProcess(PressroomProcess):
    """`pressroom beat` (INFO log: one line per task it sends)."""

    def __init__(self, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        super().__init__(["beat", "--loglevel", "INFO"], log, env, cwd)
