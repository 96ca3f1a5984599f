"""Audience resolution: who receives a release, in which language, streamed in batches.

A recipient is an active subscriber with a confirmed subscription to at least one of the
release's lists, whose address is not suppressed, whose frequency matches, and whose topics
(if they chose any) share one with the release (a release without topics goes to everyone on
its lists). Each person appears once however many target lists they are on; the list named
in their unsubscribe link is the first of the release's lists they are on.

The rule is one SQL select (`AudienceRule.select`). The distribution engine inserts it into
the delivery table inside the database (`delivery.engine.materialise_audience`), so a list of a
million people never passes through Python; the streaming form below serves whoever needs the
recipients themselves.

Batches are read by keyset pagination on the subscriber id, each in its own short query, so
memory stays at one batch whatever the audience size; given a session factory, each batch is
also its own transaction. A subscriber who leaves while the release is being resolved is
dropped from every later batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, case, exists, false, func, literal, or_, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from subscribers import tokens
from subscribers.lists import get_lists
from subscribers.models import (
    Frequency,
    Subscriber,
    SubscriberStatus,
    SubscriberTopic,
    Subscription,
    SubscriptionStatus,
    Suppression,
    id_of,
)
from subscribers.sessions import Database, transaction

_subscriber = Subscriber.__table__  # type: ignore[attr-defined]
_subscription = Subscription.__table__  # type: ignore[attr-defined]
_topic = SubscriberTopic.__table__  # type: ignore[attr-defined]
_suppression = Suppression.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person to mail, with the language to use and the list for their unsubscribe link."""

    subscriber_id: int
    email: str
    name: str
    language: str
    list_id: int
    list_slug: str
    frequency: Frequency
    email_hash: str

    def unsubscribe_token(self) -> str:
        """The token of this recipient's unsubscribe link (see `subscribers.tokens`)."""
        return tokens.unsubscribe_token(self.subscriber_id, self.list_id, self.email_hash)


def _reachable() -> list[ColumnElement[bool]]:
    """Conditions on the subscriber row itself: active, not erased, not suppressed."""
    return [
        _subscriber.c.status == SubscriberStatus.ACTIVE,
        _subscriber.c.email.is_not(None),
        ~exists().where(_suppression.c.address_hash == _subscriber.c.email_hash),
    ]


def _confirmed_on(list_ids: Sequence[int]) -> list[ColumnElement[bool]]:
    return [
        _subscription.c.subscriber_id == _subscriber.c.id,
        _subscription.c.list_id.in_(list_ids),
        _subscription.c.status == SubscriptionStatus.CONFIRMED,
    ]


def _topics_match(topics: Sequence[str]) -> ColumnElement[bool]:
    own = _topic.c.subscriber_id == _subscriber.c.id
    return or_(~exists().where(own), exists().where(own, _topic.c.topic.in_(topics)))


@dataclass(frozen=True, slots=True)
class AudienceRule:
    """Who a mailing reaches, resolved against the lists (see the module docstring).

    `select()` is the one definition of the audience as SQL: the streaming resolution below
    pages through it, and the distribution engine inserts it into the delivery table in one
    `INSERT … SELECT`, so both always agree on who is in the audience, in which language and
    under which list.
    """

    list_ids: tuple[int, ...]
    topics: tuple[str, ...] = ()
    languages: frozenset[str] = frozenset()
    default_language: str = ""
    frequency: Frequency | None = Frequency.IMMEDIATE
    # The release's lists in its order, when this rule selects the people of only some of them
    # (the press lists that go first): the list named in a person's unsubscribe link is still
    # the first of all of them they are on. Empty: `list_ids`.
    ranked_list_ids: tuple[int, ...] = ()

    def only(self, list_ids: Sequence[int]) -> AudienceRule:
        """The same rule for the people of these of its lists only, ranked as before."""
        return replace(self, list_ids=tuple(list_ids), ranked_list_ids=self.ranked_list_ids or self.list_ids)

    def select(self) -> Select[Any]:
        """One row per recipient: id, email, email_hash, name, frequency, the language of the
        copy they get and the list their unsubscribe link names (the first of `list_ids` they
        are on). Unordered: add ORDER BY / LIMIT to page, or insert it whole."""
        list_ids = list(self.list_ids)
        ranked = list(self.ranked_list_ids or self.list_ids)
        # The subscribers' own rows drive the query and their subscriptions are probed, so that a
        # LIMIT stops the scan after one page; a join with GROUP BY would sort everything first.
        rank = case({list_id: i for i, list_id in enumerate(ranked)}, value=_subscription.c.list_id)
        first_list = select(func.min(rank)).where(*_confirmed_on(ranked)).scalar_subquery()
        conditions: list[Any] = [*_reachable(), exists().where(*_confirmed_on(list_ids))]
        if self.frequency is not None:
            conditions.append(_subscriber.c.frequency == self.frequency)
        if self.topics:
            conditions.append(_topics_match(self.topics))
        language = case(
            (_subscriber.c.language.in_(sorted(self.languages)), _subscriber.c.language),
            else_=literal(self.default_language, _subscriber.c.language.type),
        )
        list_id = case({i: list_id for i, list_id in enumerate(ranked)}, value=first_list)
        return select(
            _subscriber.c.id,
            _subscriber.c.email,
            _subscriber.c.email_hash,
            _subscriber.c.name,
            _subscriber.c.frequency,
            language.label("language"),
            list_id.label("list_id"),
        ).where(*conditions)


