"""Read-side adapters the web needs and the domain rooms do not offer (yet): filtered, paged
listings, the dashboard's queues, the public newsroom, revision history and list updates.

They only read the domain's tables (and `update_list` edits the descriptive fields of a list);
every state change still goes through the domain functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from core.addresses import normalise_email
from core.db import utcnow
from core.errors import InvalidInput
from delivery import engine
from delivery.models import Delivery, DeliveryStatus, Distribution
from subscribers.lists import get_list
from subscribers.models import MailingList, Subscriber, Subscription, SubscriptionStatus, Visibility
from subscribers.people import topics_of
from subscribers.validation import check_language, check_line
from workflow.content import ReleaseContent
from workflow.guards import revision_authors
from workflow.models import Approval, Contact, Release, Revision, User
from workflow.states import State

T = TypeVar("T")


@dataclass
class Paged(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _count(session: Session, query: Any) -> int:
    return int(session.exec(select(func.count()).select_from(query.subquery())).one())


# --- releases -----------------------------------------------------------------------------------


def releases_page(
    session: Session,
    *,
    states: list[State] | None = None,
    kind: str | None = None,
    author: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Paged[Release]:
    """Releases newest first, filtered by state(s), kind and author e-mail."""
    query = select(Release)
    if states:
        query = query.where(col(Release.state).in_(states))
    if kind:
        query = query.where(Release.kind == kind)
    if author:
        user = session.exec(select(User.id).where(User.email == author.strip().lower())).first()
        query = query.where(Release.author_id == (user or 0))
    total = _count(session, query)
    rows = session.exec(
        query.order_by(col(Release.id).desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Paged(list(rows), total, page, per_page)


def check_references(session: Session, content: ReleaseContent) -> None:
    """Refuse contact ids and list slugs that do not exist, before they are stored
    (a release aimed at an unknown list would fail only when it is published)."""
    for index, contact_id in enumerate(content.contacts):
        if session.get(Contact, contact_id) is None:
            raise InvalidInput(f"contacts.{index}", f"no contact has id {contact_id}")
    if content.lists:
        known = set(session.exec(select(MailingList.slug).where(col(MailingList.slug).in_(content.lists))).all())
        for index, slug in enumerate(content.lists):
            if slug not in known:
                raise InvalidInput(f"lists.{index}", f"no mailing list has slug {slug!r}")


def revisions(session: Session, release_id: int) -> list[Revision]:
    return list(session.exec(
        select(Revision).where(Revision.release_id == release_id).order_by(col(Revision.number))
    ).all())


def approvers_by_revision(session: Session, release_id: int) -> dict[int, list[str]]:
    rows = session.exec(
        select(Approval.revision_id, User.email)
        .join(User, col(User.id) == col(Approval.approver_id))
        .where(Approval.release_id == release_id)
        .order_by(col(Approval.id))
    ).all()
    result: dict[int, list[str]] = {}
    for revision_id, email in rows:
        result.setdefault(revision_id, []).append(email)
    return result


def review_baseline(session: Session, release: Release) -> tuple[Revision | None, str]:
    """The revision to compare the current one with: the last approved revision before it,
    else the previous revision. Returns it and "approved" or "previous" (None: first draft)."""
    history = [r for r in revisions(session, release.id or 0) if r.id != release.current_revision_id]
    approved = approvers_by_revision(session, release.id or 0)
    for revision in reversed(history):
        if revision.id in approved:
            return revision, "approved"
    return (history[-1], "previous") if history else (None, "none")


def user_emails(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.email).where(col(User.id).in_(ids))).all())  # type: ignore[arg-type]


# --- the dashboard ------------------------------------------------------------------------------


def my_drafts(session: Session, user: User) -> list[Release]:
    return list(session.exec(
        select(Release)
        .where(Release.author_id == user.id,
               col(Release.state).in_([State.DRAFT, State.CHANGES_REQUESTED, State.IN_REVIEW]))
        .order_by(col(Release.updated_at).desc())
        .limit(50)
    ).all())


def awaiting_review(session: Session, user: User) -> list[Release]:
    """Releases in review that this user may review: not written by them, not yet approved
    by them in their current revision. Empty for spokespeople."""
    if user.role not in ("approver", "admin"):
        return []
    candidates = session.exec(
        select(Release).where(Release.state == State.IN_REVIEW).order_by(col(Release.updated_at))
    ).all()
    result = []
    for release in candidates:
        if user.id in revision_authors(session, release):
            continue
        done = session.exec(select(Approval.id).where(
            Approval.revision_id == release.current_revision_id, Approval.approver_id == user.id
        )).first()
        if done is None:
            result.append(release)
    return result


def in_state(session: Session, state: State, limit: int = 20, newest: str = "updated_at") -> list[Release]:
    order = col(getattr(Release, newest))
    return list(session.exec(
        select(Release).where(Release.state == state).order_by(order.desc()).limit(limit)
    ).all())


def distribution_for_release(session: Session, release_id: int) -> Distribution | None:
    return session.exec(
        select(Distribution).where(Distribution.release_id == release_id).order_by(col(Distribution.id).desc())
    ).first()


def delivery_figures(session: Session, release_id: int) -> dict[str, Any] | None:
    """Counts of the release's mailing, or None when it has none (yet)."""
    distribution = distribution_for_release(session, release_id)
    if distribution is None:
        return None
    return {"id": distribution.id, "status": str(distribution.status), "total": distribution.total,
            **engine.counts(session, distribution.id or 0)}


