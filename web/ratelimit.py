"""Fixed-window rate limits kept in Redis, shared by every web process.

Each limited thing (an IP address, an e-mail address) has one counter per window:
`INCR key` and, on the first hit, `EXPIRE key window`, in one pipeline. Over the limit the
caller gets RateLimited with the seconds left in the window. Addresses are hashed before they
become keys, so Redis holds no e-mail addresses.

If Redis cannot be reached the limit is not enforced (logged): sign-ups and sign-ins keep
working while the broker is down, and the outbox keeps their mails until it is back.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import redis

from core.broker import redis_client
from core.errors import ConfigurationError
from web.errors import RateLimited

log = logging.getLogger(__name__)
PREFIX = "pressroom:ratelimit:"


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `window` seconds for each key of one `scope`."""

    scope: str
    count: int
    window: int


def _key(limit: Limit, subject: str) -> str:
    digest = hashlib.sha256(subject.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"{PREFIX}{limit.scope}:{digest}"


def hit(limit: Limit, subject: str, message: str) -> None:
    """Count one attempt for `subject`; raises RateLimited once it is over the limit."""
    key = _key(limit, subject)
    try:
        pipe = redis_client().pipeline()  # the shared client of this process: never closed here
        pipe.incr(key)
        pipe.expire(key, limit.window, nx=True)
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
    except (redis.RedisError, ConfigurationError, OSError) as exc:
        log.warning("rate limit %s not enforced: Redis unreachable (%s)", limit.scope, exc)
        return
    if int(count) > limit.count:
        raise RateLimited(message, retry_after=max(int(ttl), 1))


def reset(limit: Limit, subject: str) -> None:
    """Forget the attempts of `subject` (after a successful sign-in)."""
    try:
        redis_client().delete(_key(limit, subject))
    except (redis.RedisError, ConfigurationError, OSError):
        pass
