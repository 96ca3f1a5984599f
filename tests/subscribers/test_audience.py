"""Audience resolution: overlapping lists, suppression, unsubscriptions, language fallback,
topics, frequency, and keyset batches."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import select

from core.db import session_scope
from subscribers import (
    Frequency,
    ListNotFound,
    Recipient,
    SuppressionReason,
    forget,
    mailable_subscribers,
    resolve_audience,
    subscribe,
    suppress,
    tokens,
    unsubscribe,
    unsuppress,
)
from subscribers.models import Subscriber
from tests.subscribers.conftest import confirmed


@pytest.fixture
def people(lists: dict[str, int]) -> dict[str, int]:
    """Subscribers that each test one rule; the value is the subscriber id."""
    ids = {
        "both": confirmed("both@example.be", ["journalists", "diplomats"], language="fr"),
        "german": confirmed("german@example.be", ["journalists"], language="de"),
        "left_journalists": confirmed("left@example.be", ["journalists", "diplomats"], language="nl"),
        "bounced": confirmed("bounced@example.be", ["journalists"]),
        "trade_only": confirmed("trade@example.be", ["journalists"], topics=["trade"]),
        "africa_fan": confirmed("africa@example.be", ["diplomats"], topics=["africa", "climate"], language="en"),
        "digest": confirmed("digest@example.be", ["journalists"], frequency="daily"),
        "erased": confirmed("erased@example.be", ["journalists"]),
        "public_only": confirmed("public@example.be", ["public"]),
    }
    with session_scope() as s:
        ids["pending"] = subscribe(s, "pending@example.be", "journalists").subscriber_id or 0
        left = s.exec(select(Subscriber).where(Subscriber.email == "left@example.be")).one()
        unsubscribe(s, left, [lists["journalists"]], source="test")
        suppress(s, "BOUNCED@example.be", SuppressionReason.HARD_BOUNCE)
        forget(s, "erased@example.be")
    return ids


def _resolve(lists: list[str], topics: list[str] = [], **options: object) -> list[Recipient]:  # noqa: B006
    languages = options.pop("languages", ["nl", "fr"])
    batches = list(resolve_audience(session_scope, lists, topics, languages, "nl", **options))  # type: ignore[arg-type]
    return [r for batch in batches for r in batch]


def test_overlapping_lists_yield_each_confirmed_subscriber_once(people: dict[str, int]) -> None:
    recipients = _resolve(["journalists", "diplomats"])
    counts = Counter(r.subscriber_id for r in recipients)
    assert max(counts.values()) == 1
    assert set(counts) == {
        people["both"], people["german"], people["left_journalists"], people["trade_only"], people["africa_fan"],
    }
    by_id = {r.subscriber_id: r for r in recipients}
    # The unsubscribe link names the first of the release's lists the person is on.
    assert by_id[people["both"]].list_slug == "journalists"
    assert by_id[people["left_journalists"]].list_slug == "diplomats"
    assert [r.list_slug for r in _resolve(["diplomats", "journalists"]) if r.subscriber_id == people["both"]] == ["diplomats"]


def test_nobody_suppressed_unsubscribed_pending_or_erased_is_ever_resolved(people: dict[str, int]) -> None:
    excluded = {people[k] for k in ("bounced", "pending", "erased", "digest", "public_only")}
    assert not excluded & {r.subscriber_id for r in _resolve(["journalists", "diplomats"])}
    assert people["left_journalists"] not in {r.subscriber_id for r in _resolve(["journalists"])}
    with session_scope() as s:
        unsuppress(s, "bounced@example.be")
    assert people["bounced"] in {r.subscriber_id for r in _resolve(["journalists"])}


def test_language_is_the_subscribers_if_the_release_has_it_else_the_default(people: dict[str, int]) -> None:
    by_id = {r.subscriber_id: r.language for r in _resolve(["journalists", "diplomats"], languages=["nl", "fr"])}
    assert by_id[people["both"]] == "fr"
    assert by_id[people["german"]] == "nl"  # no German version: the release's default
    assert by_id[people["africa_fan"]] == "nl"
    by_id = {r.subscriber_id: r.language for r in _resolve(["journalists", "diplomats"], languages=["nl", "de", "en"])}
    assert (by_id[people["german"]], by_id[people["africa_fan"]], by_id[people["both"]]) == ("de", "en", "nl")


def test_topics_select_subscribers_with_a_shared_topic_or_no_preference(people: dict[str, int]) -> None:
    africa = {r.subscriber_id for r in _resolve(["journalists", "diplomats"], ["africa"])}
    assert people["africa_fan"] in africa and people["trade_only"] not in africa
    assert people["both"] in africa  # no preference: everything
    either = {r.subscriber_id for r in _resolve(["journalists", "diplomats"], ["trade", "africa"])}
    assert {people["trade_only"], people["africa_fan"]} <= either


def test_frequency_separates_immediate_from_digest_subscribers(people: dict[str, int]) -> None:
    daily = _resolve(["journalists"], frequency=Frequency.DAILY)
    assert [(r.subscriber_id, r.frequency) for r in daily] == [(people["digest"], Frequency.DAILY)]
    everyone = {r.subscriber_id for r in _resolve(["journalists"], frequency=None)}
    assert people["digest"] in everyone and people["german"] in everyone


def test_batches_are_keyset_pages_in_id_order_read_fresh_each_time(people: dict[str, int]) -> None:
    batches = resolve_audience(session_scope, ["journalists", "diplomats"], [], ["nl"], "nl", batch_size=2)
    first = next(batches)
    assert len(first) == 2
    # Someone later in the id order leaves while the release is being resolved.
    with session_scope() as s:
        africa = s.exec(select(Subscriber).where(Subscriber.email == "africa@example.be")).one()
        unsubscribe(s, africa, source="test")
    rest = [r for batch in batches for r in batch]
    ids = [r.subscriber_id for r in first + rest]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert people["africa_fan"] not in ids and len(ids) == 4


def test_recipients_carry_a_working_unsubscribe_token(people: dict[str, int]) -> None:
    (recipient,) = [r for r in _resolve(["journalists"]) if r.subscriber_id == people["german"]]
    claim = tokens.read_unsubscribe_token(recipient.unsubscribe_token())
    assert (claim.subscriber_id, claim.list_id) == (recipient.subscriber_id, recipient.list_id)


def test_mailable_subscribers_rechecks_a_batch_just_before_sending(people: dict[str, int]) -> None:
    candidates = [people["both"], people["german"], people["bounced"], people["pending"], people["erased"]]
    assert mailable_subscribers(session_scope, candidates, ["journalists"]) == {people["both"], people["german"]}
    with session_scope() as s:
        suppress(s, "german@example.be", SuppressionReason.COMPLAINT)
        assert mailable_subscribers(s, candidates, ["journalists"]) == {people["both"]}


def test_unknown_list_fails_at_once_and_no_lists_means_nobody(lists: dict[str, int]) -> None:
    with pytest.raises(ListNotFound):
        resolve_audience(session_scope, ["journalists", "nope"], [], ["nl"], "nl")
    assert list(resolve_audience(session_scope, [], [], ["nl"], "nl")) == []
