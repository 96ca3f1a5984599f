"""Mailing lists: the audiences a release targets by slug."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.errors import InvalidInput
from subscribers.errors import DuplicateList, ListNotFound
from subscribers.models import MailingList, Subscription, SubscriptionStatus, Visibility
from subscribers.validation import check_language, check_line, check_slug


def create_list(
    session: Session,
    slug: str,
    name: str,
    description: str = "",
    default_language: str | None = None,
    visibility: str = Visibility.PUBLIC,
    receives_embargoed: bool = False,
) -> MailingList:
    """Create a list; raises InvalidInput for bad fields and DuplicateList for a taken slug."""
    clean_slug = check_slug(slug)
    clean_name = check_line(name, "name")
    if not clean_name:
        raise InvalidInput("name", "a list needs a name")
    try:
        kind = Visibility(visibility)
    except ValueError:
        raise InvalidInput("visibility", f"{visibility!r} is not public or private") from None
    if len(description) > 2000:
        raise InvalidInput("description", "is longer than 2000 characters")
    if session.exec(select(MailingList.id).where(MailingList.slug == clean_slug)).first():
        raise DuplicateList(clean_slug)
    mailing_list = MailingList(
        slug=clean_slug,
        name=clean_name,
        description=description.strip(),
        default_language=check_language(default_language, field="default_language"),
        visibility=kind,
        receives_embargoed=receives_embargoed,
    )
    session.add(mailing_list)
    session.flush()
    return mailing_list


def get_list(session: Session, slug: str, public_only: bool = False) -> MailingList:
    """The list with this slug; raises ListNotFound.

    With `public_only`, a private list is reported as not found too, so that a public form
    does not reveal which private lists exist.
    """
    mailing_list = session.exec(
        select(MailingList).where(MailingList.slug == slug.strip().lower())
    ).first()
    if mailing_list is None or (public_only and mailing_list.visibility is Visibility.PRIVATE):
        raise ListNotFound(slug)
    return mailing_list


def get_lists(session: Session, slugs: Iterable[str]) -> list[MailingList]:
    """The lists with these slugs, in the order given; raises ListNotFound for the first
    unknown slug (a release aimed at a list that does not exist must not go out to nobody)."""
    wanted = list(dict.fromkeys(s.strip().lower() for s in slugs))
    if not wanted:
        return []
    found = {
        m.slug: m
        for m in session.exec(select(MailingList).where(col(MailingList.slug).in_(wanted))).all()
    }
    for slug in wanted:
        if slug not in found:
            raise ListNotFound(slug)
    return [found[slug] for slug in wanted]


def all_lists(session: Session) -> list[MailingList]:
    return list(session.exec(select(MailingList).order_by(col(MailingList.slug))).all())


def list_counts(session: Session, list_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """Number of subscriptions per list and status: {list id: {"pending": n, ...}}.

    Every list asked for is present, with zeros if nobody is on it.
    """
    zero = {s.value: 0 for s in SubscriptionStatus}
    ids = None if list_ids is None else list(list_ids)
    query = select(Subscription.list_id, Subscription.status, func.count()).group_by(
        col(Subscription.list_id), col(Subscription.status)
    )
    counts: dict[int, dict[str, int]] = {}
    if ids is not None:
        query = query.where(col(Subscription.list_id).in_(ids))
        counts = {list_id: dict(zero) for list_id in ids}
    for list_id, status, count in session.exec(query).all():
        counts.setdefault(list_id, dict(zero))[SubscriptionStatus(status).value] = count
    return counts
