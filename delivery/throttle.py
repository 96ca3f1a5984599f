"""Limits shared by every worker, kept in Redis: a messages-per-second token bucket and a cap on
concurrent SMTP connections.

Both are single Lua scripts, so each check is one atomic round trip; entries expire by
themselves, so a worker that dies holding a connection slot frees it when its lease runs out.
"""

from __future__ import annotations

import time
import uuid
from types import TracebackType
from typing import Self

import redis

from core.errors import PressroomError

_BUCKET = """
local key, rate, burst, now, want = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate)
local wait = 0
if tokens >= want then
  tokens = tokens - want
else
  wait = (want - tokens) / rate
  tokens = tokens - want
end
redis.call('HSET', key, 'tokens', tokens, 'at', now)
redis.call('EXPIRE', key, 60)
return tostring(wait)
"""

_SLOT = """
local key, limit, now, expires, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, expires, member)
  return 1
end
return 0
"""


class NoConnectionSlot(PressroomError):
    """Every SMTP connection slot is taken; the batch should try again shortly."""


class RateLimiter:
    """Take `n` messages' worth of tokens, sleeping as long as the shared rate requires."""

    def __init__(self, client: redis.Redis, per_second: float, key: str = "pressroom:rate") -> None:
        self.per_second = per_second
        self.key = key
        self._script = client.register_script(_BUCKET) if per_second > 0 else None

    def acquire(self, n: int = 1) -> float:
        """Returns the seconds slept (0 when unlimited)."""
        if self._script is None:
            return 0.0
        burst = max(self.per_second, 1.0)
        wait = float(self._script(keys=[self.key], args=[self.per_second, burst, time.time(), n]))
        if wait > 0:
            time.sleep(wait)
        return wait


class ConnectionSlot:
    """One of `limit` SMTP connection slots, held for at most `lease` seconds."""

    def __init__(self, client: redis.Redis, limit: int, lease: float, key: str = "pressroom:smtp-slots"):
        self.client = client
        self.limit = limit
        self.lease = lease
        self.key = key
        self.member = uuid.uuid4().hex
        self._script = client.register_script(_SLOT)

    def __enter__(self) -> Self:
        now = time.time()
        if not int(self._script(keys=[self.key], args=[self.limit, now, now + self.lease, self.member])):
            raise NoConnectionSlot(f"all {self.limit} SMTP connection slots are in use")
        return self

    def renew(self) -> bool:
        """Hold the slot for another lease from now (a long batch's heartbeat); False if it had
        expired and been taken."""
        # XX: only a slot still held is extended; a taken one stays taken.
        self.client.zadd(self.key, {self.member: time.time() + self.lease}, xx=True)
        return self.client.zscore(self.key, self.member) is not None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.client.zrem(self.key, self.member)
