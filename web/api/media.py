"""/api/releases/{id}/media and /api/media/{id}: a release's images and documents.

Uploading is one multipart request: the file's bytes are checked (the real type from the bytes,
no SVG, no bombs, no PDF with scripts …) before anything is stored, and a refusal answers 422
naming the file and the reason. An accepted file is attached at once as a new revision (so it is
reviewed like any edit) and processed off the request: poll `GET /api/media/{id}` until its
`status` is `ready`. Who may upload, change or remove a release's files is who may edit it.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from core.errors import InvalidInput
from media import library
from media.models import MediaFile, MediaRendition
from media.views import Attached
from web import attachments
from web.api.releases import ReleaseId
from web.auth import ApiUser
from web.deps import acting, attach, reading
from web.errors import api_responses
from web.schemas import MAX_ID, Strict, Version
from workflow import service

router = APIRouter(tags=["media"])
MediaId = Annotated[int, Path(ge=1, le=MAX_ID, description="media file id")]

TEXTS_HELP = (
    'JSON object of language → texts, e.g. {"nl": {"alt": "De minister in Kinshasa", "caption": "…", '
    '"credit": "© Foto: …"}, "fr": {"alt": "…"}}. Images need `alt` in every language the release goes '
    "out in (in its main language to be attached at all); documents are listed by `title`."
)


class MediaTextOut(BaseModel):
    alt: str
    caption: str
    credit: str
    title: str


class MediaFileOut(BaseModel):
    """An uploaded file and how far its processing is."""

    id: int
    sha256: str
    filename: str
    kind: str = Field(description="image or document")
    mime: str
    size: int = Field(description="bytes of the original")
    width: int | None
    height: int | None
    pages: int | None
    status: str = Field(description="processing, ready or failed")
    progress: int = Field(description="percent of the renditions made")
    error: str = Field(description="why processing failed (naming the file), else empty")
    renditions: list[str] = Field(description="names of the renditions made so far")


class MediaOut(BaseModel):
    """A file as attached to a release's current revision."""

    id: int
    sha256: str
    role: str = Field(description="lead, gallery or document")
    filename: str
    kind: str
    mime: str
    size: int
    width: int | None
    height: int | None
    pages: int | None
    status: str
    progress: int
    error: str
    texts: dict[str, MediaTextOut]
    release_version: int = Field(description="the release's version now (for the next expected_version)")


class MediaChange(Strict):
    """A new role, new texts (replacing all of them), or both."""

    role: Annotated[str | None, Field(pattern=r"^(lead|gallery|document)$")] = None
    texts: dict[str, dict[str, str]] | None = Field(None, description=TEXTS_HELP)
    expected_version: Version = None


def _out(session: Session, release_id: int, item: Attached) -> MediaOut:
    version = service.get_release(session, release_id).version
    return MediaOut(
        id=item.media_id, sha256=item.sha256, role=item.role.value, filename=item.filename, kind=item.kind,
        mime=item.mime, size=item.size, width=item.width, height=item.height, pages=item.pages,
        status=item.status.value, progress=item.progress, error=item.error,
        texts={language: MediaTextOut(**text.model_dump()) for language, text in item.item.texts.items()},
        release_version=version,
    )


def _texts(text: str) -> object:
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidInput("texts", 'not JSON; write {"nl": {"alt": "…"}, …}') from None


ERRORS = api_responses(401, 403, 404, 409, 422)


@router.post("/releases/{release_id}/media", status_code=201, response_model=MediaOut, responses=ERRORS)
def upload_media(
    user: ApiUser,
    release_id: ReleaseId,
    file: Annotated[UploadFile, File(description="the image (JPEG, PNG, WebP) or document (PDF, .docx, "
                                                 ".xlsx, .pptx)")],
    role: Annotated[str, Form(pattern=r"^(lead|gallery|document)$",
                              description="lead (the image under the title), gallery, or document")],
    texts: Annotated[str, Form(max_length=20_000, description=TEXTS_HELP)] = "",
    expected_version: Annotated[int | None, Form(ge=1, le=MAX_ID, description="act only if the release "
                                                 "is still at this version")] = None,
) -> MediaOut:
    """Upload a file and attach it to the release as a new revision (author or admin, in a state
    that allows editing). A refused file (wrong type for its name, SVG, decompression bomb, PDF
    with JavaScript or a password, over the size limit …) answers 422 naming the file and why,
    and nothing is stored. The answer's `status` is `processing`: renditions are made off the
    request; poll `GET /api/media/{id}`. A new lead image moves the old one into the gallery."""
    try:
        data = attachments.read_upload(file.file)
    finally:
        file.file.close()
    parsed = attachments.texts_from_json(_texts(texts))
    with acting() as session:
        media = attachments.add(session, release_id, attach(session, user), data, file.filename or "",
                                role, parsed, expected_version)
        result = _out(session, release_id, attachments.one_attached(session, release_id, media.id or 0))
    return result


@router.get("/releases/{release_id}/media", response_model=list[MediaOut], responses=api_responses(401, 404, 422))
def list_media(user: ApiUser, release_id: ReleaseId) -> list[MediaOut]:
    """The files of the release's current revision, in print order."""
    with reading() as session:
        return [_out(session, release_id, item) for item in attachments.release_media(session, release_id)]


@router.patch("/releases/{release_id}/media/{media_id}", response_model=MediaOut, responses=ERRORS)
def change_media(user: ApiUser, release_id: ReleaseId, media_id: MediaId, body: MediaChange) -> MediaOut:
    """Change a file's role or texts (the texts given replace all of them): a new revision."""
    texts = None if body.texts is None else attachments.texts_from_json(body.texts)
    with acting() as session:
        attachments.change(session, release_id, attach(session, user), media_id, body.role, texts,
                           body.expected_version)
        result = _out(session, release_id, attachments.one_attached(session, release_id, media_id))
    return result


@router.delete("/releases/{release_id}/media/{media_id}", response_model=list[MediaOut], responses=ERRORS)
def remove_media(
    user: ApiUser, release_id: ReleaseId, media_id: MediaId,
    expected_version: Annotated[int | None, Query(ge=1, le=MAX_ID, description="act only if the release "
                                                  "is still at this version")] = None,
) -> list[MediaOut]:
    """Take a file off the release (a new revision without it); answers the files left. The
    file itself stays stored: earlier revisions name it."""
    with acting() as session:
        attachments.remove(session, release_id, attach(session, user), media_id, expected_version)
        result = [_out(session, release_id, item) for item in attachments.release_media(session, release_id)]
    return result


@router.get("/media/{media_id}", response_model=MediaFileOut, responses=api_responses(401, 404, 422))
def get_media(user: ApiUser, media_id: MediaId) -> MediaFileOut:
    """One uploaded file: its facts and its processing `status` and `progress` (0-100)."""
    with reading() as session:
        media = library.find(session, media_id)
        names = session.exec(select(MediaRendition.name).where(MediaRendition.media_id == media.id)
                             .order_by(col(MediaRendition.name))).all()
        return media_file_out(media, list(names))


def media_file_out(media: MediaFile, renditions: list[str]) -> MediaFileOut:
    return MediaFileOut(
        id=media.id or 0, sha256=media.sha256, filename=media.filename, kind=media.kind.value, mime=media.mime,
        size=media.size, width=media.width, height=media.height, pages=media.pages, status=media.status.value,
        progress=media.progress, error=media.error, renditions=renditions,
    )
