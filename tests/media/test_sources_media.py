"""A release file's `media:` list read by `workflow.sources`: files beside the file only, texts
per language, roles by kind, and what is left to process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import select

from core.db import session_scope
from core.errors import InvalidInput
from media.models import MediaFile, MediaStatus
from tests.media import files
from workflow.content import MediaRole
from workflow.sources import read_release_file

pytestmark = pytest.mark.postgres


def _release(directory: Path, media: str) -> Path:
    path = directory / "release.md"
    path.write_text(f"---\ntitle: Titel\nlanguage: fr\nweb_only: true\n{media}---\nTexte\n", encoding="utf-8")
    return path


def test_entries_become_media_items_with_texts_per_language(db: str, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(files.png())
    (tmp_path / "b.webp").write_bytes(files.webp())
    (tmp_path / "c.docx").write_bytes(files.office("docx"))
    path = _release(tmp_path, "media:\n  - {file: a.png, alt: Une photo, caption: {nl: Een foto}}\n"
                              "  - {file: b.webp, role: lead, alt: {fr: Le logo, nl: Het logo}}\n"
                              "  - c.docx\n")
    with session_scope() as session:
        source = read_release_file(session, path)
    media = source.content.media
    assert [(m.role, m.filename) for m in media] == [
        (MediaRole.GALLERY, "a.png"), (MediaRole.LEAD, "b.webp"), (MediaRole.DOCUMENT, "c.docx")]
    assert media[0].texts["fr"].alt == "Une photo" and media[0].texts["nl"].caption == "Een foto"
    assert source.content.lead_image == media[1] and source.media_given
    with session_scope() as session:
        rows = session.exec(select(MediaFile)).all()
    assert sorted(source.uploaded) == sorted(r.id for r in rows)
    assert {r.status for r in rows} == {MediaStatus.PROCESSING}


def test_a_symlink_out_of_the_directory_is_refused(db: str, tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "passport.jpg").write_bytes(files.jpeg_with_gps(200, 100))
    inner = tmp_path / "release"
    inner.mkdir()
    os.symlink(outside / "passport.jpg", inner / "photo.jpg")
    path = _release(inner, "media:\n  - {file: photo.jpg, alt: Foto}\n")
    outside_message = r"media.0.file: 'photo.jpg' lies outside the release file's directory"
    with pytest.raises(InvalidInput, match=outside_message), session_scope() as session:
        read_release_file(session, path)


def test_a_missing_alt_text_names_the_file_and_stores_nothing(db: str, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(files.png())
    path = _release(tmp_path, "media:\n  - {file: a.png, caption: Sans texte alternatif}\n")
    with pytest.raises(InvalidInput, match=r"media 1 \(a.png\) needs an alt text in fr"), session_scope() as session:
        read_release_file(session, path)
    with session_scope() as session:
        assert session.exec(select(MediaFile)).all() == []
    assert not [p for p in (tmp_path / "data").rglob("*") if p.is_file() and "originals" in p.parts]
