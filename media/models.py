"""Tables of the media room: one row per distinct file (by SHA-256) and one per rendition.

A file's row holds facts read from its bytes (type, size, pixels, pages), so it never changes
meaning: a revision names files by hash, and whatever the row says about that hash is what was
approved. Only the processing columns (`status`, `progress`, `error`) move.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, enum_type, utcnow


class MediaStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class MediaKind(StrEnum):
    IMAGE = "image"
    DOCUMENT = "document"


class MediaFile(SQLModel, table=True):
    """An uploaded file, stored once however many releases carry it."""

    __tablename__ = "media_file"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(unique=True, max_length=64)
    kind: MediaKind = Field(sa_type=enum_type(MediaKind))
    mime: str = Field(max_length=100)
    extension: str = Field(max_length=10)  # jpg, png, webp, pdf, docx, xlsx, pptx
    size: int  # bytes of the original
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    # The name it was first uploaded with; releases keep their own in their revision.
    filename: str = Field(max_length=200)
    status: MediaStatus = Field(default=MediaStatus.PROCESSING, sa_type=enum_type(MediaStatus))
    progress: int = Field(default=0)  # percent of the renditions made
    # Why processing failed: a `media.errors.REASONS` code and its English sentence.
    error_code: str = Field(default="", max_length=40)
    error: str = Field(default="", max_length=1000)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MediaRendition(SQLModel, table=True):
    """A derived file served instead of the original: resized, re-encoded, metadata-free."""

    __tablename__ = "media_rendition"

    media_id: int = Field(foreign_key="media_file.id", primary_key=True)
    name: str = Field(primary_key=True, max_length=40)  # e.g. "mail-600.jpg", "w800.webp"
    mime: str = Field(max_length=100)
    width: int
    height: int
    size: int
