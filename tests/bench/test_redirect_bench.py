"""The redirect benchmark in its quick form, run as a person would run it: every click through the
whole app is a 302 to its link's exact URL and counted once, and forged tokens answer 404 with
no Location. Speed is not judged here (see bench/redirect.py)."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_quick


def test_redirect_benchmark_quick_redirects_exactly_and_counts(tmp_path: Path) -> None:
    out = run_quick("redirect.py", tmp_path, timeout=180)
    assert "each click a 302 to the exact URL, counted once; forged tokens 404" in out
    assert "result: correct" in out
