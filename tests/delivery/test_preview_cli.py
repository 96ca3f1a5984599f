"""`pressroom preview` on a real SQLite database: messages any mail client can parse."""

from __future__ import annotations

import email
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from core.db import session_scope
from core.settings import get_settings
from tests import factories
from tests.templates.htmlcheck import read_html
from workflow.users import upsert_contact

PUBLISHED = datetime(2026, 4, 20, 9, 5, tzinfo=UTC)  # 11:05 in Brussels
HEADERS = (
    "From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version", "List-Id",
    "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted", "Precedence", "Feedback-ID",
)


@pytest.fixture
def release_id(sqlite_db: str) -> int:
    """A published release in Dutch and French, with a spokesperson and an embargo ahead."""
    with session_scope() as session:
        author = factories.user(session, "spokesperson")
        contact = upsert_contact(session, {
            "email": "anouk.peeters@diplomatie.example.be", "name": "Anouk Peeters",
            "function": {"nl": "Woordvoerder", "fr": "Porte-parole"},
            "phone": "+32 2 501 81 11", "mobile": "+32 477 12 34 56",
        })
        release = factories.release(
            session,
            author,
            contacts=[contact.id],
            embargo_until="2099-01-01T08:00:00Z",
            translations={
                "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.",
                       "body": "## Programma\n\n- dag één\n- dag twee\n\n[Meer](https://diplomatie.example.be/kinshasa)"},
                "fr": {"title": "Le ministre visite Kinshasa", "lead": "Une visite de travail.",
                       "body": "## Programme\n\n- premier jour\n- deuxième jour"},
            },
        )
        release.published_at = PUBLISHED
        session.add(release)
        return release.id or 0


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage) and message.defects == []
    return message


@pytest.mark.parametrize(
    ("language", "title", "dateline", "banner", "function"),
    [
        ("nl", "Minister bezoekt Kinshasa", "20 april 2026, 11:05", "EMBARGO tot 1 januari 2099, 09:00 (Brussel)", "Woordvoerder"),
        ("fr", "Le ministre visite Kinshasa", "20 avril 2026, 11:05", "EMBARGO jusqu'au 1 janvier 2099, 09:00 (Bruxelles)", "Porte-parole"),
    ],
)
def test_preview_eml_has_every_header_and_the_localised_content(
    release_id: int, language: str, title: str, dateline: str, banner: str, function: str
) -> None:
    result = CliRunner().invoke(cli, ["preview", str(release_id), "--language", language])
    assert result.exit_code == 0, result.output
    message = _parse(result.stdout_bytes)

    for header in HEADERS:
        assert message[header], f"missing {header}"
    assert message["Subject"] == f"{banner}{':' if language == 'nl' else ' :'} {title}"
    assert message["Reply-To"].addresses[0].addr_spec == "anouk.peeters@diplomatie.example.be"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Content-Language"] == language
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content()
    page = read_html(message.get_body(("html",)).get_content())
    assert page.errors == [] and page.lang == language
    for content in (text, page.text):
        assert title in content and dateline in content and banner in content
        assert "Anouk Peeters" in content and function in content and "+32 477 12 34 56" in content
    other = "fr" if language == "nl" else "nl"
    assert f"http://127.0.0.1:8000/releases/{release_id}/{other}" in page.hrefs
    assert all(href.startswith(("http://", "https://", "mailto:")) for href in page.hrefs)


def test_preview_html_and_text_to_files(release_id: int, tmp_path: Path) -> None:
    out = tmp_path / "preview.html"
    result = CliRunner().invoke(cli, ["preview", str(release_id), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Minister bezoekt Kinshasa" in html
    assert "bytes written to" in result.stderr

    text = CliRunner().invoke(cli, ["preview", str(release_id), "--language", "fr", "--format", "text"])
    assert text.exit_code == 0
    assert "Le ministre visite Kinshasa" in text.stdout and "<" not in text.stdout.split("\n")[0]


def test_preview_errors_map_to_exit_codes(release_id: int) -> None:
    missing = CliRunner().invoke(cli, ["preview", "9999"])
    assert missing.exit_code == 3 and "release 9999 not found" in missing.stderr
    unknown = CliRunner().invoke(cli, ["preview", str(release_id), "--language", "xx"])
    assert unknown.exit_code == 2 and "'xx' is not supported" in unknown.stderr


def test_a_language_the_release_lacks_previews_the_copy_its_subscribers_really_get(release_id: int) -> None:
    """German subscribers of a Dutch and French release receive the Dutch copy: so does the
    reviewer who asks for German, with a line saying so."""
    german = CliRunner().invoke(cli, ["preview", str(release_id), "--language", "de", "--format", "eml"])
    assert german.exit_code == 0, german.output
    assert "subscribers whose language is de receive the nl copy shown here" in german.stderr
    message = email.message_from_bytes(german.stdout_bytes, policy=default_policy)
    assert message["Content-Language"] == "nl"


@pytest.fixture
def dkim_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "1024"], check=True, capture_output=True)
    monkeypatch.setenv("PRESSROOM_DKIM_PRIVATE_KEY_PATH", str(key))
    monkeypatch.setenv("PRESSROOM_DKIM_SELECTOR", "preview")
    get_settings.cache_clear()
    yield key
    monkeypatch.undo()
    get_settings.cache_clear()


def test_preview_is_dkim_signed_when_a_key_is_configured(release_id: int, dkim_settings: Path) -> None:
    result = CliRunner().invoke(cli, ["preview", str(release_id)])
    assert result.exit_code == 0, result.output
    signature = _parse(result.stdout_bytes)["DKIM-Signature"]
    assert "s=preview" in signature.replace(" ", "") and "d=diplomatie.example.be" in signature.replace(" ", "")
