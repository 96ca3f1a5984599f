"""What pages and mails need to know about a revision's files, read in one query each.

`attached` joins a revision's media items (what was approved: hash, role, texts) with the facts
of their files and their renditions, so a template never reads a live row that could differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from babel.numbers import format_decimal
from sqlmodel import Session, col, select

from media.checks import BY_EXTENSION
from media.models import MediaFile, MediaRendition, MediaStatus
from workflow.content import MediaItem, MediaRole, MediaText


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    mime: str
    size: int


@dataclass(frozen=True)
class Attached:
    """One file of a revision, as printed."""

    item: MediaItem
    media_id: int
    kind: str
    mime: str
    extension: str
    type_label: str  # "JPEG", "PDF", "Word" …
    size: int
    width: int | None
    height: int | None
    pages: int | None
    status: MediaStatus
    progress: int
    error: str
    error_code: str
    renditions: dict[str, Rendition] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return self.item.sha256

    @property
    def role(self) -> MediaRole:
        return self.item.role

    @property
    def filename(self) -> str:
        return self.item.filename

    @property
    def ready(self) -> bool:
        return self.status is MediaStatus.READY

    def text(self, language: str, fallback: str) -> MediaText:
        return self.item.text(language, fallback)

    def size_label(self, language: str) -> str:
        """The size as a reader of `language` writes it: "4,2 MB" in Dutch, "4.2 MB" in English."""
        return size_label(self.size, language)

    def srcset(self, extension: str, prefix: str = "", suffix: str = "") -> str:
        """The web renditions of one format as an HTML srcset ("…/w400.webp 400w, …"); `suffix`
        follows each name (a page read under embargo adds its `?access=` query)."""
        found = sorted((r for name, r in self.renditions.items()
                        if name.startswith("w") and name.endswith("." + extension)), key=lambda r: r.width)
        unique: dict[int, Rendition] = {}
        for rendition in found:
            unique.setdefault(rendition.width, rendition)
        return ", ".join(f"{prefix}{r.name}{suffix} {r.width}w" for r in unique.values())


def size_label(size: int, language: str) -> str:
    """A file size in the reader's language: 812 B, 48 KB, 4,2 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{format_decimal(round(size / 1024), locale=language)} KB"
    return f"{format_decimal(round(size / 1024 / 1024, 1), format='#,##0.0', locale=language)} MB"


def attached(session: Session, items: list[MediaItem]) -> list[Attached]:
    """The files of `items`, in their order; items whose file is unknown are left out."""
    if not items:
        return []
    rows = session.exec(select(MediaFile).where(col(MediaFile.sha256).in_([i.sha256 for i in items]))).all()
    by_hash = {row.sha256: row for row in rows}
    ids = [row.id for row in rows if row.id is not None]
    renditions: dict[int, dict[str, Rendition]] = {}
    for r in session.exec(select(MediaRendition).where(col(MediaRendition.media_id).in_(ids))).all():
        renditions.setdefault(r.media_id, {})[r.name] = Rendition(r.name, r.width, r.height, r.mime, r.size)
    result = []
    for item in items:
        row = by_hash.get(item.sha256)
        if row is None or row.id is None:
            continue
        result.append(Attached(
            item=item, media_id=row.id, kind=row.kind.value, mime=row.mime, extension=row.extension,
            type_label=BY_EXTENSION[row.extension].label, size=row.size, width=row.width,
            height=row.height, pages=row.pages, status=row.status, progress=row.progress,
            error=row.error, error_code=row.error_code, renditions=renditions.get(row.id, {}),
        ))
    return result
