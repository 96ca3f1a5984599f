"""The million-subscriber benchmark in its quick form (20,000 and 500 journalists), run as a
person would run it against the test PostgreSQL: it must finish and find everything correct:
every journalist's message arrived, the sink got exactly what the database says was sent, and
after the cancel nothing is left queued or sending."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bench import run_quick
from tests.conftest import POSTGRES_ADMIN_URL


@pytest.mark.parametrize("admin_url", [url for url in [POSTGRES_ADMIN_URL] if url])  # where PostgreSQL is
def test_million_benchmark_quick_is_correct(admin_url: str, tmp_path: Path) -> None:
    out = run_quick("million.py", tmp_path, "--admin-url", admin_url, timeout=600)
    assert "result: correct" in out and "WRONG" not in out
    assert re.search(r"materialisation\s+[\d.]+ s publish → all 20,500 deliveries in", out), out
    assert re.search(r"all 500 journalists\s+[\d.]+ s after publish", out), out
    assert re.search(r"send rate, smtplib baseline\s+\d+ msg/s", out), out
    assert re.search(r"peak RSS, bulk worker \(pool 1\)\s+\d+ MB", out), out
