"""Signed tokens in the links of subscription mails, and the URLs and headers that carry them.

Tokens are itsdangerous URL-safe timed signatures (HMAC-SHA1 over the payload and a timestamp,
keyed with `secret_key`), with a distinct salt per purpose so that a token made for one purpose
is refused for every other. They are not secret-bearing: the payload (ids and 12 hex digits of
the address hash) is readable, only unforgeable.

- confirm: (subscription id, nonce); expires after `confirm_token_max_age`. The nonce must
  still be the subscription's, so a link stops working once the person unsubscribes.
- unsubscribe: (subscriber id, list id, hash prefix); never expires, as RFC 8058 and the law
  expect an unsubscribe link in any old mail to keep working.
- preferences: (subscriber id, hash prefix); expires after `preferences_token_max_age`.

The hash prefix binds a token to the address it was made for: once an address is erased (its
hash cleared) or a row id is ever reused, old tokens match nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from core.settings import get_settings
from subscribers.errors import ExpiredToken, InvalidToken

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
_SALTS = {purpose: f"pressroom.subscribers.{purpose}" for purpose in (CONFIRM, UNSUBSCRIBE, PREFERENCES)}
HASH_PREFIX = 12

# Paths of the public pages (built in a later issue); kept here so mails and pages agree.
CONFIRM_PATH = "/subscriptions/confirm/"
UNSUBSCRIBE_PATH = "/subscriptions/unsubscribe/"
PREFERENCES_PATH = "/subscriptions/preferences/"


class _ClockSigner(TimestampSigner):
    """A timestamp signer whose clock can be set, to issue or check a token "as of" a time."""

    def __init__(self, *args: Any, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


def _serializer(purpose: str, now: datetime | None) -> URLSafeTimedSerializer:
    kwargs: dict[str, Any] = {} if now is None else {"clock": now.timestamp}
    return URLSafeTimedSerializer(
        get_settings().secret_key, salt=_SALTS[purpose], signer=_ClockSigner, signer_kwargs=kwargs
    )


def _dump(purpose: str, payload: list[Any], now: datetime | None) -> str:
    return str(_serializer(purpose, now).dumps(payload))


def _load(purpose: str, token: str, max_age: int | None, now: datetime | None) -> list[Any]:
    try:
        payload = _serializer(purpose, now).loads(token.strip(), max_age=max_age)
    except SignatureExpired as exc:
        raise ExpiredToken(purpose, exc.date_signed) from None
    except (BadData, UnicodeError, ValueError):
        raise InvalidToken(purpose) from None
    if not isinstance(payload, list):
        raise InvalidToken(purpose)
    return payload


def _hash_prefix(email_hash: str | None) -> str:
    if not email_hash:
        raise ValueError("an erased subscriber has no tokens")
    return email_hash[:HASH_PREFIX]


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@dataclass(frozen=True)
class ConfirmClaim:
    subscription_id: int
    nonce: str


@dataclass(frozen=True)
class UnsubscribeClaim:
    subscriber_id: int
    list_id: int
    hash_prefix: str

    def matches(self, email_hash: str | None) -> bool:
        """Whether the token was made for the address that has this hash."""
        return email_hash is not None and email_hash[:HASH_PREFIX] == self.hash_prefix


@dataclass(frozen=True)
class PreferencesClaim:
    subscriber_id: int
    hash_prefix: str

    def matches(self, email_hash: str | None) -> bool:
        return email_hash is not None and email_hash[:HASH_PREFIX] == self.hash_prefix


def confirm_token(subscription_id: int, nonce: str, now: datetime | None = None) -> str:
    """The token of a confirmation link for one pending subscription."""
    return _dump(CONFIRM, [subscription_id, nonce], now)


def read_confirm_token(token: str, now: datetime | None = None) -> ConfirmClaim:
    """What a confirmation token claims; raises InvalidToken, or ExpiredToken when too old."""
    payload = _load(CONFIRM, token, get_settings().confirm_token_max_age, now)
    if len(payload) != 2 or not _is_id(payload[0]) or not isinstance(payload[1], str):
        raise InvalidToken(CONFIRM)
    return ConfirmClaim(payload[0], payload[1])


def unsubscribe_token(subscriber_id: int, list_id: int, email_hash: str | None) -> str:
    """The token of one subscriber's unsubscribe link for one list (does not expire)."""
    return _dump(UNSUBSCRIBE, [subscriber_id, list_id, _hash_prefix(email_hash)], None)


def read_unsubscribe_token(token: str) -> UnsubscribeClaim:
    """What an unsubscribe token claims; raises InvalidToken."""
    payload = _load(UNSUBSCRIBE, token, None, None)
    if (
        len(payload) != 3
        or not _is_id(payload[0])
        or not _is_id(payload[1])
        or not isinstance(payload[2], str)
    ):
        raise InvalidToken(UNSUBSCRIBE)
    return UnsubscribeClaim(payload[0], payload[1], payload[2])


def preferences_token(subscriber_id: int, email_hash: str | None, now: datetime | None = None) -> str:
    """The token of a subscriber's preferences link."""
    return _dump(PREFERENCES, [subscriber_id, _hash_prefix(email_hash)], now)


def read_preferences_token(token: str, now: datetime | None = None) -> PreferencesClaim:
    """What a preferences token claims; raises InvalidToken, or ExpiredToken when too old."""
    payload = _load(PREFERENCES, token, get_settings().preferences_token_max_age, now)
    if len(payload) != 2 or not _is_id(payload[0]) or not isinstance(payload[1], str):
        raise InvalidToken(PREFERENCES)
    return PreferencesClaim(payload[0], payload[1])


def _url(path: str, token: str) -> str:
    return get_settings().base_url.rstrip("/") + path + quote(token, safe="")


def confirm_url(token: str) -> str:
    return _url(CONFIRM_PATH, token)


def unsubscribe_url(token: str) -> str:
    """The page that asks "unsubscribe?" on GET and unsubscribes on POST (RFC 8058 one-click)."""
    return _url(UNSUBSCRIBE_PATH, token)


def preferences_url(token: str) -> str:
    return _url(PREFERENCES_PATH, token)


def list_unsubscribe_headers(token: str) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers for a message carrying this unsubscribe token."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
