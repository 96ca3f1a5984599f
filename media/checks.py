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
import struct
import threading
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

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
# Names in a PDF that make it act rather than show: scripts, launching programs or other files,
# sending data away, carried files and media. Looked for in the raw bytes and in every object
# stream, so that no parser's reading of a malformed file can hide one, and in pypdf's objects.
_PDF_ACTIVE = {
    "/JS": "JavaScript", "/JavaScript": "JavaScript", "/AA": "actions that run by themselves",
    "/Launch": "a launch action", "/GoToR": "a link into another file", "/GoToE": "a link into another file",
    "/SubmitForm": "a form that sends data away", "/ImportData": "a form that reads other files",
    "/EmbeddedFile": "an embedded file", "/EmbeddedFiles": "embedded files",
    "/RichMedia": "embedded media", "/Rendition": "embedded media", "/Movie": "embedded media",
    "/Sound": "embedded media", "/XFA": "an XFA form",
}
_PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}\x00]+")
_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")  # the keyword that starts a stream's data
_PDF_WALK_LIMIT = 200_000  # objects looked at before a PDF is called unreadable
_LINK_SCHEMES = ("http://", "https://", "mailto:")
# A document unpacking to more than this many times its size, or more than the cap, is refused.
_UNPACK_RATIO = 100
_UNPACK_CAP = 1024 * 1024 * 1024
_XML_PART_LIMIT = 20 * 1024 * 1024  # one XML part of an Office document, read to check it
_JPEG_MAX_SCANS = 100  # libjpeg-turbo's own guard against scan bombs sets the same kind of cap
_PNG_MAX_TEXT_CHUNKS = 1000
# Pillow's bomb limit is one process-wide number: set and used under one lock.
_PILLOW_LIMIT = threading.Lock()


@contextmanager
def pillow_limit(pixels: int | None) -> Iterator[None]:
    """Pillow with its decompression-bomb limit at `pixels` (None: none), warnings as errors."""
    from PIL import Image

    with _PILLOW_LIMIT:
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = pixels
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error" if pixels else "ignore", Image.DecompressionBombWarning)
                yield
        finally:
            Image.MAX_IMAGE_PIXELS = saved


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
    """The type and facts of `data`, uploaded as `filename`; raises MediaRefused saying why not,
    and nothing else: a file no library can read is refused as unreadable."""
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
    try:
        _refuse_polyglot(data, filename, file_type)
        if file_type.kind is MediaKind.IMAGE:
            width, height = _image_size(data, filename, file_type)
            return Inspected(file_type, len(data), width=width, height=height)
        if file_type is PDF:
            return Inspected(file_type, len(data), pages=_pdf_pages(data, filename))
        return Inspected(file_type, len(data))
    except MediaRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - parsers raise many types for broken files
        raise MediaRefused(filename, "unreadable", found=f"a {file_type.label} file",
                           detail=str(exc)[:200] or type(exc).__name__) from None


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
    anywhere in the first kilobyte, an unzipper a ZIP directory at the end, a browser markup.
    (Images are only ever served re-encoded, so what hides inside one never reaches a reader;
    this keeps such files out of the store as well.)"""
    def refuse(other: str) -> None:
        raise MediaRefused(filename, "polyglot", found=f"a {file_type.label} file", other=other)

    if file_type is not PDF and b"%PDF-" in data[:1024]:
        refuse("a PDF")
    if file_type.kind is MediaKind.IMAGE or file_type is PDF:
        if _holds_zip(data):
            refuse("a ZIP archive")
        if _MARKUP.search(data[:1024]):
            refuse("HTML or SVG")
    if file_type is PNG:
        end = data.find(b"IEND\xaeB`\x82")
        if end != -1 and data[end + 8:].strip(b"\x00"):
            refuse("a PNG with other data after its end")
    if file_type is WEBP:
        declared = struct.unpack("<I", data[4:8])[0] + 8
        if len(data) > declared + (declared % 2):
            refuse("a WebP with other data after its end")


def _holds_zip(data: bytes) -> bool:
    """Whether a ZIP archive ends anywhere in `data`: an end-of-directory record whose central
    directory sits right before it, wherever it is (unzippers search for it, and a comment can
    hide it from `zipfile.is_zipfile`). Checking the structure keeps random bytes of compressed
    image data from counting."""
    position = data.find(b"PK\x05\x06")
    while position != -1:
        record = data[position:position + 22]
        if len(record) == 22:
            _, disk, cd_disk, here, total, cd_size, _offset, _ = struct.unpack("<4s4H2LH", record)
            start = position - cd_size
            if disk == cd_disk == 0 and here == total and 0 < cd_size <= position and \
                    data[start:start + 4] == b"PK\x01\x02":
                return True
        position = data.find(b"PK\x05\x06", position + 1)
    return b"PK\x06\x06" in data and b"PK\x06\x07" in data and b"PK\x01\x02" in data  # ZIP64


def _image_size(data: bytes, filename: str, file_type: FileType) -> tuple[int, int]:
    """Open the image with Pillow's bomb check on our limit, and verify its structure."""
    from PIL import Image

    limit = get_settings().media_max_pixels
    if file_type is JPEG:
        scans = data.count(b"\xff\xda")  # 0xFF in scan data is stuffed, so this counts markers
        if scans > _JPEG_MAX_SCANS:
            raise MediaRefused(filename, "jpeg_scans", scans=scans)
    if file_type is PNG:
        chunks = sum(data.count(kind) for kind in (b"tEXt", b"zTXt", b"iTXt"))
        if chunks > _PNG_MAX_TEXT_CHUNKS:
            raise MediaRefused(filename, "png_chunks", chunks=chunks)
    try:
        with pillow_limit(limit), Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[file_type.extension]]) as image:
            width, height = image.size
            image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        width, height = _header_size(data)
    if width * height > limit:
        raise MediaRefused(filename, "bomb", width=width, height=height,
                           megapixels=round(width * height / 1e6), limit=round(limit / 1e6))
    return width, height


