"""Server-side sign-in sessions: the cookie carries a random id, the database its SHA-256.

A session is live while it has not been ended, is younger than PRESSROOM_SESSION_MAX_AGE, and
its user is still active with the role and the password the session was opened with: every
request compares them (`end_reason`), so deactivating someone, changing their role or their
password ends their sessions at their next request, wherever they are signed in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from core.db import utcnow
from core.errors import NotFound
from core.settings import get_settings
from workflow.account_log import AccountAction, record
from workflow.models import SignInSession, User

TOUCH_EVERY = timedelta(minutes=1)  # last use is written at most this often: no write per request


@dataclass(frozen=True)
class Live:
    """A live session and its user, as one request found them."""

    row: SignInSession
    user: User


def fingerprint(stored: str | None) -> str:
    """A short digest of a password hash, kept with each session: a new password ends every
    session opened with the old one."""
    return hashlib.sha256((stored or "").encode("utf-8")).hexdigest()[:16]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, user: User, *, method: str, user_agent: str, ip: str) -> str:
    """Start a session for `user` and log the sign-in; returns the id for the cookie (only its
    hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(SignInSession(user_id=user.id or 0, token_hash=_hash(token), role=user.role,
                              password_fingerprint=fingerprint(user.password_hash), method=method,
                              user_agent=summarise_user_agent(user_agent), ip=ip[:45]))
    record(session, user, AccountAction.SIGNED_IN, detail=method, ip=ip)
    return token


def end_reason(row: SignInSession, user: User | None, now: datetime) -> str | None:
    """Why the session is over, or None while it is live."""
    if row.ended_at is not None:
        return row.end_reason or "ended"
    if user is None or not user.active:
        return "user deactivated"
    if row.role != user.role:
        return "role changed"
    if row.password_fingerprint != fingerprint(user.password_hash):
        return "password changed"
    if now - row.created_at > timedelta(seconds=get_settings().session_max_age):
        return "expired"
    return None


def _end(row: SignInSession, reason: str, now: datetime) -> None:
    row.ended_at = now
    row.end_reason = reason[:40]


def live_session(session: Session, token: str) -> Live | None:
    """The live session whose cookie id is `token`, its last use brought up to date; a session
    found over is marked ended with the reason."""
    if not token or len(token) > 100:
        return None
    row = session.exec(select(SignInSession).where(SignInSession.token_hash == _hash(token))).first()
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    now = utcnow()
    reason = end_reason(row, user, now)
    if reason is not None:
        _end(row, reason, now)
        session.add(row)
        return None
    assert user is not None
    if now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        session.add(row)
    return Live(row, user)


def sign_out(session: Session, token: str, ip: str) -> None:
    """End the session of this cookie id, if it is live, and log the sign-out."""
    live = live_session(session, token)
    if live is None:
        return
    _end(live.row, "signed out", utcnow())
    session.add(live.row)
    record(session, live.user, AccountAction.SIGNED_OUT, ip=ip)


def live_sessions(session: Session, user: User) -> list[SignInSession]:
    """The user's live sessions, most recently used first."""
    now = utcnow()
    rows = session.exec(select(SignInSession).where(SignInSession.user_id == user.id,
                                                    col(SignInSession.ended_at).is_(None))
                        .order_by(col(SignInSession.last_used_at).desc(), col(SignInSession.id).desc())).all()
    return [row for row in rows if end_reason(row, user, now) is None]


def end_session(session: Session, user: User, session_id: int, ip: str) -> None:
    """End one of the user's own sessions; raises NotFound for anyone else's or an ended one."""
    row = session.get(SignInSession, session_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        raise NotFound("session", session_id)
    _end(row, "ended by the user", utcnow())
    session.add(row)
    record(session, user, AccountAction.SESSION_ENDED, detail=f"session {session_id}", ip=ip)


def end_other_sessions(session: Session, user: User, current_id: int, ip: str) -> int:
    """End every live session of the user but `current_id`; returns how many."""
    others = [row for row in live_sessions(session, user) if row.id != current_id]
    for row in others:
        end_session(session, user, row.id or 0, ip)
    return len(others)


def end_all_sessions(session: Session, user: User, reason: str) -> int:
    """End every session of the user (a second factor reset, deactivation); returns how many
    were open."""
    now = utcnow()
    rows = session.exec(select(SignInSession).where(SignInSession.user_id == user.id,
                                                    col(SignInSession.ended_at).is_(None))).all()
    for row in rows:
        _end(row, reason, now)
        session.add(row)
    return len(rows)


def last_sign_ins(session: Session) -> dict[int, datetime]:
    """When each user last signed in, by user id; whoever never did is absent. Every sign-in
    opens one session, and sessions are kept after they end."""
    rows = session.exec(select(SignInSession.user_id, func.max(SignInSession.created_at))
                        .group_by(col(SignInSession.user_id))).all()
    return {user_id: at for user_id, at in rows}


_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def summarise_user_agent(user_agent: str) -> str:
    """"Firefox on Linux": enough to recognise one's own browser, not a fingerprint to keep."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    cleaned = re.sub(r"[^\w ./-]", "", user_agent)
    return (browser or system or cleaned.split(" ")[0] or "unknown")[:120]
