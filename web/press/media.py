"""The editor's media section: upload (a plain multipart form, which press.js sends by fetch to
show progress), change a file's role and texts, take it off; the processing status a progress
bar polls; and the renditions staff see as thumbnails and previews before anything is public.

Every change is an edit of the release (a new revision, reviewed like text); a refusal says which
file and why in the user's language, on the editor page (or as JSON to the script).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlmodel import Session, select
from starlette.datastructures import FormData, UploadFile

from core.catalogue import WEB, lookup
from core.errors import InvalidInput, NotFound, PressroomError
from media.models import MediaFile, MediaKind, MediaRendition, MediaStatus
from media.storage import RENDITION_NAME, get_store, original_key, rendition_key
from media.urls import ORIGINAL, preview_key_opens
from media.views import Attached
from web import attachments
from web.auth import PressUser, SubmittedForm, press_user
from web.deps import acting, attach, reading
from web.error_text import describe
from web.i18n import translate, ui_language
from web.pages import flash, redirect
from web.schemas import MAX_ID
from workflow.content import MediaText

router = APIRouter()
ReleaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
MediaId = Annotated[int, Path(ge=1, le=MAX_ID)]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
RenditionName = Annotated[str, Path(max_length=40)]

# The smallest picture of a file that shows what it is, in order of preference.
THUMBNAILS = ("w400.jpg", "cover-300.jpg", "w800.jpg", "mail-600.jpg", "full.jpg", "full.png", "full.webp")


def press_media_path(sha256: str, name: str) -> str:
    """Where signed-in staff see a rendition (or a document's original) before it is public."""
    return f"/press/media/{sha256}/{name}"


def thumbnail(item: Attached) -> str | None:
    """The path of the file's thumbnail, once one is made."""
    name = next((name for name in THUMBNAILS if name in item.renditions), None)
    return press_media_path(item.sha256, name) if name else None


def failure(item: Attached | MediaFile, language: str) -> str:
    """Why processing failed, naming the file, in the reader's language: the refusal's own
    sentence when the file's name is all it needs, else that the file could not be processed
    (the English detail, `item.error`, is shown beside it)."""
    key = "media_" + item.error_code
    if item.error_code and lookup(WEB, key, "en") is not None:
        try:
            return translate(key, language, filename=item.filename)
        except (KeyError, IndexError):  # the sentence needs values only the refusal had
            pass
    return translate("press_media_failed", language, filename=item.filename)


def media_rows(session: Session, release_id: int, language: str) -> list[dict[str, Any]]:
    """The editor's list of the release's files: what each row shows and edits."""
    rows = []
    for item in attachments.release_media(session, release_id):
        rows.append({
            "id": item.media_id, "sha256": item.sha256, "filename": item.filename, "role": item.role.value,
            "is_image": item.kind == MediaKind.IMAGE.value, "type_label": item.type_label,
            "size": item.size_label(language), "width": item.width, "height": item.height, "pages": item.pages,
            "status": item.status.value, "progress": item.progress,
            "error": failure(item, language) if item.status is MediaStatus.FAILED else "",
            "error_detail": item.error if item.status is MediaStatus.FAILED else "",
            "thumbnail": thumbnail(item), "texts": item.item.texts,
            "original": press_media_path(item.sha256, ORIGINAL) if item.kind == MediaKind.DOCUMENT.value else None,
        })
    return rows


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _value(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _version(form: FormData) -> int | None:
    text = _value(form, "expected_version").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput("expected_version", f"{text[:12]!r} is not a version number")
    return int(text)


def _refused(request: Request, user: PressUser, release_id: int, error: PressroomError) -> Response:
    """A refusal in the user's language: JSON for the script, else the editor page saying it."""
    from web.errors import status_of
    from web.press.releases import editor_for

    status, _ = status_of(error)
    said = describe(error, ui_language(user.language))
    if _wants_json(request):
        return JSONResponse({"error": said}, status_code=status)
    if isinstance(error, InvalidInput) or status == 409:
        return editor_for(request, user, release_id, media_error=said, status=status)
    raise error


@router.post("/releases/{release_id}/media")
def upload(request: Request, user: PressUser, release_id: ReleaseId, form: SubmittedForm) -> Response:
    """Upload a file and attach it (a new revision); the editor again, with the file processing."""
    lang = ui_language(user.language)
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not (file.filename or "").strip():
            raise InvalidInput("file", "choose a file to upload")
        data = attachments.read_upload(file.file)
        texts = attachments.texts_from_fields(lambda name: _value(form, name), "media_")
        with acting() as session:
            media = attachments.add(session, release_id, attach(session, user), data, file.filename or "",
                                    _value(form, "media_role"), texts, _version(form))
            shown = attachments.one_attached(session, release_id, media.id or 0)
            result = {"id": media.id, "status": media.status.value, "progress": media.progress,
                      "filename": shown.filename, "status_url": f"/press/media/{media.id}/status",
                      "version": attachments.release_version(session, release_id)}
    except PressroomError as error:
        return _refused(request, user, release_id, error)
    finally:
        if isinstance(file, UploadFile):
            file.file.close()
    if _wants_json(request):
        return JSONResponse(result, status_code=201)
    flash(request, translate("press_media_added", lang, filename=str(result["filename"])))
    return redirect(f"/press/releases/{release_id}/edit#media")


@router.post("/releases/{release_id}/media/{media_id}")
def save(request: Request, user: PressUser, release_id: ReleaseId, media_id: MediaId,
         form: SubmittedForm) -> Response:
    """Store a file's role and texts as a new revision."""
    try:
        texts: dict[str, MediaText] = attachments.texts_from_fields(lambda name: _value(form, name), "media_")
        with acting() as session:
            media = attachments.change(session, release_id, attach(session, user), media_id,
                                       _value(form, "media_role") or None, texts, _version(form))
            filename = attachments.one_attached(session, release_id, media.id or 0).filename
    except PressroomError as error:
        return _refused(request, user, release_id, error)
    flash(request, translate("press_media_saved", ui_language(user.language), filename=filename))
    return redirect(f"/press/releases/{release_id}/edit#media")


@router.post("/releases/{release_id}/media/{media_id}/remove")
def remove(request: Request, user: PressUser, release_id: ReleaseId, media_id: MediaId,
           form: SubmittedForm) -> Response:
    """Take a file off the release: a new revision without it."""
    try:
        with acting() as session:
            filename = attachments.one_attached(session, release_id, media_id).filename
            attachments.remove(session, release_id, attach(session, user), media_id, _version(form))
    except PressroomError as error:
        return _refused(request, user, release_id, error)
    flash(request, translate("press_media_removed", ui_language(user.language), filename=filename))
    return redirect(f"/press/releases/{release_id}/edit#media")


@router.get("/media/{media_id}/status")
def status(user: PressUser, media_id: MediaId) -> JSONResponse:
    """How far a file's processing is, for the editor's progress bar."""
    with reading() as session:
        media = session.get(MediaFile, media_id)
        if media is None:
            raise NotFound("media file", media_id)
        names = set(session.exec(select(MediaRendition.name).where(MediaRendition.media_id == media_id)).all())
    name = next((n for n in THUMBNAILS if n in names), None) if media.status is MediaStatus.READY else None
    return JSONResponse({
        "id": media_id, "status": media.status.value, "progress": media.progress,
        "error": failure(media, ui_language(user.language)) if media.status is MediaStatus.FAILED else "",
        "detail": media.error,
        "thumbnail": press_media_path(media.sha256, name) if name else None,
    }, headers={"Cache-Control": "no-store"})


@router.get("/media/{sha256}/{name}")
def rendition(user: PressUser, sha256: Sha256, name: RenditionName) -> Response:
    """A rendition (or a document's original) for signed-in staff: thumbnails and previews of
    files not public yet. Served with its own image or document type, never sniffed."""
    return _served(sha256, name)


@router.get("/preview-media/{key}/{sha256}/{name}")
def preview_rendition(request: Request, key: Annotated[str, Path(max_length=60)], sha256: Sha256,
                      name: RenditionName) -> Response:
    """The same, for a mail preview's frame, which sends no cookie: the key its link carries
    (media.urls.preview_media_link) opens this one rendition for a day; without a valid key, sign-in first."""
    if not preview_key_opens(key, sha256, name):
        press_user(request)
    return _served(sha256, name)


def _served(sha256: str, name: str) -> Response:
    with reading() as session:
        media = session.exec(select(MediaFile).where(MediaFile.sha256 == sha256)).first()
        if media is None or media.status is not MediaStatus.READY:
            raise NotFound("media file", sha256[:12])
        if name == ORIGINAL:
            if media.kind is not MediaKind.DOCUMENT:  # images only ever as renditions
                raise NotFound("rendition", name)
            key, mime = original_key(sha256), media.mime
            disposition = f'attachment; filename="{_ascii(media.filename)}"'
        else:
            row = session.get(MediaRendition, (media.id, name)) if RENDITION_NAME.match(name) else None
            if row is None:
                raise NotFound("rendition", name)
            key, mime, disposition = rendition_key(sha256, name), row.mime, "inline"
    return StreamingResponse(get_store().stream(key), media_type=mime, headers={
        "X-Content-Type-Options": "nosniff", "Content-Disposition": disposition,
        "Cache-Control": "private, no-store", "Content-Security-Policy": "default-src 'none'; sandbox",
    })


def _ascii(filename: str) -> str:
    """A file name safe inside a quoted header value."""
    return "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename)
