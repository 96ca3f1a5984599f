"""`pressroom demo` runs the whole flow on embedded defaults, as a newcomer would run it."""

from __future__ import annotations

import email
import json
import os
import re
import sqlite3
import subprocess
import sys
from email import policy
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
        "✓ lead jaarverslag-2025.jpg (JPEG, ",
        "1800×1200): ready",
        "✓ document jaarverslag-2025.pdf (PDF, ",
        "3 pages): ready",
    ):
        assert expected in out, expected
    # the published revision carries the lead photo and the report, both processed
    with sqlite3.connect(tmp_path / "demo" / "pressroom.db") as database:
        files = dict(database.execute("SELECT sha256, status FROM media_file").fetchall())
        (content,) = database.execute(
            "SELECT r.content FROM revision r JOIN release x ON x.current_revision_id = r.id "
            "WHERE x.state = 'published'").fetchone()
    media = json.loads(content)["media"]
    assert [(m["role"], m["filename"]) for m in media] == [("lead", "jaarverslag-2025.jpg"),
                                                          ("document", "jaarverslag-2025.pdf")]
    assert media[0]["texts"]["fr"]["alt"] and media[1]["texts"]["nl"]["title"]
    assert {files[m["sha256"]] for m in media} == {"ready"}
    renditions = tmp_path / "demo" / ".pressroom" / "media" / "renditions" / media[0]["sha256"][:2] / media[0]["sha256"]
    assert {"mail-600.jpg", "w800.webp", "full.jpg"} <= {p.name for p in renditions.iterdir()}
    maildir = tmp_path / "demo" / "maildir" / "new"
    subscriber_copies = [p for p in maildir.iterdir() if b"@subscribers.example.org" in p.read_bytes()]
    assert len(subscriber_copies) == 60
    # each copy shows the lead photo hosted on the newsroom (never attached) and links the report
    message = email.message_from_bytes(subscriber_copies[0].read_bytes(), policy=policy.default)
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f"/media/1/{media[0]['sha256']}/mail-600.jpg" in html
    # the report's link goes through the click redirect (`reports.links`), stored with the mailing
    tracked = set(re.findall(r'href="[^"]*/r/(\d+)\.[A-Za-z0-9_-]+(?:\?access=[^"]*)?"', html))
    with sqlite3.connect(tmp_path / "demo" / "pressroom.db") as database:
        linked = {url for (url,) in database.execute(
            f"SELECT url FROM link WHERE id IN ({','.join(sorted(tracked)) or '0'})").fetchall()}
    assert any(url.endswith(f"/media/1/{media[1]['sha256']}/original") for url in linked), linked
    assert not [part for part in message.walk() if part.get_content_maintype() == "image"]
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
