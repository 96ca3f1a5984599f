"""Signed tokens in the links of subscription mails, and the URLs and headers that carry them.

A token is its fields joined by dots, then a signature: `12.5.3fa9c1d2e4b7.Xr…` — for a timed
token the last field is the issue time in Unix seconds. The signature is a keyed BLAKE2b (16
bytes, URL-safe base64) over the purpose and the fields, keyed with a key derived from
`secret_key`, so a token made for one purpose is refused for every other. Tokens are not
secret-bearing: the fields (ids and 12 hex digits of the address hash) are readable, only
unforgeable. Every bulk message carries two of them, so they are made with one C call each,
not a serialiser: a distribution of 100,000 messages signs 200,000 tokens.

- confirm: (subscription id, nonce); expires after `confirm_token_max_age`. The nonce must
  still be the subscription's, so a link stops working once the person unsubscribes.
- unsubscribe: (subscriber id, list id, hash prefix[, distribution id]); never expires, as RFC
  8058 and the law expect an unsubscribe link in any old mail to keep working. A mailing's
  messages add the distribution id, so its report can count the unsubscribes it caused (the
  count stores no one); tokens without it, in mail sent before, still work.
- preferences: (subscriber id, hash prefix); expires after `preferences_token_max_age`.
- access: (release id, subscriber id, hash prefix); never expires. It is in the release links
  of a mail sent under embargo, so the journalist who received the release can read its page
  before the lift (and after it, when the link is the same as anyone's).

- proof: (release id, revision id); expires after 14 days. It is in the media links of a test
  mail, so the staff who asked for it see its pictures before the release is public; it shows
  the files of that revision only.

- link: (link id); never expires. The redirect of a tracked link in a mailing (`/r/<token>`) and
  its open pixel (`/o/<token>`): one per link of a mailing and language, the same in every copy,
  so it says which link was followed and nothing about who followed it.
- recipient: (delivery id); never expires. Only with `PRESSROOM_TRACKING=per_recipient`: the
  second path segment of every tracked link in one recipient's copy (`/r/<link>/<recipient>`).

The hash prefix binds a token to the address it was made for: once an address is erased (its
hash cleared) or a row id is ever reused, old tokens match nothing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from core.db import utcnow
from core.settings import get_settings
from subscribers.errors import ExpiredToken, InvalidToken

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
ACCESS = "access"
PROOF = "proof"
LINK = "link"
RECIPIENT = "recipient"
PROOF_MAX_AGE = 14 * 24 * 3600
HASH_PREFIX = 12
_SIGNATURE_BYTES = 16
# A field is an id, a hash prefix, a nonce or a time: URL-safe characters and no dot.
_FIELD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_BIGGEST_ID = 10**64  # an int below it is always a valid field

# Paths of the public pages (built in a later issue); kept here so mails and pages agree.
CONFIRM_PATH = "/subscriptions/confirm/"
UNSUBSCRIBE_PATH = "/subscriptions/unsubscribe/"
PREFERENCES_PATH = "/subscriptions/preferences/"


@functools.lru_cache(maxsize=16)
def _key(secret_key: str, purpose: str) -> bytes:
    """A key per purpose, derived from the secret key, so purposes cannot stand in for each other."""
    return hmac.new(secret_key.encode("utf-8"), f"pressroom.subscribers.{purpose}".encode(), "sha256").digest()


def _signature(purpose: str, body: str) -> str:
    digest = hashlib.blake2b(
        body.encode("ascii"), key=_key(get_settings().secret_key, purpose), digest_size=_SIGNATURE_BYTES
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _dump(purpose: str, fields: list[object], now: datetime | None = None, timed: bool = False) -> str:
    values = [str(field) for field in fields]
    if timed:
        values.append(str(int((now or utcnow()).timestamp())))
    for field, value in zip(fields, values, strict=False):
        # An id is a field as it is (no pattern to match: every bulk message signs two tokens).
        if not (field.__class__ is int and 0 <= field < _BIGGEST_ID) and not _FIELD.fullmatch(value):  # type: ignore[operator]
            raise ValueError(f"{value!r} cannot be a field of a {purpose} token")
    body = ".".join(values)
    return f"{body}.{_signature(purpose, body)}"


def _load(purpose: str, token: str, count: int, max_age: int | None = None,
          now: datetime | None = None) -> list[str]:
    """The fields of a genuine token of `purpose` (without the issue time); raises InvalidToken
    or, for a timed token older than `max_age` seconds, ExpiredToken."""
    body, _, signature = token.strip().rpartition(".")
    values = body.split(".")
    expected = count + (1 if max_age is not None else 0)
    if (
        len(values) != expected
        or not all(_FIELD.fullmatch(value) for value in values)
        or not _FIELD.fullmatch(signature)  # also keeps non-ASCII out of compare_digest
        or not hmac.compare_digest(signature, _signature(purpose, body))
    ):
        raise InvalidToken(purpose)
    if max_age is not None:
        issued = datetime.fromtimestamp(int(values.pop()), UTC) if values[-1].isdigit() else None
        if issued is None:
            raise InvalidToken(purpose)
        if ((now or utcnow()) - issued).total_seconds() > max_age:
            raise ExpiredToken(purpose, issued)
    return values


def _id(purpose: str, value: str) -> int:
    """A row id field: a positive decimal without leading zeros."""
    if not value.isdigit() or value.startswith("0"):
        raise InvalidToken(purpose)
    return int(value)


def _hash_prefix(email_hash: str | None) -> str:
    if not email_hash:
        raise ValueError("an erased subscriber has no tokens")
    return email_hash[:HASH_PREFIX]


@dataclass(frozen=True)
class ConfirmClaim:
    subscription_id: int
    nonce: str


@dataclass(frozen=True)
class UnsubscribeClaim:
    subscriber_id: int
    list_id: int
    hash_prefix: str
    distribution_id: int | None = None  # the mailing whose message carried the link, if any

    def matches(self, email_hash: str | None) -> bool:
        """Whether the token was made for the address that has this hash."""
        return email_hash is not None and email_hash[:HASH_PREFIX] == self.hash_prefix


@dataclass(frozen=True)
class PreferencesClaim:
    subscriber_id: int
    hash_prefix: str

    def matches(self, email_hash: str | None) -> bool:
        return email_hash is not None and email_hash[:HASH_PREFIX] == self.hash_prefix


@dataclass(frozen=True)
class AccessClaim:
    release_id: int
    subscriber_id: int
    hash_prefix: str

    def matches(self, email_hash: str | None) -> bool:
        return email_hash is not None and email_hash[:HASH_PREFIX] == self.hash_prefix


def confirm_token(subscription_id: int, nonce: str, now: datetime | None = None) -> str:
    """The token of a confirmation link for one pending subscription."""
    return _dump(CONFIRM, [subscription_id, nonce], now, timed=True)


def read_confirm_token(token: str, now: datetime | None = None) -> ConfirmClaim:
    """What a confirmation token claims; raises InvalidToken, or ExpiredToken when too old."""
    subscription_id, nonce = _load(CONFIRM, token, 2, get_settings().confirm_token_max_age, now)
    return ConfirmClaim(_id(CONFIRM, subscription_id), nonce)


def unsubscribe_token(subscriber_id: int, list_id: int, email_hash: str | None,
                      distribution_id: int | None = None) -> str:
    """The token of one subscriber's unsubscribe link for one list (does not expire); with
    `distribution_id`, the link of one mailing's message."""
    fields: list[object] = [subscriber_id, list_id, _hash_prefix(email_hash)]
    if distribution_id:
        fields.append(distribution_id)
    return _dump(UNSUBSCRIBE, fields)


