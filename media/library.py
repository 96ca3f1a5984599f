"""The media library: upload a file, attach it to a release, change its texts, take it off.

Uploading checks the bytes (`media.checks`) before anything is stored; a refused file leaves
no row and no object behind. An accepted file is stored once by its SHA-256 and announced by a
`media.uploaded` event, whose follow-up task makes its renditions. Attaching, changing and
removing are edits of the release: each stores a new revision through `workflow.service`, so
the change is reviewed (editing approved text sends it back to review) and audited.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.db import insert_ignoring, utcnow
from core.errors import InvalidInput, NotFound
from core.outbox import emit
from media.checks import inspect
from media.errors import WrongMediaRole
from media.models import MediaFile, MediaKind, MediaStatus
from media.storage import Store, get_store, original_key
from workflow.content import MediaItem, MediaRole, MediaText, ReleaseContent, parse_content
from workflow.models import User
from workflow.service import Step, current_content, edit_release, get_release


@dataclass(frozen=True)
class Uploaded:
    """What an upload did: the file's row, and whether this upload put its bytes in the store
    (False for bytes uploaded before). Only an upload that stored the bytes may take them out
    again when its transaction fails: another may have claimed them meanwhile."""

    media: MediaFile
    stored: bool


def upload(session: Session, data: bytes, filename: str, actor: User | None,
           store: Store | None = None) -> MediaFile:
    """Check and store a file; returns its row (an existing one for bytes uploaded before).

    Raises MediaRefused, naming the file and the reason, for anything not accepted.
    """
    return upload_file(session, data, filename, actor, store).media


def upload_file(session: Session, data: bytes, filename: str, actor: User | None,
                store: Store | None = None) -> Uploaded:
    """`upload`, saying whether the bytes were stored by this call.

    The row is claimed before the bytes are written, with an insert that yields to a concurrent
    upload of the same bytes (which then owns them), so two people uploading the same photo at
    once both succeed, and a failing one never removes the bytes the other's row names.
    """
    filename = plain_name(filename)
    inspected = inspect(data, filename)
    sha256 = hashlib.sha256(data).hexdigest()
    claimed = session.execute(insert_ignoring(session, MediaFile).values(
        sha256=sha256, kind=inspected.kind, mime=inspected.type.mime, extension=inspected.type.extension,
        size=inspected.size, width=inspected.width, height=inspected.height, pages=inspected.pages,
        filename=filename, status=MediaStatus.PROCESSING, progress=0, error_code="", error="",
        uploaded_by_id=actor.id if actor else None, created_at=utcnow(),
    ).returning(col(MediaFile.id))).first() is not None  # no row back: another upload had them
    if not claimed:  # uploaded before; one whose processing failed is tried again from these bytes
        claimed = session.execute(
            update(MediaFile).where(col(MediaFile.sha256) == sha256, col(MediaFile.status) == MediaStatus.FAILED)
            .values(status=MediaStatus.PROCESSING, progress=0, error="", error_code="")
        ).rowcount == 1  # type: ignore[attr-defined]
    row = session.exec(select(MediaFile).where(MediaFile.sha256 == sha256)
                       .execution_options(populate_existing=True)).one()
    if claimed:
        (store or get_store()).put(original_key(sha256), data, inspected.type.mime)
        emit(session, "media.uploaded", row.id, sha256=sha256, actor_id=actor.id if actor else None)
    return Uploaded(row, claimed)


def forget(uploads: list[Uploaded], store: Store | None = None) -> None:
    """Take out of the store the bytes these uploads stored, when their transaction is failing:
    the rows that named them go with it."""
    for done in uploads:
        if done.stored:
            (store or get_store()).delete(original_key(done.media.sha256))


_NOT_IN_NAMES = set('<>:"|?*\\/')  # what Windows refuses in a file name, and path separators
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))}


def plain_name(filename: str) -> str:
    """The last part of a path a browser or a shell handed over, in compatibility form (so a
    full-width or division slash is a slash), without what a file system or a shell takes for
    something else (control and invisible characters, `<>:"|?*`, device names like CON), shortened to 200 characters with its extension kept."""
    name = unicodedata.normalize("NFKC", filename).replace("\\", "/").replace("\u2215", "/")
    name = name.rsplit("/", 1)[-1].strip()
    name = "".join(ch if ch.isprintable() and ch not in _NOT_IN_NAMES else "_" for ch in name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not stem or not dot:
        stem, extension = name, ""
    if len(name) > 200:
        name = stem[: 199 - len(extension)] + "." + extension if extension else name[:200]
    if not stem.strip(" ._"):
        raise InvalidInput("filename", f"{filename[:80]!r} is not a usable file name")
    if stem.split(".")[0].upper() in _RESERVED:  # names Windows keeps for devices
        name = "_" + name
    return name


def find(session: Session, key: int | str) -> MediaFile:
    """A file by its id, or by its SHA-256 (or a unique prefix of at least 8 digits)."""
    if isinstance(key, int) or str(key).isdigit():
        row = session.get(MediaFile, int(key))
    else:
        text = str(key).lower()
        if len(text) < 8:
            raise NotFound("media file", key)
        rows = session.exec(select(MediaFile).where(MediaFile.sha256.startswith(text))).all()  # type: ignore[attr-defined]
        row = rows[0] if len(rows) == 1 else None
    if row is None:
        raise NotFound("media file", key)
    return row


def attach(session: Session, release_id: int, actor: User, media: MediaFile, role: MediaRole | str,
           texts: dict[str, MediaText], *, filename: str | None = None,
           expected_version: int | None = None) -> Step | None:
    """Attach a file to a release (or change how it is attached): a new revision.

    A new lead image moves the previous lead into the gallery.
    """
    role = MediaRole(role)
    if (media.kind is MediaKind.IMAGE) != (role is not MediaRole.DOCUMENT):
        raise WrongMediaRole(media.filename, role.value, media.kind.value)
    release = get_release(session, release_id)
    content = current_content(session, release)
    item = MediaItem(sha256=media.sha256, role=role, filename=plain_name(filename or media.filename), texts=texts)
    items: list[MediaItem] = []
    replaced = False
    for existing in content.media:
        if existing.sha256 == media.sha256:
            items.append(item)
            replaced = True
        elif role is MediaRole.LEAD and existing.role is MediaRole.LEAD:
            items.append(existing.model_copy(update={"role": MediaRole.GALLERY}))
        else:
            items.append(existing)
    if not replaced:
        items.append(item)
    changed = _with_media(content, items)
    verb = "changed" if replaced else "added"
    return edit_release(session, release_id, actor, changed, expected_version,
                        comment=f"media {verb}: {item.filename}")


def detach(session: Session, release_id: int, actor: User, media: MediaFile,
           expected_version: int | None = None) -> Step | None:
    """Take a file off a release: a new revision without it."""
    release = get_release(session, release_id)
    content = current_content(session, release)
    kept = [item for item in content.media if item.sha256 != media.sha256]
    if len(kept) == len(content.media):
        raise NotFound(f"media file on release {release_id}", media.id)
    gone = next(item for item in content.media if item.sha256 == media.sha256)
    return edit_release(session, release_id, actor, _with_media(content, kept), expected_version,
                        comment=f"media removed: {gone.filename}")


def _with_media(content: ReleaseContent, items: list[MediaItem]) -> ReleaseContent:
    """The content with `items` as its media, validated again as a whole (one lead, alt texts);
    raises InvalidInput naming what is wrong."""
    data = content.model_dump(mode="json")
    data["media"] = [item.model_dump(mode="json") for item in items]
    return parse_content(data)
