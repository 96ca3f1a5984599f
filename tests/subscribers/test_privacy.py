"""Access and erasure: everything held is shown; erasure keeps only the suppression hash."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from core.db import session_scope
from subscribers import (
    SubscriberNotFound,
    SubscriberStatus,
    SuppressionReason,
    forget,
    hash_of,
    import_csv,
    personal_data,
    subscribe,
    suppress,
)
from subscribers.models import ConsentRecord, Subscriber, SubscriberTopic, Subscription, Suppression
from tests.subscribers.conftest import confirmed, events


def test_personal_data_includes_subscriptions_topics_consent_and_suppression(lists: dict[str, int]) -> None:
    confirmed("jan@example.be", ["diplomats"], name="Jan", topics=["africa"])
    with session_scope() as s:
        subscribe(s, "jan@example.be", "journalists", ip="203.0.113.5", text_version="v2")
        suppress(s, "jan@example.be", SuppressionReason.COMPLAINT, "abuse report")
    with session_scope() as s:
        data = personal_data(s, "JAN@example.be")
    assert data["address_hash"] == hash_of("jan@example.be")
    person = data["subscriber"]
    assert (person["name"], person["topics"]) == ("Jan", ["africa"])
    by_list = {x["list"]: x for x in person["subscriptions"]}
    assert by_list["journalists"]["status"] == "pending"
    assert by_list["journalists"]["consent"][0] | {"at": None} == {
        "action": "requested", "at": None, "source": "web", "ip": "203.0.113.5", "text_version": "v2", "detail": "",
    }
    assert data["suppression"]["reason"] == "complaint"
    with session_scope() as s, pytest.raises(SubscriberNotFound):
        personal_data(s, "nobody@example.be")


def test_forget_erases_personal_data_and_keeps_the_hash_and_counts(lists: dict[str, int]) -> None:
    jan = confirmed("jan@example.be", ["journalists", "public"], name="Jan Peeters", topics=["africa"])
    with session_scope() as s:
        suppress(s, "jan@example.be", SuppressionReason.HARD_BOUNCE, "550 5.1.1 <jan@example.be>: unknown")
    with session_scope() as s:
        result = forget(s, "Jan@Example.be", actor="cli:dpo")
    assert (result.subscriptions_closed, result.consent_records_deleted, result.topics_deleted) == (2, 2, 1)
    with session_scope() as s:
        row = s.get(Subscriber, jan)
        assert row is not None and row.status is SubscriberStatus.ERASED
        assert (row.email, row.email_hash, row.name) == (None, None, "")
        assert len(s.exec(select(Subscription).where(Subscription.subscriber_id == jan)).all()) == 2
        assert s.exec(select(ConsentRecord)).all() == [] and s.exec(select(SubscriberTopic)).all() == []
        (entry,) = s.exec(select(Suppression)).all()
        assert (entry.address_hash, entry.email, entry.detail) == (hash_of("jan@example.be"), None, "")
        (erased,) = events(s, "subscriber.erased")
        assert erased.payload == {"subscriber_id": jan, "address_hash": hash_of("jan@example.be")}
        stored = " ".join(str(v) for r in s.exec(select(Subscriber)).all() for v in r.model_dump().values())
    assert "jan@example.be" not in stored and "Peeters" not in stored
    # Forgetting again is harmless; what is shown is only the suppression.
    with session_scope() as s:
        again = forget(s, "jan@example.be")
        shown = personal_data(s, "jan@example.be")
    assert again.subscriber_id is None and shown["subscriber"] is None
    assert shown["suppression"]["reason"] == "hard_bounce"


def test_a_forgotten_address_is_never_reimported_or_resubscribed(lists: dict[str, int]) -> None:
    confirmed("jan@example.be", ["journalists"])
    with session_scope() as s:
        forget(s, "jan@example.be")
    report = import_csv(session_scope, io.BytesIO(b"email\nJAN@example.be\n"), "public", confirmed=True)
    assert report.subscriptions_created == 0 and len(report.suppressed) == 1
    assert "(erased)" in report.suppressed[0].reason
    with session_scope() as s:
        assert subscribe(s, "jan@example.be", "public").outcome == "suppressed"
        assert s.exec(select(Subscriber.email).where(Subscriber.email.is_not(None))).all() == []  # type: ignore[union-attr]
