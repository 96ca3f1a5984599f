"""The search benchmark in its quick form, run as a person would run it: the full-text search
must find exactly the releases holding each word (in any of its forms), as the LIKE scan does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_search_benchmark_quick_finds_what_the_scan_finds(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "search.py"), "--quick"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for query in ("jaarverslag", "douane", "verkiezing"):
        found = re.search(rf"'{query}': search (\d+) \(expected (\d+)\), LIKE (\d+)", out)
        assert found and int(found[1]) > 0 and found[1] == found[2] == found[3], out
    assert "baseline (LIKE scan)" in out
    assert "result: correct" in out
