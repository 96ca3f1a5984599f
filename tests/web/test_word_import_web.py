"""Importing a Word or LibreOffice release through the served app: `POST /api/releases/import`
and the new-release page's import form (CSRF, body limit, notes, refusals in the reader's
language), and the form in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from core.db import session_scope
from core.settings import override_settings
from media.models import MediaFile
from tests.web.conftest import Web, csrf_of, sign_in_page, signed_in
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
from workflow.models import Release

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _nothing_stored() -> None:
    with session_scope() as session:
        assert session.exec(select(Release)).all() == []
        assert session.exec(select(MediaFile)).all() == []


def test_the_api_imports_a_release_and_its_translation(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        answer = api.post("/releases/import", files={
            "file": ("persbericht.docx", docx(NL, picture=photo()), DOCX),
            "translation_fr": ("communique.odt", odt(FR, picture=photo()), "application/vnd.oasis.opendocument.text"),
        }, data={"language": "nl", "kind": "annual_report", "topics": "annual-report", "web_only": "true"})
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert result["notes"] == [] and len(result["contact_notes"]) == 3
    release = result["release"]
    assert release["state"] == "draft" and release["author"] == web.spokesperson.email
    content = release["content"]
    assert content["kind"] == "annual_report" and content["web_only"] is True
    assert content["topics"] == ["annual-report"]
    for language, source in (("nl", NL), ("fr", FR)):
        text = content["translations"][language]
        assert (text["title"], text["lead"], text["body"]) == (source.title, source.lead, expected_body(source))
    assert [detail["name"] for detail in content["contact_details"]] == [p["name"] for p in expected_contacts(NL, "nl")]
    assert content["contact_details"][1]["function"] == {"nl": "Woordvoerder van de minister",
                                                         "fr": "Porte-parole du ministre"}
    with web.api(web.spokesperson) as api:  # the photo, through the media library
        [media] = api.get(f"/releases/{release['id']}/media").json()
    assert media["role"] == "lead" and media["filename"] == "persbericht-1.png"
    assert media["texts"]["nl"]["alt"] == NL.alt and media["texts"]["fr"]["alt"] == FR.alt


@pytest.mark.parametrize("hostile", [with_macro, with_external_template])
def test_the_api_refuses_macros_and_remote_templates(web: Web, hostile) -> None:  # type: ignore[no-untyped-def]
    with web.api(web.spokesperson) as api:
        answer = api.post("/releases/import", files={"file": ("persbericht.docx", hostile(docx(NL, picture=photo())),
                                                              DOCX)})
        assert answer.status_code == 422, answer.text
        assert "persbericht.docx" in answer.text
        assert "macros" in answer.text or "template from elsewhere" in answer.text
    with web.api() as anonymous:
        assert anonymous.post("/releases/import", files={"file": ("x.docx", docx(NL), DOCX)}).status_code == 401
    _nothing_stored()


def test_the_new_release_page_imports_a_document_with_its_notes(web: Web) -> None:
    with signed_in(web, web.spokesperson) as client:
        page = client.get("/press/releases/new")
        assert 'action="/press/releases/import"' in page.text and 'enctype="multipart/form-data"' in page.text
        token = csrf_of(page.text)
        # Without the session's CSRF token, nothing is read.
        refused = client.post("/press/releases/import", files={"file": ("tabel.docx", docx(NL, table=True), DOCX)})
        assert refused.status_code == 403
        _nothing_stored()
        answer = client.post("/press/releases/import", data={"csrf_token": token},
                             files={"file": ("tabel.docx", docx(NL, table=True), DOCX)})
    assert answer.status_code == 200, answer.text[:500]
    assert 'id="import-notes"' in answer.text
    assert "Opmerkingen bij het geïmporteerde document (4)" in answer.text  # An reads Dutch
    assert "a table (2 rows × 2 columns) was left out" in answer.text
    assert "Ontwerp gemaakt uit tabel.docx." in answer.text
    assert f'value="{NL.title}"' in answer.text
    with session_scope() as session:
        [release] = session.exec(select(Release)).all()
    assert f'action="/press/releases/{release.id}/edit"' in answer.text


def test_a_refused_document_says_why_in_the_readers_language(web: Web) -> None:
    with signed_in(web, web.spokesperson2) as client:  # Bert reads French
        token = csrf_of(client.get("/press/releases/new").text)
        answer = client.post("/press/releases/import", data={"csrf_token": token},
                             files={"file": ("persbericht.docx", with_macro(docx(NL)), DOCX)})
        assert answer.status_code == 422
        assert 'id="import-error"' in answer.text
        assert "persbericht.docx est un document Office avec des macros" in answer.text
        answer = client.post("/press/releases/import", data={"csrf_token": token},
                             files={"file": ("zonder.docx", docx(NL, picture=photo(), alt=""), DOCX)})
        assert answer.status_code == 422 and 'id="import-error"' in answer.text
        assert "zonder.docx: picture 1" in answer.text
    _nothing_stored()


def test_an_import_over_the_body_limit_is_refused_before_it_is_read(web: Web) -> None:
    override_settings(media_max_bytes=2048)  # the limit is then 1 MB and 2 KB
    with signed_in(web, web.spokesperson) as client:
        token = csrf_of(client.get("/press/releases/new").text)
        big = docx(NL, picture=photo()) + b"\x00" * (1024 * 1024 + 4096)
        assert client.post("/press/releases/import", data={"csrf_token": token},
                           files={"file": ("groot.docx", big, DOCX)}).status_code == 413
    with web.api(web.spokesperson) as api:
        assert api.post("/releases/import", files={"file": ("groot.docx", big, DOCX)}).status_code == 413
    _nothing_stored()


def test_the_import_form_in_chromium(web: Web, chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    document = tmp_path / "persbericht.docx"
    document.write_bytes(docx(NL, picture=photo()))
    translation = tmp_path / "communique.docx"
    translation.write_bytes(docx(FR, picture=photo(), line_breaks=True))
    page = sign_in_page(chromium.new_context(), web.url, web.spokesperson.email)
    page.goto(f"{web.url}/press/releases/new")
    page.set_input_files("#import-form input[name=file]", str(document))
    page.click("#import-form summary")
    page.set_input_files("#import-form input[name=translation_fr]", str(translation))
    page.click("#import-submit")
    page.wait_for_selector("#editor")
    assert page.input_value("input[name=title_nl]") == NL.title
    assert page.input_value("input[name=title_fr]") == FR.title
    assert page.input_value("textarea[name=body_nl]") == expected_body(NL)
    assert page.input_value("textarea[name=lead_fr]") == FR.lead
    assert page.locator("#import-notes li").count() == 3  # the three contacts not yet in the directory
    with session_scope() as session:
        assert len(session.exec(select(MediaFile)).all()) == 1
