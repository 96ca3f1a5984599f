"""`pressroom media add|list|remove` and release files with a `media:` list, through the real
command: what the database and the store hold afterwards, and one-line refusals."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from core.db import session_scope
from media.models import MediaFile, MediaStatus
from media.storage import get_store, rendition_key
from tests.cli.helpers import fails, invoker, ok
from tests.media import files

AUTHOR, OTHER = "an@example.be", "eva@example.be"


@pytest.fixture
def run(db: str, celery_app):  # type: ignore[no-untyped-def]
    return invoker()


def _release(run, tmp_path: Path, extra: str = "") -> str:  # type: ignore[no-untyped-def]
    ok(run("users", "add", AUTHOR, "--name", "An", "--role", "spokesperson"))
    ok(run("users", "add", OTHER, "--name", "Eva", "--role", "spokesperson"))
    source = tmp_path / "release.md"
    source.write_text("---\ntitle: Jaarverslag\nweb_only: true\n" + extra
                      + "translations: {fr: {title: Rapport annuel}}\n---\nTekst.\n", encoding="utf-8")
    return str(json.loads(ok(run("releases", "new", str(source), "--as", AUTHOR, "--json")).stdout)["id"])


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _stored(tmp_path: Path) -> list[Path]:
    root = tmp_path / "data" / "media"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_add_list_and_remove(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = _release(run, tmp_path)
    photo = _write(tmp_path, "minister.jpg", files.jpeg_with_gps(1600, 1000))
    added = ok(run("media", "add", rid, photo, "--lead", "--alt", "De minister spreekt",
                   "--alt-fr", "La ministre parle", "--caption", "In Brussel", "--credit", "© FOD",
                   "--as", AUTHOR))
    assert f"release {rid}: minister.jpg attached as lead" in added.stdout
    report = _write(tmp_path, "jaarverslag.pdf", files.pdf(4))
    result = json.loads(ok(run("media", "add", rid, report, "--title", "Jaarverslag 2025",
                               "--title-fr", "Rapport annuel 2025", "--as", AUTHOR, "--json")).stdout)
    assert result["role"] == "document" and result["changed"] is True

    rows = json.loads(ok(run("media", "list", rid, "--json")).stdout)
    assert [(r["role"], r["filename"], r["type"], r["status"]) for r in rows] == [
        ("lead", "minister.jpg", "JPEG", "ready"), ("document", "jaarverslag.pdf", "PDF", "ready")]
    assert rows[0]["texts"]["nl"]["alt"] == "De minister spreekt"
    assert rows[0]["texts"]["fr"]["alt"] == "La ministre parle"
    assert rows[0]["texts"]["nl"]["credit"] == "© FOD"
    assert (rows[0]["width"], rows[0]["height"]) == (1600, 1000) and rows[1]["pages"] == 4
    text = ok(run("media", "list", rid)).stdout
    assert "1600×1000" in text and "4 pages" in text and "fr: La ministre parle" in text

    # the renditions made by the command are stored and carry no camera data
    with session_scope() as session:
        photo_row = session.exec(select(MediaFile).where(MediaFile.filename == "minister.jpg")).one()
        assert (photo_row.status, photo_row.progress) == (MediaStatus.READY, 100)
    mail = get_store().get(rendition_key(photo_row.sha256, "mail-600.jpg"))
    assert b"SERIAL-0042-SECRET" not in mail
    with Image.open(io.BytesIO(mail)) as image:
        assert image.width == 600 and not image.getexif()

    # the same file again changes nothing; each change is a revision in the log
    again = ok(run("media", "add", rid, report, "--title", "Jaarverslag 2025", "--title-fr",
                   "Rapport annuel 2025", "--as", AUTHOR))
    assert "no change" in again.stdout
    removed = ok(run("media", "remove", rid, photo_row.sha256[:10], "--as", AUTHOR))
    assert "minister.jpg removed" in removed.stdout
    assert [r["filename"] for r in json.loads(ok(run("media", "list", rid, "--json")).stdout)] == ["jaarverslag.pdf"]
    log = json.loads(ok(run("releases", "log", rid, "--json")).stdout)
    assert [e["comment"] for e in log[1:]] == ["media added: minister.jpg", "media added: jaarverslag.pdf",
                                               "media removed: minister.jpg"]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("report.pdf", files.png(), "is named .pdf but its bytes are a PNG image"),
    ("logo.svg", files.SVG_WITH_SCRIPT, "is an SVG image, which can carry scripts"),
    ("brochure.pdf", files.pdf_with_javascript(), "is a PDF that carries JavaScript"),
    ("huge.png", files.png_bomb(), "is 20000 × 20000 pixels"),
    ("locked.pdf", files.encrypted_pdf(), "password-protected PDF"),
])
def test_a_refused_file_is_named_with_its_reason_and_nothing_is_stored(  # type: ignore[no-untyped-def]
        run, tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    rid = _release(run, tmp_path)
    path = _write(tmp_path, name, data)
    fails(run("media", "add", rid, path, "--alt", "Iets", "--as", AUTHOR), 2, f"file {name!r}: ")
    result = run("media", "add", rid, path, "--alt", "Iets", "--as", AUTHOR)
    assert reason in result.stderr, result.stderr
    with session_scope() as session:
        assert session.exec(select(MediaFile)).all() == []
    assert _stored(tmp_path) == []
    assert json.loads(ok(run("releases", "show", rid, "--json")).stdout)["revision"] == 1


def test_wrong_uses_are_refused_in_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = _release(run, tmp_path)
    photo = _write(tmp_path, "photo.jpg", files.jpeg_with_gps(400, 300))
    report = _write(tmp_path, "report.pdf", files.pdf(1))
    fails(run("media", "add", rid, photo, "--caption", "Zonder alt", "--as", AUTHOR), 2,
          "photo.jpg is an image and needs an alt text in nl")
    fails(run("media", "add", rid, report, "--lead", "--as", AUTHOR), 2,
          "'report.pdf' is a document and cannot be attached as lead")
    fails(run("media", "add", rid, photo, "--alt", "Een", "--alt-nl", "Twee", "--as", AUTHOR), 2,
          "--alt-nl: gives another text than --alt")
    fails(run("media", "add", rid, photo, "--alt", "Twee\nregels", "--as", AUTHOR), 2, "--alt: ")
    fails(run("media", "add", rid, photo, "--alt", "Foto", "--name", "../foto.jpg", "--as", AUTHOR), 2,
          "--name: '../foto.jpg' is a path, not a file name")
    fails(run("media", "add", "999", photo, "--alt", "Foto", "--as", AUTHOR), 3, "release 999 not found")
    fails(run("media", "add", rid, str(tmp_path / "missing.jpg"), "--alt", "Foto", "--as", AUTHOR), 2,
          "missing.jpg: cannot be read")
    fails(run("media", "add", rid, photo, "--alt", "Foto", "--as", OTHER), 4, "only its author or an admin")
    fails(run("media", "add", rid, photo, "--alt", "Foto", "--version", "7", "--as", AUTHOR), 5, "version")
    ok(run("releases", "archive", rid, "--as", AUTHOR))
    fails(run("media", "add", rid, photo, "--alt", "Foto", "--as", AUTHOR), 5, "allowed actions")
    with session_scope() as session:  # refused before anything was stored
        assert session.exec(select(MediaFile)).all() == []
    assert _stored(tmp_path) == []
    fails(run("media", "remove", rid, "deadbeefdeadbeef", "--as", AUTHOR), 3, "media file deadbeefdeadbeef not found")


def test_a_release_file_lists_its_media(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "minister.jpg").write_bytes(files.jpeg_with_gps(800, 500))
    (tmp_path / "verslag.pdf").write_bytes(files.pdf(2))
    rid = _release(run, tmp_path, extra=(
        "media:\n"
        "  - {file: photos/minister.jpg, role: lead, alt: De minister, caption: {fr: La ministre}, credit: © FOD}\n"
        "  - {file: verslag.pdf, title: {nl: Verslag, fr: Rapport}}\n"))
    rows = json.loads(ok(run("media", "list", rid, "--json")).stdout)
    assert [(r["role"], r["filename"], r["status"]) for r in rows] == [
        ("lead", "minister.jpg", "ready"), ("document", "verslag.pdf", "ready")]
    assert rows[0]["texts"] == {
        "nl": {"alt": "De minister", "caption": "", "credit": "© FOD", "title": ""},
        "fr": {"alt": "", "caption": "La ministre", "credit": "", "title": ""}}
    assert rows[1]["texts"]["fr"]["title"] == "Rapport"


def test_a_release_file_may_not_reach_outside_its_directory(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(run("users", "add", AUTHOR, "--name", "An", "--role", "spokesperson"))
    (tmp_path / "secret.jpg").write_bytes(files.jpeg_with_gps(100, 100))
    inner = tmp_path / "releases"
    inner.mkdir()
    (inner / "ok.pdf").write_bytes(files.pdf(1))
    (inner / "fake.pdf").write_bytes(files.png())
    for entry, message in [
        ("{file: ../secret.jpg, alt: x}", "media.0.file: '../secret.jpg' lies outside the release file's directory"),
        (f"{{file: {tmp_path / 'secret.jpg'}, alt: x}}", "is an absolute path"),
        ("{file: ok.pdf}\n  - {file: fake.pdf}", "media.1.file: fake.pdf is named .pdf but its bytes are a PNG"),
        ("{file: ok.pdf, role: lead}", "media.0.role: ok.pdf is a document and cannot be attached as lead"),
        ("{file: ok.pdf, colour: red}", "media.0: unknown media keys: colour"),
        ("{file: nothing.pdf}", "media.0.file: 'nothing.pdf': file not found"),
    ]:
        source = inner / "release.md"
        source.write_text(f"---\ntitle: Titel\nweb_only: true\nmedia:\n  - {entry}\n---\nTekst\n", encoding="utf-8")
        fails(run("releases", "new", str(source), "--as", AUTHOR), 2, message)
    with session_scope() as session:
        assert session.exec(select(MediaFile)).all() == []
    assert _stored(tmp_path) == []  # ok.pdf, accepted before fake.pdf was refused, is gone too
    assert json.loads(ok(run("releases", "list", "--json")).stdout) == []


def test_editing_with_a_file_keeps_or_replaces_the_media(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = _release(run, tmp_path)
    ok(run("media", "add", rid, _write(tmp_path, "photo.jpg", files.jpeg_with_gps(400, 300)), "--alt", "Foto",
           "--as", AUTHOR))
    edited = tmp_path / "edited.md"
    edited.write_text("---\ntitle: Jaarverslag 2025\nweb_only: true\n---\nNieuwe tekst.\n", encoding="utf-8")
    ok(run("releases", "edit", rid, str(edited), "--as", AUTHOR))  # no media: key: the files stay
    assert [r["filename"] for r in json.loads(ok(run("media", "list", rid, "--json")).stdout)] == ["photo.jpg"]
    edited.write_text("---\ntitle: Jaarverslag 2025\nweb_only: true\nmedia: []\n---\nNieuwe tekst.\n",
                      encoding="utf-8")
    ok(run("releases", "edit", rid, str(edited), "--as", AUTHOR))  # an empty list: none
    assert json.loads(ok(run("media", "list", rid, "--json")).stdout) == []


def test_a_file_that_fails_processing_is_not_attached(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = _release(run, tmp_path)
    good = files.jpeg_with_gps(800, 600)
    broken = _write(tmp_path, "broken.jpg", good[:2000] + bytes(len(good) - 2000))  # passes the checks only
    result = run("media", "add", rid, broken, "--alt", "Kapot", "--as", AUTHOR)
    fails(result, 2, "error: file 'broken.jpg' cannot be read as JPEG")
    assert result.stderr.strip().endswith("; nothing was attached")
    assert json.loads(ok(run("media", "list", rid, "--json")).stdout) == []
    assert _stored(tmp_path) == []
    # from a release file, the release is stored with it: the command says how to take it off
    (tmp_path / "kapot.jpg").write_bytes(good[:2000] + bytes(len(good) - 2000) + b"x")
    source = tmp_path / "second.md"
    source.write_text("---\ntitle: Twee\nweb_only: true\nmedia: [{file: kapot.jpg, alt: Kapot}]\n---\nTekst\n",
                      encoding="utf-8")
    result = run("releases", "new", str(source), "--as", AUTHOR)
    fails(result, 2, "file 'kapot.jpg' cannot be read as JPEG")
    assert "it stays on release 2 until `pressroom media remove 2 " in result.stderr
    assert "release 2 created as draft" in result.stdout
    assert [r["status"] for r in json.loads(ok(run("media", "list", "2", "--json")).stdout)] == ["failed"]
    fails(run("releases", "submit", "2", "--as", AUTHOR), 5, "file 'kapot.jpg' is failed")


def test_the_progress_bar_on_a_terminal(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console

    from cli.media import process_with_progress
    from media import library

    with session_scope() as session:
        media_id = library.upload(session, files.png(), "grafiek.png", None).id or 0
    screen = io.StringIO()
    process_with_progress([media_id], Console(file=screen, force_terminal=True, width=100))
    assert "renditions of grafiek.png" in screen.getvalue() and "100%" in screen.getvalue()