def audience_rule(
    session: Session,
    lists: Iterable[str],
    topics: Iterable[str] = (),
    languages: Iterable[str] = (),
    default_language: str = "",
    *,
    frequency: Frequency | str | None = Frequency.IMMEDIATE,
) -> AudienceRule:
    """The audience rule for these list slugs (in the release's order), topics and languages.

    A recipient's language is their own if the release has it, else `default_language`.
    `frequency` selects immediate or digest subscribers (None: all). Raises ListNotFound if a
    list does not exist.
    """
    return AudienceRule(
        list_ids=tuple(id_of(m) for m in get_lists(session, lists)),
        topics=tuple(sorted({t.strip().lower() for t in topics if t.strip()})),
        languages=frozenset(languages) | {default_language},
        default_language=default_language,
        frequency=None if frequency is None else Frequency(frequency),
    )


def resolve_audience(
    db: Database,
    lists: Iterable[str],
    topics: Iterable[str] = (),
    languages: Iterable[str] = (),
    default_language: str = "",
    *,
    frequency: Frequency | str | None = Frequency.IMMEDIATE,
    batch_size: int = 1000,
) -> Iterator[list[Recipient]]:
    """Batches of recipients of a release aimed at these list slugs, topics and languages
    (see `audience_rule`). Raises ListNotFound at once (not at the first batch) if a list does
    not exist."""
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    with transaction(db) as session:
        targets = get_lists(session, lists)
        rule = audience_rule(session, [m.slug for m in targets], topics, languages, default_language,
                             frequency=frequency)
    return _batches(db, rule, {id_of(m): m.slug for m in targets}, batch_size)


def _batches(db: Database, rule: AudienceRule, slugs: dict[int, str], batch_size: int) -> Iterator[list[Recipient]]:
    """Keyset pages of the rule's select, each read in its own short transaction."""
    if not rule.list_ids:
        return
    query = rule.select().order_by(_subscriber.c.id).limit(batch_size)
    after = 0
    while True:
        with transaction(db) as session:
            rows = session.execute(query.where(_subscriber.c.id > after)).all()
        if not rows:
            return
        yield [
            Recipient(
                subscriber_id=row.id,
                email=row.email,
                name=row.name,
                language=row.language,
                list_id=row.list_id,
                list_slug=slugs[row.list_id],
                frequency=Frequency(row.frequency),
                email_hash=row.email_hash,
            )
            for row in rows
        ]
        if len(rows) < batch_size:
            return
        after = rows[-1].id


# Why a recipient chosen earlier may no longer be mailed, in the order they are reported.
ERASED = "erased"
SUPPRESSED = "suppressed"
NOT_SUBSCRIBED = "unsubscribed"


def unmailable(db: Database, subscriber_ids: Iterable[int], list_ids: Sequence[int]) -> dict[int, str]:
    """Which of these subscribers may not be mailed now for these lists, and why.

    The send path asks this right before a batch goes out, in one query: a person may have
    unsubscribed, bounced, complained or been erased since the audience was resolved, and the
    promise is that such a person is never mailed. Ids that no longer exist count as erased.
    """
    ids = sorted(set(subscriber_ids))
    if not ids:
        return {}
    subscribed = exists().where(*_confirmed_on(list(list_ids))) if list_ids else false()
    suppressed = exists().where(_suppression.c.address_hash == _subscriber.c.email_hash)
    with transaction(db) as session:
        rows = session.execute(
            select(
                _subscriber.c.id,
                (_subscriber.c.status != SubscriberStatus.ACTIVE) | _subscriber.c.email.is_(None),
                suppressed,
                subscribed,
            ).where(_subscriber.c.id.in_(ids))
        ).all()
    reasons = {subscriber_id: ERASED for subscriber_id in ids}
    for subscriber_id, erased, is_suppressed, is_subscribed in rows:
        if erased:
            continue
        if is_suppressed:
            reasons[subscriber_id] = SUPPRESSED
        elif not is_subscribed:
            reasons[subscriber_id] = NOT_SUBSCRIBED
        else:
            del reasons[subscriber_id]
    return reasons


def mailable_subscribers(db: Database, subscriber_ids: Iterable[int], lists: Iterable[str]) -> set[int]:
    """Which of these subscribers may still be mailed for these lists right now.

    For the delivery room to re-check a batch just before sending it: someone may have
    unsubscribed, bounced or been suppressed since the audience was resolved.
    """
    ids = list(set(subscriber_ids))
    with transaction(db) as session:
        list_ids = [id_of(m) for m in get_lists(session, lists)]
        if not ids or not list_ids:
            return set()
        rows = session.execute(
            select(_subscriber.c.id).where(
                _subscriber.c.id.in_(ids), *_reachable(), exists().where(*_confirmed_on(list_ids))
            )
        ).scalars()
        return set(rows)
