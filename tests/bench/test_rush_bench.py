"""The rush benchmark in its quick form, run as a person would run it: `pressroom web --workers 2`
answers concurrent readers of the newsroom, a release page and the feed with 200s, readers who
hold the release page get 304s, and nothing answers 5xx. Speed is not judged here (see
bench/rush.py)."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_quick


def test_rush_benchmark_quick_answers_every_reader(tmp_path: Path) -> None:
    out = run_quick("rush.py", tmp_path, timeout=300)
    assert "5xx answers: 0" in out
    assert "result: correct (every answer a 200, the revalidating readers' a 304, no 5xx)" in out
