"""Digests: the period's releases once to each digest subscriber, however often the task runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from sqlalchemy import select, update

from core.db import session_scope
from delivery import digests, engine
from delivery.models import Delivery
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from subscribers import add_subscriber
from templates import Renderer
from tests.delivery.distribution_helpers import make_lists, publish_release
from tests.templates.samples import sender
from workflow.models import Release

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # a Tuesday morning


def _published_yesterday(release_id: int, hours: int) -> None:
    moment = NOW - timedelta(days=1) + timedelta(hours=hours - 6)
    with session_scope() as s:
        s.execute(update(Release).where(Release.id == release_id).values(published_at=moment, public_at=moment))


def test_issue_windows() -> None:
    assert digests.issue_window("daily", NOW)[0] == "digest:daily:2026-11-23"
    key, start, end = digests.issue_window("weekly", NOW)
    assert key == "digest:weekly:2026-W47" and start.weekday() == 0 and end - start == timedelta(days=7)


def test_daily_digest_once_per_subscriber(db: str) -> None:
    make_lists()
    with session_scope() as s:
        add_subscriber(s, "daily@example.org", "journalists", language="fr", frequency="daily", confirmed=True)
        add_subscriber(s, "daily@example.org", "public", confirmed=True)  # on two lists: still once
        add_subscriber(s, "weekly@example.org", "journalists", frequency="weekly", confirmed=True)
        add_subscriber(s, "now@example.org", "journalists", confirmed=True)
    first = publish_release(topics=["africa"])
    second = publish_release(topics=["trade"], lists=["public"])
    old = publish_release(topics=["old"])
    _published_yesterday(first, 9)
    _published_yesterday(second, 15)
    with session_scope() as s:  # the third was published two days ago: not in this issue
        s.execute(update(Release).where(Release.id == old).values(published_at=NOW - timedelta(days=2),
                                                                  public_at=NOW - timedelta(days=2)))

    distribution_id = digests.prepare_digest("daily", NOW)
    assert distribution_id is not None
    assert digests.prepare_digest("daily", NOW) == distribution_id  # the task ran twice
    with session_scope() as s:
        emails = s.execute(select(Delivery.email).where(Delivery.distribution_id == distribution_id)).scalars().all()
    assert emails == ["daily@example.org"]

    outbox = Outbox()
    send_batch(distribution_id, MemoryTransport(outbox))
    message = message_from_bytes(outbox.messages[0].message)
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert message["Content-Language"] == "fr"
    assert "Le ministre visite Kinshasa" in text and f"/releases/{first}/fr" in text
    assert f"/releases/{second}/fr" in text and f"/releases/{old}/" not in text
    with session_scope() as s:
        assert engine.counts(s, distribution_id)["sent"] == 1


def test_a_quiet_day_sends_nothing(db: str) -> None:
    make_lists()
    assert digests.prepare_digest("daily", NOW) is None


def test_an_embargoed_release_is_in_the_issue_of_the_day_its_embargo_lifted(db: str) -> None:
    make_lists()
    with session_scope() as s:
        add_subscriber(s, "daily@example.org", "public", frequency="daily", confirmed=True)
    release_id = publish_release(lists=["public"])
    with session_scope() as s:  # published the day before yesterday, public since yesterday 10:00
        s.execute(update(Release).where(Release.id == release_id).values(
            published_at=NOW - timedelta(days=2), embargo_until=NOW - timedelta(hours=20),
            public_at=NOW - timedelta(hours=20)))
    assert digests.prepare_digest("daily", NOW - timedelta(days=1)) is None  # not while embargoed
    distribution_id = digests.prepare_digest("daily", NOW)
    assert distribution_id is not None
    with session_scope() as s:
        assert digests.issue_of(s, digests.issue_window("daily", NOW)[0]).releases[0][0] == release_id


@pytest.mark.parametrize(("period", "now", "language", "subject"), [
    # (CLDR sets a span's dash between thin spaces)
    # the issue of Monday 30 November, sent on 1 December: the day it covers, not the day it went
    ("daily", datetime(2026, 12, 1, 6, 0, tzinfo=UTC), "nl", "Ministerie: berichten van 30 november 2026"),
    ("daily", datetime(2027, 1, 1, 6, 0, tzinfo=UTC), "fr", "Ministerie : communiqués du 31 décembre 2026"),
    ("weekly", datetime(2026, 11, 30, 6, 0, tzinfo=UTC), "nl", "Ministerie: berichten van de week 23–29 nov 2026"),
    ("weekly", datetime(2026, 12, 7, 6, 0, tzinfo=UTC), "en", "Ministerie: releases of the week 30 Nov\u2009–\u20096 Dec 2026"),
    ("weekly", datetime(2026, 1, 5, 6, 0, tzinfo=UTC), "de",
     "Ministerie: Mitteilungen der Woche 29. Dez. 2025\u2009–\u20094. Jan. 2026"),
])
def test_digest_subject_names_the_days_it_covers(period: str, now: datetime, language: str, subject: str) -> None:
    key, _, end = digests.issue_window(period, now)
    data = digests.Issue(key, period, end, ()).input(language)
    compiled = Renderer().compile("digest", language, data, sender(name="Ministerie"), now=now)
    assert compiled.subject == subject
