"""The code base type-checks: mypy over every package and script, as `pyproject.toml` sets it up
(with the pydantic plugin), so a type error fails the suite like any other bug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["core", "workflow", "subscribers", "templates", "delivery", "media", "reports", "tasks", "cli", "web", "webhooks", "bench", "dev.py"]


def test_mypy_finds_no_type_errors() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout
