"""Uploading, processing and attaching files, through the domain functions on both backends."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from core.db import session_scope
from media import library
from media.errors import MediaNotReady, MediaRefused
from media.models import MediaFile, MediaRendition, MediaStatus
from media.processing import process
from media.storage import get_store, original_key, rendition_key
from media.views import attached
from tests import factories
from tests.media import files
from workflow import service
from workflow.content import MediaRole, MediaText
from workflow.errors import MissingAltText
from workflow.states import State

pytestmark = pytest.mark.postgres


def _stored_objects(tmp_path: Path) -> list[Path]:
    root = tmp_path / "data" / "media"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_hostile_upload_leaves_no_row_and_no_object(db: str, tmp_path: Path) -> None:
    with session_scope() as session:
        author = factories.user(session)
        for data, name in [(files.png_bomb(), "bomb.png"), (files.pdf_with_javascript(), "x.pdf"),
                           (files.SVG_WITH_SCRIPT, "logo.svg"), (files.png(), "report.pdf")]:
            with pytest.raises(MediaRefused):
                library.upload(session, data, name, author)
    with session_scope() as session:
        assert session.exec(select(MediaFile)).all() == []
    assert _stored_objects(tmp_path) == []


def test_renditions_carry_no_exif_xmp_or_gps(db: str) -> None:
    photo = files.jpeg_with_gps(2000, 1250)
    assert b"SERIAL-0042-SECRET" in photo and b"SecretTool" in photo
    with session_scope() as session:
        media = library.upload(session, photo, "minister.jpg", factories.user(session))
        media_id, sha = media.id or 0, media.sha256
    steps: list[tuple[int, int]] = []
    assert process(media_id, progress=lambda done, total: steps.append((done, total))) is MediaStatus.READY
    assert steps[-1][0] == steps[-1][1] == len(steps)
    store = get_store()
    with session_scope() as session:
        row = session.get(MediaFile, media_id)
        assert row is not None and (row.status, row.progress) == (MediaStatus.READY, 100)
        renditions = session.exec(select(MediaRendition).where(MediaRendition.media_id == media_id)).all()
    names = {r.name for r in renditions}
    assert {"mail-600.jpg", "mail-1200.jpg", "w400.webp", "w400.jpg", "w1600.webp", "full.jpg"} <= names
    for rendition in renditions:
        data = store.get(rendition_key(sha, rendition.name))
        assert b"SERIAL-0042-SECRET" not in data and b"SecretTool" not in data and b"CameraMaker" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), rendition.name
            assert "xmp" not in image.info and "exif" not in image.info, rendition.name
            assert image.size == (rendition.width, rendition.height)
    sizes = {r.name: r.width for r in renditions}
    assert sizes["mail-600.jpg"] == 600 and sizes["mail-1200.jpg"] == 1200 and sizes["full.jpg"] == 2000
    assert process(media_id) is MediaStatus.READY  # a second run changes nothing


def test_a_pdf_gets_a_cover_and_its_page_count(db: str) -> None:
    with session_scope() as session:
        media = library.upload(session, files.pdf(4), "jaarverslag.pdf", factories.user(session))
        media_id = media.id or 0
        assert media.pages == 4
    assert process(media_id) is MediaStatus.READY
    with session_scope() as session:
        covers = {r.name: r for r in session.exec(select(MediaRendition).where(MediaRendition.media_id == media_id))}
    assert covers["cover-600.jpg"].width == 600 and covers["cover-600.jpg"].height == 776


def test_failed_processing_says_which_file_and_removes_its_bytes(db: str) -> None:
    good = files.jpeg_with_gps(800, 600)
    broken = good[:2000] + bytes(len(good) - 2000)  # passes the header checks, fails to decode
    with session_scope() as session:
        media = library.upload(session, broken, "broken.jpg", factories.user(session))
        media_id, sha = media.id or 0, media.sha256
    assert get_store().exists(original_key(sha))
    assert process(media_id) is MediaStatus.FAILED
    with session_scope() as session:
        row = session.get(MediaFile, media_id)
        assert row is not None and row.status is MediaStatus.FAILED
        assert "broken.jpg" in row.error
    assert not get_store().exists(original_key(sha))


def test_attached_media_is_part_of_the_revision_and_gates_submission(db: str) -> None:
    with session_scope() as session:
        author = factories.user(session)
        release = factories.release(session, author)
        release_id, before = release.id or 0, service.current_revision(session, release).content_hash
        media = library.upload(session, files.jpeg_with_gps(800, 600), "minister.jpg", author)
        media_id = media.id or 0
        library.attach(session, release_id, author, media, MediaRole.LEAD,
                       {"nl": MediaText(alt="De minister in Kinshasa", credit="© BZ")})
    with session_scope() as session:
        release = service.get_release(session, release_id)
        content = service.current_content(session, release)
        assert service.current_revision(session, release).content_hash != before
        assert content.lead_image is not None and content.lead_image.sha256 == media.sha256
        author = session.get(type(author), release.author_id)
        assert author is not None
        with pytest.raises(MediaNotReady):  # still processing
            service.submit(session, release_id, author)
    process(media_id)
    with session_scope() as session:
        release = service.get_release(session, release_id)
        author = session.get(type(author), release.author_id)
        assert author is not None
        with pytest.raises(MissingAltText) as missing:  # the French version has no alt text
            service.submit(session, release_id, author)
        assert ("minister.jpg", "fr") in missing.value.missing
        row = library.find(session, media_id)
        library.attach(session, release_id, author, row, MediaRole.LEAD,
                       {"nl": MediaText(alt="De minister"), "fr": MediaText(alt="Le ministre")})
        assert service.submit(session, release_id, author).to_state is State.IN_REVIEW
        shown = attached(session, service.current_content(session, release).media)
        assert [a.filename for a in shown] == ["minister.jpg"] and shown[0].ready
        assert shown[0].srcset("webp").endswith("800w")


def test_a_revision_cannot_name_bytes_never_uploaded(db: str) -> None:
    with session_scope() as session:
        author = factories.user(session)
        with pytest.raises(MediaNotReady):
            factories.release(session, author, media=[{"sha256": "a" * 64, "role": "document",
                                                        "filename": "x.pdf", "texts": {}}])


def test_a_file_is_only_attached_under_a_name_of_its_own_type(db: str) -> None:
    with session_scope() as session:
        author = factories.user(session)
        release = factories.release(session, author)
        report = library.upload(session, files.office("docx"), "speech.docx", author)
        for disguise in ("speech.docm", "speech.html", "speech"):
            with pytest.raises(MediaRefused) as refused:
                library.attach(session, release.id or 0, author, report, MediaRole.DOCUMENT,
                               {"nl": MediaText(title="Toespraak")}, filename=disguise)
            assert refused.value.problem == "name_mismatch"


def test_upload_names_keep_only_their_last_part(db: str) -> None:
    with session_scope() as session:
        author = factories.user(session)
        media = library.upload(session, files.png(), "..／..／etc／map.png", author)
        assert media.filename == "map.png"
        with pytest.raises(MediaRefused):  # the name's extension still has to match the bytes
            library.upload(session, files.png(), "C:\\fakepath\\map.png.exe", author)


def test_two_uploads_of_the_same_new_file_at_once_keep_its_bytes(db: str) -> None:
    """One upload fails after claiming the file (and takes its bytes back); the other, waiting
    on the claim, then stores them itself: the row that stays always has its bytes."""
    import threading

    data = files.pdf(2)
    claimed, outcome = threading.Event(), {}

    def failing() -> None:
        try:
            with session_scope() as session:
                done = library.upload_file(session, data, "verslag.pdf", factories.user(session))
                claimed.set()
                threading.Event().wait(0.5)  # the other upload arrives meanwhile
                library.forget([done])
                raise RuntimeError("this upload's release refused it")
        except RuntimeError:
            outcome["failed"] = True

    first = threading.Thread(target=failing)
    first.start()
    assert claimed.wait(10)
    with session_scope() as session:
        second = library.upload_file(session, data, "verslag.pdf", factories.user(session))
    first.join(10)
    assert outcome == {"failed": True} and second.stored
    with session_scope() as session:
        rows = session.exec(select(MediaFile)).all()
    assert len(rows) == 1 and rows[0].status is MediaStatus.PROCESSING
    assert get_store().exists(original_key(rows[0].sha256))
    assert process(rows[0].id or 0) is MediaStatus.READY


def test_a_store_out_of_reach_during_processing_keeps_the_file_for_a_retry(db: str) -> None:
    from media.errors import UnusableMediaStore
    from media.storage import Store

    class Unreachable:
        """The real store for reading, out of reach for writing (a store outage mid-task)."""

        def __init__(self, inner: Store) -> None:
            self.inner = inner

        def get(self, key: str) -> bytes:
            return self.inner.get(key)

        def put(self, key: str, data: bytes, content_type: str) -> None:
            raise UnusableMediaStore("media store cannot be reached: connection refused")

        def exists(self, key: str) -> bool:
            return self.inner.exists(key)

        def delete(self, key: str) -> None:
            raise AssertionError("nothing may be deleted because the store is out of reach")

        def describe(self) -> str:
            return "unreachable"

    with session_scope() as session:
        media = library.upload(session, files.png(), "kaart.png", factories.user(session))
        media_id, sha = media.id or 0, media.sha256
    with pytest.raises(UnusableMediaStore):
        process(media_id, store=Unreachable(get_store()))
    with session_scope() as session:
        row = session.get(MediaFile, media_id)
        assert row is not None and row.status is MediaStatus.PROCESSING and not row.error
    assert get_store().exists(original_key(sha))
    assert process(media_id) is MediaStatus.READY  # the retry, once the store is back
