"""The mailing report benchmark in its quick form, run as a person would run it: every figure of
the report (counts per reason, bounces, tallies, the delay percentiles) matches what was stored."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_quick


def test_mailing_report_benchmark_quick_reports_what_was_stored(tmp_path: Path) -> None:
    out = run_quick("mailing_report.py", tmp_path, timeout=180)
    assert "one mailing of 2,000 deliveries" in out
    for figure in ("accepted", "failed_by_reason", "bounced_hard", "complaints", "delay p99"):
        assert f"  {figure}: " in out, out
    assert "result: correct" in out
