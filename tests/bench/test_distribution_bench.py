"""The distribution benchmark in its quick form, run as a person would run it: 600 subscribers
through two real workers (two processes each) to a sink that offers PIPELINING, each message
arriving once and recorded as sent. Speed is not judged here (see bench/distribution.py)."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_quick


def test_distribution_benchmark_quick_sends_each_message_once(tmp_path: Path) -> None:
    out = run_quick("distribution.py", tmp_path, timeout=240)
    assert "600 subscribers: the sink received 600 messages for 600 recipients; 600 recorded as sent" in out
    assert "result: correct" in out
