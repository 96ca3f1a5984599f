"""Read-side queries of the public topic pages, the per-kind feeds and the press contacts page.

Every listing keeps the one rule of what the public may see (`web.queries.public_now`): a topic
or a contact that only an embargoed or withdrawn release carries stays unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from core.db import utcnow
from web.newsroom_version import kept
from web.queries import Paged, PublicRelease, _public, _public_in, public_now
from workflow.content import ContactDetails, ReleaseContent
from workflow.models import Release, ReleaseKind, Revision
from workflow.topics import names_for
from workflow.users import printed_contacts

# How many of the most recent public releases a topic page, the topic lists and the contacts
# page walk: topics live in the revisions' JSON, which no index covers on both backends.
WALK = 2000


def _visible(language: str | None = None):  # type: ignore[no-untyped-def]
    query = (select(Release, Revision)
             .join(Revision, col(Revision.id) == col(Release.current_revision_id))
             .where(public_now(utcnow())))
    if language is not None:
        query = query.where(col(Release.languages).contains(f",{language},", autoescape=True))
    return query.order_by(col(Release.public_at).desc(), col(Release.id).desc())


def topic_releases(session: Session, language: str, slug: str, page: int = 1,
                   per_page: int = 20, *, fallback: bool = False) -> Paged[PublicRelease]:
    """Public releases tagged with topic `slug`, most recently public first: those in `language`,
    or with `fallback` (the topic page, like the newsroom) every one, in `language` where it has
    it and else in its own (a feed stays in its one language).

    The database narrows the walk to revisions whose JSON holds the quoted slug; the topic
    list of each one found decides (a list or a title could hold the same word)."""
    now = utcnow()
    rows = session.exec(
        _visible(None if fallback else language)
        .where(cast(col(Revision.content), String).contains(f'"{slug}"', autoescape=True))
        .limit(WALK)
    ).all()
    tagged = [(r, v) for r, v in rows if slug in ReleaseContent.model_validate(v.content).topics]
    chosen = tagged[(page - 1) * per_page: page * per_page]
    shown = _public_in if fallback else _public
    items = [item for item in (shown(session, r, v, language, now) for r, v in chosen) if item is not None]
    return Paged(items, len(tagged), page, per_page)


def kind_releases(session: Session, language: str, kind: ReleaseKind, limit: int = 50) -> list[PublicRelease]:
    """Public releases of one kind in `language`, most recently public first (for its feeds)."""
    now = utcnow()
    rows = session.exec(_visible(language).where(col(Release.kind) == kind).limit(limit)).all()
    return [item for item in (_public(session, r, v, language, now) for r, v in rows) if item is not None]


def public_topics(session: Session) -> list[str]:
    """Topics of the recent public releases (an embargoed release's topic would tell what is coming),
    walked once per newsroom version in each web process (`web.newsroom_version.kept`)."""
    return list(kept(session, "public_topics", lambda: _walk_topics(session)))


def _walk_topics(session: Session) -> list[str]:
    topics: set[str] = set()
    for content in session.exec(select(Revision.content).join(
            Release, col(Release.current_revision_id) == col(Revision.id))
            .where(public_now(utcnow())).order_by(col(Release.id).desc()).limit(WALK)).all():
        topics.update(str(t) for t in (content or {}).get("topics", []))
    return sorted(topics)


def topic_names(session: Session, language: str) -> dict[str, str]:
    """Display names in `language` of every topic the public may know (those of public releases
    and those an admin named), ordered by name: for the topic pages and the subscribe form."""
    return names_for(session, public_topics(session), language)


@dataclass(frozen=True)
class PublicContact:
    """A person on the press contacts page: the directory id (the vCard's address) and the
    details as the newest public release naming them printed them, approved with it."""

    id: int
    details: ContactDetails


def public_contacts(session: Session) -> list[PublicContact]:
    """The press contacts page's people (see `_walk_contacts`), walked once per newsroom version
    in each web process."""
    return list(kept(session, "public_contacts", lambda: _walk_contacts(session)))


def _walk_contacts(session: Session) -> list[PublicContact]:
    """The press contacts page's people: contacts printed under at least one public release,
    with the details that release's approved revision holds (the newest such release's). A
    directory entry edited since (a new number, a new function) shows once a release carrying
    it is approved and public, never before; one named only under an embargoed release, or
    kept for internal use, stays off the page."""
    found: dict[int, ContactDetails] = {}
    for revision_content in session.exec(select(Revision.content).join(
            Release, col(Release.current_revision_id) == col(Revision.id))
            .where(public_now(utcnow())).order_by(col(Release.public_at).desc(), col(Release.id).desc())
            .limit(WALK)).all():
        content = ReleaseContent.model_validate(revision_content)
        for contact_id, details in zip(content.contacts, printed_contacts(session, content), strict=False):
            found.setdefault(contact_id, details)
    return sorted((PublicContact(contact_id, details) for contact_id, details in found.items()),
                  key=lambda person: (person.details.name, person.id))
