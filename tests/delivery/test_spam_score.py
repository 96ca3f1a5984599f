"""SpamAssassin's verdict on our mail: below 0.5 point, and no rule of the families that judge
how a message is made (text and HTML parts that differ, missing headers, hidden or low-contrast
text such as a preheader drawn in the background colour), the image-to-text ratio rules included.

SpamAssassin runs with its local rules only (`-L`: no DNS blocklists, no network), which is what
the rules that judge the message's own content (HTML, images, headers) are. It is Debian's
package: in CI (CI=true) it is installed with apt when missing, as the browser tests install
Chromium; elsewhere these tests are skipped, saying so, when it is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core.db import session_scope
from delivery.message import Recipient, identity_for, prepare
from delivery.preview import preview_release
from templates import ConfirmSubscriptionInput, Renderer
from tests.conftest import IN_CI
from tests.delivery.media_mail import NOW, SITE, mail, media_release
from tests.templates.samples import sender

LIMIT = 0.5
# Rules no message of ours may hit, whatever its score: parts that say different things, headers
# a real mailer always writes, and text a reader cannot see.
FORBIDDEN = ("MPART_ALT_DIFF", "MIME_HTML_ONLY", "MIME_HTML_MOSTLY", "MISSING_", "LOW_CONTRAST",
             "INVISIBLE", "FONT_TINY")


def forbidden(rules: list[str]) -> list[str]:
    """The rules of `rules` from the FORBIDDEN families."""
    return [rule for rule in rules if any(family in rule for family in FORBIDDEN)]


def spamassassin() -> str:
    """The `spamassassin` command, from Debian's package (in CI, installed now if it is missing)."""
    found = shutil.which("spamassassin")
    if found:
        return found
    if not IN_CI:
        pytest.skip("spamassassin is not installed (apt-get install spamassassin); CI installs it and runs this")
    if os.geteuid() != 0:
        pytest.fail("spamassassin is missing and installing it needs root (apt-get install spamassassin)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "spamassassin"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
    found = shutil.which("spamassassin")
    assert found is not None, "apt-get installed spamassassin, yet it is not on PATH"
    return found


def spam_report(message: bytes, home: Path) -> tuple[float, list[str]]:
    """(score, names of the rules that hit) of `message`."""
    binary = spamassassin()
    done = subprocess.run([binary, "-L", "-x"], input=message, capture_output=True, timeout=120, check=True,
                          env={"HOME": str(home), "PATH": "/usr/bin:/bin"})
    headers = done.stdout.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("utf-8", "replace")
    status = re.search(r"^X-Spam-Status: (.*?)(?=^\S)", headers + "\nEnd:", re.MULTILINE | re.DOTALL)
    assert status is not None, headers
    value = re.sub(r",\s+", ",", " ".join(status.group(1).split()))
    score = re.search(r"score=(-?[0-9.]+)", value)
    tests = re.search(r"tests=([A-Z0-9_,]*)", value)
    assert score is not None and tests is not None, value
    return float(score.group(1)), [name for name in tests.group(1).split(",") if name]


def test_a_release_with_a_lead_image_a_gallery_and_a_pdf_scores_below_the_limit(sqlite_db: str,
                                                                              tmp_path: Path) -> None:
    release_id = media_release()
    for language, embargoed in (("nl", True), ("fr", True), ("nl", False)):
        copy = mail(release_id, language, embargoed=embargoed)
        assert copy.data.lead_image is not None and len(copy.data.gallery) == 2 and copy.data.documents
        score, rules = spam_report(copy.message, tmp_path)
        assert score < LIMIT and not forbidden(rules), (language, score, rules)
        assert not [rule for rule in rules if rule.startswith("HTML_IMAGE_ONLY")], rules


def test_a_confirmation_mail_scores_below_the_limit(tmp_path: Path) -> None:
    """A message to one person: no List-* headers to earn a list's bonus, a preheader all the same."""
    data = ConfirmSubscriptionInput(key="s1", lists=("Journalisten",), confirm_url=f"{SITE}/subscriptions/confirm/t")
    compiled = Renderer().compile("confirm_subscription", "nl", data, sender(), now=NOW)
    message = prepare(compiled, identity_for(sender())).build(Recipient(email="jan@example.org", name="Jan"))
    score, rules = spam_report(message, tmp_path)
    assert score < LIMIT and not forbidden(rules), (score, rules)


def test_a_copy_without_list_headers_or_access_query_scores_below_the_limit(sqlite_db: str, tmp_path: Path) -> None:
    """A test mail's copy: no List-* headers, so no bonus for being a list's mail to make up for
    what the media add; its links bare (LONG_IMG_URI judges image URLs that end in a name)."""
    release_id = media_release()
    with session_scope() as session:
        copy = preview_release(session, release_id, "nl", now=NOW, test_marker="[TEST]")
    score, rules = spam_report(copy.message, tmp_path)
    assert "MAILING_LIST_MULTI" not in rules
    assert score < LIMIT and not forbidden(rules), (score, rules)
    assert not [rule for rule in rules if rule.startswith("HTML_IMAGE_ONLY")], rules
