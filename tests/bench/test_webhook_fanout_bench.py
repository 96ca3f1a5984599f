"""The webhook fan-out benchmark in its quick form, run as a person would run it: one event to 50
endpoints on a loopback receiver arrives at each exactly once, signed, and every delivery is
recorded. Speed is not judged here (see bench/webhook_fanout.py)."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_quick


def test_webhook_fanout_benchmark_quick_delivers_once_each_signed(tmp_path: Path) -> None:
    out = run_quick("webhook_fanout.py", tmp_path, timeout=180)
    assert "50 endpoints: one event each, exactly once, signed; every delivery recorded" in out
    assert "result: correct" in out
