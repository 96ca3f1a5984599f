"""The JSON documents webhooks carry: one versioned schema, the whole approved revision.

A receiver gets everything a newsroom page shows — every language's text, links, the contacts
as reviewed, the files with their URLs, the embargo and the canonical page URLs — so it needs no
second call. The document is built from the revision the release was published with (what was
approved is what goes out), once per event and endpoint kind, and stored with the delivery, so
every retry carries the same bytes. The models below are the schema; the API documents them in
its OpenAPI (`GET /api/releases/{id}/webhook-payload`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from core.db import as_utc, utcnow
from core.settings import get_settings
from media.urls import ORIGINAL, media_url
from media.views import attached
from workflow.content import ReleaseContent
from workflow.models import Release, Revision
from workflow.service import current_revision

SCHEMA_VERSION = 1


class LinkDoc(BaseModel):
    label: str
    url: str


class TranslationDoc(BaseModel):
    title: str
    lead: str
    body: str = Field(description="Markdown, as reviewed")
    links: list[LinkDoc]
    url: str = Field(description="the canonical public page of this language")


class ContactDoc(BaseModel):
    email: str
    name: str
    function: dict[str, str] = Field(description="job title per language")
    phone: str
    mobile: str


class MediaTextDoc(BaseModel):
    alt: str = ""
    caption: str = ""
    credit: str = ""
    title: str = ""


class MediaDoc(BaseModel):
    role: Literal["lead", "gallery", "document"]
    filename: str
    sha256: str
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    texts: dict[str, MediaTextDoc] = Field(description="language → texts printed with the file")
    url: str = Field(description="the document's own bytes, or the image's largest rendition")
    renditions: dict[str, str] = Field(default_factory=dict, description="rendition name → URL")


class EmbargoDoc(BaseModel):
    until: datetime | None = Field(description="when the embargo lifts (UTC); null: none")
    under_embargo: bool = Field(description="true: sent before the lift, to an endpoint allowed to "
                                "receive embargoed releases; nothing of it may be published before `until`")


class ReleaseDoc(BaseModel):
    id: int
    kind: str
    revision: int
    revision_hash: str = Field(description="SHA-256 of the approved revision's content")
    default_language: str
    languages: list[str]
    topics: list[str]
    published_at: datetime | None
    public_at: datetime | None = Field(description="when the public may read it: publication or the lift")
    embargo: EmbargoDoc
    url: str = Field(description="the canonical public page in the default language")
    translations: dict[str, TranslationDoc]
    contacts: list[ContactDoc]
    media: list[MediaDoc]
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = Field(None, description="only when the office published the reason")


class WebhookPayload(BaseModel):
    """The body of every webhook request."""

    schema_version: Literal[1] = Field(description="changes only when a field changes meaning or goes")
    id: str = Field(description="the event's id: the same for every endpoint")
    idempotency_key: str = Field(description="`<event id>.<endpoint id>`: the same on every retry; "
                                 "a receiver that has seen it ignores the request")
    type: Literal["release.published", "release.withdrawn", "webhook.test"]
    created_at: datetime
    embargoed: bool = Field(description="true: the release is under embargo (see release.embargo)")
    release: ReleaseDoc | None = None


def _page(release_id: int, language: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/releases/{release_id}/{language}"


def release_document(session: Session, release: Release, revision: Revision | None = None,
                     now: datetime | None = None, early: bool = False) -> dict[str, Any]:
    """The release as webhooks carry it, of `revision` (else the current one); `early`: sent
    before the lift to an endpoint that receives embargoed releases."""
    revision = revision or current_revision(session, release)
    content = ReleaseContent.model_validate(revision.content)
    rid = release.id or 0
    lift = as_utc(content.embargo_until) if content.embargo_until else None
    under = bool(early and lift is not None and lift > (now or utcnow()))
    media = []
    for item in attached(session, content.media):
        renditions = {name: media_url(rid, item.sha256, name) for name in sorted(item.renditions)}
        if item.kind == "document":
            main = media_url(rid, item.sha256, ORIGINAL)
        else:
            widest = max(item.renditions.values(), key=lambda r: r.width, default=None)
            main = renditions[widest.name] if widest else ""
        media.append(MediaDoc(
            role=item.role.value, filename=item.filename, sha256=item.sha256, mime=item.mime, size=item.size,
            width=item.width, height=item.height, pages=item.pages,
            texts={code: MediaTextDoc(**text.model_dump()) for code, text in item.item.texts.items()},
            url=main, renditions=renditions,
        ))
    doc = ReleaseDoc(
        id=rid, kind=content.kind.value, revision=revision.number, revision_hash=revision.content_hash,
        default_language=content.default_language, languages=sorted(content.translations), topics=content.topics,
        published_at=release.published_at, public_at=release.public_at, embargo=EmbargoDoc(until=lift, under_embargo=under),
        url=_page(rid, content.default_language),
        translations={code: TranslationDoc(title=t.title, lead=t.lead, body=t.body,
                                           links=[LinkDoc(label=link.label, url=link.url) for link in t.links],
                                           url=_page(rid, code))
                      for code, t in sorted(content.translations.items())},
        contacts=[ContactDoc(**c.model_dump()) for c in content.contact_details],
        media=media,
    )
    return doc.model_dump(mode="json")


def payload(event_id: str, event: str, key: str, created_at: datetime, release: dict[str, Any] | None) -> dict[str, Any]:
    """The whole body of one delivery, as JSON-ready data, checked against the schema."""
    embargoed = bool(release and release["embargo"]["under_embargo"])
    return WebhookPayload(schema_version=SCHEMA_VERSION, id=event_id, idempotency_key=key, type=event,  # type: ignore[arg-type]
                          created_at=created_at, embargoed=embargoed,
                          release=ReleaseDoc.model_validate(release) if release else None).model_dump(mode="json")