def _header_size(data: bytes) -> tuple[int, int]:
    """The size an image claims, read without a limit (for the refusal's message)."""
    from PIL import Image

    with pillow_limit(None), Image.open(io.BytesIO(data)) as image:
        return image.size


def _pdf_pages(data: bytes, filename: str) -> int:
    """The page count of a PDF that is neither encrypted nor active.

    First the raw bytes and every compressed stream (within an unpacking budget, so a small file
    cannot make us inflate gigabytes) are searched for the names of active features, decoded as a
    reader decodes them ("/J#53" is "/JS"): whatever object table a reader rebuilds from a
    malformed file, the names are in the bytes. Then pypdf reads the document for its pages,
    its encryption and its links.
    """
    from pypdf import PdfReader

    if _trailer_mentions_encrypt(data):
        raise MediaRefused(filename, "encrypted")
    active = _active_names(data, filename)
    if active:
        raise MediaRefused(filename, "pdf_script", what=active)
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise MediaRefused(filename, "encrypted")
    _check_pdf_objects(reader.trailer, filename)
    pages = len(reader.pages)
    if pages < 1:
        raise MediaRefused(filename, "no_pages")
    return pages


def _trailer_mentions_encrypt(data: bytes) -> bool:
    return any(_decoded_name(name) == "/Encrypt" for name in _PDF_NAME.findall(data[-4096:]))


