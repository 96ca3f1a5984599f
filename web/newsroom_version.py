"""The newsroom's version: one cheap fingerprint of everything the public pages show, so a
conditional GET can be answered 304 before any page is rendered, a shared cache (a proxy, a CDN)
may keep a page for a minute, and the expensive public lists can be kept per web process.

The fingerprint is a handful of aggregates in one query: the releases the public may have seen
(published, withdrawn, archived: their last change, their count, the latest public time and
embargo lift already passed), the organisation's identity version, the mailing lists, the topics'
names and the media files that are ready. A publication, a withdrawal, an edit of a published
release, a new identity or an embargo lifting each change it. `next_change` is the next public
time or embargo lift still to come, so nothing keeps a page past the moment it must change.

Each web process reuses the version it read for `PRESSROOM_NEWSROOM_VERSION_SECONDS` (one
second by default), never past `next_change`: under a rush every request, a 304 included, would
otherwise pay for the query, and a page for it two or three times (its lists are `kept` by
version). A commit in this process that touches a table the version reads forgets it at once
(`_watch`), so a publication, withdrawal or edit made here shows on the next request; one made
by another process (a worker lifting an embargo, another web process) within that second.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from threading import Lock
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import and_, case, event, func
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from core.db import utcnow
from core.settings import get_settings
from media.models import MediaFile, MediaStatus
from subscribers.models import MailingList
from web.auth import COOKIE, session_changed
from workflow.models import OrganisationVersion, Release
from workflow.states import State
from workflow.topics import Topic

# Shared caches may serve a page for a minute (a rush's readers mostly get the same bytes),
# and for five more while they fetch the new one in the background: a new release reaches the
# public within a minute or so, never before its time (max-age is cut to the next embargo lift).
MAX_AGE = 60
STALE_WHILE_REVALIDATE = 300
# Anything that is one person's (a form's CSRF token, a signed-in member of staff, a recipient's
# embargoed copy): no cache may keep it, not even the browser's.
PERSONAL = "private, no-store"
_SEEN = (State.PUBLISHED, State.WITHDRAWN, State.ARCHIVED)


@dataclass(frozen=True)
class NewsroomVersion:
    """The fingerprint (`tag`), the time of the latest change it covers, and the next lift."""

    tag: str
    last_modified: datetime
    next_change: datetime | None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# The tables `_read_version` aggregates over: a commit writing one of them forgets the version.
_WATCHED = frozenset(model.__tablename__ for model in (Release, OrganisationVersion, MailingList, Topic, MediaFile))
_FLAG = "newsroom_changed"


class _Reused:
    """The version this process read last, the moment it did, and the generation it belongs to
    (bumped by every commit here that touched a watched table)."""

    def __init__(self) -> None:
        self.lock = Lock()
        self.generation = 0
        self.version: NewsroomVersion | None = None
        self.read_at = 0.0
        self.read_in = -1

    def forget(self) -> None:
        with self.lock:
            self.generation += 1


_REUSED = _Reused()


@event.listens_for(OrmSession, "after_flush")
def _flushed(session: OrmSession, _context: Any) -> None:
    if any(getattr(obj, "__tablename__", None) in _WATCHED
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_FLAG] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    """Bulk statements (`update(Release)…`) bypass the flush; their table says enough."""
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _WATCHED:
            state.session.info[_FLAG] = True


@event.listens_for(OrmSession, "after_commit")
def _committed(session: OrmSession) -> None:
    if session.info.pop(_FLAG, False):
        _REUSED.forget()


@event.listens_for(OrmSession, "after_rollback")
def _rolled_back(session: OrmSession) -> None:
    session.info.pop(_FLAG, None)


def newsroom_version(session: Session) -> NewsroomVersion:
    """The newsroom's version now (see the module): the one this process read less than
    `PRESSROOM_NEWSROOM_VERSION_SECONDS` ago, unless a commit here changed what it covers or
    its next embargo lift or public time has come; else read again."""
    reuse_for = get_settings().newsroom_version_seconds
    with _REUSED.lock:
        generation, known, read_at, read_in = _REUSED.generation, _REUSED.version, _REUSED.read_at, _REUSED.read_in
    if (known is not None and read_in == generation and time.monotonic() - read_at < reuse_for
            and (known.next_change is None or utcnow() < known.next_change)):
        return known
    started = time.monotonic()
    version = _read_version(session)
    with _REUSED.lock:  # a commit while reading bumped the generation: this read is not kept
        if _REUSED.generation == generation:
            _REUSED.version, _REUSED.read_at, _REUSED.read_in = version, started, generation
    return version


def _read_version(session: Session) -> NewsroomVersion:
    """One query of aggregates over indexed rows."""
    now = utcnow()
    seen = col(Release.state).in_(_SEEN)
    published = col(Release.state) == State.PUBLISHED
    lifts = [col(Release.public_at), col(Release.embargo_until)]
    row = session.exec(select(  # type: ignore[call-overload]
        select(func.max(Release.updated_at)).where(seen).scalar_subquery(),
        select(func.count()).select_from(Release).where(seen).scalar_subquery(),
        *(select(func.max(case((and_(published, c <= now), c)))).scalar_subquery() for c in lifts),
        *(select(func.min(case((and_(published, c > now), c)))).scalar_subquery() for c in lifts),
        select(func.max(OrganisationVersion.id)).scalar_subquery(),
        select(func.max(OrganisationVersion.created_at)).scalar_subquery(),
        select(func.max(MailingList.updated_at)).scalar_subquery(),
        select(func.count()).select_from(MailingList).scalar_subquery(),
        select(func.max(Topic.updated_at)).scalar_subquery(),
        select(func.count()).select_from(Topic).scalar_subquery(),
        select(func.count()).select_from(MediaFile)
        .where(col(MediaFile.status) == MediaStatus.READY).scalar_subquery(),
        select(func.max(MediaFile.processed_at)).where(col(MediaFile.status) == MediaStatus.READY).scalar_subquery(),
    )).one()
    # The digest takes every aggregate; the times also make Last-Modified and the next change.
    changed, _, lifted, embargo_lifted, next_public, next_lift, _, identity_at, lists_at, _, topics_at, _, _, \
        media_at = row
    times = [_aware(t) for t in (changed, lifted, embargo_lifted, identity_at, lists_at, topics_at, media_at)]
    known = [t for t in times if t is not None]
    last = max(known) if known else datetime(2000, 1, 1, tzinfo=UTC)
    upcoming = [t for t in (_aware(next_public), _aware(next_lift)) if t is not None]
    digest = hashlib.sha256(repr(row).encode()).hexdigest()[:20]
    return NewsroomVersion(digest, last.replace(microsecond=0), min(upcoming) if upcoming else None)


def personal(request: Request) -> bool:
    """Whether this request may see something that is one person's: it carries the session
    cookie (a CSRF token, a member of staff) or an embargo access token."""
    return COOKIE in request.cookies or "access" in request.query_params


def public_headers(version: NewsroomVersion, *parts: object, html: bool = True) -> dict[str, str]:
    """Validators and caching headers of a public page showing `version`; `parts` (the path's
    variables, the page number) make the ETag the page's own."""
    etag = 'W/"' + hashlib.sha256(repr((version.tag, parts)).encode()).hexdigest()[:24] + '"'
    max_age = MAX_AGE
    if version.next_change is not None:
        max_age = max(0, min(MAX_AGE, int((version.next_change - utcnow()).total_seconds())))
    headers = {"ETag": etag, "Last-Modified": format_datetime(version.last_modified, usegmt=True),
               "Cache-Control": f"public, max-age={max_age}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"}
    if html:  # the same address shows a signed-in editor more; they never get this copy
        headers["Vary"] = "Cookie"
    return headers


