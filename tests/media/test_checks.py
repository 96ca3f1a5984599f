"""Files are judged by their bytes: clean ones accepted with their facts, hostile ones refused
with the file's name and a reason a person can act on."""

from __future__ import annotations

import pytest

from media.checks import inspect
from media.errors import MediaRefused
from media.models import MediaKind
from tests.media import files


def refusal(data: bytes, name: str) -> MediaRefused:
    with pytest.raises(MediaRefused) as caught:
        inspect(data, name)
    assert name in caught.value.message
    return caught.value


def test_clean_files_are_accepted_with_their_facts() -> None:
    photo = inspect(files.jpeg_with_gps(1600, 1000), "minister.JPG")
    assert (photo.kind, photo.type.mime, photo.width, photo.height) == (MediaKind.IMAGE, "image/jpeg", 1600, 1000)
    assert inspect(files.png(), "map.png").type.extension == "png"
    assert inspect(files.webp(), "chart.webp").type.extension == "webp"
    report = inspect(files.pdf(3), "jaarverslag-2026.pdf")
    assert (report.kind, report.pages) == (MediaKind.DOCUMENT, 3)
    assert inspect(files.office("docx"), "speech.docx").type.label == "Word"
    assert inspect(files.office("xlsx"), "figures.xlsx").type.label == "Excel"
    assert inspect(files.office("pptx"), "slides.pptx").type.label == "PowerPoint"


def test_a_png_renamed_pdf_is_refused_for_what_its_bytes_are() -> None:
    refused = refusal(files.png(), "report.pdf")
    assert refused.problem == "name_mismatch"
    assert "PNG" in refused.message and ".pdf" in refused.message


def test_svg_with_a_script_is_refused_whatever_it_is_called() -> None:
    assert refusal(files.SVG_WITH_SCRIPT, "logo.svg").problem == "svg"
    assert refusal(files.SVG_WITH_SCRIPT, "logo.png").problem == "svg"


def test_a_decompression_bomb_is_refused_by_its_size_before_it_is_decoded() -> None:
    bomb = files.png_bomb()
    assert len(bomb) < 2_000_000  # small on disk …
    refused = refusal(bomb, "bomb.png")
    assert refused.problem == "bomb"
    assert "20000 × 20000" in refused.message and "400 megapixels" in refused.message


def test_a_pdf_with_javascript_is_refused_even_with_an_escaped_key() -> None:
    refused = refusal(files.pdf_with_javascript(), "invitation.pdf")
    assert refused.problem == "pdf_script" and "JavaScript" in refused.message


def test_an_encrypted_pdf_is_refused() -> None:
    assert refusal(files.encrypted_pdf(), "secret.pdf").problem == "encrypted"


def test_polyglots_are_refused() -> None:
    assert refusal(files.jpeg_zip_polyglot(), "photo.jpg").problem == "polyglot"
    with_pdf_header = files.png()[:33] + b"%PDF-1.7" + files.png()[33:]
    assert refusal(with_pdf_header, "chart.png").problem == "polyglot"
    png_then_html = files.png() + b"<html><script>alert(1)</script></html>"
    assert refusal(png_then_html, "chart.png").problem == "polyglot"


def test_office_documents_with_macros_are_refused() -> None:
    assert refusal(files.office("docx", macros=True), "speech.docx").problem == "macros"


def test_unknown_empty_and_oversized_files_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert refusal(b"", "empty.jpg").problem == "empty"
    assert refusal(b"GIF89a" + b"\x00" * 100, "anim.gif").problem == "unknown_type"
    assert refusal(b"MZ\x90\x00" + b"\x00" * 100, "setup.pdf").problem == "unknown_type"
    monkeypatch.setenv("PRESSROOM_MEDIA_MAX_BYTES", "2048")
    from core.settings import get_settings

    get_settings.cache_clear()
    refused = refusal(files.jpeg_with_gps(400, 300), "big.jpg")
    assert refused.problem == "too_big" and "2 KB" in refused.message


def test_a_truncated_image_is_refused() -> None:
    photo = files.png(300, 200)
    assert refusal(photo[: len(photo) // 2], "cut.png").problem == "unreadable"