def _decoded_name(raw: bytes) -> str:
    """A PDF name as readers see it: "#xx" escapes decoded."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def _active_names(data: bytes, filename: str) -> str:
    """The first active feature named in the file's objects, or "".

    Objects live outside streams, or inside object streams (`/Type /ObjStm`); both are searched,
    each object stream inflated within what is left of the budget. Other streams (pictures,
    fonts, page content) are raw data where any three bytes may spell "/JS" by chance: they are
    only inflated to count towards the budget, so a small file that unpacks to gigabytes of page
    content is refused too."""
    budget = min(max(_UNPACK_RATIO * len(data), 100 * 1024 * 1024), _UNPACK_CAP)
    view = memoryview(data)
    outside: list[bytes] = []
    unpacked = position = 0
    for match in _PDF_STREAM.finditer(data):
        if match.start() < position:
            continue  # the "stream" of an "endstream" already passed
        outside.append(data[position:match.start()])
        end = data.find(b"endstream", match.end())
        end = len(data) if end == -1 else end
        head = data[max(position, data.rfind(b"obj", position, match.start())):match.start()]
        is_object_stream = any(_decoded_name(raw) == "/ObjStm" for raw in _PDF_NAME.findall(head))
        inflated, size = _inflate(view[match.end():end], budget - unpacked + 1, keep=is_object_stream)
        unpacked += size
        if unpacked > budget:
            raise MediaRefused(filename, "zip_bomb", unpacked=f"more than {human_size(budget)}")
        found = _named_feature(inflated)
        if found:
            return found
        position = end + len(b"endstream")
    outside.append(data[position:])
    return _named_feature(b"".join(outside))


def _inflate(raw: memoryview, limit: int, keep: bool) -> tuple[bytes, int]:
    """A deflated stream's bytes (when `keep`) and its inflated size, never inflating more than
    `limit` bytes; (b"", 0) for a stream that is not deflated."""
    inflater = zlib.decompressobj()
    kept: list[bytes] = []
    size = 0
    pending: bytes | memoryview = raw
    try:
        while pending and size < limit:
            chunk = inflater.decompress(pending, min(1024 * 1024, limit - size))
            size += len(chunk)
            if keep:
                kept.append(chunk)
            pending = inflater.unconsumed_tail
            if not chunk:
                break
    except zlib.error:
        if not size:
            return b"", 0  # not deflated (an image, a font in another filter)
    return b"".join(kept), size


def _named_feature(chunk: bytes) -> str:
    for raw in _PDF_NAME.findall(chunk):
        name = _decoded_name(raw)
        if name in _PDF_ACTIVE:
            return _PDF_ACTIVE[name]
    return ""


def _check_pdf_objects(root: Any, filename: str) -> None:
    """Walk every object reachable from the trailer: active features by pypdf's reading too,
    and links that are not http(s) or mailto (javascript:, file:, network shares)."""
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
                    raise MediaRefused(filename, "pdf_script", what=_PDF_ACTIVE[str(name)])
                if str(name) == "/S" and isinstance(value, NameObject) and str(value) in _PDF_ACTIVE:
                    raise MediaRefused(filename, "pdf_script", what=_PDF_ACTIVE[str(value)])
                if str(name) == "/URI":
                    target = str(value.get_object() if isinstance(value, IndirectObject) else value).strip()
                    if not target.lower().startswith(_LINK_SCHEMES):
                        raise MediaRefused(filename, "pdf_link", target=repr(target[:60]))
                if str(name) == "/FS" and str(value) == "/URL":
                    raise MediaRefused(filename, "pdf_script", what="a link into another file")
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)


# Relationship types an Office document may point outside itself with: hyperlinks only.
_OFFICE_REFUSED_PARTS = ("vbaproject", "vbadata", "activex", "oleobject", "/embeddings/", ".bin")
_OFFICE_REFUSED_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex", "oleobject",
                         "ms-office.vba", "package")
_PACKAGING_TYPES = "vnd.openxmlformats-package."
_DDE = re.compile(rb"(instrtext[^>]*>|instr=\")\s*dde(auto)?\b", re.IGNORECASE)


def _open_package(data: bytes, filename: str) -> zipfile.ZipFile:
    """A ZIP package opened for checking: refused with something in front of it, or when it
    would unpack to far more than its size (or the cap)."""
    if not data.startswith(b"PK\x03\x04"):  # data before the archive: something else in front
        raise MediaRefused(filename, "polyglot", found="a ZIP archive", other="another file before it")
    archive = zipfile.ZipFile(io.BytesIO(data))
    entries = archive.infolist()
    unpacked = sum(entry.file_size for entry in entries)
    budget = min(max(_UNPACK_RATIO * len(data), 10 * 1024 * 1024), _UNPACK_CAP)
    if len(entries) > 10_000 or unpacked > budget:
        raise MediaRefused(filename, "zip_bomb", unpacked=human_size(unpacked))
    return archive


def _office_type(data: bytes, filename: str) -> FileType:
    """Which Office document a ZIP is, refusing macros, ActiveX, embedded objects, external
    relationships (remote templates, OLE links), DDE fields, bombs and archives that are not one.
    The package's XML is parsed, so character references cannot disguise a content type."""
    if not data.startswith(b"PK\x03\x04"):  # data before the archive: something else in front
        raise MediaRefused(filename, "polyglot", found="a ZIP archive", other="another file before it")
    try:
        archive = _open_package(data, filename)
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names:
            raise MediaRefused(filename, "not_office")
        lowered = [name.lower() for name in names]
        if any(marker in name for name in lowered for marker in _OFFICE_REFUSED_PARTS):
            raise MediaRefused(filename, "macros")
        types = [element.get("ContentType", "").lower()
                 for element in _xml(archive, "[Content_Types].xml").iter()]
        # Every package declares the packaging's own parts (relationships, core properties) as
        # "vnd.openxmlformats-package.…": that "package" is not an embedded one.
        if any(marker in content_type.replace(_PACKAGING_TYPES, "") for content_type in types
               for marker in _OFFICE_REFUSED_TYPES):
            raise MediaRefused(filename, "macros")
        for entry in entries:
            if entry.filename.lower().endswith(".rels"):
                _check_relationships(_xml(archive, entry.filename), filename)
            elif entry.filename.lower().endswith(".xml") and _DDE.search(_read(archive, entry.filename)):
                raise MediaRefused(filename, "office_external", what="runs a DDE field (starts programs)")
    except MediaRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile, zlib and expat raise many types
        raise MediaRefused(filename, "unreadable", found="an Office document",
                           detail=str(exc)[:200] or type(exc).__name__) from None
    for main, file_type in _OFFICE_MAIN.items():
        if main.lower() in types:
            return file_type
    raise MediaRefused(filename, "not_office")


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        data = part.read(_XML_PART_LIMIT + 1)
    if len(data) > _XML_PART_LIMIT:
        raise ValueError(f"{name} is larger than {human_size(_XML_PART_LIMIT)}")
    return data


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    data = _read(archive, name)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError(f"{name} declares entities")
    return ElementTree.fromstring(data)


