"""The readership benchmark in its quick form, run as a person would run it: every request served
with counting on is exactly one counted read (a first visit, each with its own User-Agent), and
the requests served with counting off add none."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_page_views_benchmark_quick_counts_exactly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "page_views.py"), "--quick"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "counted reads: 40 rows, 40 first visits (expected 40 and 40; uncounted requests added none: yes)" in result.stdout
    assert "baseline (counting off)" in result.stdout
    assert "result: correct" in result.stdout
