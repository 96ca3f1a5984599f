"""`pressroom releases new FILE.docx|FILE.odt`: a draft from a Word or LibreOffice document,
its translations, the settings a document cannot hold, notes on stderr, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from core.db import session_scope
from media.models import MediaFile, MediaStatus
from tests.cli.helpers import fails, invoker, ok
from tests.workflow.office_documents import (
    FR,
    NL,
    docx,
    expected_body,
    expected_contacts,
    odt,
    photo,
    with_external_template,
    with_macro,
)

SPOKES = "an@example.be"


@pytest.fixture
def run(sqlite_db: str, celery_app):  # type: ignore[no-untyped-def]
    invoke = invoker()
    ok(invoke("users", "add", SPOKES, "--name", "An", "--role", "spokesperson"))
    ok(invoke("lists", "add", "journalists", "--name", "Journalists", "--private", "--receives-embargoed"))
    return invoke


def test_a_word_release_with_its_french_translation(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "persbericht.docx").write_bytes(docx(NL, picture=photo()))
    (tmp_path / "communique.docx").write_bytes(docx(FR, title_style="title", picture=photo(), line_breaks=True))
    result = ok(run("releases", "new", str(tmp_path / "persbericht.docx"), "--as", SPOKES,
                    "--translation", "fr", str(tmp_path / "communique.docx"), "--language", "nl",
                    "--kind", "annual_report", "--lists", "journalists", "--topics", "annual-report,consular",
                    "--embargo-until", "2099-06-01T09:00:00+02:00", "--publish-at", "2099-06-01T11:05:00+02:00",
                    "--json"))
    created = json.loads(result.stdout)
    assert created["notes"] == [] and created["state"] == "draft"
    # Contacts not in the directory: said on stderr, printed as written.
    assert "note: anouk.peeters@diplomatie.example.be is not in the contact directory" in result.stderr
    shown = json.loads(ok(run("releases", "show", str(created["id"]), "--json")).stdout)
    content = shown["content"]
    assert content["kind"] == "annual_report" and content["lists"] == ["journalists"]
    assert content["topics"] == ["annual-report", "consular"] and content["web_only"] is False
    assert content["embargo_until"].startswith("2099-06-01T07:00:00")
    assert content["publish_at"].startswith("2099-06-01T09:05:00")
    for language, source in (("nl", NL), ("fr", FR)):
        text = content["translations"][language]
        assert (text["title"], text["lead"], text["body"]) == (source.title, source.lead, expected_body(source))
    for detail, dutch, french in zip(content["contact_details"], expected_contacts(NL, "nl"),
                                     expected_contacts(FR, "fr"), strict=True):
        assert detail == {**dutch, "function": {"nl": dutch["function"]["nl"], "fr": french["function"]["fr"]}}
    [media] = content["media"]
    assert media["role"] == "lead" and media["texts"] == {"nl": {"alt": NL.alt, "caption": "", "credit": "",
                                                                 "title": ""},
                                                          "fr": {"alt": FR.alt, "caption": "", "credit": "",
                                                                 "title": ""}}
    with session_scope() as session:  # the command made the photo's renditions, as `media add` does
        assert session.exec(select(MediaFile)).one().status is MediaStatus.READY


def test_libreoffice_and_notes_on_stderr(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "persbericht.odt").write_bytes(odt(NL, table=True))
    result = ok(run("releases", "new", str(tmp_path / "persbericht.odt"), "--as", SPOKES, "--web-only"))
    assert result.stdout.startswith(f"release 1 created as draft: {NL.title} (nl)")
    assert ("note: persbericht.odt: after paragraph 13 (under “Rethink network: een nieuw postennetwerk”): a "
            "table (2 rows × 2 columns) was left out") in result.stderr
    assert "1 thing(s) could not be carried over: see the notes above" in result.stderr
    (tmp_path / "tabel.docx").write_bytes(docx(NL, table=True))
    as_json = json.loads(ok(run("releases", "new", str(tmp_path / "tabel.docx"), "--as", SPOKES, "--web-only",
                                "--json")).stdout)
    assert len(as_json["notes"]) == 1 and "a table (2 rows × 2 columns) was left out" in as_json["notes"][0]
    body = json.loads(ok(run("releases", "show", str(as_json["id"]), "--json")).stdout)["content"]
    assert body["translations"]["nl"]["body"] == expected_body(NL) and body["web_only"] is True


@pytest.mark.parametrize(("hostile", "message"), [
    (with_macro, "error: file 'persbericht.docx': is an Office document with macros"),
    (with_external_template, ("error: file 'persbericht.docx': is an Office document that loads a template from "
                             "elsewhere: save a copy without it")),
])
def test_macros_and_remote_templates_are_refused(run, tmp_path: Path, hostile, message) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "persbericht.docx").write_bytes(hostile(docx(NL, picture=photo())))
    fails(run("releases", "new", str(tmp_path / "persbericht.docx"), "--as", SPOKES), 2, message)
    (tmp_path / "goed.docx").write_bytes(docx(NL, picture=photo()))
    fails(run("releases", "new", str(tmp_path / "goed.docx"), "--as", SPOKES, "--translation", "fr",
              str(tmp_path / "persbericht.docx")), 2, message)
    assert json.loads(ok(run("releases", "list", "--json")).stdout) == []
    with session_scope() as session:
        assert session.exec(select(MediaFile)).all() == []


def test_settings_and_files_that_do_not_fit(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "release.md").write_text("---\ntitle: Titel\nweb_only: true\n---\nTekst\n", encoding="utf-8")
    fails(run("releases", "new", str(tmp_path / "release.md"), "--as", SPOKES, "--kind", "statement"), 2,
          "error: --kind: is for Word and LibreOffice documents; release.md says this in its front matter")
    (tmp_path / "persbericht.docx").write_bytes(docx(NL))
    fails(run("releases", "new", str(tmp_path / "persbericht.docx"), "--as", SPOKES, "--translation", "fr",
              str(tmp_path / "release.md")), 2, "a translation must be a Word (.docx) or LibreOffice (.odt) document")
    fails(run("releases", "new", str(tmp_path / "persbericht.docx"), "--as", SPOKES, "--translation", "xx",
              str(tmp_path / "persbericht.docx")), 2, "error: --translation: 'xx' is not configured")
    fails(run("releases", "new", str(tmp_path / "persbericht.docx"), "--as", SPOKES, "--lists", "nobody"), 2,
          "nobody")
    (tmp_path / "zonder.docx").write_bytes(docx(NL, picture=photo(), alt=""))
    fails(run("releases", "new", str(tmp_path / "zonder.docx"), "--as", SPOKES), 2,
          "error: pictures need a description (alt text, read aloud in place of the picture): zonder.docx: picture 1")
    assert json.loads(ok(run("releases", "list", "--json")).stdout) == []


def test_edit_takes_markdown_only_and_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "persbericht.docx").write_bytes(docx(NL))
    ok(run("releases", "new", str(tmp_path / "persbericht.docx"), "--as", SPOKES, "--web-only"))
    fails(run("releases", "edit", "1", str(tmp_path / "persbericht.docx"), "--as", SPOKES), 2,
          "a Word or LibreOffice document makes a new release (releases new)")
