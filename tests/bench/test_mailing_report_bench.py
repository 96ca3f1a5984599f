"""The mailing report benchmark in its quick form, run as a person would run it: every figure of
the report (counts per reason, bounces, tallies, the delay percentiles) matches what was stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mailing_report_benchmark_quick_reports_what_was_stored(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "mailing_report.py"), "--quick"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "one mailing of 2,000 deliveries" in out
    for figure in ("accepted", "failed_by_reason", "bounced_hard", "complaints", "delay p99"):
        assert f"  {figure}: " in out, out
    assert "result: correct" in out
