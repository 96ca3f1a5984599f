"""`pressroom demo` runs the whole flow on embedded defaults, as a newcomer would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_walks_a_release_to_published(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--dir", str(tmp_path / "demo")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for expected in (
        "database created (SQLite) and migrated",
        "embedded Redis running (redis+socket://",
        "submit: draft → in_review",
        "approve: in_review → approved",
        "publish: approved → published",
        "state published",
        "review_request",
        "published_receipt",
        "demo finished",
    ):
        assert expected in out, expected
    audit_lines = [line for line in out.splitlines() if "→" in line and "Z " in line]
    assert len(audit_lines) == 4
    assert not (tmp_path / "demo" / ".pressroom" / "redis.sock").exists()  # broker stopped
    # running it again starts over cleanly in the same directory
    again = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--dir", str(tmp_path / "demo")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240,
    )
    assert again.returncode == 0, again.stderr
    assert "release 1 imported" in again.stdout