def read_unsubscribe_token(token: str) -> UnsubscribeClaim:
    """What an unsubscribe token claims, with or without a mailing's id; raises InvalidToken."""
    with_mailing = token.strip().count(".") == 4
    fields = _load(UNSUBSCRIBE, token, 4 if with_mailing else 3)
    mailing = _id(UNSUBSCRIBE, fields[3]) if with_mailing else None
    return UnsubscribeClaim(_id(UNSUBSCRIBE, fields[0]), _id(UNSUBSCRIBE, fields[1]), fields[2], mailing)


def preferences_token(subscriber_id: int, email_hash: str | None, now: datetime | None = None) -> str:
    """The token of a subscriber's preferences link."""
    return _dump(PREFERENCES, [subscriber_id, _hash_prefix(email_hash)], now, timed=True)


def read_preferences_token(token: str, now: datetime | None = None) -> PreferencesClaim:
    """What a preferences token claims; raises InvalidToken, or ExpiredToken when too old."""
    subscriber_id, prefix = _load(PREFERENCES, token, 2, get_settings().preferences_token_max_age, now)
    return PreferencesClaim(_id(PREFERENCES, subscriber_id), prefix)


def access_token(release_id: int, subscriber_id: int, email_hash: str | None) -> str:
    """The token that lets one recipient of an embargoed release read its page before the lift."""
    return _dump(ACCESS, [release_id, subscriber_id, _hash_prefix(email_hash)])


def read_access_token(token: str) -> AccessClaim:
    """What an access token claims; raises InvalidToken."""
    release_id, subscriber_id, prefix = _load(ACCESS, token, 3)
    return AccessClaim(_id(ACCESS, release_id), _id(ACCESS, subscriber_id), prefix)


def proof_token(release_id: int, revision_id: int, now: datetime | None = None) -> str:
    """The token that shows one revision's files to the readers of its test mail."""
    return _dump(PROOF, [release_id, revision_id], now, timed=True)


def read_proof_token(token: str, now: datetime | None = None) -> tuple[int, int]:
    """(release id, revision id) of a proof token; raises InvalidToken or ExpiredToken."""
    release_id, revision_id = _load(PROOF, token, 2, PROOF_MAX_AGE, now)
    return _id(PROOF, release_id), _id(PROOF, revision_id)


def link_token(link_id: int) -> str:
    """The token of one tracked link (or open pixel) of a mailing: its id, signed."""
    return _dump(LINK, [link_id])


def read_link_token(token: str) -> int:
    """The link id of a genuine link token; raises InvalidToken."""
    (link_id,) = _load(LINK, token, 1)
    return _id(LINK, link_id)


def recipient_token(delivery_id: int) -> str:
    """The token naming one recipient's copy in its tracked links (per-recipient tracking only)."""
    return _dump(RECIPIENT, [delivery_id])


def read_recipient_token(token: str) -> int:
    """The delivery id of a genuine recipient token; raises InvalidToken."""
    (delivery_id,) = _load(RECIPIENT, token, 1)
    return _id(RECIPIENT, delivery_id)


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
