"""What a file must pass before anything of it is stored.

The type comes from the bytes, never from the name, and the name must agree with it. Then each
type is opened by the library that knows it: Pillow for images (with its decompression-bomb
limit set from PRESSROOM_MEDIA_MAX_PIXELS), pypdf for PDFs (refused when encrypted or carrying
scripts, launch actions or embedded files), zipfile for Office documents (refused with macros or
when they unpack to far more than their size). A file that reads as two types at once (a JPEG
that is also a ZIP, a PNG with a PDF header) is refused: such polyglots are how a harmless-looking
upload carries something else.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from core.settings import get_settings
from media.errors import MediaRefused
from media.models import MediaKind


@dataclass(frozen=True)
class FileType:
    """One accepted type: what it is called, its MIME type and the extensions it may carry."""

    label: str
    mime: str
    extension: str
    kind: MediaKind
    extensions: tuple[str, ...]


JPEG = FileType("JPEG", "image/jpeg", "jpg", MediaKind.IMAGE, ("jpg", "jpeg", "jpe"))
PNG = FileType("PNG", "image/png", "png", MediaKind.IMAGE, ("png",))
WEBP = FileType("WebP", "image/webp", "webp", MediaKind.IMAGE, ("webp",))
PDF = FileType("PDF", "application/pdf", "pdf", MediaKind.DOCUMENT, ("pdf",))
DOCX = FileType("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx", MediaKind.DOCUMENT, ("docx",))
XLSX = FileType("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx", MediaKind.DOCUMENT, ("xlsx",))
PPTX = FileType("PowerPoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "pptx", MediaKind.DOCUMENT, ("pptx",))
TYPES = (JPEG, PNG, WEBP, PDF, DOCX, XLSX, PPTX)
BY_EXTENSION = {extension: kind for kind in TYPES for extension in kind.extensions}
_PILLOW_FORMAT = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
# The part an Office package names as its main document, per type.
_OFFICE_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_MACRO_TYPES = ("macroEnabled", "vbaProject", "vbaData", "ms-office.activeX")
# Markup a browser or an interpreter would act on, looked for where a sniffer looks (the start).
_MARKUP = re.compile(rb"<\s*(svg|script|html|body|iframe|object|embed|\?php|\?xml)\b", re.IGNORECASE)
# Keys of a PDF that make it act rather than show: scripts, launching programs, carried files.
_PDF_ACTIVE = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/Launch": "a launch action",
               "/EmbeddedFile": "an embedded file", "/EmbeddedFiles": "embedded files",
               "/RichMedia": "embedded media", "/XFA": "an XFA form"}
_PDF_WALK_LIMIT = 200_000  # objects looked at before a PDF is called unreadable
_ZIP_RATIO = 100  # an Office document unpacking to more than this many times its size is refused


@dataclass(frozen=True)
class Inspected:
    """What the bytes of an accepted file are."""

    type: FileType
    size: int
    width: int | None = None
    height: int | None = None
    pages: int | None = None

    @property
    def kind(self) -> MediaKind:
        return self.type.kind


def human_size(size: int) -> str:
    """A size as people read it, in English: 812 bytes, 48 KB, 4.2 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def sniff(data: bytes) -> str:
    """What the first bytes say a file is, for messages: "a PNG image", "text", "unknown"."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "a JPEG image"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "a PNG image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    if head.startswith(b"%PDF-"):
        return "a PDF"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "a GIF image"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "a TIFF image"
    if _MARKUP.search(data[:1024]):
        return "markup (HTML, SVG or XML)"
    if head.startswith((b"\xd0\xcf\x11\xe0", )):
        return "an old Office document (.doc, .xls, .ppt)"
    return "unknown data"


def inspect(data: bytes, filename: str) -> Inspected:
    """The type and facts of `data`, uploaded as `filename`; raises MediaRefused saying why not."""
    settings = get_settings()
    if not data:
        raise MediaRefused(filename, "empty")
    if len(data) > settings.media_max_bytes:
        raise MediaRefused(filename, "too_big", size=human_size(len(data)),
                           limit=human_size(settings.media_max_bytes))
    found = sniff(data)
    if found == "markup (HTML, SVG or XML)" and re.search(rb"<\s*svg\b", data[:4096], re.IGNORECASE):
        raise MediaRefused(filename, "svg")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    file_type = _type_of(data, filename, found)
    if extension not in file_type.extensions:
        raise MediaRefused(filename, "name_mismatch", extension=extension or "(none)",
                           found=f"{found} ({file_type.label})")
    _refuse_polyglot(data, filename, file_type)
    if file_type.kind is MediaKind.IMAGE:
        width, height = _image_size(data, filename, file_type)
        return Inspected(file_type, len(data), width=width, height=height)
    if file_type is PDF:
        return Inspected(file_type, len(data), pages=_pdf_pages(data, filename))
    return Inspected(file_type, len(data))


def _type_of(data: bytes, filename: str, found: str) -> FileType:
    if found == "a JPEG image":
        return JPEG
    if found == "a PNG image":
        return PNG
    if found == "a WebP image":
        return WEBP
    if found == "a PDF":
        return PDF
    if found == "a ZIP archive":
        return _office_type(data, filename)
    raise MediaRefused(filename, "unknown_type", found=found)


def _refuse_polyglot(data: bytes, filename: str, file_type: FileType) -> None:
    """Refuse a file another program would read as something else: a PDF reader finds "%PDF-"
    anywhere in the first kilobyte, an unzipper a ZIP directory at the end, a browser markup."""
    def refuse(other: str) -> None:
        raise MediaRefused(filename, "polyglot", found=f"a {file_type.label} file", other=other)

    if file_type is not PDF and b"%PDF-" in data[:1024]:
        refuse("a PDF")
    if (file_type.kind is MediaKind.IMAGE or file_type is PDF) and zipfile.is_zipfile(io.BytesIO(data)):
        refuse("a ZIP archive")
    if _MARKUP.search(data[:1024]):
        refuse("HTML or SVG")
    if file_type is PNG:
        end = data.find(b"IEND\xaeB`\x82")
        if end != -1 and data[end + 8:].strip(b"\x00"):
            refuse("a PNG with other data after its end")


def _image_size(data: bytes, filename: str, file_type: FileType) -> tuple[int, int]:
    """Open the image with Pillow's bomb check on our limit, and verify its structure."""
    from PIL import Image

    limit = get_settings().media_max_pixels
    Image.MAX_IMAGE_PIXELS = limit  # Pillow warns above this and refuses above twice this
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[file_type.extension]]) as image:
                width, height = image.size
                image.verify()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            width, height = _header_size(data)
            raise MediaRefused(filename, "bomb", width=width, height=height,
                               megapixels=round(width * height / 1e6), limit=round(limit / 1e6)) from None
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken files
            raise MediaRefused(filename, "unreadable", found=f"a {file_type.label} image",
                               detail=str(exc)[:200] or type(exc).__name__) from None
    if width * height > limit:
        raise MediaRefused(filename, "bomb", width=width, height=height,
                           megapixels=round(width * height / 1e6), limit=round(limit / 1e6))
    return width, height


