"""The preferences page behind a signed link: language, topics, frequency and lists.

Whoever holds a preferences link has shown they read that mailbox, so joining a public list
from here is confirmed at once; leaving a list is an unsubscription with its consent record.
Private lists appear only while the person is on them, and can be left but not joined.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from core.db import utcnow
from core.settings import get_settings
from subscribers import tokens
from subscribers.errors import InvalidToken, ListNotFound
from subscribers.lists import all_lists
from subscribers.models import (
    MailingList,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Visibility,
    id_of,
)
from subscribers.people import check_frequency, set_topics, topics_of, touch
from subscribers.subscriptions import join_confirmed, mask_email, unsubscribe
from subscribers.validation import check_language, check_line, check_topics

_ON = (SubscriptionStatus.PENDING, SubscriptionStatus.CONFIRMED)


@dataclass(frozen=True)
class ListChoice:
    slug: str
    name: str
    description: str
    status: str | None  # None: never subscribed

    @property
    def subscribed(self) -> bool:
        return self.status in _ON


@dataclass(frozen=True)
class Preferences:
    subscriber_id: int
    masked_email: str
    name: str
    language: str
    frequency: str
    topics: list[str]
    lists: list[ListChoice]


def preferences(session: Session, subscriber: Subscriber) -> Preferences:
    """The subscriber's current choices, and the lists they may choose from."""
    statuses = _statuses(session, subscriber)
    choices = [
        ListChoice(m.slug, m.name, m.description, statuses[m.id].value if m.id in statuses else None)
        for m in all_lists(session)
        if _may_see(m, statuses)
    ]
    return Preferences(
        subscriber_id=id_of(subscriber),
        masked_email=mask_email(subscriber.email or ""),
        name=subscriber.name,
        language=subscriber.language,
        frequency=subscriber.frequency.value,
        topics=topics_of(session, id_of(subscriber)),
        lists=choices,
    )


def _statuses(session: Session, subscriber: Subscriber) -> dict[int | None, SubscriptionStatus]:
    rows = session.exec(
        select(Subscription.list_id, Subscription.status).where(
            Subscription.subscriber_id == id_of(subscriber)
        )
    ).all()
    return {list_id: SubscriptionStatus(status) for list_id, status in rows}


def _may_see(mailing_list: MailingList, statuses: dict[int | None, SubscriptionStatus]) -> bool:
    return mailing_list.visibility is Visibility.PUBLIC or statuses.get(mailing_list.id) in _ON


def subscriber_for_token(session: Session, token: str, now: datetime | None = None) -> Subscriber:
    """The subscriber a preferences link was made for; raises InvalidToken or ExpiredToken."""
    claim = tokens.read_preferences_token(token, now=now)
    subscriber = session.get(Subscriber, claim.subscriber_id)
    if subscriber is None or not claim.matches(subscriber.email_hash):
        raise InvalidToken(tokens.PREFERENCES)
    return subscriber


def update_preferences(
    session: Session,
    subscriber: Subscriber,
    *,
    name: str | None = None,
    language: str | None = None,
    frequency: str | None = None,
    topics: Iterable[str] | None = None,
    lists: Iterable[str] | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Preferences:
    """Apply the choices given (None: unchanged). `lists` is the complete set of list slugs
    the person wants to be on. Raises InvalidInput, or ListNotFound for a list they may not
    choose; nothing is changed if any value is refused."""
    moment = now or utcnow()
    clean_name = None if name is None else check_line(name, "name")
    clean_language = None if language is None else check_language(language)
    clean_frequency = None if frequency is None else check_frequency(frequency)
    clean_topics = None if topics is None else check_topics(topics)
    join: list[MailingList] = []
    leave: list[int] = []
    if lists is not None:
        wanted = {slug.strip().lower() for slug in lists}
        statuses = _statuses(session, subscriber)
        visible = {m.slug: m for m in all_lists(session) if _may_see(m, statuses)}
        unknown = sorted(wanted - set(visible))
        if unknown:
            raise ListNotFound(unknown[0])
        for slug, mailing_list in visible.items():
            on = statuses.get(mailing_list.id) in _ON
            if slug in wanted and statuses.get(mailing_list.id) is not SubscriptionStatus.CONFIRMED:
                join.append(mailing_list)
            elif slug not in wanted and on:
                leave.append(id_of(mailing_list))
    for field, value in (("name", clean_name), ("language", clean_language), ("frequency", clean_frequency)):
        if value is not None and value != getattr(subscriber, field):
            setattr(subscriber, field, value)
            touch(subscriber)
    if clean_topics is not None and clean_topics != topics_of(session, id_of(subscriber)):
        set_topics(session, subscriber, clean_topics)
        touch(subscriber)
    session.add(subscriber)
    for mailing_list in join:
        join_confirmed(session, subscriber, mailing_list, source="preferences", ip=ip, now=moment)
    if leave:
        unsubscribe(session, subscriber, leave, source="preferences", ip=ip, now=moment)
    session.flush()
    return preferences(session, subscriber)


def as_chosen(current: Preferences, *, name: str, language: str | None, frequency: str | None,
              topics: Iterable[str], lists: Iterable[str]) -> Preferences:
    """The preferences form as the subscriber filled it in, over what is stored: shown again
    when a choice was refused, so nothing typed or ticked is lost (nothing of it was saved)."""
    chosen = set(lists)
    return replace(
        current, name=name, language=language if language in get_settings().languages else current.language,
        frequency=frequency or current.frequency,
        topics=list(topics),
        lists=[replace(c, status=SubscriptionStatus.CONFIRMED.value if c.slug in chosen else None)
               for c in current.lists],
    )


def preferences_by_token(session: Session, token: str, now: datetime | None = None) -> Preferences:
    """What the preferences page shows for a link; raises InvalidToken or ExpiredToken."""
    return preferences(session, subscriber_for_token(session, token, now))


def update_preferences_by_token(
    session: Session,
    token: str,
    *,
    name: str | None = None,
    language: str | None = None,
    frequency: str | None = None,
    topics: Iterable[str] | None = None,
    lists: Iterable[str] | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Preferences:
    """`update_preferences` for the holder of a preferences link; a refused token changes
    nothing (InvalidToken, ExpiredToken)."""
    subscriber = subscriber_for_token(session, token, now)
    return update_preferences(
        session, subscriber, name=name, language=language, frequency=frequency,
        topics=topics, lists=lists, ip=ip, now=now,
    )


def preferences_link(subscriber: Subscriber) -> str:
    """The URL of the subscriber's preferences page, for mail footers."""
    return tokens.preferences_url(tokens.preferences_token(id_of(subscriber), subscriber.email_hash))

