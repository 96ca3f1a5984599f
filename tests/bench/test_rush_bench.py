"""The rush benchmark in its quick form, run as a person would run it: `pressroom web --workers 2`
answers concurrent readers of the newsroom, a release page and the feed with 200s, readers who
hold the release page get 304s, and nothing answers 5xx. Speed is not judged here (see
bench/rush.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rush_benchmark_quick_answers_every_reader(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "rush.py"), "--quick"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5xx answers: 0" in result.stdout
    assert "result: correct (every answer a 200, the revalidating readers' a 304, no 5xx)" in result.stdout
