"""`pressroom demo` runs the whole flow on embedded defaults, as a newcomer would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_walks_a_release_to_published(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSROOM_")}
    result = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--dir", str(tmp_path / "demo"),
         "--subscribers", "60"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False,
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
        "60 confirmed subscribers",
        "Summary: distribution 1 done: 60 sent, 0 failed",
        "sent per language: fr ",
        "demo finished",
    ):
        assert expected in out, expected
    maildir = tmp_path / "demo" / "maildir" / "new"
    subscriber_copies = [p for p in maildir.iterdir() if b"@subscribers.example.org" in p.read_bytes()]
    assert len(subscriber_copies) == 60
    audit_lines = [line for line in out.splitlines() if "→ " in line and "Z " in line and " r1 " in line]
    assert len(audit_lines) == 4
    assert not (tmp_path / "demo" / ".pressroom" / "redis.sock").exists()  # broker stopped
    # running it again starts over cleanly in the same directory
    again = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--dir", str(tmp_path / "demo"),
         "--subscribers", "5", "--smtp"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "release 1 imported" in again.stdout
    assert "Summary: distribution 1 done: 5 sent" in again.stdout and "SMTP sink" in again.stdout
