"""Making a file's renditions, off the request, with progress a page can show.

`process` is what the Celery task calls. It is safe to run twice and to run after a crash:
renditions are derived from the original alone, written under fixed keys, and recorded with
insert-or-ignore; a file already ready is left alone. A file whose renditions cannot be made
(bytes that passed the checks but do not decode) is marked failed, with which file and why,
and its bytes are removed from the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from core.db import insert_ignoring, session_scope, utcnow
from core.errors import NotFound
from media import renditions
from media.checks import BY_EXTENSION
from media.errors import MediaMissing, MediaRefused, UnusableMediaStore
from media.models import MediaFile, MediaRendition, MediaStatus
from media.storage import Store, get_store, original_key, rendition_key

log = logging.getLogger(__name__)


def process(media_id: int, store: Store | None = None,
            progress: Callable[[int, int], None] | None = None,
            too_long: tuple[type[BaseException], ...] = ()) -> MediaStatus:
    """Make and store every rendition of one file; returns its status afterwards.

    A store or database that cannot be reached raises (UnusableMediaStore, OperationalError):
    the file is not at fault, so it stays in processing for the task to try again. `too_long`
    are the exceptions that mean the time allowed ran out: the file is failed as too costly.
    """
    store = store or get_store()
    with session_scope() as session:
        media = session.get(MediaFile, media_id)
        if media is None:
            raise NotFound("media file", media_id)
        if media.status is not MediaStatus.PROCESSING:
            return media.status
        sha256, extension, filename = media.sha256, media.extension, media.filename
    file_type = BY_EXTENSION[extension]

    def advance(done: int, total: int) -> None:
        _set_progress(media_id, round(99 * done / total))
        if progress is not None:
            progress(done, total)

    try:
        original = store.get(original_key(sha256))
        for made in renditions.make(original, file_type, advance):
            store.put(rendition_key(sha256, made.name), made.data, made.mime)
            with session_scope() as session:
                session.execute(insert_ignoring(session, MediaRendition).values(
                    media_id=media_id, name=made.name, mime=made.mime, width=made.width,
                    height=made.height, size=len(made.data)))
    except MediaMissing:
        _fail(media_id, store, sha256, "unreadable", f"file {filename!r}: its bytes are no longer in the store")
        return MediaStatus.FAILED
    except MediaRefused as exc:
        _fail(media_id, store, sha256, exc.problem, exc.message)
        return MediaStatus.FAILED
    except (UnusableMediaStore, OperationalError):
        raise
    except too_long:
        _fail(media_id, store, sha256, "unreadable",
              f"file {filename!r}: making its renditions took longer than allowed")
        return MediaStatus.FAILED
    except Exception as exc:  # noqa: BLE001 - a decoder's error on bytes that passed the checks
        detail = f"file {filename!r} cannot be read as {file_type.label}: {str(exc)[:200] or type(exc).__name__}"
        log.warning("media %s failed: %s", media_id, detail)
        _fail(media_id, store, sha256, "unreadable", detail)
        return MediaStatus.FAILED
    with session_scope() as session:
        session.execute(update(MediaFile).where(col(MediaFile.id) == media_id,
                                                col(MediaFile.status) == MediaStatus.PROCESSING)
                        .values(status=MediaStatus.READY, progress=100, processed_at=utcnow()))
    return MediaStatus.READY


def _set_progress(media_id: int, percent: int) -> None:
    with session_scope() as session:
        session.execute(update(MediaFile).where(col(MediaFile.id) == media_id,
                                                col(MediaFile.progress) < percent)
                        .values(progress=percent))


def _fail(media_id: int, store: Store, sha256: str, code: str, message: str) -> None:
    """Mark the file failed and take its bytes out of the store: nothing of it is served."""
    with session_scope() as session:
        names = session.exec(select(MediaRendition.name).where(MediaRendition.media_id == media_id)).all()
        session.execute(update(MediaFile).where(col(MediaFile.id) == media_id)
                        .values(status=MediaStatus.FAILED, error_code=code, error=message[:1000],
                                processed_at=utcnow()))
    for name in names:
        store.delete(rendition_key(sha256, name))
    store.delete(original_key(sha256))
