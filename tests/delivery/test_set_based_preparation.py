"""A release's audience inserted inside the database (INSERT … SELECT from the one audience rule),
the press first: its lists' deliveries committed and claimable before the rest exist."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db import session_scope, utcnow
from core.outbox import OutboxEvent, handle_event
from delivery import engine
from delivery.models import Delivery, DeliveryStatus, DistributionStatus
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from subscribers import add_subscriber, resolve_audience, suppress
from subscribers.audience import audience_rule
from subscribers.models import MailingList
from tests.delivery.distribution_helpers import PREPARING, add_people, make_lists, publish_release


def _rows(distribution_id: int) -> list[Delivery]:
    with session_scope() as s:
        return list(s.execute(select(Delivery).where(Delivery.distribution_id == distribution_id)
                              .order_by(Delivery.id)).scalars())


def _event(name: str, subject_id: int) -> str:
    with session_scope() as s:
        return s.execute(select(OutboxEvent.id).where(OutboxEvent.name == name, OutboxEvent.subject_id == subject_id)
                         .order_by(OutboxEvent.created_at)).scalars().first() or ""


def _head_start(release_id: int) -> int:
    """Only the release.published handler: the distribution with its priority rows."""
    handle_event(_event("release.published", release_id), PREPARING)
    with session_scope() as s:
        return int(s.execute(select(OutboxEvent.subject_id).where(OutboxEvent.name == "distribution.preparing"))
                   .scalar_one())


def _the_rest(distribution_id: int) -> None:
    handle_event(_event("distribution.preparing", distribution_id), PREPARING)


def _audience() -> None:
    make_lists()
    add_people(4, ("journalists",), "fr", prefix="press")
    add_people(3, ("journalists", "public"), "nl", prefix="both")  # on two lists: one delivery
    add_people(6, ("public",), "en", prefix="pub")
    add_people(2, ("diplomats",), "de", prefix="dip")  # German is not in the release: nl
    with session_scope() as s:
        add_subscriber(s, "topic@example.org", "public", topics=["trade"], confirmed=True)  # not this release's
        suppress(s, "pub0@example.org")


def test_the_rows_inserted_in_the_database_are_the_audience_the_streaming_resolution_reads(db: str) -> None:
    _audience()
    release_id = publish_release(topics=["africa"])
    distribution_id = _head_start(release_id)
    _the_rest(distribution_id)
    rows = _rows(distribution_id)
    with session_scope() as s:
        lists = {m: i for i, m in enumerate(("journalists", "diplomats", "public"))}
        streamed = [r for batch in resolve_audience(session_scope, list(lists), ["africa"], ["nl", "fr"], "nl",
                                                    batch_size=3) for r in batch]
        distribution = engine.get_distribution(s, distribution_id)
        assert distribution.status == DistributionStatus.SENDING and distribution.total == len(rows) == 4 + 3 + 5 + 2
    assert {(r.subscriber_id, r.email, r.language, r.list_id) for r in rows} == {
        (r.subscriber_id, r.email, r.language, r.list_id) for r in streamed}
    by_email = {r.email: r for r in rows}
    assert by_email["dip0@example.org"].language == "nl" and by_email["press0@example.org"].language == "fr"
    assert "pub0@example.org" not in by_email and "topic@example.org" not in by_email
    assert all(r.status == DeliveryStatus.QUEUED and r.next_attempt_at is None for r in rows)

    # The rule inserted again (a step run twice) adds nobody, and the event handled again is a no-op.
    with session_scope() as s:
        rule = audience_rule(s, list(lists), ["africa"], ["nl", "fr"], "nl")
        assert engine.materialise_audience(s, engine.get_distribution(s, distribution_id), rule.select()) == 0
    _the_rest(distribution_id)
    assert [r.id for r in _rows(distribution_id)] == [r.id for r in rows]
    with session_scope() as s:
        assert engine.get_distribution(s, distribution_id).total == len(rows)


def test_the_press_lists_are_inserted_first_and_claimed_before_anyone_else(db: str) -> None:
    _audience()
    release_id = publish_release(lists=["public", "journalists", "diplomats"])
    distribution_id = _head_start(release_id)
    head = _rows(distribution_id)
    assert {r.email.split("@")[0].rstrip("0123456789") for r in head} == {"press", "both"}
    with session_scope() as s:
        distribution = engine.get_distribution(s, distribution_id)
        assert distribution.status == DistributionStatus.PREPARING and distribution.total == 7
    # Batches may send them now, while the rest is still to be inserted, and the mailing is not
    # finished when they are all sent.
    outbox = Outbox()
    assert send_batch(distribution_id, MemoryTransport(outbox)).sent == 7
    assert not engine.finish_if_complete(distribution_id)
    _the_rest(distribution_id)
    rows = _rows(distribution_id)
    assert len(rows) == 14 and max(r.id for r in head) < min(r.id for r in rows if r.id not in {h.id for h in head})
    # Those on public and journalists got the press copy, whose unsubscribe link names the first
    # of the release's lists they are on, as everyone's does (public comes first here).
    with session_scope() as s:
        slugs = {list_id: slug for list_id, slug in s.execute(select(MailingList.id, MailingList.slug))}
        assert engine.get_distribution(s, distribution_id).status == DistributionStatus.SENDING
    assert {r.email[:4]: slugs[r.list_id or 0] for r in head} == {"pres": "journalists", "both": "public"}
    for _ in range(3):
        send_batch(distribution_id, MemoryTransport(outbox))
    assert [m.recipients[0] for m in outbox.messages][:7] == [r.email for r in head]
    assert len(outbox.messages) == 14 and engine.finish_if_complete(distribution_id)


def test_claims_take_the_first_inserted_rows_first_whatever_the_size(db: str) -> None:
    _audience()
    release_id = publish_release()
    distribution_id = _head_start(release_id)
    _the_rest(distribution_id)
    rows = _rows(distribution_id)
    first = engine.claim(distribution_id, 5)
    assert [c.id for c in first] == [r.id for r in rows[:5]]
    # A retry whose time has come goes before fresh rows; one still backing off does not.
    engine.record([engine.Outcome(first[0].id, DeliveryStatus.DEFERRED, attempts=1)])
    engine.record([engine.Outcome(first[1].id, DeliveryStatus.DEFERRED, attempts=1)])
    with session_scope() as s:
        s.get(Delivery, first[0].id).next_attempt_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
    after = engine.claim(distribution_id, 3)
    assert [c.id for c in after] == [first[0].id, rows[5].id, rows[6].id]


def test_under_embargo_the_press_goes_now_and_everyone_else_waits_for_the_lift(db: str) -> None:
    _audience()
    lift = utcnow() + timedelta(hours=2)
    release_id = publish_release(embargo_until=lift.isoformat())
    distribution_id = _head_start(release_id)
    _the_rest(distribution_id)
    rows = _rows(distribution_id)
    now = [r.email for r in rows if r.next_attempt_at is None]
    held = [r for r in rows if r.next_attempt_at is not None]
    assert sorted(now) == sorted([f"press{i}@example.org" for i in range(4)] + [f"both{i}@example.org" for i in range(3)])
    assert len(held) == 5 + 2 and all(abs((r.next_attempt_at - lift).total_seconds()) < 1 for r in held)  # type: ignore[operator]
    assert engine.due_count(distribution_id) == 7


def test_a_mailing_cancelled_while_its_audience_was_inserted_sends_none_of_the_rest(db: str) -> None:
    _audience()
    release_id = publish_release()
    distribution_id = _head_start(release_id)
    engine.control(distribution_id, "cancel")
    _the_rest(distribution_id)
    with session_scope() as s:
        assert engine.get_distribution(s, distribution_id).status == DistributionStatus.CANCELLED
        assert engine.counts(s, distribution_id)["queued"] == 0
    assert engine.claim(distribution_id, 100) == []


def test_a_mailing_paused_and_resumed_while_preparing_is_not_done_before_its_rows_exist(db: str) -> None:
    _audience()
    release_id = publish_release()
    distribution_id = _head_start(release_id)
    engine.control(distribution_id, "pause")
    engine.control(distribution_id, "resume")
    outbox = Outbox()
    send_batch(distribution_id, MemoryTransport(outbox))
    send_batch(distribution_id, MemoryTransport(outbox))
    with session_scope() as s:
        assert engine.get_distribution(s, distribution_id).status == DistributionStatus.SENDING  # not done
    _the_rest(distribution_id)
    for _ in range(3):
        send_batch(distribution_id, MemoryTransport(outbox))
    assert len(outbox.messages) == 14
    with session_scope() as s:
        assert engine.get_distribution(s, distribution_id).status == DistributionStatus.DONE


def test_unsent_rows_of_a_mailing_whose_canceller_died_are_skipped_by_the_sweep(db: str) -> None:
    from delivery.models import Distribution

    _audience()
    distribution_id = _head_start(publish_release())
    _the_rest(distribution_id)
    with session_scope() as s:  # the status committed, the process gone before it marked the rows
        distribution = s.get(Distribution, distribution_id)
        assert distribution is not None
        distribution.status, distribution.finished_at = DistributionStatus.CANCELLED, utcnow()
    engine.reclaim_expired()
    with session_scope() as s:
        counts = engine.counts(s, distribution_id)
    assert counts["queued"] == 0 and counts["skipped"] == 14
