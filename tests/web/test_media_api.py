"""A release's files through the API, as a client program sends them (multipart over real HTTP):
clean files accepted, attached as a new revision and processed by the real Celery worker;
hostile ones refused naming the file and why, with nothing stored; the edit rules (author,
state, version) for every change; submission waits for processing and for alt texts; the
staff-only renditions; and a refusal on a page said in the reader's language."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from core.db import session_scope
from core.settings import get_settings
from media.errors import REASONS
from media.models import MediaFile
from media.processing import process
from media.storage import get_store, original_key, rendition_key
from tests.conftest import wait_until
from tests.media import files
from tests.web.conftest import Person, Web, csrf_of, release_body, signed_in
from web.error_text import describe
from workflow.errors import MissingAltText

NL_FR = {"nl": {"alt": "De minister in Kinshasa", "caption": "Aankomst", "credit": "© BZ"},
         "fr": {"alt": "Le ministre à Kinshasa", "credit": "© AE"}}


def _release(web: Web, person: Person | None = None) -> int:
    with web.api(person or web.spokesperson) as api:
        response = api.post("/releases", json=release_body())
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _upload(web: Web, release_id: int, data: bytes, name: str, role: str = "lead",
            texts: dict[str, Any] | None = None, person: Person | None = None, **form: Any) -> Any:
    with web.api(person or web.spokesperson) as api:
        return api.post(f"/releases/{release_id}/media", files={"file": (name, data, "application/octet-stream")},
                        data={"role": role, "texts": json.dumps(NL_FR if texts is None else texts), **form})


def _revision(web: Web, release_id: int) -> tuple[int, int]:
    with web.api(web.spokesperson) as api:
        release = api.get(f"/releases/{release_id}").json()
    return release["revision"], release["version"]


def _stored(tmp_path: Path) -> list[Path]:
    root = tmp_path / "data" / "media"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _rows() -> list[MediaFile]:
    with session_scope() as session:
        return list(session.exec(select(MediaFile)).all())


def test_a_clean_jpeg_is_attached_as_a_new_revision_and_listed(web: Web) -> None:
    release_id = _release(web)
    before = _revision(web, release_id)
    response = _upload(web, release_id, files.jpeg_with_gps(1200, 800), "minister.jpg")
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["filename"] == "minister.jpg" and item["role"] == "lead" and item["kind"] == "image"
    assert item["status"] == "processing" and item["progress"] == 0 and item["id"] >= 1
    assert (item["width"], item["height"], item["mime"]) == (1200, 800, "image/jpeg")
    assert item["texts"]["fr"]["alt"] == "Le ministre à Kinshasa"
    after = _revision(web, release_id)
    assert after[0] == before[0] + 1 and item["release_version"] == after[1]

    with web.api(web.spokesperson) as api:
        listed = api.get(f"/releases/{release_id}/media").json()
        assert [m["sha256"] for m in listed] == [item["sha256"]]
        assert api.get(f"/media/{item['id']}").json()["status"] == "processing"
        # Replacing the text through PUT keeps the files: they are changed here only.
        assert api.put(f"/releases/{release_id}", json=release_body(topics=["congo"])).status_code == 200
        assert [m["id"] for m in api.get(f"/releases/{release_id}/media").json()] == [item["id"]]
        audit = api.get(f"/releases/{release_id}/audit").json()
    assert any(entry["comment"] == "media added: minister.jpg" for entry in audit)

    # The same bytes on another release, under another name: stored once, named as given there.
    other = _release(web)
    again = _upload(web, other, files.jpeg_with_gps(1200, 800), "C:\\Foto's\\kinshasa.jpg")
    assert again.status_code == 201 and again.json()["id"] == item["id"]
    assert again.json()["filename"] == "kinshasa.jpg" and len(_rows()) == 1


@pytest.mark.parametrize(("data", "name", "reason"), [
    (files.png_bomb(), "bomb.png", "megapixels"),
    (files.pdf_with_javascript(), "leaflet.pdf", "JavaScript"),
    (files.SVG_WITH_SCRIPT, "logo.svg", "SVG"),
    (files.png(), "report.pdf", "is named .pdf but its bytes are"),
], ids=["bomb", "pdf-javascript", "svg", "png-named-pdf"])
def test_a_hostile_file_is_refused_naming_it_and_nothing_is_stored(
        web: Web, tmp_path: Path, data: bytes, name: str, reason: str) -> None:
    release_id = _release(web)
    before = _revision(web, release_id)
    response = _upload(web, release_id, data, name, role="document" if name.endswith(".pdf") else "lead")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input" and name in body["message"] and reason in body["message"]
    assert _rows() == [] and _stored(tmp_path) == []
    assert _revision(web, release_id) == before


def test_only_who_may_edit_the_release_changes_its_files(web: Web, tmp_path: Path) -> None:
    release_id = _release(web)
    photo = files.jpeg_with_gps(800, 600)
    for person in (web.spokesperson2, web.approver):  # another author; a reviewer
        refused = _upload(web, release_id, photo, "minister.jpg", person=person)
        assert refused.status_code == 403, refused.text
    assert _rows() == [] and _stored(tmp_path) == []

    item = _upload(web, release_id, photo, "minister.jpg").json()
    with web.api(web.spokesperson2) as api:
        assert api.patch(f"/releases/{release_id}/media/{item['id']}", json={"role": "gallery"}).status_code == 403
        assert api.delete(f"/releases/{release_id}/media/{item['id']}").status_code == 403
        assert api.get(f"/releases/{release_id}/media").status_code == 200  # reading is for every role
    with web.api() as api:
        assert api.get(f"/releases/{release_id}/media").status_code == 401
    with web.api(web.admin) as api:  # an admin may edit any release
        changed = api.patch(f"/releases/{release_id}/media/{item['id']}",
                            json={"role": "gallery", "texts": {"nl": {"alt": "De minister"}}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "gallery" and changed.json()["texts"] == {
        "nl": {"alt": "De minister", "caption": "", "credit": "", "title": ""}}


def test_a_stale_version_or_a_wrong_role_stores_nothing(web: Web, tmp_path: Path) -> None:
    release_id = _release(web)
    _, version = _revision(web, release_id)
    stale = _upload(web, release_id, files.png(), "chart.png", expected_version=str(version + 1))
    assert stale.status_code == 409 and stale.json()["current_version"] == version
    wrong = _upload(web, release_id, files.pdf(), "jaarverslag.pdf", role="lead")
    assert wrong.status_code == 422 and "jaarverslag.pdf" in wrong.json()["message"]
    no_alt = _upload(web, release_id, files.png(), "chart.png", texts={"fr": {"alt": "Un graphique"}})
    assert no_alt.status_code == 422 and "chart.png" in no_alt.json()["message"]
    bad_texts = _upload(web, release_id, files.png(), "chart.png", texts={"xx": {"alt": "?"}})
    assert bad_texts.status_code == 422 and bad_texts.json()["field"] == "texts.xx"
    assert _rows() == [] and _stored(tmp_path) == []
    document = _upload(web, release_id, files.pdf(3), "jaarverslag.pdf", role="document",
                       texts={"nl": {"title": "Jaarverslag 2026"}}, expected_version=str(version))
    assert document.status_code == 201 and document.json()["pages"] == 3


def test_removing_a_file_is_a_new_revision_without_it(web: Web) -> None:
    release_id = _release(web)
    photo = _upload(web, release_id, files.jpeg_with_gps(800, 600), "minister.jpg").json()
    chart = _upload(web, release_id, files.png(), "chart.png", role="gallery").json()
    revision, version = _revision(web, release_id)
    with web.api(web.spokesperson) as api:
        assert api.delete(f"/releases/{release_id}/media/{photo['id']}",
                          params={"expected_version": version + 5}).status_code == 409
        left = api.delete(f"/releases/{release_id}/media/{photo['id']}", params={"expected_version": version})
        assert left.status_code == 200, left.text
        assert [m["filename"] for m in left.json()] == ["chart.png"]
        assert api.delete(f"/releases/{release_id}/media/{photo['id']}").status_code == 404
        assert api.get(f"/media/{photo['id']}").status_code == 200  # earlier revisions still name it
    assert _revision(web, release_id)[0] == revision + 1
    assert chart["role"] == "gallery"


def test_submission_waits_for_processing_and_for_every_alt_text(web: Web) -> None:
    release_id = _release(web)
    item = _upload(web, release_id, files.jpeg_with_gps(800, 600), "minister.jpg",
                   texts={"nl": {"alt": "De minister"}}).json()
    with web.api(web.spokesperson) as api:
        waiting = api.post(f"/releases/{release_id}/submit")
        assert waiting.status_code == 409 and "minister.jpg" in waiting.json()["message"]
        process(item["id"])
        no_alt = api.post(f"/releases/{release_id}/submit")
        assert no_alt.status_code == 422 and "minister.jpg (fr)" in no_alt.json()["message"]
        fixed = api.patch(f"/releases/{release_id}/media/{item['id']}", json={"texts": NL_FR})
        assert fixed.status_code == 200 and fixed.json()["status"] == "ready"
        assert api.post(f"/releases/{release_id}/submit").status_code == 200


def test_a_release_that_cannot_be_edited_takes_no_files(web: Web, tmp_path: Path) -> None:
    release_id = _release(web)
    with web.api(web.spokesperson) as api:
        assert api.post(f"/releases/{release_id}/archive").status_code == 200
    refused = _upload(web, release_id, files.png(), "chart.png", role="gallery")
    assert refused.status_code == 409 and refused.json()["state"] == "archived"
    assert _rows() == [] and _stored(tmp_path) == []


def test_an_upload_is_processed_by_the_worker(web: Web, worker: Any) -> None:
    release_id = _release(web)
    item = _upload(web, release_id, files.jpeg_with_gps(1600, 1000), "minister.jpg").json()

    def ready() -> dict[str, Any] | None:
        with web.api(web.spokesperson) as api:
            found = api.get(f"/media/{item['id']}").json()
        return found if found["status"] != "processing" else None

    done = wait_until(ready, timeout=60, what="the upload's renditions")
    assert done["status"] == "ready" and done["progress"] == 100 and done["error"] == ""
    assert {"mail-600.jpg", "mail-1200.jpg", "w400.webp", "w800.jpg", "full.jpg"} <= set(done["renditions"])
    store = get_store()
    assert all(store.exists(rendition_key(item["sha256"], name)) for name in done["renditions"])
    assert store.exists(original_key(item["sha256"]))


def test_staff_see_renditions_before_publication_and_nobody_else_does(web: Web) -> None:
    release_id = _release(web)
    photo = _upload(web, release_id, files.jpeg_with_gps(800, 600), "minister.jpg").json()
    document = _upload(web, release_id, files.pdf(2), "jaarverslag.pdf", role="document", texts={}).json()
    process(photo["id"])
    process(document["id"])
    with web.browser() as anonymous:
        assert anonymous.get(f"/press/media/{photo['sha256']}/w400.jpg").status_code == 303  # to sign-in
    with signed_in(web, web.approver) as client:
        image = client.get(f"/press/media/{photo['sha256']}/w400.jpg")
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        assert image.headers["x-content-type-options"] == "nosniff" and image.content[:2] == b"\xff\xd8"
        pdf = client.get(f"/press/media/{document['sha256']}/original")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"].startswith("attachment") and pdf.content.startswith(b"%PDF")
        # An image's original (with its GPS position) is never served; nor a made-up name.
        assert client.get(f"/press/media/{photo['sha256']}/original").status_code == 404
        assert client.get(f"/press/media/{photo['sha256']}/..%2Foriginal").status_code == 404
        assert client.get(f"/press/media/{'0' * 64}/w400.jpg").status_code == 404
        status = client.get(f"/press/media/{photo['id']}/status").json()
        assert status["status"] == "ready" and status["thumbnail"] == f"/press/media/{photo['sha256']}/w400.jpg"


def test_the_openapi_document_describes_the_upload(web: Web) -> None:
    with web.api() as api:
        spec = api.get("/openapi.json").json()
    operation = spec["paths"]["/api/releases/{release_id}/media"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert "422" in operation["responses"] and "nothing is stored" in operation["description"]
    assert {"get", "post"} <= set(spec["paths"]["/api/releases/{release_id}/media"])
    assert {"patch", "delete"} <= set(spec["paths"]["/api/releases/{release_id}/media/{media_id}"])
    assert "get" in spec["paths"]["/api/media/{media_id}"]


def test_a_refusal_reads_in_the_users_language_on_the_editor(web: Web, tmp_path: Path) -> None:
    release_id = _release(web)
    with signed_in(web, web.spokesperson) as client:  # Dutch
        page = client.get(f"/press/releases/{release_id}/edit")
        refused = client.post(f"/press/releases/{release_id}/media",
                              files={"file": ("logo.svg", files.SVG_WITH_SCRIPT, "image/svg+xml")},
                              data={"csrf_token": csrf_of(page.text), "media_alt_nl": "Logo"})
        assert refused.status_code == 422
        assert "logo.svg is een SVG-afbeelding, die scripts kan bevatten" in refused.text
        # The script's door: the same sentence, as JSON.
        as_json = client.post(f"/press/releases/{release_id}/media", headers={"Accept": "application/json"},
                              files={"file": ("x.png", files.png(), "image/png")},
                              data={"csrf_token": csrf_of(page.text)})
        assert as_json.status_code == 422
        assert as_json.json()["error"].startswith("Afbeeldingen hebben een alt-tekst nodig") and "x.png" in as_json.text
    assert _rows() == [] and _stored(tmp_path) == []


def test_every_refusal_and_media_error_has_its_sentence_in_every_language() -> None:
    from media.errors import MediaNotReady, MediaRefused, WrongMediaRole

    for language in get_settings().languages:
        for problem, reason in REASONS.items():
            values = {name: "7" for _, name, _, _ in string.Formatter().parse(reason) if name}
            said = describe(MediaRefused("kaart.png", problem, **values), language)
            assert said.startswith("kaart.png ") and "{" not in said, (language, problem)
        assert "x.pdf" in describe(MediaNotReady("x.pdf", "processing"), language)
        assert "x.pdf" in describe(WrongMediaRole("x.pdf", "lead", "document"), language)
    assert "foto.jpg (Frans)" in describe(MissingAltText([("foto.jpg", "fr")]), "nl")


def test_a_file_whose_processing_failed_is_named_with_why_on_the_editor(web: Web) -> None:
    good = files.jpeg_with_gps(800, 600)
    broken = good[:2000] + bytes(len(good) - 2000)  # passes the checks, does not decode
    release_id = _release(web)
    item = _upload(web, release_id, broken, "kapot.jpg").json()
    process(item["id"])
    with web.api(web.spokesperson) as api:
        failed = api.get(f"/media/{item['id']}").json()
    assert failed["status"] == "failed" and "kapot.jpg" in failed["error"]
    with signed_in(web, web.spokesperson) as client:  # Dutch
        page = client.get(f"/press/releases/{release_id}/edit").text
        assert "kapot.jpg kon niet verwerkt worden" in page and "cannot be read as JPEG" in page
        status = client.get(f"/press/media/{item['id']}/status").json()
        assert status["status"] == "failed" and status["error"].startswith("kapot.jpg kon niet verwerkt worden")
    with web.api(web.spokesperson) as api:
        refused = api.post(f"/releases/{release_id}/submit")
    assert refused.status_code == 409 and "kapot.jpg" in refused.json()["message"]
