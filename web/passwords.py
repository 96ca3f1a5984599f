"""Password hashes for the press-office sign-in: scrypt (a memory-hard KDF) from the stdlib.

A hash is stored as `scrypt$N$r$p$salt$key` (salt and key base64), so the cost can be raised
later and old hashes still verify; `needs_rehash` tells when one should be renewed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1  # about 16 MiB and 50 ms per hash on the reference machine
KEY_LENGTH = 32
MIN_LENGTH = 10
MAX_LENGTH = 1024
_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_LENGTH,
                          maxmem=_MAXMEM)


def check_strength(password: str) -> None:
    """Raise ValueError saying why a new password is refused."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"a password has at most {MAX_LENGTH} characters")
    if not password.strip():
        raise ValueError("a password cannot be only spaces")


def hash_password(password: str) -> str:
    """A new salted scrypt hash of `password`."""
    salt = secrets.token_bytes(16)
    key = _derive(password, salt, N, R, P)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches the stored hash; a missing or malformed hash never matches
    (and still costs one derivation, so timing does not tell which accounts have a password)."""
    try:
        scheme, n, r, p, salt, key = (stored or "").split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        expected = base64.b64decode(key)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        _derive(password, b"\0" * 16, N, R, P)
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with weaker parameters than today's."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[1:4] != [str(N), str(R), str(P)]

