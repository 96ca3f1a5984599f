"""Mailing lists: the audiences a release targets by slug.

Embargo is a property of a closed audience: only a private list (admins add its members) may
receive releases before their embargo lifts. `check_embargo_audience` is that rule, and every
way a list is created or changed (CLI, API, press pages) goes through `create_list` or
`update_list`, which apply it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.db import session_scope, utcnow
from core.errors import InvalidInput
from core.text import refuse_hidden_characters
from subscribers.errors import DuplicateList, EmbargoNeedsPrivateList, ListNotFound
from subscribers.models import MailingList, Subscription, SubscriptionStatus, Visibility
from subscribers.sessions import Database, transaction
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
    """Create a list; raises InvalidInput for bad fields (EmbargoNeedsPrivateList for a public
    list that would receive embargoed releases) and DuplicateList for a taken slug."""
    clean_slug = check_slug(slug)
    clean_name = _name(name)
    kind = _visibility(visibility)
    check_embargo_audience(clean_slug, kind, receives_embargoed)
    clean_description = _description(description)
    language = check_language(default_language, field="default_language")
    if session.exec(select(MailingList.id).where(MailingList.slug == clean_slug)).first():
        raise DuplicateList(clean_slug)
    mailing_list = MailingList(
        slug=clean_slug,
        name=clean_name,
        description=clean_description,
        default_language=language,
        visibility=kind,
        receives_embargoed=receives_embargoed,
    )
    session.add(mailing_list)
    session.flush()
    return mailing_list


def update_list(
    session: Session,
    slug: str,
    *,
    name: str | None = None,
    description: str | None = None,
    default_language: str | None = None,
    visibility: str | None = None,
    receives_embargoed: bool | None = None,
) -> MailingList:
    """Change a list's settings (None: unchanged); its slug stays, as release files name it.

    Every value is checked before anything changes, with the same rules as `create_list`, on
    the settings the list would end up with: making an embargo list public, or flagging a
    public list for embargoed releases, raises EmbargoNeedsPrivateList. Raises ListNotFound.
    """
    mailing_list = get_list(session, slug)
    kind = mailing_list.visibility if visibility is None else _visibility(visibility)
    embargoed = mailing_list.receives_embargoed if receives_embargoed is None else receives_embargoed
    field = "visibility" if visibility is not None and kind is Visibility.PUBLIC else "receives_embargoed"
    check_embargo_audience(mailing_list.slug, kind, embargoed, field)
    changes = {
        "name": None if name is None else _name(name),
        "description": None if description is None else _description(description),
        "default_language": None if default_language is None
        else check_language(default_language, field="default_language"),
        "visibility": kind,
        "receives_embargoed": embargoed,
    }
    for key, value in changes.items():
        if value is not None:
            setattr(mailing_list, key, value)
    mailing_list.updated_at = utcnow()
    session.add(mailing_list)
    session.flush()
    return mailing_list


def check_embargo_audience(
    slug: str, visibility: Visibility, receives_embargoed: bool, field: str = "receives_embargoed"
) -> None:
    """The one rule that keeps embargoed news in a closed audience: a list that receives
    embargoed releases must be private, since anyone can join a public one by signing up.
    Raises EmbargoNeedsPrivateList naming `field`, the setting that asked for it."""
    if receives_embargoed and visibility is not Visibility.PRIVATE:
        raise EmbargoNeedsPrivateList(slug, field)


def _name(value: str) -> str:
    name = check_line(value, "name")
    if not name:
        raise InvalidInput("name", "a list needs a name")
    return name


def _description(value: str) -> str:
    if len(value) > 2000:
        raise InvalidInput("description", "is longer than 2000 characters")
    # Shown on the sign-up page beside the list's name: it must read as it is.
    return refuse_hidden_characters(value, "description").strip()


def _visibility(value: str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError:
        raise InvalidInput("visibility", f"{value!r} is not public or private") from None


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


def embargo_list_ids(list_ids: Sequence[int], db: Database = session_scope) -> list[int]:
    """Which of these lists may receive a release before its embargo lifts, asked when a batch
    is about to send (not when the audience was resolved): private lists flagged for it."""
    if not list_ids:
        return []
    with transaction(db) as session:
        return list(session.exec(
            select(MailingList.id).where(
                col(MailingList.id).in_(list(list_ids)),
                col(MailingList.receives_embargoed).is_(True),
                MailingList.visibility == Visibility.PRIVATE,
            )
        ).all())  # type: ignore[arg-type]