def _check_relationships(root: ElementTree.Element, filename: str) -> None:
    for relationship in root.iter():
        kind = relationship.get("Type", "").lower()
        # The type's last segment names it (".../relationships/oleObject"); its namespace may
        # hold "package" for any part (".../package/2006/relationships/metadata/core-properties").
        if any(marker in kind.rsplit("/", 1)[-1] for marker in ("oleobject", "package", "activex", "vbaproject")):
            raise MediaRefused(filename, "macros")
        if relationship.get("TargetMode", "").lower() == "external" and not kind.endswith("/hyperlink"):
            what = "loads a template from elsewhere" if kind.endswith("/attachedtemplate") else \
                f"links to {relationship.get('Target', '')[:60]!r} outside itself"
            raise MediaRefused(filename, "office_external", what=what)


# --- LibreOffice text documents, read to import a release (never attached as files) ----------

ODT = FileType("LibreOffice", "application/vnd.oasis.opendocument.text", "odt", MediaKind.DOCUMENT, ("odt",))
_ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "script": "urn:oasis:names:tc:opendocument:xmlns:script:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Parts and manifest types that hold code: Basic and script libraries, Java, OLE objects.
_ODF_CODE_PARTS = ("basic/", "scripts/", "dialogs/")
_ODF_CODE_TYPES = ("script", "basic", "oleobject", "java", "dialog")
# Elements that act (scripts, events, applets) and ones that fetch from elsewhere.
_ODF_ACTIVE = {f"{{{_ODF['office']}}}script", f"{{{_ODF['script']}}}event-listener",
               f"{{{_ODF['draw']}}}applet", f"{{{_ODF['draw']}}}plugin"}
_ODF_LINKED = {
    f"{{{_ODF['text']}}}section-source": "includes a section from another file",
    f"{{{_ODF['office']}}}dde-source": "runs a DDE link (starts programs)",
    f"{{{_ODF['text']}}}dde-connection-decl": "runs a DDE link (starts programs)",
    f"{{{_ODF['table']}}}dde-link": "runs a DDE link (starts programs)",
    f"{{{_ODF['draw']}}}floating-frame": "shows a frame loaded from elsewhere",
}
_ODF_EMBEDDING = {f"{{{_ODF['draw']}}}image", f"{{{_ODF['draw']}}}object", f"{{{_ODF['draw']}}}object-ole"}
_ACTING_SCHEMES = ("macro:", "vnd.sun.star.script:", "javascript:", "vbscript:", "vnd.sun.star.basic:")


