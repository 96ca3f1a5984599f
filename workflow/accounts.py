"""Staff accounts: invitations, roles, deactivation, and passwords set through one-time links.

Every change is recorded in the account log (`workflow.account_log`: who, when, before and
after) and the mails it calls for (an invitation, a password reset) are outbox events, written in
the same transaction.

One-time links are stateless signed tokens (itsdangerous, a salt per purpose, keyed with
PRESSROOM_SECRET_KEY) holding the user id and a digest of the account's state: its password
hash, address and whether it is active. Setting a password changes that state, so a link works
once; deactivating the account or changing its address ends its links too. A link expires after
`invitation_max_age` or `password_reset_max_age` seconds. Nothing about a link is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, col, select

from core.errors import InvalidInput
from core.outbox import emit
from core.settings import get_settings
from workflow.account_log import AccountAction, record
from workflow.errors import ExpiredLink, LastActiveAdmin, UnusableLink
from workflow.guards import require_role
from workflow.models import Role, User
from workflow.sessions import end_all_sessions, last_sign_ins
from workflow.users import add_user

MANAGE_USERS = "manage users"
INVITATION = "invitation"
PASSWORD_RESET = "password reset"
LINK_PATHS = {INVITATION: "/press/invitation/", PASSWORD_RESET: "/press/password-reset/"}
INVITED_EVENT = "account.invited"
RESET_EVENT = "account.password_reset_requested"
OPERATOR = "pressroom"  # the actor label of the CLI, which runs as the machine's operator
RESET_FORM = "password reset form"  # the actor label of a reset request: nobody is signed in


def _max_age(purpose: str) -> int:
    settings = get_settings()
    return settings.invitation_max_age if purpose == INVITATION else settings.password_reset_max_age


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in LINK_PATHS:
        raise ValueError(f"{purpose!r} is not a link purpose")
    return URLSafeTimedSerializer(get_settings().secret_key, salt=f"pressroom.workflow.{purpose}")


def _state(user: User) -> str:
    """What a link is bound to: it works only while the account is exactly as it was."""
    text = f"{user.password_hash or ''}\n{user.email}\n{user.active}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def link_token(user: User, purpose: str) -> str:
    """A one-time token for `user` (INVITATION or PASSWORD_RESET)."""
    return _serializer(purpose).dumps([user.id, _state(user)])


def link_url(user: User, purpose: str) -> str:
    """The address of the page where `user` sets a password, as a mail prints it."""
    return get_settings().base_url.rstrip("/") + LINK_PATHS[purpose] + link_token(user, purpose)


def user_for_link(session: Session, purpose: str, token: str, lock: bool = False) -> User:
    """The active user a genuine, unused, unexpired link of `purpose` is for; raises
    ExpiredLink, or UnusableLink for anything else. With `lock`, the user's row stays locked
    until the transaction ends, so the same link posted twice at once is used once."""
    try:
        claim = _serializer(purpose).loads(token, max_age=_max_age(purpose))
    except SignatureExpired:
        raise ExpiredLink(purpose) from None
    except (BadSignature, ValueError, UnicodeError):
        raise UnusableLink(purpose) from None
    if not (isinstance(claim, list) and len(claim) == 2 and isinstance(claim[0], int)):
        raise UnusableLink(purpose)
    user = session.get(User, claim[0], with_for_update=lock)
    if user is None or not user.active or claim[1] != _state(user):
        raise UnusableLink(purpose)
    return user


def _check_actor(actor: User | None) -> None:
    if actor is not None:
        require_role(actor, MANAGE_USERS)


def set_password_by_link(session: Session, purpose: str, token: str, password_hash: str) -> User:
    """Give the link's user the new (already checked and hashed) password; the link, and every
    session made with the old password, stop working. Raises UnusableLink or ExpiredLink."""
    user = user_for_link(session, purpose, token, lock=True)
    accepted = user.password_hash is None
    user.password_hash = password_hash
    session.add(user)
    accepting = purpose == INVITATION and accepted
    # By the user: the link came to their address.
    record(session, user, AccountAction.INVITATION_ACCEPTED if accepting else AccountAction.PASSWORD_RESET)
    return user


def invite(session: Session, actor: User | None, email: str, name: str, role: str,
           language: str | None = None) -> User:
    """Create a user without a password and mail them a link to choose one. Raises NotAllowed
    (an actor who may not manage users), InvalidInput, Conflict (the address is taken)."""
    _check_actor(actor)
    user = add_user(session, email, name, role, language)
    record(session, user, AccountAction.INVITED, actor=actor or OPERATOR, after=_snapshot(user))
    emit(session, INVITED_EVENT, user.id, actor_id=actor.id if actor else None)
    return user


def create(session: Session, email: str, name: str, role: str, language: str | None = None) -> User:
    """Create a user from the command line (`pressroom users add`), logged like an invitation so
    the account log holds every account from its first day."""
    user = add_user(session, email, name, role, language)
    record(session, user, AccountAction.CREATED, actor=OPERATOR, after=_snapshot(user))
    return user


def set_password(session: Session, user: User, password_hash: str) -> User:
    """Set a password from the command line: logged, and every session opened with the old one
    ends at once (a password is changed because it may be known to someone else)."""
    user.password_hash = password_hash
    session.add(user)
    end_all_sessions(session, user, "password set")
    record(session, user, AccountAction.PASSWORD_SET, actor=OPERATOR)
    return user


def resend_invitation(session: Session, actor: User | None, user: User) -> None:
    """Mail a fresh invitation link to a user who has not chosen a password yet."""
    _check_actor(actor)
    if user.password_hash is not None or not user.active:
        raise InvalidInput("email", f"{user.email} has accepted the invitation already or is deactivated")
    record(session, user, AccountAction.INVITATION_RESENT, actor=actor or OPERATOR)
    emit(session, INVITED_EVENT, user.id, actor_id=actor.id if actor else None)


def _snapshot(user: User) -> dict[str, Any]:
    return {"email": user.email, "name": user.name, "role": user.role.value, "language": user.language,
            "active": user.active}


def _leaves_no_admin(session: Session, user: User) -> bool:
    """Whether `user` is the only active admin. The admins' rows are locked (PostgreSQL) until the
    change commits, so two admins deactivating each other at once cannot both succeed."""
    admins = session.exec(
        select(User.id).where(User.role == Role.ADMIN, User.active == True).with_for_update()
    ).all()
    return set(admins) <= {user.id}


def change_role(session: Session, actor: User | None, user: User, role: str) -> User:
    """Give `user` another role. Raises NotAllowed, InvalidInput (no such role), LastActiveAdmin."""
    _check_actor(actor)
    try:
        new = Role(role)
    except ValueError:
        raise InvalidInput("role", f"{role!r} is not a role; choose {', '.join(r.value for r in Role)}") from None
    if new is user.role:
        return user
    if user.role is Role.ADMIN and user.active and _leaves_no_admin(session, user):
        raise LastActiveAdmin(user.email, "change the role of")
    before = _snapshot(user)
    user.role = new
    session.add(user)
    # Ended at once, like a deactivation: a role changed away and back before the person's next
    # request must not leave the old session running.
    end_all_sessions(session, user, "role changed")
    record(session, user, AccountAction.ROLE_CHANGED, actor=actor or OPERATOR, before=before,
           after=_snapshot(user))
    return user


def set_active(session: Session, actor: User | None, user: User, active: bool) -> User:
    """Deactivate (sessions, API tokens and links stop working at once) or reactivate `user`.
    Raises NotAllowed, LastActiveAdmin."""
    _check_actor(actor)
    if user.active == active:
        return user
    if not active and user.role is Role.ADMIN and _leaves_no_admin(session, user):
        raise LastActiveAdmin(user.email, "deactivate")
    before = _snapshot(user)
    user.active = active
    session.add(user)
    if not active:
        # Ended, not only refused while inactive: reactivation must not revive a session that a
        # request never reached in between.
        end_all_sessions(session, user, "user deactivated")
    action = AccountAction.REACTIVATED if active else AccountAction.DEACTIVATED
    record(session, user, action, actor=actor or OPERATOR, before=before, after=_snapshot(user))
    return user


def _address_digest(address: str) -> str:
    """A keyed digest of a typed address: what a reset request stores instead of the address."""
    key = hmac.new(get_settings().secret_key.encode("utf-8"), b"pressroom.workflow.reset-address",
                   "sha256").digest()
    return hmac.new(key, address.strip().lower().encode("utf-8"), "sha256").hexdigest()


def request_password_reset(session: Session, email: str) -> None:
    """Record a reset request for whatever address was typed. The request does the same work for
    every address, so neither its answer nor its timing tells whether an account exists; the
    event's handler (`reset_requester`) finds the account, if any, and the mail goes from there.
    The event holds a keyed digest of the address, never the address itself."""
    emit(session, RESET_EVENT, None, address=_address_digest(email))


def reset_requester(session: Session, digest: str) -> User | None:
    """The active user whose address a reset request's digest is of (recorded as asking for a
    reset), or None: an unknown or deactivated address gets no mail."""
    for user in session.exec(select(User).where(User.active == True)).all():
        if hmac.compare_digest(_address_digest(user.email), digest):
            record(session, user, AccountAction.PASSWORD_RESET_REQUESTED, actor=RESET_FORM)
            return user
    return None


def status(user: User) -> str:
    """"active", "invited" (no password chosen yet) or "deactivated"."""
    if not user.active:
        return "deactivated"
    return "invited" if user.password_hash is None else "active"


def staff_view(session: Session) -> list[dict[str, Any]]:
    """Every user in the order they were added, as the users page and `pressroom users list` show them; `last_admin`
    marks the only active admin, whom nobody may deactivate or demote; `last_sign_in` is None for
    someone who never signed in."""
    people = session.exec(select(User).order_by(col(User.id))).all()
    admins = [u.id for u in people if u.active and u.role is Role.ADMIN]
    signed_in = last_sign_ins(session)
    return [{"id": u.id, "name": u.name, "email": u.email, "role": u.role.value, "language": u.language,
             "active": u.active, "status": status(u), "last_admin": admins == [u.id],
             "last_sign_in": signed_in.get(u.id or 0)} for u in people]
