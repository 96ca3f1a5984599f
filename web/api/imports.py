"""POST /api/releases/import: a draft from a press release written in Word or LibreOffice.

One multipart request: `file` (the .docx or .odt), optional `translation_<lang>` files (the
release in other languages), and the settings a document cannot hold (`language`, `kind`,
`lists`, `topics`, `web_only`, `update_contacts`). The answer holds the release and the notes on
what could not be carried over; a refused document answers 422 naming it and why.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from core.settings import get_settings
from web.api.releases import release_out
from web.auth import ApiUser
from web.deps import reading
from web.errors import api_responses
from web.imports import Upload, import_uploads
from web.schemas import ReleasePublic
from workflow.imports import ImportOptions
from workflow.models import ReleaseKind

router = APIRouter(prefix="/releases", tags=["releases"])


class ImportOut(BaseModel):
    """The draft, and what the import said about the documents."""

    release: ReleasePublic
    notes: list[str] = Field(description="what could not be carried over, each naming the file and where")
    contact_notes: list[str] = Field(description="contacts that differ from (or are not in) the contact directory")


def _slugs(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@router.post("/import", status_code=201, response_model=ImportOut, responses=api_responses(401, 403, 422))
async def import_release(
    request: Request,
    user: ApiUser,
    file: Annotated[UploadFile, File(description="the press release as a Word (.docx) or LibreOffice (.odt) "
                                                 "document")],
    language: Annotated[str, Form(max_length=10, description="the document's language; empty: its language "
                                                             "property, else the default language")] = "",
    kind: Annotated[ReleaseKind, Form()] = ReleaseKind.PRESS_RELEASE,
    lists: Annotated[str, Form(max_length=2000, description="comma-separated list slugs")] = "",
    topics: Annotated[str, Form(max_length=2000, description="comma-separated topic slugs")] = "",
    web_only: Annotated[bool, Form()] = False,
    update_contacts: Annotated[bool, Form(description="also update the contact directory (admins, or the "
                                                      "contact themselves)")] = False,
) -> ImportOut:
    """Create a draft from a document (and `translation_<lang>` documents, e.g. `translation_fr`).
    The title is the first heading, the lead the first paragraph in bold, the body Markdown; the
    contact block gives the contacts and the pictures (with their descriptions) the media. A
    document with macros or a link to a template is refused (422) and nothing is stored."""
    form = await request.form()
    translations = {}
    for language_code in get_settings().languages:
        value = form.get(f"translation_{language_code}")
        if isinstance(value, StarletteUpload) and (value.filename or "").strip():
            translations[language_code] = Upload(value.file, value.filename or "")
    options = ImportOptions(kind=kind.value, language=language or None, lists=_slugs(lists), topics=_slugs(topics),
                            web_only=web_only, update_contacts=update_contacts)
    try:
        release_id, imported = await run_in_threadpool(
            import_uploads, user, Upload(file.file, file.filename or ""), translations, options)
    finally:
        for upload in (file, *[form.get(f"translation_{code}") for code in get_settings().languages]):
            if isinstance(upload, StarletteUpload):
                await upload.close()
    with reading() as session:
        release = release_out(session, release_id)
    return ImportOut(release=release, notes=imported.notes, contact_notes=imported.contact_notes)
