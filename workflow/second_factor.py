"""Two-step sign-in: an authenticator app (TOTP, RFC 6238, via pyotp) and recovery codes.

What a copy of the database gives an attacker: authenticator secrets encrypted with Fernet
under a key derived (HKDF-SHA256) from PRESSROOM_SECRET_KEY, and recovery codes as HMAC-SHA256
under another derived key. Without the secret key neither yields a code; with it, the
secrets decrypt, so the key is kept out of the database and its backups.

A code is accepted for the current 30-second step or one step either side (clocks drift); the
step it matched is stored, and a conditional UPDATE accepts only a later one, so a code cannot
be used twice, even by two requests at once. A recovery code is spent by a conditional UPDATE
too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from core.db import utcnow
from core.settings import get_settings
from workflow.access_errors import AlreadyEnrolled, SecondFactorRefused, SecondFactorUnreadable
from workflow.account_log import AccountAction, record
from workflow.models import RecoveryCode, TotpFactor, User
from workflow.sessions import end_all_sessions

ISSUER = "Pressroom"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 10  # about 49 bits each
_DRIFT = 1  # time steps accepted either side of now


@lru_cache(maxsize=4)
def _derive(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret_key.encode("utf-8"))


def _fernet() -> Fernet:
    key = _derive(get_settings().secret_key, b"pressroom.totp-secret")
    return Fernet(base64.urlsafe_b64encode(key))


def _code_hash(code: str) -> str:
    key = _derive(get_settings().secret_key, b"pressroom.recovery-code")
    return hmac.new(key, code.encode("utf-8"), hashlib.sha256).hexdigest()


def _secret_of(factor: TotpFactor, user: User) -> str:
    try:
        return _fernet().decrypt(factor.secret.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        raise SecondFactorUnreadable(user.email) from None


def required_for(user: User) -> bool:
    """Whether PRESSROOM_REQUIRE_2FA names the user's role."""
    return user.role.value in get_settings().require_2fa


def confirmed_factor(session: Session, user_id: int) -> TotpFactor | None:
    factor = session.get(TotpFactor, user_id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def has_second_factor(session: Session, user_id: int) -> bool:
    return confirmed_factor(session, user_id) is not None


def start_enrolment(session: Session, user: User) -> str:
    """The secret the user is enrolling (a new one, or the one shown before and not yet
    confirmed); raises AlreadyEnrolled when a factor is confirmed."""
    factor = session.get(TotpFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise AlreadyEnrolled(user.email)
    if factor is not None:
        return _secret_of(factor, user)
    secret = pyotp.random_base32()
    session.add(TotpFactor(user_id=user.id or 0, secret=_fernet().encrypt(secret.encode("ascii")).decode("ascii")))
    session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The URI as an inline SVG QR code (no image request, no script)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=3, light="#fff", title=title))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _accept_totp(session: Session, factor: TotpFactor, secret: str, code: str, now: datetime) -> bool:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - _DRIFT, current + _DRIFT + 1):
        if step > factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            claimed = session.execute(
                update(TotpFactor).where(col(TotpFactor.user_id) == factor.user_id,
                                         col(TotpFactor.last_step) < step).values(last_step=step))
            session.refresh(factor)
            return bool(claimed.rowcount)  # type: ignore[attr-defined]
    return False


def confirm_enrolment(session: Session, user: User, code: str, ip: str = "") -> list[str]:
    """Confirm the pending authenticator with a first code and return new recovery codes (the
    only time they are shown); raises SecondFactorRefused or AlreadyEnrolled."""
    factor = session.get(TotpFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise AlreadyEnrolled(user.email)
    digits = _normalise(code)
    if factor is None or not _accept_totp(session, factor, _secret_of(factor, user), digits, utcnow()):
        raise SecondFactorRefused()
    factor.confirmed_at = utcnow()
    session.add(factor)
    record(session, user, AccountAction.SECOND_FACTOR_ENROLLED, ip=ip)
    return new_recovery_codes(session, user)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them in clear, once."""
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id or 0, code_hash=_code_hash(code)))
    session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def unused_recovery_codes(session: Session, user_id: int) -> int:
    query = select(func.count()).select_from(RecoveryCode).where(
        col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
    return int(session.exec(query).one())


def verify(session: Session, user: User, code: str, ip: str = "") -> str:
    """Check a sign-in's second step: six digits from the authenticator, or an unused recovery
    code (spent now). Returns "totp" or "recovery"; raises SecondFactorRefused."""
    factor = confirmed_factor(session, user.id or 0)
    value = _normalise(code)
    if factor is None or not value:
        raise SecondFactorRefused()
    if len(value) == 6 and value.isdigit():
        if _accept_totp(session, factor, _secret_of(factor, user), value, utcnow()):
            return "totp"
        raise SecondFactorRefused()
    spent = session.execute(
        update(RecoveryCode).where(col(RecoveryCode.user_id) == user.id, col(RecoveryCode.code_hash) == _code_hash(value),
                                   col(RecoveryCode.used_at).is_(None)).values(used_at=utcnow()))
    if not spent.rowcount:  # type: ignore[attr-defined]
        raise SecondFactorRefused()
    left = unused_recovery_codes(session, user.id or 0)
    record(session, user, AccountAction.RECOVERY_CODE_USED, detail=f"{left} left", ip=ip)
    return "recovery"


def reset(session: Session, user: User, actor: User) -> bool:
    """Remove the user's authenticator and recovery codes and end their sessions (an admin
    does this for a lost phone); returns whether there was a factor."""
    factor = session.get(TotpFactor, user.id)
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    if factor is not None:
        session.delete(factor)
    ended = end_all_sessions(session, user, "second factor reset")
    record(session, user, AccountAction.SECOND_FACTOR_RESET, actor=actor,
           detail=f"{'a factor' if factor else 'no factor'} removed, {ended} sessions ended")
    session.flush()
    return factor is not None
