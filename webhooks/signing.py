"""Signatures of webhook requests: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's
secret, sent as `Pressroom-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]` (the scheme of
Stripe's and GitHub's webhooks). A receiver recomputes the HMAC with its secret, compares it in
constant time with each v1 value, and refuses a timestamp too far from its clock, so a request
captured once cannot be replayed later. During a rotation both secrets sign (two v1 values).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence

HEADER = "Pressroom-Signature"
SECRET_PREFIX = "whsec_"
TOLERANCE = 300  # seconds a receiver should accept between the timestamp and its own clock


class SignatureError(ValueError):
    """A request whose signature header is missing, malformed, stale or matches no secret."""


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, hex, with a prefix that says what it is."""
    return SECRET_PREFIX + secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets_: Sequence[str], body: bytes, timestamp: int | None = None) -> str:
    """The header value signing `body` now (or at `timestamp`) with each of `secrets_`."""
    moment = int(time.time()) if timestamp is None else timestamp
    return ",".join([f"t={moment}", *(f"v1={signature(s, moment, body)}" for s in secrets_)])


def verify(secret: str, header: str, body: bytes, tolerance: int = TOLERANCE, now: float | None = None) -> int:
    """Check a request as a receiver does; returns its timestamp, raises SignatureError."""
    parts = [item.partition("=") for item in header.split(",")]
    stamps = [value for key, _, value in parts if key.strip() == "t"]
    given = [value.strip() for key, _, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not given:
        raise SignatureError(f"{HEADER} must be t=<seconds>,v1=<hex>: {header[:80]!r}")
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureError(f"timestamp {timestamp} is more than {tolerance} s from now (a replay?)")
    expected = signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, value) for value in given):
        raise SignatureError("no v1 signature matches the secret")
    return timestamp
