"""Structured logs: JSON off a terminal, text on one, and a task's ids on every line it logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from core.db import session_scope
from core.logging import configure_logging, current_context, log_context
from core.outbox import OutboxEvent
from tasks.app import app
from tests import factories
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release
from workflow import service

log = logging.getLogger("tests.ops.task")


@app.task(name="tests.ops.log_ids")
def log_ids(distribution_id: int, note: str = "", *, event_id: str | None = None) -> None:
    log.info("working on %s", note)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Every record at INFO and above, as the JSON lines a worker writes."""
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = configure_logging("INFO", json=True, stream=stream, service="worker")
    assert handler is not None
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _records(stream: io.StringIO, **match: Any) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [line for line in lines if all(line.get(k) == v for k, v in match.items())]


def test_format_follows_the_terminal_and_can_be_forced() -> None:
    root = logging.getLogger()
    level = root.level
    try:
        piped, terminal = io.StringIO(), _Terminal()
        handler = configure_logging("INFO", stream=piped, service="web")
        with log_context(release_id=7, skipped=None):
            log.info("to a pipe")
        root.removeHandler(handler)  # type: ignore[arg-type]
        handler = configure_logging("INFO", stream=terminal)
        with log_context(release_id=7):
            log.warning("to a person")
        root.removeHandler(handler)  # type: ignore[arg-type]
    finally:
        root.setLevel(level)
    record = json.loads(piped.getvalue())
    assert record["message"] == "to a pipe" and record["level"] == "INFO"
    assert record["service"] == "web" and record["release_id"] == 7 and "skipped" not in record
    assert record["logger"] == "tests.ops.task" and record["time"].endswith("+00:00")
    text = terminal.getvalue()
    assert "WARNING web tests.ops.task: to a person  release_id=7" in text  # service is kept
    assert not text.lstrip().startswith("{")
    assert current_context() == {}


def test_reconfiguring_replaces_only_its_own_handler() -> None:
    root = logging.getLogger()
    level = root.level
    other = logging.NullHandler()
    root.addHandler(other)
    try:
        first = configure_logging("INFO", stream=io.StringIO())
        second = configure_logging("INFO", stream=io.StringIO())
        assert first not in root.handlers and second in root.handlers and other in root.handlers
        # Someone else (here: the test runner) handles the root logger: stderr is left alone.
        assert configure_logging("DEBUG") is None and second in root.handlers
        forced = configure_logging("INFO", force=True)
        assert forced in root.handlers and second not in root.handlers
        root.removeHandler(forced)  # type: ignore[arg-type]
    finally:
        root.removeHandler(other)
        root.setLevel(level)


def test_a_task_logs_its_arguments_ids_and_the_release_behind_them(sqlite_db: str, json_log: io.StringIO) -> None:
    make_lists()
    add_people(2)
    release_id = publish_release()
    distribution_id = prepare(release_id)

    log_ids.apply(args=[distribution_id, "batch"], kwargs={"event_id": "e1"}, task_id="t-1")
    log.info("after the task")

    [line] = _records(json_log, message="working on batch")
    assert line["task"] == "tests.ops.log_ids" and line["task_id"] == "t-1"
    assert line["distribution_id"] == distribution_id and line["event_id"] == "e1"
    assert line["release_id"] == release_id  # looked up from the distribution
    assert line["service"] == "worker" and isinstance(line["pid"], int)
    [after] = _records(json_log, message="after the task")
    assert "task" not in after and "distribution_id" not in after  # cleared when the task ends


def test_an_event_task_logs_the_event_and_its_release_on_every_line(sqlite_db: str, json_log: io.StringIO) -> None:
    from tasks.events import handle

    with session_scope() as s:
        author = factories.user(s)
        factories.user(s, "approver")
        release_id = factories.release(s, author).id or 0
        service.submit(s, release_id, author)
        event_id = s.exec(
            select(OutboxEvent.id).where(OutboxEvent.name == "release.submitted")
        ).one()

    handle.apply(args=[event_id], task_id=event_id)

    lines = _records(json_log, task="events.handle")
    handled = [line for line in lines if line["logger"] == "core.outbox"]
    assert handled, json_log.getvalue()
    for line in lines:
        assert line["task_id"] == event_id and line["event_id"] == event_id
        assert line["release_id"] == release_id and line["event"] == "release.submitted"