def distributions_page(session: Session, page: int, per_page: int) -> Paged[int]:
    query = select(Distribution.id)
    total = _count(session, query)
    ids = session.exec(
        query.order_by(col(Distribution.id).desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Paged([i for i in ids if i is not None], total, page, per_page)


# --- the public newsroom ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicRelease:
    id: int
    language: str
    title: str
    lead: str
    body: str
    published_at: datetime
    updated_at: datetime
    kind: str
    languages: list[str]
    links: list[dict[str, str]]
    contacts: list[Contact]


def _visible(release: Release, now: datetime) -> bool:
    return release.state == State.PUBLISHED and not (release.embargo_until and release.embargo_until > now)


def _public(session: Session, release: Release, revision: Revision, language: str) -> PublicRelease | None:
    content = ReleaseContent.model_validate(revision.content)
    text = content.translations.get(language)
    if text is None or not text.title:
        return None
    contacts = [c for c in (session.get(Contact, i) for i in content.contacts) if c is not None]
    return PublicRelease(
        id=release.id or 0, language=language, title=text.title, lead=text.lead, body=text.body,
        published_at=release.published_at or release.updated_at, updated_at=release.updated_at,
        kind=str(content.kind.value),
        languages=[lang for lang, t in content.translations.items() if t.title],
        links=[{"label": link.label, "url": link.url} for link in text.links], contacts=contacts,
    )


def newsroom(session: Session, language: str, page: int = 1, per_page: int = 20) -> Paged[PublicRelease]:
    """Published releases with a text in `language`, newest first; embargoed ones stay hidden
    until their embargo lifts.

    The language test (`Release.languages`, mirrored from the current revision), the count and
    the page are the database's work, walking the (state, published_at) index.
    """
    now = utcnow()
    visible = (
        select(Release, Revision)
        .join(Revision, col(Revision.id) == col(Release.current_revision_id))
        .where(col(Release.state) == State.PUBLISHED,
               or_(col(Release.embargo_until).is_(None), col(Release.embargo_until) <= now),
               col(Release.languages).contains(f",{language},", autoescape=True))
    )
    total = session.exec(select(func.count()).select_from(visible.subquery())).one()
    rows = session.exec(
        visible.order_by(col(Release.published_at).desc(), col(Release.id).desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    items = [item for item in (_public(session, r, v, language) for r, v in rows) if item is not None]
    return Paged(items, int(total), page, per_page)


def public_release(session: Session, release_id: int, language: str) -> tuple[str, PublicRelease | None]:
    """("ok", release) for a visible release in that language; ("withdrawn", None),
    ("missing", None) or ("other-language", release-in-default-language) otherwise."""
    release = session.get(Release, release_id)
    if release is None:
        return "missing", None
    if release.state == State.WITHDRAWN:
        return "withdrawn", None
    if not _visible(release, utcnow()):
        return "missing", None
    revision = session.get(Revision, release.current_revision_id)
    if revision is None:
        return "missing", None
    found = _public(session, release, revision, language)
    if found is not None:
        return "ok", found
    return "other-language", _public(session, release, revision, release.default_language)


# --- lists and subscribers ----------------------------------------------------------------------


def update_list(session: Session, slug: str, changes: dict[str, Any]) -> MailingList:
    """Change the descriptive fields of a list (its slug stays: release files name it)."""
    mailing_list = get_list(session, slug)
    if changes.get("name") is not None:
        name = check_line(changes["name"], "name")
        if not name:
            raise InvalidInput("name", "a list needs a name")
        mailing_list.name = name
    if changes.get("description") is not None:
        mailing_list.description = changes["description"].strip()
    if changes.get("default_language") is not None:
        mailing_list.default_language = check_language(changes["default_language"], field="default_language")
    if changes.get("visibility") is not None:
        mailing_list.visibility = Visibility(changes["visibility"])
    if changes.get("receives_embargoed") is not None:
        mailing_list.receives_embargoed = bool(changes["receives_embargoed"])
    mailing_list.updated_at = utcnow()
    session.add(mailing_list)
    session.flush()
    return mailing_list


def subscribers_page(
    session: Session,
    *,
    list_slug: str | None = None,
    status: str | None = None,
    email: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Paged[Subscriber]:
    """Subscribers (not erased ones), by address; on one list and in one status if asked."""
    query = select(Subscriber).where(col(Subscriber.email).is_not(None))
    if list_slug:
        mailing_list = get_list(session, list_slug)
        sub = select(Subscription.subscriber_id).where(Subscription.list_id == mailing_list.id)
        if status:
            sub = sub.where(Subscription.status == SubscriptionStatus(status))
        query = query.where(col(Subscriber.id).in_(sub))
    elif status:
        query = query.where(col(Subscriber.id).in_(
            select(Subscription.subscriber_id).where(Subscription.status == SubscriptionStatus(status))
        ))
    if email:
        query = query.where(Subscriber.email == normalise_email(email))
    total = _count(session, query)
    rows = session.exec(query.order_by(col(Subscriber.email)).offset((page - 1) * per_page).limit(per_page)).all()
    return Paged(list(rows), total, page, per_page)


def subscriber_view(session: Session, subscriber: Subscriber) -> dict[str, Any]:
    rows = session.exec(
        select(Subscription, MailingList.slug)
        .join(MailingList, col(MailingList.id) == col(Subscription.list_id))
        .where(Subscription.subscriber_id == subscriber.id)
        .order_by(col(MailingList.slug))
    ).all()
    return {
        "id": subscriber.id,
        "email": subscriber.email,
        "name": subscriber.name,
        "language": subscriber.language,
        "organisation": subscriber.organisation,
        "frequency": subscriber.frequency.value,
        "status": subscriber.status.value,
        "topics": topics_of(session, subscriber.id or 0),
        "subscriptions": [
            {"list": slug, "status": s.status.value, "confirmed_at": s.confirmed_at,
             "unsubscribed_at": s.unsubscribed_at}
            for s, slug in rows
        ],
        "created_at": subscriber.created_at,
    }


# --- operations ---------------------------------------------------------------------------------


def releases_by_state(session: Session) -> dict[str, int]:
    found = dict(session.exec(select(Release.state, func.count()).group_by(col(Release.state))).all())  # type: ignore[arg-type]
    return {state.value: int(found.get(state, 0)) for state in State}


def deliveries_by_status(session: Session) -> dict[str, int]:
    found = {str(DeliveryStatus(s).value): int(n) for s, n in session.exec(
        select(Delivery.status, func.count()).group_by(col(Delivery.status))  # type: ignore[arg-type]
    ).all()}
    return {status.value: found.get(status.value, 0) for status in DeliveryStatus}


def sent_since(session: Session, since: datetime) -> int:
    return int(session.exec(
        select(func.count()).select_from(Delivery).where(
            Delivery.status == DeliveryStatus.SENT, col(Delivery.sent_at) >= since)
    ).one())