def not_modified(request: Request, headers: dict[str, str]) -> Response | None:
    """A 304 when the request's validators match `headers` (RFC 9110 13.1: If-None-Match wins
    over If-Modified-Since; ETags compare weakly), else None: the page must be made."""
    if personal(request):
        return None
    tags = request.headers.get("if-none-match")
    if tags is not None:
        wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        # No "*": it would answer 304 for any address, a release never public included.
        match = headers["ETag"].removeprefix("W/") in wanted
    else:
        since = request.headers.get("if-modified-since")
        try:
            when = parsedate_to_datetime(since) if since else None
        except (TypeError, ValueError):
            when = None
        match = when is not None and when.tzinfo is not None and parsedate_to_datetime(headers["Last-Modified"]) <= when
    return Response(status_code=304, headers=headers) if match else None


def cached_page(request: Request, make: Callable[[], Response], *, html: bool = True,
                on_not_modified: Callable[[], None] | None = None) -> Response:
    """A public page answered through the newsroom's version: 304 before `make` runs when the
    client (or a proxy) holds the current copy, else `make()` with the caching headers when it
    answers 200 and set no Cache-Control of its own (a page holding a form's token sets
    PERSONAL). A personal request gets the page made for it, never stored anywhere."""
    if personal(request):
        response = make()
        response.headers.setdefault("Cache-Control", PERSONAL)
        if html:
            response.headers.setdefault("Vary", "Cookie")
        return response
    from web.deps import reading

    with reading() as session:
        version = newsroom_version(session)
    headers = public_headers(version, request.url.path, request.url.query, html=html)
    early = not_modified(request, headers)
    if early is not None:
        if on_not_modified is not None:
            on_not_modified()
        return early
    response = make()
    if session_changed(request):
        response.headers["Cache-Control"] = PERSONAL
    if response.status_code == 200 and "cache-control" not in response.headers:
        response.headers.update(headers)
    elif html:
        response.headers.setdefault("Vary", "Cookie")
    return response


T = TypeVar("T")
# Per web process, a few entries per list and language: each is keyed by the version, so an old
# version's entries are never read again; the bound drops them.
_KEPT: dict[tuple[object, ...], object] = {}
_BOUND = 64
_LOCK = Lock()


def kept(session: Session, name: str, make: Callable[[], T], *parts: object) -> T:
    """`make()`, computed once per newsroom version (and `parts`) in this process: the public
    lists (topics, contacts) walk up to 2,000 revisions, which no request should repeat."""
    key = (newsroom_version(session).tag, name, *parts)
    with _LOCK:
        if key in _KEPT:
            return _KEPT[key]  # type: ignore[return-value]
    value = make()
    with _LOCK:
        if len(_KEPT) >= _BOUND:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = value
    return value
