"""A release's pictures and documents on the public side, as readers, link previews and
attackers see them over HTTP: the release page, each served file, and the media kit.

Files are real uploads (a Pillow-made JPEG carrying GPS, a camera serial and XMP; a PNG; a PDF)
processed into their renditions, attached to releases the workflow publishes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

from core.db import session_scope, utcnow
from media import library
from media.models import MediaStatus
from media.processing import process
from subscribers import add_subscriber, create_list, get_subscriber
from subscribers.tokens import access_token, proof_token
from tests import factories
from tests.media import files
from tests.web.conftest import Web
from tests.web.test_public_pages import publish
from workflow import service
from workflow.content import MediaText
from workflow.models import Release
from workflow.users import get_user

SECRETS = (b"SERIAL-0042-SECRET", b"SecretTool", b"CameraMaker")
REPORT_NAME = "Jaarverslag «2026» été.pdf"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def tags(page: str, element: str, **wanted: str) -> list[dict[str, str]]:
    """The attributes of every `element` of `page` whose attributes include `wanted`."""
    parser = _Tags()
    parser.feed(page)
    return [attrs for tag, attrs in parser.found
            if tag == element and all(attrs.get(k.replace("_", "-")) == v for k, v in wanted.items())]


def meta(page: str, key: str) -> str | None:
    found = tags(page, "meta", property=key) or tags(page, "meta", name=key)
    return found[0]["content"] if found else None


def stored(data: bytes, filename: str) -> str:
    """Upload and process a file as the editor and the worker would; its SHA-256."""
    with session_scope() as s:
        media = library.upload(s, data, filename, None)
        media_id, sha256 = media.id or 0, media.sha256
    assert process(media_id) is MediaStatus.READY
    return sha256


def image(sha256: str, role: str, filename: str, alt: str, caption: str = "", credit: str = "") -> dict[str, Any]:
    return {"sha256": sha256, "role": role, "filename": filename,
            "texts": {"nl": {"alt": alt, "caption": caption, "credit": credit}, "fr": {"alt": f"{alt} (fr)"}}}


def document(sha256: str, filename: str, title: str) -> dict[str, Any]:
    return {"sha256": sha256, "role": "document", "filename": filename, "texts": {"nl": {"title": title}}}


@pytest.fixture
def photo() -> str:
    return stored(files.jpeg_with_gps(2000, 1250), "minister.jpg")


def with_lead(sha256: str, **content: Any) -> dict[str, Any]:
    return {"media": [image(sha256, "lead", "minister.jpg", "De minister op het bordes",
                            "De minister bij aankomst.", "Jan Peeters")], **content}


def answer(client: httpx.Client, url: str) -> tuple[int, dict[str, str], bytes]:
    response = client.get(url)
    return response.status_code, {k: v for k, v in response.headers.items() if k != "date"}, response.content


def assert_clean_picture(response: httpx.Response) -> Image.Image:
    assert response.status_code == 200, response.url
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    for secret in SECRETS:
        assert secret not in response.content, (response.url, secret)
    picture = Image.open(io.BytesIO(response.content))
    assert not picture.getexif() and "exif" not in picture.info and "xmp" not in picture.info, response.url
    assert response.headers["content-type"] == Image.MIME[picture.format or ""], response.url
    return picture


def srcset_urls(srcset: str) -> list[str]:
    return [candidate.split()[0] for candidate in srcset.split(",")]


@pytest.fixture
def journalist(web: Web) -> Callable[[int], str]:
    with session_scope() as s:
        create_list(s, "pers", "Pers", visibility="private", receives_embargoed=True)
        add_subscriber(s, "els@example.org", "pers", confirmed=True)
        person = get_subscriber(s, "els@example.org")
        subscriber_id, email_hash = person.id or 0, person.email_hash
    return lambda release_id: access_token(release_id, subscriber_id, email_hash)


# --- the public page ----------------------------------------------------------------------------


def test_the_page_shows_the_lead_picture_gallery_documents_and_media_kit(web: Web, photo: str) -> None:
    square = stored(files.png(900, 900), "plein.png")
    second = stored(files.jpeg_with_gps(1200, 800, colour=(90, 30, 30)), "minister.jpg")
    report = stored(files.pdf(3), "jaarverslag.pdf")
    content = with_lead(photo)
    content["media"] += [image(square, "gallery", "plein.png", "Het plein vol mensen", credit="Belga"),
                         image(second, "gallery", "minister.jpg", "De minister spreekt"),
                         document(report, REPORT_NAME, "Jaarverslag 2026")]
    release_id = publish(web, **content)
    base = f"/media/{release_id}/{photo}/"
    with web.browser() as client:
        page = client.get(f"/releases/{release_id}/nl").text
        fr = client.get(f"/releases/{release_id}/fr").text

        source = tags(page, "source", type="image/webp")[0]
        assert source["srcset"] == f"{base}w400.webp 400w, {base}w800.webp 800w, {base}w1600.webp 1600w"
        lead = tags(page, "img", alt="De minister op het bordes")[0]
        assert lead["src"] == f"{base}w800.jpg" and (lead["width"], lead["height"]) == ("800", "500")
        assert lead["srcset"] == f"{base}w400.jpg 400w, {base}w800.jpg 800w, {base}w1600.jpg 1600w"
        assert "De minister bij aankomst." in page and "Foto: Jan Peeters" in page
        # In French: its own alt text, the caption and credit of the main language.
        assert tags(fr, "img", alt="De minister op het bordes (fr)") and "Photo : Jan Peeters" in fr

        gallery = [a["href"] for a in tags(page, "a") if "download" in a and "/full." in a["href"]]
        assert f"/media/{release_id}/{square}/full.png" in gallery and f"/media/{release_id}/{second}/full.jpg" in gallery
        assert tags(page, "img", alt="Het plein vol mensen")[0]["src"] == f"/media/{release_id}/{square}/w400.jpg"
        assert "PNG, 900 × 900 px" in page and "Foto: Belga" in page

        assert tags(page, "a", href=f"/media/{release_id}/{report}/original")
        assert "Jaarverslag 2026" in page and "PDF, " in page and "3 pagina&#39;s" in page
        assert tags(page, "img", src=f"/media/{release_id}/{report}/cover-300.jpg", alt="")
        assert tags(page, "a", href=f"/releases/{release_id}/nl/media-kit.zip")

        # Link previews: an absolute picture URL with its size and alt text.
        assert meta(page, "og:image") == f"{web.url}{base}w1600.jpg"
        assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1600", "1000")
        assert meta(page, "og:image:alt") == "De minister op het bordes"
        assert meta(page, "twitter:card") == "summary_large_image"
        assert meta(page, "og:title") == "Minister bezoekt Kinshasa" and meta(page, "og:description") == "Een werkbezoek."

        # Every picture the page names is served stripped of what the camera wrote.
        urls = {img["src"] for img in tags(page, "img")} | set(gallery)
        for element in tags(page, "img") + tags(page, "source"):
            urls.update(srcset_urls(element.get("srcset", "")) if element.get("srcset") else [])
        assert len(urls) > 12
        for url in sorted(urls):
            response = client.get(url)
            assert_clean_picture(response)
            assert response.headers["cache-control"] == "public, max-age=86400"
        again = client.get(f"{base}w800.jpg", headers={"If-None-Match": client.get(f"{base}w800.jpg").headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        full = client.get(f"{base}full.jpg")
        assert assert_clean_picture(full).size == (2000, 1250)
        assert full.headers["content-disposition"] == "attachment; filename=\"minister.jpg\"; filename*=UTF-8''minister.jpg"


def test_the_media_kit_holds_the_full_pictures_and_documents_under_unique_names(web: Web, photo: str) -> None:
    second = stored(files.jpeg_with_gps(1200, 800, colour=(90, 30, 30)), "minister.jpg")
    pdf = files.pdf(2)
    report = stored(pdf, "jaarverslag.pdf")
    content = with_lead(photo)
    content["media"] += [image(second, "gallery", "minister.jpg", "De minister spreekt"),
                         document(report, ".verslag.pdf", "Verslag")]  # a hidden file's name
    release_id = publish(web, **content)
    with web.browser() as client:
        response = client.get(f"/releases/{release_id}/nl/media-kit.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(response.content)) as kit:
        assert kit.testzip() is None
        names = kit.namelist()
        assert sorted(names) == ["captions.txt", "minister-2.jpg", "minister.jpg", "verslag.pdf"]
        assert all(not name.startswith(("/", ".")) and ".." not in name for name in names)
        for name in ("minister.jpg", "minister-2.jpg"):
            data = kit.read(name)
            assert not any(secret in data for secret in SECRETS)
            with Image.open(io.BytesIO(data)) as picture:
                assert not picture.getexif() and "xmp" not in picture.info
        with Image.open(io.BytesIO(kit.read("minister.jpg"))) as picture:
            assert picture.size == (2000, 1250)
        assert kit.read("verslag.pdf") == pdf
        captions = kit.read("captions.txt").decode("utf-8")
        assert "Minister bezoekt Kinshasa" in captions and "Foto: Jan Peeters" in captions
        assert "De minister bij aankomst." in captions


def test_a_document_downloads_as_an_attachment_and_images_only_as_renditions(web: Web, photo: str) -> None:
    pdf = files.pdf(1)
    report = stored(pdf, "jaarverslag.pdf")
    content = with_lead(photo)
    content["media"].append(document(report, REPORT_NAME, "Jaarverslag"))
    release_id = publish(web, **content)
    with web.browser() as client:
        response = client.get(f"/media/{release_id}/{report}/original")
        assert response.status_code == 200 and response.content == pdf
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == (
            "attachment; filename=\"Jaarverslag_2026_ete.pdf\"; filename*=UTF-8''" + quote(REPORT_NAME, safe=""))
        assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
        assert "1 pagina" in client.get(f"/releases/{release_id}/nl").text
        missing = answer(client, f"/media/{release_id + 1000}/{photo}/w800.jpg")
        assert missing[0] == 404
        for url in (f"/media/{release_id}/{photo}/original",  # the camera's bytes: never
                    f"/media/{release_id}/{photo}/w9999.jpg", f"/media/{release_id}/{report}/w800.jpg",
                    f"/media/{release_id}/{photo}/..%2Foriginal", f"/media/{release_id}/{photo[:-1]}/w800.jpg"):
            assert client.get(url).status_code == 404, url


# --- not public: the same 404 as nothing at all -------------------------------------------------


def test_files_of_another_release_are_not_served_under_this_one(web: Web, photo: str) -> None:
    other = stored(files.png(), "ander.png")
    mine = publish(web, **with_lead(photo))
    theirs = publish(web, media=[image(other, "lead", "ander.png", "Iets anders")])
    with web.browser() as client:
        assert client.get(f"/media/{theirs}/{other}/w400.jpg").status_code == 200
        borrowed = answer(client, f"/media/{mine}/{other}/w400.jpg")
        assert borrowed[0] == 404 and borrowed == answer(client, f"/media/{theirs + 1000}/{other}/w400.jpg")


def test_an_embargoed_releases_files_open_only_with_a_recipients_link(
    web: Web, photo: str, journalist: Callable[[int], str]
) -> None:
    release_id = publish(web, embargo_until=utcnow() + timedelta(days=1), **with_lead(photo))
    token = journalist(release_id)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    unknown = release_id + 1000
    with session_scope() as s:
        revision = s.get(Release, release_id).current_revision_id  # type: ignore[union-attr]
    with web.browser() as client:
        for path in (f"/media/{{}}/{photo}/w800.jpg", "/releases/{}/nl/media-kit.zip"):
            for query in ("", f"?access={forged}", f"?access={journalist(unknown)}", "?access=nonsense"):
                seen = answer(client, path.format(release_id) + query)
                assert seen[0] == 404 and seen == answer(client, path.format(unknown) + query), path + query
        for path in (f"/media/{release_id}/{photo}/w800.jpg", f"/releases/{release_id}/nl/media-kit.zip"):
            response = client.get(path, params={"access": token})
            assert response.status_code == 200, path
            assert response.headers["cache-control"] == "private, no-store"
            assert response.headers["x-robots-tag"] == "noindex"
        assert_clean_picture(client.get(f"/media/{release_id}/{photo}/w800.jpg", params={"access": token}))
        # The proof of its current revision shows it too, still uncached.
        proof = client.get(f"/media/{release_id}/{photo}/w800.jpg",
                           params={"access": proof_token(release_id, revision or 0)})
        assert proof.status_code == 200 and proof.headers["cache-control"] == "private, no-store"

        page = client.get(f"/releases/{release_id}/nl", params={"access": token}).text
        query = f"?access={quote(token, safe='')}"
        lead = tags(page, "img", alt="De minister op het bordes")[0]
        assert lead["src"] == f"/media/{release_id}/{photo}/w800.jpg{query}"
        assert all(url.endswith(query) for url in srcset_urls(lead["srcset"]))
        assert tags(page, "a", href=f"/releases/{release_id}/nl/media-kit.zip{query}")
        assert meta(page, "og:image") is None and meta(page, "og:title") is None
        for url in srcset_urls(lead["srcset"]) + [lead["src"]]:
            assert client.get(url).status_code == 200, url


def test_a_withdrawn_releases_files_are_gone(web: Web, photo: str) -> None:
    once_public = publish(web, **with_lead(photo))
    never_public = publish(web, embargo_until=utcnow() + timedelta(days=1), **with_lead(photo))
    with session_scope() as s:
        approver = get_user(s, web.approver.email)
        service.withdraw(s, once_public, approver, "fout")
        service.withdraw(s, never_public, approver, "te vroeg")
    with web.browser() as client:
        assert client.get(f"/media/{once_public}/{photo}/w800.jpg").status_code == 410
        assert client.get(f"/releases/{once_public}/nl/media-kit.zip").status_code == 410
        hidden = answer(client, f"/media/{never_public}/{photo}/w800.jpg")
        assert hidden[0] == 404 and hidden == answer(client, f"/media/{never_public + 1000}/{photo}/w800.jpg")


def test_a_proof_token_shows_a_drafts_files_for_its_revision_only(web: Web, photo: str) -> None:
    later = stored(files.webp(), "later.webp")
    with session_scope() as s:
        author = get_user(s, web.spokesperson.email)
        draft = factories.release(s, author, **with_lead(photo)).id or 0
        first = s.get(Release, draft).current_revision_id or 0  # type: ignore[union-attr]
    url = f"/media/{draft}/{photo}/w800.jpg"
    with web.browser() as client:
        assert client.get(url).status_code == 404
        shown = client.get(url, params={"access": proof_token(draft, first)})
        assert_clean_picture(shown)
        assert shown.headers["cache-control"] == "private, no-store" and shown.headers["x-robots-tag"] == "noindex"
        assert client.get(url, params={"access": proof_token(draft + 1, first)}).status_code == 404
        assert client.get(f"/releases/{draft}/nl/media-kit.zip",
                          params={"access": proof_token(draft, first)}).status_code == 404
        with session_scope() as s:
            author = get_user(s, web.spokesperson.email)
            library.attach(s, draft, author, library.find(s, later), "gallery",
                           {"nl": MediaText(alt="Later"), "fr": MediaText(alt="Plus tard")})
            second = s.get(Release, draft).current_revision_id or 0  # type: ignore[union-attr]
        new = f"/media/{draft}/{later}/w400.jpg"
        assert client.get(url, params={"access": proof_token(draft, first)}).status_code == 404
        assert client.get(new, params={"access": proof_token(draft, first)}).status_code == 404
        assert client.get(new, params={"access": proof_token(draft, second)}).status_code == 200
        assert client.get(url, params={"access": proof_token(draft, second)}).status_code == 200


def test_a_media_kit_is_built_once_and_then_read_from_the_store(web: Web, photo: str, tmp_path: Any) -> None:
    from media.storage import get_store, rendition_key

    release_id = publish(web, **with_lead(photo))
    with web.browser() as client:
        first = client.get(f"/releases/{release_id}/nl/media-kit.zip")
        assert first.status_code == 200
        kits = [path for path in (tmp_path / "data" / "media" / "kits").rglob("*.zip")]
        assert len(kits) == 1 and kits[0].read_bytes() == first.content
        get_store().delete(rendition_key(photo, "full.jpg"))  # a rebuild could not find the photo
        again = client.get(f"/releases/{release_id}/nl/media-kit.zip")
    assert again.status_code == 200 and again.content == first.content
