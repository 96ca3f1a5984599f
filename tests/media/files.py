"""Files the media tests make themselves: clean ones, and hostile ones each refused for a reason."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

GPS_LATITUDE = (50, 50, 30)  # Brussels, as a camera would record it


def jpeg_with_gps(width: int = 1600, height: int = 1000, colour: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """A photo carrying what cameras write: GPS position, camera serial number, an XMP packet."""
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 40):  # some detail, so the encoder has something to do
        image.paste((200, 60, 40), (x, 0, x + 10, height))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0xA431] = "SERIAL-0042-SECRET"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = (4, 21, 7)
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="SecretTool"/>'
           b'</rdf:RDF></x:xmpmeta>')
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes(), xmp=xmp)
    return out.getvalue()


def png(width: int = 800, height: int = 600, transparent: bool = False) -> bytes:
    image = Image.new("RGBA" if transparent else "RGB", (width, height), (20, 120, 60, 128) if transparent else (20, 120, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 200, 10)).save(out, "WEBP")
    return out.getvalue()


def png_bomb(side: int = 20_000) -> bytes:
    """A 20,000 × 20,000 PNG (400 megapixels) that compresses to a few hundred kilobytes."""
    out = io.BytesIO()
    Image.new("1", (side, side), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with these objects (1-based), catalog first, and a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf(pages: int = 2, text: str = "Jaarverslag 2026") -> bytes:
    """A plain PDF with `pages` pages of text."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        stream = b"BT /F1 24 Tf 72 720 Td (" + f"{text} - {i + 1}".encode() + b") Tj ET"
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _pdf(objects)


def pdf_with_javascript() -> bytes:
    """A PDF whose OpenAction runs JavaScript, its key written with a hex escape (/J#53)."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
                 b"<< /Type /Action /S /JavaScript /J#53 (app.alert('hi')) >>"])


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf(1))).pages:
        writer.add_page(page)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')


def jpeg_zip_polyglot() -> bytes:
    """A JPEG with a ZIP archive appended: an image viewer and an unzipper each see their own."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("payload.html", "<script>alert(1)</script>")
    return jpeg_with_gps(200, 100) + archive.getvalue()


def office(kind: str = "docx", macros: bool = False) -> bytes:
    """A minimal Office Open XML package of `kind`."""
    main = {"docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
            "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
            "pptx": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")}[kind]
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             f'<Override PartName="/{main[0]}" ContentType="{main[1]}"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr(main[0], "<document/>")
        if macros:
            zf.writestr("word/vbaProject.bin", b"\x00" * 100)
    return out.getvalue()
