"""The editor's media section in a real Chromium and without JS: a file chosen or dropped is
uploaded at once, a progress bar follows its processing and the thumbnail replaces it; a
refused file is said in the user's language; the plain forms upload, save and remove without
a script; the reviewer's diff shows what was added."""

from __future__ import annotations

import base64
import re
from typing import Any

from sqlmodel import select

from core.db import session_scope
from media.models import MediaFile
from media.processing import process
from tests.conftest import wait_until
from tests.media import files
from tests.web.conftest import Web, csrf_of, post, release_body, sign_in_page, signed_in

DROP = """([data, name, type]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  const zone = document.getElementById("media-drop");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


def _release(web: Web) -> int:
    with web.api(web.spokesperson) as api:
        return int(api.post("/releases", json=release_body()).json()["id"])


def _media_id(filename: str) -> int:
    def found() -> int | None:
        with session_scope() as session:
            row = session.exec(select(MediaFile).where(MediaFile.filename == filename)).first()
            return row.id if row is not None else None

    return int(wait_until(found, timeout=20, what=f"the upload of {filename}"))


def test_a_chosen_and_a_dropped_file_show_progress_then_their_thumbnail(web: Web, chromium: Any) -> None:
    from playwright.sync_api import expect

    release_id = _release(web)
    context = chromium.new_context()
    page = sign_in_page(context, web.url, web.spokesperson.email)  # Dutch
    page.goto(f"{web.url}/press/releases/{release_id}/edit")
    expect(page.locator("#media-list")).to_contain_text("Nog geen afbeeldingen of documenten.")

    # Chosen with the file input: uploaded at once, processing shown until the file is ready.
    upload = page.locator("#media-upload")
    upload.locator("input[name=media_alt_nl]").fill("De minister in Kinshasa")
    upload.locator("input[name=media_alt_fr]").fill("Le ministre à Kinshasa")
    upload.locator("input[name=media_credit_nl]").fill("© BZ")
    page.set_input_files("#media-file", files=[{"name": "minister.jpg", "mimeType": "image/jpeg",
                                                "buffer": files.jpeg_with_gps(1200, 800)}])
    photo = _media_id("minister.jpg")
    row = page.locator(f"#media-item-{photo}")
    expect(row.locator("progress[data-media-status]")).to_be_visible()
    expect(row).to_contain_text("minister.jpg")
    process(photo)  # what the worker does (tests/web/test_media_api.py runs the real one)
    thumbnail = row.locator("img.thumbnail")
    expect(thumbnail).to_be_visible(timeout=15_000)
    assert re.fullmatch(r"/press/media/[0-9a-f]{64}/w400\.jpg", thumbnail.get_attribute("src") or "")
    page.wait_for_function(f"() => document.querySelector('#media-item-{photo} img.thumbnail')?.naturalWidth > 0")
    assert page.evaluate(f"document.querySelector('#media-item-{photo} img.thumbnail').naturalWidth") == 400
    expect(row.locator("select[name=media_role]")).to_have_value("lead")
    expect(row.locator("input[name=media_credit_nl]")).to_have_value("© BZ")
    # The editor's own form moved on with the release: saving text now is no stale save.
    with web.api(web.spokesperson) as api:
        version = api.get(f"/releases/{release_id}").json()["version"]
    expect(page.locator("#editor input[name=expected_version]")).to_have_value(str(version))

    # Dropped onto the drop zone: a PDF goes to the documents by itself.
    page.evaluate(DROP, [base64.b64encode(files.pdf(3)).decode(), "jaarverslag.pdf", "application/pdf"])
    report = _media_id("jaarverslag.pdf")
    expect(page.locator(f"#media-item-{report} progress")).to_be_visible()
    process(report)
    expect(page.locator(f"#media-item-{report} img.thumbnail")).to_be_visible(timeout=15_000)
    expect(page.locator(f"#media-item-{report}")).to_contain_text("3 pagina's")

    # A refused file: which one and why, in Dutch, and nothing added.
    page.evaluate(DROP, [base64.b64encode(files.SVG_WITH_SCRIPT).decode(), "logo.svg", "image/svg+xml"])
    expect(page.locator("#media-error")).to_contain_text("logo.svg is een SVG-afbeelding")
    expect(page.locator(".media-item")).to_have_count(2)

    # Saving the text keeps the files (the editor's form does not carry them).
    page.fill("#editor input[name=title_nl]", "Minister bezoekt Kinshasa en Goma")
    page.click("#save")
    expect(page.locator(".flash")).to_contain_text("revisie")
    expect(page.locator(".media-item")).to_have_count(2)
    context.close()


def test_the_forms_work_without_a_script_and_the_review_shows_the_added_file(web: Web) -> None:
    release_id = _release(web)
    edit = f"/press/releases/{release_id}/edit"
    with signed_in(web, web.spokesperson) as client:
        page = client.get(edit)
        assert 'enctype="multipart/form-data"' in page.text and 'id="media-file"' in page.text
        added = client.post(f"/press/releases/{release_id}/media",
                            files={"file": ("kaart.png", files.png(), "image/png")},
                            data={"csrf_token": csrf_of(page.text), "media_role": "gallery",
                                  "media_alt_nl": "Een kaart", "media_caption_nl": "De route"})
        assert added.status_code == 303 and added.headers["location"] == f"{edit}#media"
        shown = client.get(edit).text
        assert "kaart.png toegevoegd" in shown and "<progress" in shown and 'value="De route"' in shown
        media_id = _media_id("kaart.png")
        process(media_id)
        shown = client.get(edit).text
        assert "<progress" not in shown and 'class="thumbnail"' in shown

        saved = post(client, f"/press/releases/{release_id}/media/{media_id}",
                     {"media_role": "lead", "media_alt_nl": "Een kaart van de route",
                      "media_alt_fr": "Une carte de l'itinéraire"}, edit)
        assert saved.status_code == 303
        assert "Teksten van kaart.png opgeslagen." in client.get(edit).text
        with web.api(web.spokesperson) as api:
            item = api.get(f"/releases/{release_id}/media").json()[0]
            assert item["role"] == "lead" and item["texts"]["fr"]["alt"] == "Une carte de l'itinéraire"
            assert api.post(f"/releases/{release_id}/submit").status_code == 200

    with signed_in(web, web.approver) as client:
        review = client.get(f"/press/releases/{release_id}/review").text
        diff = review.split('id="media-diff"')[1].split("</section>")[0]
        assert 'data-media-change="changed"' in diff and "kaart.png" in diff  # against the revision before
        assert "Une carte de l&#39;itinéraire" in diff

    with signed_in(web, web.spokesperson) as client:
        removed = post(client, f"/press/releases/{release_id}/media/{media_id}/remove", {}, edit)
        assert removed.status_code == 303
        page = client.get(edit).text
        assert "kaart.png uit het bericht verwijderd." in page and 'id="media-item-' not in page
        assert post(client, f"/press/releases/{release_id}/media/{media_id}/remove", {}, edit).status_code == 404


def test_the_review_diff_against_the_approved_revision_shows_added_and_removed_files(web: Web) -> None:
    from workflow.content import MediaText
    from workflow.users import get_user

    release_id = _release(web)
    with web.api(web.spokesperson) as api:
        assert api.post(f"/releases/{release_id}/submit").status_code == 200
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{release_id}/approve").status_code == 200
    from media import library

    with session_scope() as session:
        author = get_user(session, web.spokesperson.email)
        media = library.upload(session, files.pdf(), "jaarverslag.pdf", author)
        library.attach(session, release_id, author, media, "document", {"nl": MediaText(title="Jaarverslag")})
    with signed_in(web, web.approver) as client:
        review = client.get(f"/press/releases/{release_id}/review").text
    diff = review.split('id="media-diff"')[1].split("</section>")[0]
    assert 'data-media-change="added"' in diff and "jaarverslag.pdf" in diff and "(added)" in diff
    assert "Jaarverslag" in diff


def test_the_mail_preview_frame_shows_a_file_through_its_keyed_link(web: Web, chromium: Any) -> None:
    """The preview's sandboxed frame sends no session cookie: the links `web.previews` gives the
    mail's images carry a key for that one rendition, which opens it without signing in."""
    import json

    from media.urls import preview_key
    from media.urls import preview_media_link as press_media_link

    release_id = _release(web)
    with web.api(web.spokesperson) as api:
        item = api.post(f"/releases/{release_id}/media",
                        files={"file": ("minister.jpg", files.jpeg_with_gps(800, 600), "image/jpeg")},
                        data={"role": "lead", "texts": json.dumps({"nl": {"alt": "De minister"}})}).json()
    process(item["id"])
    sha = item["sha256"]
    context = chromium.new_context()
    page = sign_in_page(context, web.url, web.spokesperson.email)
    page.goto(f"{web.url}/press/releases/{release_id}/edit")
    # With files, the editor renders the preview from its form (posted into the frame) at once.
    preview = page.frame(name="preview")
    assert preview is not None
    preview.wait_for_url("**/press/preview")
    preview.wait_for_load_state()
    preview.evaluate("""(sources) => sources.forEach((src, n) => {
        const img = document.createElement("img"); img.id = "probe-" + n; img.src = src;
        document.body.appendChild(img); })""",
                     [press_media_link(sha, "mail-600.jpg"), f"/press/media/{sha}/mail-600.jpg"])
    page.wait_for_timeout(500)

    def widths() -> list[int] | None:
        found = [preview.evaluate(f"document.getElementById('probe-{n}').complete && "
                                  f"document.getElementById('probe-{n}').naturalWidth") for n in (0, 1)]
        return found if found[0] else None

    shown = wait_until(widths, timeout=10, what="the preview's images")
    assert shown == [600, 0]  # the bare staff link needs the cookie the frame does not send
    context.close()

    with web.browser() as anonymous:  # a key opens its one rendition only, and only until it expires
        link = press_media_link(sha, "w400.jpg")
        assert link.startswith(f"{web.url}/press/preview-media/")
        opened = anonymous.get(link + "?access=appended-by-a-mail")
        assert opened.status_code == 200 and opened.headers["content-type"] == "image/jpeg"
        key = preview_key(sha, "w400.jpg")
        assert anonymous.get(f"/press/preview-media/{key}/{sha}/w800.jpg").status_code == 303
        expired = preview_key(sha, "w400.jpg", now=0)
        assert anonymous.get(f"/press/preview-media/{expired}/{sha}/w400.jpg").status_code == 303
        forged = key[:-1] + ("1" if key.endswith("0") else "0")
        assert anonymous.get(f"/press/preview-media/{forged}/{sha}/w400.jpg").status_code == 303
