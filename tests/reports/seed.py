"""Seeded history over two 30-day windows, for the dashboard and /metrics tests.

Current window [now-30d, now), previous [now-60d, now-30d):

- releases published: 1 now, 3 before, 1 older than both;
- messages sent: 10 now (2 hard and 1 soft bounce among them, and 2 more still queued), 4 before
  (1 soft bounce), 1 older;
- lists: journalists +5 confirmed −1 left now (net +4), public +1 −3 now after +2 before (net −2),
  diplomats +1 now: 4 unsubscriptions now, none before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from delivery.models import Delivery, DeliveryStatus, Distribution, DistributionStatus
from subscribers import add_subscriber, create_list, get_subscriber, unsubscribe
from subscribers.models import MailingList, Subscriber
from tests import factories
from workflow.models import Release


def _person(session: Session, email: str, slug: str, at: datetime, confirmed: bool = True) -> int:
    add_subscriber(session, email, slug, confirmed=confirmed, now=at)
    return get_subscriber(session, email).id or 0


def _distribution(session: Session, key: str, sent_at: datetime, outcomes: list[str], targets: list[int]) -> None:
    distribution = Distribution(key=key, kind="release", status=DistributionStatus.DONE, total=len(outcomes))
    session.add(distribution)
    session.flush()
    for subscriber_id, outcome in zip(targets, outcomes, strict=False):
        status = {"sent": DeliveryStatus.SENT, "queued": DeliveryStatus.QUEUED}.get(outcome, DeliveryStatus.BOUNCED)
        session.add(Delivery(
            distribution_id=distribution.id or 0, subscriber_id=subscriber_id, email=f"x{subscriber_id}@example.org",
            language="nl", status=status, sent_at=None if outcome == "queued" else sent_at,
            last_error={"hard": "hard bounce 5.1.1: no such user", "soft": "soft bounce 4.2.2: mailbox full"}.get(outcome, ""),
            bounce=outcome if outcome in ("hard", "soft") else "",  # as the bounce processor records it
        ))
    session.flush()


def seed_two_windows(session: Session, now: datetime) -> None:
    days = timedelta(days=1)
    for slug, name in (("journalists", "Journalists"), ("public", "Public"), ("diplomats", "Diplomats")):
        create_list(session, slug, name, default_language="nl")
    # Pending sign-ups long ago: the recipients of the mail, no change to any list in either window.
    targets = [_person(session, f"r{i}@example.org", "diplomats", now - 100 * days, confirmed=False) for i in range(12)]
    journalists = [_person(session, f"j{i}@example.org", "journalists", now - 2 * days) for i in range(5)]
    public_old = [_person(session, f"p{i}@example.org", "public", now - 40 * days) for i in range(2)]
    public_new = _person(session, "p9@example.org", "public", now - 5 * days)
    _person(session, "d0@example.org", "diplomats", now - 3 * days)
    ids = {m.slug: m.id for m in session.exec(select(MailingList)).all()}
    for subscriber_id, slug in [(journalists[0], "journalists"), *[(p, "public") for p in [*public_old, public_new]]]:
        person = session.get(Subscriber, subscriber_id)
        assert person is not None
        unsubscribe(session, person, [ids[slug] or 0], source="test", now=now - 1 * days)

    author = factories.user(session, "spokesperson", "author@example.be")
    for published_at in (now - 10 * days, now - 35 * days, now - 40 * days, now - 50 * days, now - 70 * days):
        release = factories.release(session, author)
        session.execute(update(Release).where(Release.id == release.id).values(published_at=published_at))  # type: ignore[arg-type]

    _distribution(session, "release:now", now - 1 * days,
                  ["sent"] * 7 + ["hard", "hard", "soft", "queued", "queued"], targets)
    _distribution(session, "release:before", now - 45 * days, ["sent"] * 3 + ["soft"], targets)
    _distribution(session, "release:older", now - 70 * days, ["sent"], targets)
