"""Reading releases from Markdown with front matter, including the bundled demo sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from cli.demo import SAMPLES
from core.db import session_scope
from core.errors import InvalidInput, NotFound
from workflow.models import Contact
from workflow.sources import read_release_file


def test_sample_release_reads_in_two_languages(sqlite_db: str, tmp_path: Path) -> None:
    with session_scope() as s:
        parsed = read_release_file(s, SAMPLES / "jaarverslag-2025.md").content
        assert s.exec(select(Contact)).all() == []  # the directory changes only when asked
        assert parsed.contact_details[0].function["fr"] == "Porte-parole"
        assert parsed.contact_details[0].phone == "+32 2 501 81 11"
    assert parsed.kind == "annual_report"
    assert set(parsed.translations) == {"nl", "fr"}
    assert parsed.translations["fr"].title.startswith("Rapport annuel 2025")
    assert "## Chiffres clés" in parsed.translations["fr"].body
    assert parsed.translations["nl"].links[0].url.endswith(".pdf")
    assert parsed.embargo_until is not None and parsed.embargo_until.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert parsed.embargo_until.hour == 7  # 09:00+02:00 in UTC  # type: ignore[union-attr]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "release.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_translations_and_existing_contacts(sqlite_db: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "---\ntitle: Titel\ncontacts: [nobody@example.be]\n---\nTekst\n")
    with pytest.raises(NotFound, match="contact nobody@example.be"), session_scope() as s:
        read_release_file(s, path)
    path = _write(tmp_path, "---\ntitle: Titel\ntranslations:\n  de: {title: Titel DE, body: Text}\n---\nTekst\n")
    with session_scope() as s:
        parsed = read_release_file(s, path).content
    assert parsed.translations["de"].body == "Text"
    assert parsed.translations["nl"].body == "Tekst"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\nbody", "line"),
        ("---\ntitle: x\n", "no closing '---'"),
        ("---\ntitel: x\n---\nbody", "unknown front-matter keys: titel"),
        ("---\ntitle: \"a\\r\\nBcc: x@y\"\n---\nbody", "translations.nl.title"),
        ("---\nkind: memo\n---\nbody", "kind"),
        ("Titel zonder front matter\n\nTekst", "no front matter"),
    ],
)
def test_bad_files_name_the_problem(sqlite_db: str, tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        read_release_file(s, path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
