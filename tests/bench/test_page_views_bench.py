"""The readership benchmark in its quick form, run as a person would run it: every request served
with counting on is exactly one counted read (a first visit, each with its own User-Agent), and
the requests served with counting off add none."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_quick


def test_page_views_benchmark_quick_counts_exactly(tmp_path: Path) -> None:
    out = run_quick("page_views.py", tmp_path, timeout=180)
    assert "counted reads: 40 rows, 40 first visits (expected 40 and 40; uncounted requests added none: yes)" in out
    assert "baseline (counting off)" in out
    assert "result: correct" in out
