"""The million-subscriber benchmark in its quick form (20,000 and 500 journalists), run as a
person would run it against the test PostgreSQL: it must finish and find everything correct:
every journalist's message arrived, the sink got exactly what the database says was sent, and
after the cancel nothing is left queued or sending."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("admin_url", [url for url in [POSTGRES_ADMIN_URL] if url])  # where PostgreSQL is
def test_million_benchmark_quick_is_correct(admin_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "million.py"), "--quick", "--admin-url", admin_url],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "result: correct" in out and "WRONG" not in out
    assert re.search(r"materialisation\s+[\d.]+ s publish → all 20,500 deliveries in", out), out
    assert re.search(r"all 500 journalists\s+[\d.]+ s after publish", out), out
    assert re.search(r"send rate, smtplib baseline\s+\d+ msg/s", out), out
    assert re.search(r"peak RSS, bulk worker \(pool 1\)\s+\d+ MB", out), out
