"""Whether the files a revision names may go out: every one processed, none failed.

Kept apart from `media.library` so that the workflow can ask without importing the room that
itself edits releases through the workflow.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from media.errors import MediaNotReady
from media.models import MediaFile, MediaStatus


def check_ready(session: Session, files: Iterable[tuple[str, str]]) -> None:
    """Raise MediaNotReady for the first (sha256, file name) not processed successfully."""
    wanted = dict(files)
    if not wanted:
        return
    rows = session.exec(select(MediaFile).where(col(MediaFile.sha256).in_(list(wanted)))).all()
    by_hash = {row.sha256: row for row in rows}
    for sha256, filename in wanted.items():
        row = by_hash.get(sha256)
        if row is None:
            raise MediaNotReady(filename, "missing")
        if row.status is not MediaStatus.READY:
            raise MediaNotReady(filename, row.status.value, row.error)


def check_known(session: Session, items: Iterable[tuple[str, str, str]]) -> None:
    """Every (sha256, file name, role) names an uploaded file of the right kind: a
    revision cannot name bytes that were never checked, nor show a PDF as a picture."""
    from media.checks import BY_EXTENSION
    from media.errors import MediaRefused, WrongMediaRole
    from media.models import MediaKind

    wanted = list(items)
    if not wanted:
        return
    rows = session.exec(select(MediaFile).where(col(MediaFile.sha256).in_([sha for sha, _, _ in wanted]))).all()
    by_hash = {row.sha256: row for row in rows}
    for sha256, filename, role in wanted:
        row = by_hash.get(sha256)
        if row is None:
            raise MediaNotReady(filename, "not uploaded")
        if (row.kind is MediaKind.IMAGE) != (role != "document"):
            raise WrongMediaRole(filename, role, row.kind.value)
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in BY_EXTENSION[row.extension].extensions:
            # A name is what a downloader's system opens the file by: a .docx called .docm or
            # a JPEG called .jar would be opened as what it is not.
            raise MediaRefused(filename, "name_mismatch", extension=extension or "(none)",
                               found=BY_EXTENSION[row.extension].label)
