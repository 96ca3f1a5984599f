"""The redirect benchmark in its quick form, run as a person would run it: every click through the
whole app is a 302 to its link's exact URL and counted once, and forged tokens answer 404 with
no Location. Speed is not judged here (see bench/redirect.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_redirect_benchmark_quick_redirects_exactly_and_counts(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "redirect.py"), "--quick"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "each click a 302 to the exact URL, counted once; forged tokens 404" in result.stdout
    assert "result: correct" in result.stdout
