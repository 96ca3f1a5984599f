"""Signed links: forgery, alteration, purpose confusion, expiry and replay change nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from core.db import session_scope, utcnow
from core.settings import get_settings, override_settings
from subscribers import (
    ConfirmOutcome,
    ExpiredToken,
    InvalidToken,
    SubscriptionStatus,
    confirm_by_token,
    confirmation_request,
    forget,
    one_click_unsubscribe,
    preferences_by_token,
    subscribe,
    tokens,
    unsubscribe_by_token,
    update_preferences_by_token,
)
from subscribers.models import Subscriber
from tests.subscribers.conftest import confirmed, email_hash_of, subscription


def _sign_up(email: str = "jan.peeters@example.be") -> tuple[int, str]:
    """A pending subscription and the confirmation token its mail would carry."""
    with session_scope() as s:
        result = subscribe(s, email, "journalists", name="Jan Peeters")
        request = confirmation_request(s, result.subscription_id or 0)
    assert request is not None and request.confirm_url is not None
    return result.subscription_id or 0, request.confirm_url.rsplit("/", 1)[1]


def _tamper(token: str, change: dict[int, object]) -> str:
    """The token with its fields edited but its old signature kept."""
    fields = token.split(".")
    for index, value in change.items():
        fields[index] = str(value)
    return ".".join(fields)


@contextmanager
def _secret(key: str) -> Iterator[None]:
    """Sign with another secret key for a while, as a forger who guessed it would."""
    ours = get_settings().secret_key
    override_settings(secret_key=key)
    try:
        yield
    finally:
        override_settings(secret_key=ours)


def _signed_with(key: str, make: Callable[[], str]) -> str:
    with _secret(key):
        return make()


def _status(subscription_id: int) -> SubscriptionStatus:
    with session_scope() as s:
        return subscription(s, subscription_id).status


def test_confirm_link_confirms_once_and_replay_reports_already_confirmed(lists: dict[str, int]) -> None:
    subscription_id, token = _sign_up()
    with session_scope() as s:
        first = confirm_by_token(s, token, ip="192.0.2.7")
    with session_scope() as s:
        again = confirm_by_token(s, token, ip="192.0.2.8")
        row = subscription(s, subscription_id)
        confirmed_at = row.confirmed_at
    assert first.outcome is ConfirmOutcome.CONFIRMED and first.list_slug == "journalists"
    assert again.outcome is ConfirmOutcome.ALREADY_CONFIRMED
    assert row.status is SubscriptionStatus.CONFIRMED
    with session_scope() as s:
        assert subscription(s, subscription_id).confirmed_at == confirmed_at  # replay changed nothing


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda t, sid: _tamper(t, {0: sid + 1}), id="payload-altered"),
        pytest.param(lambda t, sid: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), id="signature-altered"),
        pytest.param(
            lambda t, sid: _signed_with("not-our-key", lambda: tokens.confirm_token(sid, "x")),
            id="other-secret",
        ),
        pytest.param(lambda t, sid: "garbage", id="garbage"),
        pytest.param(lambda t, sid: "", id="empty"),
    ],
)
def test_forged_confirm_token_is_refused_and_changes_nothing(lists: dict[str, int], forge) -> None:  # type: ignore[no-untyped-def]
    subscription_id, token = _sign_up()
    with session_scope() as s, pytest.raises(InvalidToken):
        confirm_by_token(s, forge(token, subscription_id))
    assert _status(subscription_id) is SubscriptionStatus.PENDING


def test_token_of_another_purpose_is_refused(lists: dict[str, int]) -> None:
    subscription_id, _ = _sign_up()
    with session_scope() as s:
        subscriber = s.get(Subscriber, subscription(s, subscription_id).subscriber_id)
        assert subscriber is not None
        unsubscribe_token = tokens.unsubscribe_token(subscriber.id or 0, lists["journalists"], subscriber.email_hash)
        preferences_token = tokens.preferences_token(subscriber.id or 0, subscriber.email_hash)
    for token in (unsubscribe_token, preferences_token):
        with session_scope() as s, pytest.raises(InvalidToken):
            confirm_by_token(s, token)
    with session_scope() as s, pytest.raises(InvalidToken):
        unsubscribe_by_token(s, preferences_token)
    assert _status(subscription_id) is SubscriptionStatus.PENDING


def test_confirm_token_expires(lists: dict[str, int]) -> None:
    subscription_id, token = _sign_up()
    max_age = get_settings().confirm_token_max_age
    with session_scope() as s, pytest.raises(ExpiredToken, match="expired"):
        confirm_by_token(s, token, now=utcnow() + timedelta(seconds=max_age + 5))
    assert _status(subscription_id) is SubscriptionStatus.PENDING
    with session_scope() as s:  # just inside the limit it still works
        result = confirm_by_token(s, token, now=utcnow() + timedelta(seconds=max_age - 60))
    assert result.outcome is ConfirmOutcome.CONFIRMED


def test_confirm_link_from_before_an_unsubscription_cannot_resubscribe(lists: dict[str, int]) -> None:
    subscription_id, token = _sign_up()
    with session_scope() as s:
        confirm_by_token(s, token)
        row = subscription(s, subscription_id)
    unsubscribe_token = tokens.unsubscribe_token(row.subscriber_id, row.list_id, email_hash_of(row.subscriber_id))
    with session_scope() as s:
        assert unsubscribe_by_token(s, unsubscribe_token).lists == ["journalists"]
    with session_scope() as s, pytest.raises(InvalidToken, match="no longer valid"):
        confirm_by_token(s, token)
    assert _status(subscription_id) is SubscriptionStatus.UNSUBSCRIBED
    # Signing up again issues a new nonce: the old link stays dead, the new one works.
    _, new_token = _sign_up()
    with session_scope() as s, pytest.raises(InvalidToken):
        confirm_by_token(s, token)
    with session_scope() as s:
        assert confirm_by_token(s, new_token).outcome is ConfirmOutcome.CONFIRMED


def test_unsubscribe_token_forgery_changes_nothing_and_replay_is_harmless(lists: dict[str, int]) -> None:
    jan = confirmed("jan@example.be", ["journalists", "public"])
    marie = confirmed("marie@example.be", ["journalists"])
    jan_hash = email_hash_of(jan)
    token = tokens.unsubscribe_token(jan, lists["journalists"], jan_hash)
    forged = [
        _tamper(token, {0: marie}),  # someone else's id
        _tamper(token, {1: lists["public"]}),  # another list
        token[:-3] + "abc",
        _signed_with("guess", lambda: tokens.unsubscribe_token(marie, lists["journalists"], jan_hash)),
        tokens.unsubscribe_token(marie, lists["journalists"], jan_hash),  # genuine signature, wrong address
    ]
    for bad in forged:
        with session_scope() as s, pytest.raises(InvalidToken):
            unsubscribe_by_token(s, bad, everywhere=True)
    with session_scope() as s:
        from subscribers import personal_data

        assert {x["status"] for x in personal_data(s, "jan@example.be")["subscriber"]["subscriptions"]} == {"confirmed"}
        assert personal_data(s, "marie@example.be")["subscriber"]["subscriptions"][0]["status"] == "confirmed"
    with session_scope() as s:
        assert one_click_unsubscribe(s, token, {"List-Unsubscribe": "One-Click"}).lists == ["journalists"]
    with session_scope() as s:
        assert unsubscribe_by_token(s, token).lists == []  # replay: nothing left to do
        assert unsubscribe_by_token(s, token, everywhere=True).lists == ["public"]


def test_tokens_of_an_erased_subscriber_match_nothing(lists: dict[str, int]) -> None:
    jan = confirmed("jan@example.be", ["journalists"])
    jan_hash = email_hash_of(jan)
    unsubscribe_token = tokens.unsubscribe_token(jan, lists["journalists"], jan_hash)
    preferences_token = tokens.preferences_token(jan, jan_hash)
    with session_scope() as s:
        forget(s, "jan@example.be")
    with session_scope() as s, pytest.raises(InvalidToken):
        unsubscribe_by_token(s, unsubscribe_token)
    with session_scope() as s, pytest.raises(InvalidToken):
        preferences_by_token(s, preferences_token)


def test_preferences_token_expires_and_forgery_changes_nothing(lists: dict[str, int]) -> None:
    jan = confirmed("jan@example.be", ["journalists"], language="nl")
    jan_hash = email_hash_of(jan)
    token = tokens.preferences_token(jan, jan_hash)
    later = utcnow() + timedelta(seconds=get_settings().preferences_token_max_age + 1)
    with session_scope() as s, pytest.raises(ExpiredToken):
        update_preferences_by_token(s, token, language="fr", now=later)
    with session_scope() as s, pytest.raises(InvalidToken):
        update_preferences_by_token(s, _tamper(token, {0: jan + 1}), language="fr")
    with session_scope() as s:
        assert preferences_by_token(s, token).language == "nl"


@pytest.mark.parametrize(
    "read, fields",
    [
        pytest.param(tokens.read_unsubscribe_token, ["01", 2, "abcdef012345"], id="id-with-leading-zero"),
        pytest.param(tokens.read_unsubscribe_token, [1, 2], id="too-few-fields"),
        pytest.param(tokens.read_unsubscribe_token, [1, 2, "abcdef012345", 4, 5], id="too-many-fields"),
        pytest.param(tokens.read_unsubscribe_token, [1, 2, "abcdef012345", "x"], id="mailing-not-an-id"),
        pytest.param(tokens.read_preferences_token, [1, "abcdef012345", "yesterday"], id="time-not-a-number"),
        pytest.param(tokens.read_confirm_token, ["x", "nonce", 1700000000], id="id-not-a-number"),
    ],
)
def test_genuinely_signed_but_malformed_tokens_are_refused(read, fields) -> None:  # type: ignore[no-untyped-def]
    purpose = {tokens.read_unsubscribe_token: tokens.UNSUBSCRIBE, tokens.read_preferences_token: tokens.PREFERENCES,
               tokens.read_confirm_token: tokens.CONFIRM}[read]
    token = tokens._dump(purpose, fields)
    with pytest.raises(InvalidToken):
        read(token)


def test_tokens_are_short_url_safe_and_refuse_fields_that_would_break_them() -> None:
    token = tokens.unsubscribe_token(123456, 7, "0123456789abcdef" * 4)
    assert token.startswith("123456.7.0123456789ab.")
    assert len(token) < 50 and all(c.isalnum() or c in "._-" for c in token)
    assert tokens.read_unsubscribe_token(token) == tokens.UnsubscribeClaim(123456, 7, "0123456789ab")


def test_a_mailings_unsubscribe_token_names_the_mailing_and_old_tokens_still_work() -> None:
    """The link in a mailing's message says which mailing it came from (for its report's count);
    links in mail sent before mailings were named keep working, naming none."""
    email_hash = "0123456789abcdef" * 4
    named = tokens.unsubscribe_token(12, 7, email_hash, distribution_id=345)
    assert named.startswith("12.7.0123456789ab.345.")
    assert tokens.read_unsubscribe_token(named) == tokens.UnsubscribeClaim(12, 7, "0123456789ab", 345)
    old = tokens.unsubscribe_token(12, 7, email_hash)
    assert tokens.read_unsubscribe_token(old).distribution_id is None
    # The mailing is under the signature: moving the link to another mailing breaks it.
    body, _, signature = named.rpartition(".")
    with pytest.raises(InvalidToken):
        tokens.read_unsubscribe_token(body.replace(".345", ".346") + "." + signature)
    with pytest.raises(InvalidToken):
        tokens.read_unsubscribe_token(body.rpartition(".")[0] + "." + signature)
    with pytest.raises(ValueError, match="cannot be a field"):
        tokens.confirm_token(1, "a.b")
