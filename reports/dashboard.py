"""The dashboard's last 30 days: what went out and how it was received, against the 30 days before.

Each figure is counted by one set-based query over both windows at once (conditional sums), so
the section costs four queries whatever the size of the archive:

- releases published: releases whose publish step ran in the window (`release.published_at`);
- recipients reached: messages accepted by the mail relay in the window (deliveries with a
  `sent_at` in it, whatever happened to them afterwards), every kind of mailing;
- bounce rate: of those messages, the share that bounced since (hard or soft);
- unsubscribe rate: unsubscriptions in the window (consent records of withdrawal, one per list
  left) per message sent in it;
- the list that grows and the list that shrinks fastest: per list, confirmations minus
  unsubscriptions in the window, from the consent records.

A trend compares a figure with the previous window: up, down or unchanged, and "nothing to
compare" when either window has no figure (a rate with no message sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session, col

from delivery.models import Delivery, DeliveryStatus
from subscribers.models import ConsentAction, ConsentRecord, MailingList, Subscription
from workflow.models import Release

WINDOW = timedelta(days=30)
# The figures, in the order the dashboard shows them (each has a catalogue entry figure_<name>).
FIGURES = ("releases_published", "recipients_reached", "bounce_rate", "unsubscribe_rate")


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NONE = "none"  # nothing to compare with


@dataclass(frozen=True)
class Figure:
    """One figure in the last window and the one before; rates are fractions (0.05 = 5 %)."""

    name: str
    current: float | None
    previous: float | None
    rate: bool = False

    @property
    def trend(self) -> Trend:
        if self.current is None or self.previous is None:
            return Trend.NONE
        if self.current > self.previous:
            return Trend.UP
        return Trend.DOWN if self.current < self.previous else Trend.SAME


@dataclass(frozen=True)
class ListChange:
    """A list's net change in the window: confirmations (`joined`) minus unsubscriptions (`left`)."""

    slug: str
    name: str
    joined: int
    left: int

    @property
    def net(self) -> int:
        return self.joined - self.left


@dataclass(frozen=True)
class LastThirtyDays:
    since: datetime  # the window is [since, until); the previous one ends at `since`
    until: datetime
    figures: list[Figure]
    growing: ListChange | None  # the largest positive net change, if any list grew
    shrinking: ListChange | None  # the largest negative net change, if any list shrank

    def figure(self, name: str) -> Figure:
        return next(f for f in self.figures if f.name == name)


def _in(column: Any, start: datetime, end: datetime) -> Any:
    """1 for a row whose `column` falls in [start, end), else 0: summed, a count per window."""
    return case((and_(column >= start, column < end), 1), else_=0)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def last_30_days(session: Session, now: datetime) -> LastThirtyDays:
    """The dashboard's figures for the 30 days before `now` and the 30 days before those."""
    since, before = now - WINDOW, now - 2 * WINDOW
    published = session.execute(
        select(func.sum(_in(col(Release.published_at), since, now)), func.sum(_in(col(Release.published_at), before, since)))
        .where(col(Release.published_at) >= before, col(Release.published_at) < now)
    ).one()
    bounced = col(Delivery.status) == DeliveryStatus.BOUNCED
    sent = session.execute(
        select(func.sum(_in(col(Delivery.sent_at), since, now)), func.sum(_in(col(Delivery.sent_at), before, since)),
               func.sum(case((and_(bounced, col(Delivery.sent_at) >= since), 1), else_=0)),
               func.sum(case((and_(bounced, col(Delivery.sent_at) < since), 1), else_=0)))
        .where(col(Delivery.sent_at) >= before, col(Delivery.sent_at) < now)
    ).one()
    withdrawn = col(ConsentRecord.action) == ConsentAction.WITHDRAWN
    left = session.execute(
        select(func.sum(case((col(ConsentRecord.at) >= since, 1), else_=0)),
               func.sum(case((col(ConsentRecord.at) < since, 1), else_=0)))
        .where(withdrawn, col(ConsentRecord.at) >= before, col(ConsentRecord.at) < now)
    ).one()
    sent_now, sent_before, bounced_now, bounced_before = (int(v or 0) for v in sent)
    left_now, left_before = (int(v or 0) for v in left)
    figures = [
        Figure("releases_published", int(published[0] or 0), int(published[1] or 0)),
        Figure("recipients_reached", sent_now, sent_before),
        Figure("bounce_rate", _rate(bounced_now, sent_now), _rate(bounced_before, sent_before), rate=True),
        Figure("unsubscribe_rate", _rate(left_now, sent_now), _rate(left_before, sent_before), rate=True),
    ]
    changes = _list_changes(session, since, now)
    growing = max((c for c in changes if c.net > 0), key=lambda c: (c.net, c.slug), default=None)
    shrinking = min((c for c in changes if c.net < 0), key=lambda c: (c.net, c.slug), default=None)
    return LastThirtyDays(since, now, figures, growing, shrinking)


def _list_changes(session: Session, since: datetime, now: datetime) -> list[ListChange]:
    """Per list with any change in the window: confirmations and unsubscriptions (one query)."""
    action = col(ConsentRecord.action)
    rows = session.execute(
        select(col(MailingList.slug), col(MailingList.name),
               func.sum(case((action == ConsentAction.CONFIRMED, 1), else_=0)),
               func.sum(case((action == ConsentAction.WITHDRAWN, 1), else_=0)))
        .select_from(ConsentRecord)
        .join(Subscription, col(Subscription.id) == col(ConsentRecord.subscription_id))
        .join(MailingList, col(MailingList.id) == col(Subscription.list_id))
        .where(col(ConsentRecord.at) >= since, col(ConsentRecord.at) < now,
               action.in_([ConsentAction.CONFIRMED, ConsentAction.WITHDRAWN]))
        .group_by(col(MailingList.slug), col(MailingList.name))
    ).all()
    return [ListChange(slug, name, int(joined or 0), int(gone or 0)) for slug, name, joined, gone in rows]
