"""The benchmarks' quick forms, run as a person runs them: the script with `--quick`, in a fresh
directory, without this test process's PRESSROOM_ settings (each benchmark sets up its own)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_quick(script: str, cwd: Path, *args: str, timeout: int = 300) -> str:
    """The output of `bench/<script> --quick ARGS`; fails the test, with the output, on a
    non-zero exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--quick", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
