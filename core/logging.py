"""Logging for every Pressroom process: JSON lines when stderr is not a terminal (containers,
systemd, log shippers), readable text when it is, and the ids of the work in hand on every line.

The ids live in a context variable: the Celery hooks in `tasks/app.py` bind the task's name, id
and arguments (`release_id`, `distribution_id`, `event_id`, …) before it runs and clear them
after; domain code may add more for a block with `log_context(delivery_id=…)`. A filter on the
handler copies them onto every record, so a plain `log.info("sent")` carries them too.
"""

from __future__ import annotations

import inspect
import json as jsonlib
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TextIO

__all__ = [
    "ContextFilter",
    "JSONFormatter",
    "TextFormatter",
    "bind_task",
    "call_ids",
    "clear_task",
    "configure_logging",
    "current_context",
    "log_context",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_context: ContextVar[Mapping[str, Any]] = ContextVar("pressroom_log_context", default=_EMPTY)
_service: list[str] = []  # the process's role (worker, beat, web, …), kept across reconfiguration

# Fields every record has; context keys with these names are prefixed so they cannot clash.
_RESERVED = frozenset({"time", "level", "logger", "message", "service", "pid", "exception"})


def current_context() -> dict[str, Any]:
    """The ids bound to what this thread (or task) is doing now."""
    return dict(_context.get())


@contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Add ids to every log line written inside the block (None values are left out)."""
    token = _context.set({**_context.get(), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def call_ids(function: Callable[..., Any], args: Any, kwargs: Any) -> dict[str, Any]:
    """The `*_id` arguments of a call by parameter name, e.g. {"distribution_id": 7}."""
    try:
        bound = inspect.signature(function).bind_partial(*(args or ()), **(kwargs or {}))
    except (TypeError, ValueError):
        return {}
    return {
        name: value
        for name, value in bound.arguments.items()
        if name.endswith("_id") and isinstance(value, int | str)
    }


def bind_task(name: str, task_id: str | None, ids: Mapping[str, Any]) -> None:
    """Start a task's log context: its name, its id and the ids it was called with."""
    _context.set({"task": name, "task_id": task_id, **{k: v for k, v in ids.items() if v is not None}})


def clear_task() -> None:
    """End the task's log context (the worker goes on to the next task)."""
    _context.set(_EMPTY)


class ContextFilter(logging.Filter):
    """Copies the bound ids onto each record as `record.context` (a dict)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "context"):
            record.context = current_context()
        if not hasattr(record, "service"):
            record.service = _service[0] if _service else ""
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, service, pid, ids."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        service = getattr(record, "service", "")
        if service:
            data["service"] = service
        data["pid"] = record.process
        for key, value in (getattr(record, "context", None) or {}).items():
            data[f"ctx_{key}" if key in _RESERVED else key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            data["exception"] = record.exc_text
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return jsonlib.dumps(data, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`2026-04-20 09:00:00,123 INFO    worker tasks.events: message  task=… release_id=3`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(service_label)s%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        service = getattr(record, "service", "")
        record.service_label = f"{service} " if service else ""
        text = super().format(record)
        context = getattr(record, "context", None) or {}
        if context:
            extra = " ".join(f"{key}={value}" for key, value in context.items())
            first, newline, rest = text.partition("\n")
            text = f"{first}  {extra}{newline}{rest}"
        return text


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def configure_logging(
    level: int | str = logging.WARNING,
    json: bool | None = None,
    *,
    service: str | None = None,
    stream: TextIO | None = None,
    force: bool = False,
) -> logging.Handler | None:
    """Send every logger's records to stderr (or `stream`), as JSON lines unless it is a terminal.

    `json` forces one format or the other; `service` names the process (worker, beat, web…) on
    each line and is kept when logging is configured again. Calling it again replaces the
    handler it installed before. Like `logging.basicConfig`, it leaves logging alone when
    something else already handles the root logger (a test runner, an embedding application),
    unless `stream` or `force` is given. Returns the new handler, or None when it left it alone.
    """
    if service is not None:
        _service[:] = [service]
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_pressroom", False)]
    if stream is None and not force and len(ours) < len(root.handlers):
        return None
    handler: logging.StreamHandler = logging.StreamHandler(stream) if stream else _StderrHandler()  # type: ignore[type-arg]
    if json is None:
        json = not _is_terminal(stream or sys.stderr)
    handler.setFormatter(JSONFormatter() if json else TextFormatter())
    handler.addFilter(ContextFilter())
    handler._pressroom = True  # type: ignore[attr-defined]
    for old in ours:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