def inspect_import(data: bytes, filename: str) -> FileType:
    """The checks a Word (.docx) or LibreOffice (.odt) document passes before its text is
    imported as a release: those of an upload (`inspect`: size, type by the bytes and a name
    that agrees, macros, ActiveX, external relationships such as a remote template, DDE,
    bombs), and for an .odt their LibreOffice counterparts (`_odf_text`). Raises MediaRefused."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "docx":
        return inspect(data, filename).type
    if extension != "odt":
        raise MediaRefused(filename, "not_importable")
    if not data:
        raise MediaRefused(filename, "empty")
    limit = get_settings().media_max_bytes
    if len(data) > limit:
        raise MediaRefused(filename, "too_big", size=human_size(len(data)), limit=human_size(limit))
    found = sniff(data)
    if found != "a ZIP archive":
        raise MediaRefused(filename, "name_mismatch", extension=extension, found=found)
    try:
        _odf_text(data, filename)
    except MediaRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile, zlib and expat raise many types
        raise MediaRefused(filename, "unreadable", found="a LibreOffice document",
                           detail=str(exc)[:200] or type(exc).__name__) from None
    return ODT


def _odf_text(data: bytes, filename: str) -> None:
    """Refuse an .odt that is not a text document, or that carries code (Basic or script
    libraries, scripts bound to events, applets, OLE objects), loads something from elsewhere
    (a template, a linked section, a linked picture or object, DDE), or is a bomb. The manifest
    and every XML part are parsed, as for Word documents."""
    archive = _open_package(data, filename)
    names = [entry.filename for entry in archive.infolist()]
    if "mimetype" not in names or _read(archive, "mimetype").strip() != ODT.mime.encode():
        raise MediaRefused(filename, "not_odt")
    if any(name.lower().startswith(_ODF_CODE_PARTS) or "/basic/" in name.lower() for name in names):
        raise MediaRefused(filename, "odt_macros")
    if "META-INF/manifest.xml" in names:
        for entry in _xml(archive, "META-INF/manifest.xml").iter(f"{{{_ODF['manifest']}}}file-entry"):
            media_type = entry.get(f"{{{_ODF['manifest']}}}media-type", "").lower()
            path = entry.get(f"{{{_ODF['manifest']}}}full-path", "").lower()
            if any(marker in media_type for marker in _ODF_CODE_TYPES) or path.startswith(_ODF_CODE_PARTS):
                raise MediaRefused(filename, "odt_macros")
    for name in names:
        if not name.lower().endswith(".xml") or name == "META-INF/manifest.xml" or not _read(archive, name).strip():
            continue  # (LibreOffice leaves some configuration parts empty)
        for element in _xml(archive, name).iter():
            _check_odf_element(element, filename)


def _check_odf_element(element: ElementTree.Element, filename: str) -> None:
    if element.tag in _ODF_ACTIVE or (element.tag == f"{{{_ODF['office']}}}event-listeners" and len(element)):
        raise MediaRefused(filename, "odt_macros")
    if element.tag in _ODF_LINKED:
        raise MediaRefused(filename, "office_external", what=_ODF_LINKED[element.tag])
    target = (element.get(_XLINK_HREF) or "").strip()
    if not target:
        return
    if target.lower().startswith(_ACTING_SCHEMES):
        raise MediaRefused(filename, "odt_macros")
    if element.tag == f"{{{_ODF['meta']}}}template":
        raise MediaRefused(filename, "office_external", what="loads a template from elsewhere")
    outside = "://" in target or target.startswith(("/", "\\\\", "..")) or target.lower().startswith("file:")
    if element.tag in _ODF_EMBEDDING and outside:
        raise MediaRefused(filename, "office_external", what=f"links to {target[:60]!r} outside itself")
