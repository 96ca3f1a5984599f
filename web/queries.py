"""Read-side adapters the web needs and the domain rooms do not offer (yet): filtered, paged
listings, the dashboard's queues, the public newsroom and revision history.

They only read the domain's tables; every change goes through the domain functions (list
settings through `subscribers.update_list`, which keeps embargoed news in private lists).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from core.addresses import normalise_email
from core.db import utcnow
from delivery import engine
from delivery.models import Delivery, DeliveryStatus, Distribution, DistributionStatus
from delivery.progress import status_label
from media.views import Attached, attached
from subscribers.lists import get_list
from subscribers.models import MailingList, Subscriber, Subscription, SubscriptionStatus
from subscribers.people import topics_of
from workflow.chains import step_approvers
from workflow.content import ContactDetails, MediaRole, ReleaseContent
from workflow.models import Approval, Release, Revision, User
from workflow.states import FINAL, State
from workflow.users import printed_contacts

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
    """Releases in review whose current step of their approval chain this user may sign: not
    written by them, not yet signed by them at this step (nor at another, unless the chain
    allows it). Empty for spokespeople."""
    if user.role not in ("approver", "admin"):
        return []
    candidates = session.exec(
        select(Release).where(Release.state == State.IN_REVIEW).order_by(col(Release.updated_at))
    ).all()
    return [release for release in candidates
            if any(person.id == user.id for person in step_approvers(session, release))]


def in_state(session: Session, state: State, limit: int = 20, newest: str = "updated_at") -> list[Release]:
    order = col(getattr(Release, newest))
    return list(session.exec(
        select(Release).where(Release.state == state).order_by(order.desc()).limit(limit)
    ).all())


def distribution_for_release(session: Session, release_id: int) -> Distribution | None:
    """The release's own mailing (not a withdrawal notice that followed it)."""
    return session.exec(
        select(Distribution).where(Distribution.release_id == release_id, Distribution.kind == "release")
        .order_by(col(Distribution.id).desc())
    ).first()


def mailing_problems(session: Session, days: int = 14, limit: int = 10) -> list[dict[str, Any]]:
    """Releases' mailings of the last `days` that could not start, had failures or reached nobody
    (a web-only release reaches nobody on purpose): the dashboard shows them in red."""
    since = utcnow() - timedelta(days=days)
    rows = session.exec(
        select(Distribution, Release, Revision)
        .join(Release, col(Release.id) == col(Distribution.release_id))
        .join(Revision, col(Revision.id) == col(Release.current_revision_id))
        .where(col(Distribution.kind) == "release",
               col(Distribution.status).in_([DistributionStatus.DONE, DistributionStatus.FAILED]),
               col(Distribution.finished_at) >= since)
        .order_by(col(Distribution.finished_at).desc())
        .limit(limit * 5)
    ).all()
    problems = []
    for distribution, release, revision in rows:
        content = ReleaseContent.model_validate(revision.content)
        tally = engine.counts(session, distribution.id or 0)
        failed = distribution.status == DistributionStatus.FAILED
        if failed or tally["failed"] or (distribution.total == 0 and not content.web_only):
            text = content.translations.get(content.default_language)
            problems.append({"id": distribution.id, "release_id": release.id, "title": text.title if text else "",
                             "status": DistributionStatus(distribution.status).value, "total": distribution.total,
                             "failed": tally["failed"], "sent": tally["sent"], "note": distribution.note})
        if len(problems) >= limit:
            break
    return problems


