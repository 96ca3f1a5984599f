"""Double opt-in, the outbox event, the cool-down, unsubscribing and the preferences page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from core.db import session_scope, utcnow
from core.errors import InvalidInput
from core.settings import get_settings
from subscribers import (
    AddressSuppressed,
    ListNotFound,
    SubscribeOutcome,
    SubscriptionStatus,
    SuppressionReason,
    add_subscriber,
    confirmation_request,
    one_click_unsubscribe,
    personal_data,
    preferences_by_token,
    subscribe,
    suppress,
    tokens,
    unsubscribe_by_token,
    unsubscribe_page,
    update_preferences_by_token,
)
from subscribers.models import ConsentRecord, Subscriber, Subscription
from tests.subscribers.conftest import confirmed, email_hash_of, events, subscription


def test_subscribing_creates_a_pending_subscription_and_its_event_in_one_transaction(lists: dict[str, int]) -> None:
    with session_scope() as s:
        result = subscribe(
            s, " Jan.Peeters@Example.BE ", "journalists", name="Jan Peeters", language="fr",
            topics=["Africa", "trade"], ip="192.0.2.1", text_version="2024-03",
        )
    assert result.outcome is SubscribeOutcome.CONFIRMATION_QUEUED
    with session_scope() as s:
        row = subscription(s, result.subscription_id)
        (event,) = events(s, "subscription.requested")
        (consent,) = s.exec(select(ConsentRecord)).all()
        data = personal_data(s, "jan.peeters@example.be")["subscriber"]
    assert row.status is SubscriptionStatus.PENDING and row.confirm_nonce
    assert event.id == result.event_id and event.subject_id == result.subscription_id
    assert event.payload == {
        "subscription_id": result.subscription_id,
        "subscriber_id": result.subscriber_id,
        "list": "journalists",
        "kind": "confirm",
        "source": "web",
    }
    assert (consent.action, consent.source, consent.ip, consent.text_version) == ("requested", "web", "192.0.2.1", "2024-03")
    assert (data["email"], data["language"], data["topics"]) == ("jan.peeters@example.be", "fr", ["africa", "trade"])

    # A failed transaction leaves neither a subscription nor an event behind.
    with pytest.raises(RuntimeError), session_scope() as s:
        subscribe(s, "marie@example.be", "journalists")
        raise RuntimeError("the web request failed after subscribing")
    with session_scope() as s:
        assert len(events(s, "subscription.requested")) == 1
        assert len(s.exec(select(Subscription)).all()) == 1


def test_confirmation_request_gives_the_mail_its_link_and_refuses_when_no_longer_allowed(lists: dict[str, int]) -> None:
    with session_scope() as s:
        result = subscribe(s, "jan@example.be", "journalists", language="de")
    with session_scope() as s:
        request = confirmation_request(s, result.subscription_id or 0)
    assert request is not None
    assert (request.email, request.language, request.kind, request.list_name) == ("jan@example.be", "de", "confirm", "Journalists")
    assert request.confirm_url and request.confirm_url.startswith(get_settings().base_url + tokens.CONFIRM_PATH)
    with session_scope() as s:
        suppress(s, "JAN@example.be", SuppressionReason.COMPLAINT)
    with session_scope() as s:
        assert confirmation_request(s, result.subscription_id or 0) is None


def test_resubscribing_reveals_nothing_and_respects_the_cooldown(lists: dict[str, int]) -> None:
    now = utcnow()
    cooldown = timedelta(seconds=get_settings().resubscribe_cooldown)
    with session_scope() as s:
        first = subscribe(s, "jan@example.be", "journalists", now=now)
    with session_scope() as s:
        again = subscribe(s, "JAN@example.be", "journalists", now=now + cooldown / 2)
    with session_scope() as s:
        later = subscribe(s, "jan@example.be", "journalists", now=now + cooldown * 2)
    assert first.outcome is SubscribeOutcome.CONFIRMATION_QUEUED
    assert again.outcome is SubscribeOutcome.COOLING_DOWN and again.event_id is None
    assert later.outcome is SubscribeOutcome.CONFIRMATION_QUEUED
    assert first.subscription_id == again.subscription_id == later.subscription_id

    # Already confirmed: no second confirmation, at most one "already subscribed" notice
    # per cool-down, and the details a stranger types do not overwrite the subscriber's.
    confirmed("marie@example.be", ["journalists"], name="Marie Dubois")
    with session_scope() as s:
        results = [
            subscribe(s, "marie@example.be", "journalists", name="Mallory", now=now + timedelta(seconds=i))
            for i in range(3)
        ]
        notices = [e for e in events(s, "subscription.requested") if e.payload["kind"] == "already_subscribed"]
        marie = s.exec(select(Subscriber).where(Subscriber.email == "marie@example.be")).one()
    assert [r.outcome for r in results] == [
        SubscribeOutcome.NOTICE_QUEUED, SubscribeOutcome.COOLING_DOWN, SubscribeOutcome.COOLING_DOWN,
    ]
    assert len(notices) == 1 and marie.name == "Marie Dubois"
    with session_scope() as s:
        request = confirmation_request(s, results[0].subscription_id or 0)
    assert request is not None and request.kind == "already_subscribed" and request.confirm_url is None


def test_suppressed_address_is_silently_ignored_by_the_public_form_and_refused_to_admins(lists: dict[str, int]) -> None:
    with session_scope() as s:
        suppress(s, "jan@example.be", SuppressionReason.HARD_BOUNCE, "550 5.1.1")
    with session_scope() as s:
        result = subscribe(s, "Jan@Example.be", "journalists")
        assert result.outcome is SubscribeOutcome.SUPPRESSED
        assert events(s, "subscription.requested") == []
        assert s.exec(select(Subscriber)).all() == []
    with session_scope() as s, pytest.raises(AddressSuppressed, match="hard_bounce"):
        add_subscriber(s, "jan@example.be", "journalists", confirmed=True)


def test_public_form_cannot_reach_private_lists_and_validates_input(lists: dict[str, int]) -> None:
    with session_scope() as s, pytest.raises(ListNotFound):
        subscribe(s, "jan@example.be", "diplomats")
    with session_scope() as s, pytest.raises(InvalidInput, match="not a valid e-mail"):
        subscribe(s, "jan@", "journalists")
    with session_scope() as s, pytest.raises(InvalidInput, match="control characters"):
        subscribe(s, "jan@example.be", "journalists", name="Jan\r\nBcc: everyone@example.be")
    with session_scope() as s:
        result = add_subscriber(s, "jan@example.be", "diplomats", confirmed=True)
    assert result.outcome is SubscribeOutcome.CONFIRMED
    with session_scope() as s:
        assert subscription(s, result.subscription_id).status is SubscriptionStatus.CONFIRMED
        assert add_subscriber(s, "jan@example.be", "diplomats").outcome is SubscribeOutcome.ALREADY_CONFIRMED


def test_one_click_unsubscribe_needs_the_rfc8058_body_and_get_page_changes_nothing(lists: dict[str, int]) -> None:
    jan = confirmed("jan.peeters@example.be", ["journalists", "public"])
    email_hash = email_hash_of(jan)
    token = tokens.unsubscribe_token(jan, lists["journalists"], email_hash)
    headers = tokens.list_unsubscribe_headers(token)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"] == f"<{tokens.unsubscribe_url(token)}>"
    with session_scope() as s:
        page = unsubscribe_page(s, token)
    assert (page.masked_email, page.list_name, page.subscribed) == ("j***@example.be", "Journalists", True)
    with session_scope() as s, pytest.raises(InvalidInput, match="One-Click"):
        one_click_unsubscribe(s, token, {})
    with session_scope() as s:
        assert unsubscribe_page(s, token).subscribed is True  # neither the GET nor a bad POST acted
        result = one_click_unsubscribe(s, token, {"List-Unsubscribe": "One-Click"}, ip="198.51.100.4")
    assert result.lists == ["journalists"]
    with session_scope() as s:
        data = personal_data(s, "jan.peeters@example.be")["subscriber"]
    statuses = {x["list"]: x["status"] for x in data["subscriptions"]}
    assert statuses == {"journalists": "unsubscribed", "public": "confirmed"}
    withdrawn = [c for x in data["subscriptions"] for c in x["consent"] if c["action"] == "withdrawn"]
    assert [(c["source"], c["ip"]) for c in withdrawn] == [("one-click", "198.51.100.4")]


def test_global_unsubscribe_leaves_every_list(lists: dict[str, int]) -> None:
    jan = confirmed("jan@example.be", ["journalists", "diplomats", "public"])
    email_hash = email_hash_of(jan)
    with session_scope() as s:
        result = unsubscribe_by_token(s, tokens.unsubscribe_token(jan, lists["public"], email_hash), everywhere=True)
    assert result.lists == ["diplomats", "journalists", "public"]


def test_preferences_page_changes_language_topics_frequency_and_lists(lists: dict[str, int]) -> None:
    jan = confirmed("jan@example.be", ["journalists", "diplomats"], language="nl", topics=["africa"])
    email_hash = email_hash_of(jan)
    token = tokens.preferences_token(jan, email_hash)
    with session_scope() as s:
        before = preferences_by_token(s, token)
    assert [(c.slug, c.status) for c in before.lists] == [
        ("diplomats", "confirmed"), ("journalists", "confirmed"), ("public", None),
    ]
    with session_scope() as s:
        after = update_preferences_by_token(
            s, token, language="fr", topics=["trade", "Climate"], frequency="weekly",
            lists=["public", "diplomats"], ip="192.0.2.9",
        )
    assert (after.language, after.frequency, after.topics) == ("fr", "weekly", ["climate", "trade"])
    assert {c.slug: c.status for c in after.lists} == {
        "diplomats": "confirmed", "journalists": "unsubscribed", "public": "confirmed",
    }
    # Leaving a private list hides it; it cannot be joined again from the page.
    with session_scope() as s:
        hidden = update_preferences_by_token(s, token, lists=["public"])
    assert [c.slug for c in hidden.lists] == ["journalists", "public"]
    with session_scope() as s, pytest.raises(ListNotFound):
        update_preferences_by_token(s, token, lists=["public", "diplomats"])
    with session_scope() as s, pytest.raises(InvalidInput):
        update_preferences_by_token(s, token, language="es", lists=[])
    with session_scope() as s:
        unchanged = preferences_by_token(s, token)
    assert unchanged.language == "fr" and [c.slug for c in unchanged.lists if c.subscribed] == ["public"]


def test_admin_add_updates_details_and_confirms_with_a_consent_record(lists: dict[str, int]) -> None:
    with session_scope() as s:
        pending = add_subscriber(s, "jan@example.be", "journalists", name="Jan")
    assert pending.outcome is SubscribeOutcome.CONFIRMATION_QUEUED
    with session_scope() as s:
        done = add_subscriber(
            s, "jan@example.be", "journalists", name="Jan Peeters", organisation="De Standaard",
            confirmed=True, actor="cli:admin",
        )
        data = personal_data(s, "jan@example.be")["subscriber"]
    assert done.outcome is SubscribeOutcome.CONFIRMED
    assert (data["name"], data["organisation"]) == ("Jan Peeters", "De Standaard")
    consent = data["subscriptions"][0]["consent"]
    assert [(c["action"], c["source"], c["detail"]) for c in consent] == [
        ("requested", "admin", ""), ("confirmed", "admin", "cli:admin"),
    ]
