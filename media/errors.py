"""Errors of the media room. Each refusal names the file and a `problem` code; the English
sentence is here (API, CLI, logs) and the press UI reads `media_<problem>` from the catalogue."""

from __future__ import annotations

from typing import Any

from core.errors import ConfigurationError, Conflict, InvalidInput, NotFound

# problem code -> the English sentence, filled in from the refusal's values.
REASONS: dict[str, str] = {
    "empty": "is empty",
    "too_big": "is {size}; the largest file a release may carry is {limit}",
    "unknown_type": "is not a JPEG, PNG or WebP image, a PDF or an Office document (.docx, .xlsx, "
                    ".pptx); its first bytes say: {found}",
    "name_mismatch": "is named .{extension} but its bytes are {found}: rename it or upload the "
                     "right file",
    "svg": "is an SVG image, which can carry scripts: export it as PNG and upload that",
    "polyglot": "is {found} that is also readable as {other}: a file that is two things at once "
                "is refused",
    "bomb": "is {width} × {height} pixels ({megapixels} megapixels); the largest image accepted is "
            "{limit} megapixels",
    "unreadable": "cannot be read as {found}: {detail}",
    "encrypted": "is a password-protected PDF: save it without a password and upload it again",
    "pdf_script": "is a PDF that carries {what}: save or print it to a PDF without it",
    "no_pages": "is a PDF without pages",
    "macros": "is an Office document with macros: save it as .docx, .xlsx or .pptx without "
              "macros",
    "zip_bomb": "unpacks to {unpacked}, more than a document of this size can hold",
    "jpeg_scans": "is a JPEG of {scans} scans, far more than a photo has: save it again as an "
                  "ordinary JPEG",
    "png_chunks": "is a PNG with {chunks} text chunks, far more than a picture has: save it again "
                  "without them",
    "office_external": "is an Office document that {what}: save a copy without it",
    "pdf_link": "is a PDF with a link to {target}: only http(s) and mailto links are accepted",
    "not_office": "is a ZIP archive, not a Word, Excel or PowerPoint document",
    "not_importable": "is not a Word (.docx) or LibreOffice (.odt) document: save the release in one "
                      "of those formats",
    "not_odt": "is not a LibreOffice text document (.odt)",
    "odt_macros": "is a LibreOffice document with macros or scripts: save a copy without them",
}


class MediaRefused(InvalidInput):
    """A file that may not be attached: what it is, and why. Nothing of it is stored."""

    def __init__(self, filename: str, problem: str, **values: Any) -> None:
        self.filename = filename
        self.values = {"filename": filename, **values}
        super().__init__(f"file {filename!r}", REASONS[problem].format(**self.values))
        self.problem = problem


class MediaNotReady(Conflict):
    """A release cannot move on while one of its files is still being processed, or failed."""

    def __init__(self, filename: str, status: str, error: str = "") -> None:
        self.filename = filename
        self.status = status
        detail = f" ({error})" if error else ""
        super().__init__(f"file {filename!r} is {status}{detail}: wait for it, or remove it")


class WrongMediaRole(InvalidInput):
    """An image attached as a document, or a document as the lead image or in the gallery."""

    def __init__(self, filename: str, role: str, kind: str) -> None:
        self.filename = filename
        self.role = role
        self.kind = kind
        super().__init__("role", f"{filename!r} is {'an image' if kind == 'image' else 'a document'} "
                                 f"and cannot be attached as {role}")


class MediaMissing(NotFound):
    """A stored object the database names is not in the store."""


class UnusableMediaStore(ConfigurationError):
    """PRESSROOM_MEDIA_URL names no store Pressroom knows, or the store cannot be reached."""
