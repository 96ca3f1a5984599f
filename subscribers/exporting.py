"""CSV export of a list's subscribers, safe to open in a spreadsheet and to import again.

A cell starting with `=`, `+`, `-`, `@` (or a tab or carriage return) would be run as a
formula by Excel or LibreOffice — a name like `=HYPERLINK(...)` typed into a public sign-up
form must not become a live formula on an admin's machine — so such cells get a leading `'`
(OWASP's advice). The import strips that quote again, so an export re-imports unchanged.
Suppressed and erased people are never exported: an export must not resurrect them elsewhere.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO

from sqlalchemy import exists, select

from subscribers.lists import get_list
from subscribers.models import (
    Subscriber,
    SubscriberStatus,
    SubscriberTopic,
    Subscription,
    SubscriptionStatus,
    Suppression,
    id_of,
)
from subscribers.sessions import Database, transaction

HEADER = ["email", "name", "language", "organisation", "topics", "status", "subscribed_at", "confirmed_at"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_subscriber = Subscriber.__table__  # type: ignore[attr-defined]
_subscription = Subscription.__table__  # type: ignore[attr-defined]
_topic = SubscriberTopic.__table__  # type: ignore[attr-defined]
_suppression = Suppression.__table__  # type: ignore[attr-defined]


def neutralise(value: str) -> str:
    """The cell value, with a leading `'` if a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def export_rows(
    db: Database,
    list_slug: str,
    statuses: Iterable[SubscriptionStatus | str] = (SubscriptionStatus.CONFIRMED,),
    batch_size: int = 1000,
) -> Iterator[list[str]]:
    """The header, then one neutralised row per subscriber on the list with these statuses,
    read in batches by subscriber id. Raises ListNotFound before yielding anything."""
    with transaction(db) as session:
        list_id = id_of(get_list(session, list_slug))
    wanted = [SubscriptionStatus(s) for s in statuses]
    return _rows(db, list_id, wanted, batch_size)


def _rows(
    db: Database, list_id: int, statuses: list[SubscriptionStatus], batch_size: int
) -> Iterator[list[str]]:
    yield list(HEADER)
    query = (
        select(
            _subscriber.c.id,
            _subscriber.c.email,
            _subscriber.c.name,
            _subscriber.c.language,
            _subscriber.c.organisation,
            _subscription.c.status,
            _subscription.c.created_at,
            _subscription.c.confirmed_at,
        )
        .join(_subscription, _subscription.c.subscriber_id == _subscriber.c.id)
        .where(
            _subscription.c.list_id == list_id,
            _subscription.c.status.in_(statuses),
            _subscriber.c.status == SubscriberStatus.ACTIVE,
            _subscriber.c.email.is_not(None),
            ~exists().where(_suppression.c.address_hash == _subscriber.c.email_hash),
        )
        .order_by(_subscriber.c.id)
        .limit(batch_size)
    )
    after = 0
    while True:
        with transaction(db) as session:
            rows = session.execute(query.where(_subscriber.c.id > after)).all()
            topics: dict[int, list[str]] = {}
            if rows:
                for subscriber_id, topic in session.execute(
                    select(_topic.c.subscriber_id, _topic.c.topic)
                    .where(_topic.c.subscriber_id.in_([r.id for r in rows]))
                    .order_by(_topic.c.subscriber_id, _topic.c.topic)
                ).all():
                    topics.setdefault(subscriber_id, []).append(topic)
        for row in rows:
            yield [
                neutralise(value)
                for value in (
                    row.email,
                    row.name,
                    row.language,
                    row.organisation,
                    " ".join(topics.get(row.id, [])),
                    SubscriptionStatus(row.status).value,
                    _iso(row.created_at),
                    _iso(row.confirmed_at),
                )
            ]
        if len(rows) < batch_size:
            return
        after = rows[-1].id


def export_csv(
    db: Database,
    list_slug: str,
    out: IO[str],
    *,
    statuses: Iterable[SubscriptionStatus | str] = (SubscriptionStatus.CONFIRMED,),
    delimiter: str = ",",
) -> int:
    """Write the list as CSV to a text stream; returns the number of subscribers written."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    count = -1
    for row in export_rows(db, list_slug, statuses):
        writer.writerow(row)
        count += 1
    return count
