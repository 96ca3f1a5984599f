"""Fixed-window rate limits kept in Redis, shared by every web process.

Each limited thing (an IP address, an e-mail address) has one counter per window, counted by one
Lua script (INCR; on the first hit, or if the key somehow has no expiry, EXPIRE; return the count
and the TTL): one atomic round trip that runs on Redis 6.2 (the embedded server) and 7.x alike.
The script is registered once per Redis client. Over the limit the caller gets RateLimited with
the seconds left in the window. Addresses are hashed before they become keys, so Redis holds no
e-mail addresses.

When the limiter cannot work (Redis unreachable, the script refused), each Limit says what
happens, and every caller has to choose:

- `fail_closed=True` (sign-in): LimiterUnavailable, a 503 in the reader's language; nothing is
  tried without the limit.
- `fail_closed=False` (the public sign-up form): the request goes on, with a warning in the log
  and a count in `/metrics` (`pressroom_rate_limit_unenforced_total`).

`probe()` runs the script once on a probe key: `/healthz`, `/metrics` and `pressroom check` use it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from dataclasses import KW_ONLY, dataclass

import redis
from redis.commands.core import Script

from core.broker import redis_client
from core.errors import ConfigurationError
from core.settings import get_settings
from web.errors import LimiterUnavailable, RateLimited

log = logging.getLogger(__name__)
PREFIX = "pressroom:ratelimit:"
PROBE_KEY = f"{PREFIX}probe"

_COUNT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""

# What "the limiter cannot work" looks like: no server, a refused script, no embedded binary.
FAILURES: tuple[type[BaseException], ...] = (redis.RedisError, ConfigurationError, OSError, ValueError)

_scripts: weakref.WeakKeyDictionary[redis.Redis, Script] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_unenforced = 0  # hits let through on a fail-open limit because the limiter did not work


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `window` seconds for each key of one `scope`; `fail_closed` says
    whether a request is refused (True) or let through, loudly (False), when Redis cannot count."""

    scope: str
    count: int
    window: int
    _: KW_ONLY
    fail_closed: bool


def address_and_ip(scope: str) -> tuple[Limit, Limit]:
    """The pair a form that guards an account uses (sign-in, password reset): PRESSROOM_SIGN_IN_LIMIT
    per address and ten times that per IP, per window, failing closed — without a working limit
    the form would be an unlimited password oracle or would mail anyone's inbox full."""
    settings = get_settings()
    return (Limit(f"{scope}-address", settings.sign_in_limit, settings.sign_in_limit_window, fail_closed=True),
            Limit(f"{scope}-ip", settings.sign_in_limit * 10, settings.sign_in_limit_window, fail_closed=True))


def _key(limit: Limit, subject: str) -> str:
    digest = hashlib.sha256(subject.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"{PREFIX}{limit.scope}:{digest}"


def _script(client: redis.Redis) -> Script:
    with _lock:
        script = _scripts.get(client)
        if script is None:
            script = _scripts[client] = client.register_script(_COUNT)
        return script


def count(key: str, window: int, client: redis.Redis | None = None) -> tuple[int, int]:
    """Count one hit on `key`; returns (hits in this window, seconds the window has left)."""
    client = client or redis_client()  # the shared client of this process: never closed here
    hits, ttl = _script(client)(keys=[key], args=[window])
    return int(hits), int(ttl)


def hit(limit: Limit, subject: str, message: str) -> None:
    """Count one attempt for `subject`; raises RateLimited once it is over the limit, and
    LimiterUnavailable if it cannot be counted and the limit fails closed."""
    global _unenforced
    try:
        hits, ttl = count(_key(limit, subject), limit.window)
    except FAILURES as exc:
        if limit.fail_closed:
            log.error("rate limit %s cannot be counted, refusing: %s: %s", limit.scope, type(exc).__name__, exc)
            raise LimiterUnavailable() from exc
        _unenforced += 1
        log.warning("rate limit %s NOT ENFORCED, letting the request through: %s: %s",
                    limit.scope, type(exc).__name__, exc)
        return
    if hits > limit.count:
        raise RateLimited(message, retry_after=max(ttl, 1))


def reset(limit: Limit, subject: str) -> None:
    """Forget the attempts of `subject` (after a successful sign-in)."""
    try:
        redis_client().delete(_key(limit, subject))
    except FAILURES:
        pass


def probe(client: redis.Redis | None = None) -> str | None:
    """None when the limiter works (the script counted a probe key and gave it an expiry),
    otherwise why not, in one line."""
    try:
        _, ttl = count(PROBE_KEY, 60, client)
    except FAILURES as exc:
        text = str(exc).strip().splitlines()
        return f"{type(exc).__name__}: {text[0] if text else 'no detail'}"
    if ttl <= 0:
        return "the counter got no expiry"
    return None


def unenforced() -> int:
    """How many requests this process let through unlimited (fail-open limits, limiter down)."""
    return _unenforced
