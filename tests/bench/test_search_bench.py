"""The search benchmark in its quick form, run as a person would run it: the full-text search
must find exactly the releases holding each word (in any of its forms), as the LIKE scan does."""

from __future__ import annotations

import re
from pathlib import Path

from tests.bench import run_quick


def test_search_benchmark_quick_finds_what_the_scan_finds(tmp_path: Path) -> None:
    out = run_quick("search.py", tmp_path, timeout=180)
    for query in ("jaarverslag", "douane", "verkiezing"):
        found = re.search(rf"'{query}': search (\d+) \(expected (\d+)\), LIKE (\d+)", out)
        assert found and int(found[1]) > 0 and found[1] == found[2] == found[3], out
    assert "baseline (LIKE scan)" in out
    assert "result: correct" in out
