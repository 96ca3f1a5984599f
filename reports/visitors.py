"""Unique readers of a page per day, estimated without keeping anything that names a reader.

A random salt is made for each UTC day and kept in Redis until that day ends (and in each web
process's memory while the day lasts), never in the database. A read is hashed as
SHA-256(salt, IP address, User-Agent), cut to 16 hex digits, and the hash added to the day's set
of (release, language, hash) in Redis, which expires with the day. Whether the hash was new is
all that reaches the database (`page_view.first_visit`). Once the day is over the salt and the
set are gone: nobody, not even with the database and Redis in hand, can tell whether two reads
were by the same person, nor recompute a hash from an address.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import UTC, date, datetime, time, timedelta

import redis

PREFIX = "pressroom:readership"
HASH_DIGITS = 16

_salts: dict[str, bytes] = {}  # this process's copy of the current day's salt
_lock = threading.Lock()


def _end_of(day: date) -> int:
    """The POSIX time at which `day` (UTC) ends: its keys expire then."""
    return int(datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC).timestamp())


def day_salt(client: redis.Redis, day: date) -> bytes:
    """The salt of `day`: the first process to ask makes it, every other one reads it."""
    key = f"{PREFIX}:{day.isoformat()}:salt"
    with _lock:
        known = _salts.get(key)
    if known is not None:
        return known
    pipe = client.pipeline()
    pipe.set(key, secrets.token_hex(32), nx=True, exat=_end_of(day))
    pipe.get(key)
    _, value = pipe.execute()
    salt = value if isinstance(value, bytes) else str(value).encode()
    with _lock:
        _salts.clear()  # yesterday's salt leaves this process as today's comes in
        _salts[key] = salt
    return salt


def visitor_hash(salt: bytes, ip: str, user_agent: str) -> str:
    """The truncated hash one reader has for one day."""
    digest = hashlib.sha256(salt + b"\0" + ip.encode() + b"\0" + user_agent.encode("utf-8", "replace"))
    return digest.hexdigest()[:HASH_DIGITS]


def first_visit(client: redis.Redis, day: date, release_id: int, language: str, ip: str, user_agent: str) -> bool:
    """Whether this is the reader's first read of this page today (one Redis round trip once the
    process knows the day's salt)."""
    member = f"{release_id}:{language}:{visitor_hash(day_salt(client, day), ip, user_agent)}"
    key = f"{PREFIX}:{day.isoformat()}:seen"
    pipe = client.pipeline(transaction=False)
    pipe.sadd(key, member)
    pipe.expireat(key, _end_of(day))
    added, _ = pipe.execute()
    return bool(added)


def forget_salts() -> None:
    """Drop this process's copy of the salt (tests that play a new day)."""
    with _lock:
        _salts.clear()