def _header_size(data: bytes) -> tuple[int, int]:
    """The size an image claims, read without Pillow's limit (for the refusal's message)."""
    from PIL import Image

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                return image.size
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _pdf_pages(data: bytes, filename: str) -> int:
    """The page count of a PDF that is neither encrypted nor active (scripts, launch actions,
    embedded files), found by walking every object reachable from its trailer: names are
    compared decoded, so "/J#53" is "/JS", and objects inside object streams are seen too."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise MediaRefused(filename, "encrypted")
        active = _pdf_active(reader.trailer)
        if active:
            raise MediaRefused(filename, "pdf_script", what=active)
        pages = len(reader.pages)
    except MediaRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise MediaRefused(filename, "unreadable", found="a PDF", detail=str(exc)[:200] or type(exc).__name__) from None
    if pages < 1:
        raise MediaRefused(filename, "no_pages")
    return pages


def _pdf_active(root: Any) -> str:
    """The first active feature found under `root`, or ""."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    looked = 0
    while stack:
        node = stack.pop()
        looked += 1
        if looked > _PDF_WALK_LIMIT:
            raise ValueError("too many objects to check")
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            for name, value in node.items():
                if str(name) in _PDF_ACTIVE:
                    return _PDF_ACTIVE[str(name)]
                if str(name) == "/S" and isinstance(value, NameObject) and str(value) in _PDF_ACTIVE:
                    return _PDF_ACTIVE[str(value)]
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return ""


def _office_type(data: bytes, filename: str) -> FileType:
    """Which Office document a ZIP is, refusing macros, bombs and archives that are not one."""
    if not data.startswith(b"PK\x03\x04"):  # data before the archive: something else in front
        raise MediaRefused(filename, "polyglot", found="a ZIP archive", other="another file before it")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        unpacked = sum(entry.file_size for entry in entries)
        if len(entries) > 10_000 or unpacked > max(_ZIP_RATIO * len(data), 10 * 1024 * 1024):
            raise MediaRefused(filename, "zip_bomb", unpacked=human_size(unpacked))
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names:
            raise MediaRefused(filename, "not_office")
        content_types = archive.read("[Content_Types].xml")
    except MediaRefused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise MediaRefused(filename, "unreadable", found="a ZIP archive", detail=str(exc)[:200]) from None
    if any(marker.encode() in content_types for marker in _MACRO_TYPES) or any(
        name.lower().endswith(("vbaproject.bin", "vbadata.xml")) or "/activex/" in name.lower()
        for name in names
    ):
        raise MediaRefused(filename, "macros")
    for main, file_type in _OFFICE_MAIN.items():
        if main.encode() in content_types:
            return file_type
    raise MediaRefused(filename, "not_office")