def delivery_figures(session: Session, release_id: int) -> dict[str, Any] | None:
    """Counts of the release's mailing, or None when it has none (yet)."""
    distribution = distribution_for_release(session, release_id)
    if distribution is None:
        return None
    return {"id": distribution.id, "status": str(distribution.status), "status_label": status_label(distribution),
            "total": distribution.total,
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
    # When the public could first read it (the later of publication and embargo lift): the
    # newsroom and the feeds date and sort by this, not by when the publish step ran.
    public_at: datetime
    updated_at: datetime
    # Set while the embargo holds: only a recipient's access link shows the release then.
    embargo_until: datetime | None
    kind: str
    languages: list[str]
    links: list[dict[str, str]]
    contacts: list[ContactDetails]
    # The release's main language: a file's texts missing in `language` are taken from it.
    default_language: str = ""
    # The revision's files that are ready to show, in print order (release pages only: the
    # newsroom's lists do not read them).
    media: tuple[Attached, ...] = ()
    # Topic slugs, in the order the release gives them.
    topics: tuple[str, ...] = ()

    @property
    def lead_image(self) -> Attached | None:
        return next((a for a in self.media if a.role is MediaRole.LEAD), None)

    @property
    def gallery(self) -> list[Attached]:
        return [a for a in self.media if a.role is MediaRole.GALLERY]

    @property
    def documents(self) -> list[Attached]:
        return [a for a in self.media if a.role is MediaRole.DOCUMENT]


def public_now(now: datetime) -> ColumnElement[bool]:
    """What the public may read at `now`: published releases whose public time has come and
    whose embargo (checked on its own too, should it ever be moved after publication) has
    lifted. The one rule of the newsroom, the feeds, the release pages and the topic lists."""
    return and_(
        col(Release.state) == State.PUBLISHED,
        col(Release.public_at) <= now,
        or_(col(Release.embargo_until).is_(None), col(Release.embargo_until) <= now),
    )


def _public(session: Session, release: Release, revision: Revision, language: str,
            now: datetime, *, with_media: bool = False) -> PublicRelease | None:
    content = ReleaseContent.model_validate(revision.content)
    text = content.translations.get(language)
    if text is None or not text.title:
        return None
    contacts = printed_contacts(session, content)  # as reviewed, not as the directory is now
    public_at = release.public_at or release.published_at or release.updated_at
    embargo = release.embargo_until
    return PublicRelease(
        id=release.id or 0, language=language, title=text.title, lead=text.lead, body=text.body,
        public_at=public_at, updated_at=max(public_at, release.updated_at),
        embargo_until=embargo if embargo is not None and embargo > now else None,
        kind=str(content.kind.value),
        languages=[lang for lang, t in content.translations.items() if t.title],
        links=[{"label": link.label, "url": link.url} for link in text.links], contacts=contacts,
        default_language=content.default_language,
        media=tuple(a for a in attached(session, content.media) if a.ready) if with_media else (),
        topics=tuple(content.topics),
    )


def newsroom(session: Session, language: str, page: int = 1, per_page: int = 20, *,
             fallback: bool = False) -> Paged[PublicRelease]:
    """Public releases (see `public_now`) with a text in `language`, the most recently public
    first: a release published under embargo takes its place when the embargo lifts.

    With `fallback` (the newsroom page), every public release is listed: in `language` when it
    has a text in it, else in its own main language (the item's `language` says which), so a
    visitor whose language a release lacks still finds it. The feeds keep to `language`.

    The language test (`Release.languages`, mirrored from the current revision), the count and
    the page are the database's work, walking the (state, public_at) index.
    """
    now = utcnow()
    visible = (
        select(Release, Revision)
        .join(Revision, col(Revision.id) == col(Release.current_revision_id))
        .where(public_now(now))
    )
    if not fallback:
        visible = visible.where(col(Release.languages).contains(f",{language},", autoescape=True))
    total = session.exec(select(func.count()).select_from(visible.subquery())).one()
    rows = session.exec(
        visible.order_by(col(Release.public_at).desc(), col(Release.id).desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    found = (_public_in(session, r, v, language, now) if fallback else _public(session, r, v, language, now)
             for r, v in rows)
    return Paged([item for item in found if item is not None], int(total), page, per_page)


def _public_in(session: Session, release: Release, revision: Revision, language: str,
               now: datetime) -> PublicRelease | None:
    """The release in `language`, else in its main language, else in any language it has."""
    content = ReleaseContent.model_validate(revision.content)
    order = [language, content.default_language, *content.translations]
    return next((item for item in (_public(session, release, revision, code, now) for code in order)
                 if item is not None), None)


@dataclass(frozen=True)
class SitemapEntry:
    """A public release for the sitemap: its languages and when it last changed."""

    id: int
    languages: list[str]
    updated_at: datetime


def sitemap_releases(session: Session, limit: int) -> list[SitemapEntry]:
    """The releases the public may read now (see `public_now`), newest first, at most `limit`."""
    rows = session.exec(
        select(Release.id, Release.languages, Release.public_at, Release.updated_at)
        .where(public_now(utcnow()))
        .order_by(col(Release.public_at).desc(), col(Release.id).desc())
        .limit(limit)
    ).all()
    return [SitemapEntry(id=release_id or 0, languages=[code for code in languages.split(",") if code],
                         updated_at=max(updated, public_at or updated))
            for release_id, languages, public_at, updated in rows]


def _was_public(release: Release) -> bool:
    """Whether a withdrawn release had been public before it was withdrawn (its last change):
    one withdrawn under embargo never was, and must stay as unknown as it was."""
    return release.public_at is not None and release.public_at <= release.updated_at


def _as_public(session: Session, release_id: int, now: datetime) -> tuple[Release, Revision, bool] | str:
    """A release with its current revision and whether the public may read it at `now`; or
    "missing" for an unknown id, "withdrawn" for a withdrawn release that had been public, and
    "missing" for one withdrawn before anyone could read it."""
    found = session.exec(
        select(Release, Revision, public_now(now))
        .join(Revision, col(Revision.id) == col(Release.current_revision_id))
        .where(col(Release.id) == release_id)
    ).first()
    if found is None:
        return "missing"
    release, revision, public = found
    if release.state == State.WITHDRAWN:
        return "withdrawn" if _was_public(release) else "missing"
    return release, revision, bool(public)


def public_release(
    session: Session, release_id: int, language: str, *, early: bool = False
) -> tuple[str, PublicRelease | None]:
    """("ok", release) for a public release in that language; ("withdrawn", None),
    ("missing", None) or ("other-language", release-in-default-language) otherwise.

    "missing" also stands for every release the public may not know of yet. `early` is for a
    recipient of the release's embargoed mail (the caller checked their access token): a
    published release is theirs to read before its public time.
    """
    now = utcnow()
    found = _as_public(session, release_id, now)
    if isinstance(found, str):
        return found, None
    release, revision, public = found
    if not (public or (early and release.state == State.PUBLISHED)):
        return "missing", None
    item = _public(session, release, revision, language, now, with_media=True)
    if item is not None:
        return "ok", item
    return "other-language", _public(session, release, revision, release.default_language, now)


@dataclass(frozen=True)
class ReleaseFiles:
    """Whether a release's files may be served now, and which: those its current revision names."""

    outcome: str  # "ok", "withdrawn" (it had been public) or "missing" (never heard of)
    content: ReleaseContent | None = None
    # Public to anyone: shared caches may keep the files. False for a recipient's or a proof's.
    public: bool = False


def release_files(session: Session, release_id: int, *, early: bool = False,
                  proof_revision: int | None = None) -> ReleaseFiles:
    """The files the public may fetch of a release, decided now, by the rule of its page.

    `early` is for the recipient of its embargoed mail (the caller checked their access token);
    `proof_revision` is the revision a test mail's proof token names (the caller checked the
    token's release): it shows that revision's files in any state but the final ones, and only
    while that revision is still the release's current one.
    """
    now = utcnow()
    found = _as_public(session, release_id, now)
    if isinstance(found, str):
        return ReleaseFiles(found)
    release, revision, public = found
    proof = proof_revision is not None and proof_revision == revision.id and release.state not in FINAL
    if not (public or (early and release.state == State.PUBLISHED) or proof):
        return ReleaseFiles("missing")
    content = ReleaseContent.model_validate(revision.content)
    return ReleaseFiles("ok", content, public=bool(public))


def public_default_language(session: Session, release_id: int) -> str | None:
    """The main language of a release the public may read now; None for any other id."""
    return session.exec(
        select(Release.default_language).where(col(Release.id) == release_id, public_now(utcnow()))
    ).first()


def address_language(session: Session, release_id: int) -> str | None:
    """Where a release's short address (/releases/{id}) leads: its main language when the public
    may read it now, or when it was withdrawn after being public (every address of it leads on
    to the notice); None for any other id, a release withdrawn under embargo included."""
    found = _as_public(session, release_id, utcnow())
    if found == "withdrawn":
        return session.exec(select(Release.default_language).where(col(Release.id) == release_id)).first()
    if isinstance(found, str):
        return None
    release, _, public = found
    return release.default_language if public else None


# --- lists and subscribers ----------------------------------------------------------------------


def subscribers_page(
    session: Session,
    *,
    list_slug: str | None = None,
    status: str | None = None,
    email: str | None = None,
    search: str | None = None,
    language: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Paged[Subscriber]:
    """Subscribers (not erased ones), by address; on one list and in one status if asked, whose
    address or name contains `search` (any case), in one language."""
    query = select(Subscriber).where(col(Subscriber.email).is_not(None))
    if search and search.strip():
        needle = search.strip().lower()
        query = query.where(or_(col(Subscriber.email).contains(needle, autoescape=True),
                                func.lower(col(Subscriber.name)).contains(needle, autoescape=True)))
    if language:
        query = query.where(Subscriber.language == language)
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
