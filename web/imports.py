"""A release imported from Word or LibreOffice documents, as the API and the press pages take
it: the uploaded files read (never more than the largest file accepted), the import run and the
draft created in one transaction, its events relayed after it commits; the pictures' renditions
are made by the worker. A refusal (macros, a remote template, a picture without description, a
setting) leaves no release, no file row and no stored object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from core.errors import InvalidInput
from web.attachments import read_upload
from web.deps import acting, attach
from workflow import service
from workflow.imports import Document, Imported, ImportOptions, import_release, is_document
from workflow.models import User


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its stream and the name the browser gave."""

    file: BinaryIO
    filename: str


def document_of(upload: Upload, field: str) -> Document:
    """The upload as a document to import; InvalidInput naming the form field if it is none."""
    if not upload.filename.strip():
        raise InvalidInput(field, "choose a Word (.docx) or LibreOffice (.odt) document")
    if not is_document(upload.filename):
        raise InvalidInput(field, f"{upload.filename!r} is not a Word (.docx) or LibreOffice (.odt) document")
    return Document(read_upload(upload.file), upload.filename)


def import_uploads(user: User, main: Upload, translations: Mapping[str, Upload],
                   options: ImportOptions) -> tuple[int, Imported]:
    """Create a draft by `user` from the uploaded documents; its id and what the import said."""
    document = document_of(main, "file")
    others = {language: document_of(upload, f"translation_{language}") for language, upload in translations.items()}
    with acting() as session:
        author = attach(session, user)
        imported = import_release(session, document, others, actor=author, options=options)
        release = service.create_release(session, author, imported.content)
        release_id = release.id or 0
    return release_id, imported
