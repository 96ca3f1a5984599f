"""The account log: what happened to people's access, one `AccountEvent` row each.

Release actions are in the audit log (`workflow.service`); this records sign-ins, sign-outs,
ended sessions and second factors, and every change to an account: invitations, roles (set by an
admin or by single sign-on), deactivation and reactivation, passwords set through links. A change
to the account's fields keeps them as they were before and after.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from workflow.models import AccountEvent, User


class AccountAction(StrEnum):
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_OUT = "signed_out"
    SESSION_ENDED = "session_ended"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
    SECOND_FACTOR_RESET = "second_factor_reset"
    RECOVERY_CODE_USED = "recovery_code_used"
    ROLE_FROM_SSO = "role_from_sso"
    INVITED = "invited"
    INVITATION_RESENT = "invitation_resent"
    INVITATION_ACCEPTED = "invitation_accepted"
    ROLE_CHANGED = "role_changed"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    PASSWORD_RESET = "password_reset"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    CREATED = "created"
    PASSWORD_SET = "password_set"


# What the users page lists as changes to accounts. Sign-ins and sign-outs are routine and would
# push the changes out of sight; anyone may ask for a password reset for any address, so listing
# requests would let a stranger do the same. Both stay in each user's log (`pressroom users log`).
CHANGES = frozenset({
    AccountAction.INVITED, AccountAction.INVITATION_RESENT, AccountAction.INVITATION_ACCEPTED,
    AccountAction.ROLE_CHANGED, AccountAction.ROLE_FROM_SSO, AccountAction.DEACTIVATED,
    AccountAction.REACTIVATED, AccountAction.PASSWORD_RESET, AccountAction.SECOND_FACTOR_ENROLLED,
    AccountAction.SECOND_FACTOR_RESET, AccountAction.CREATED, AccountAction.PASSWORD_SET,
})


def record(session: Session, user: User, action: AccountAction, *, actor: User | str | None = None,
           detail: str = "", ip: str = "", before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AccountEvent:
    """Append one event about `user`. The actor is the user themselves unless named: another
    user, or the label of an actor who is no person ("pressroom" for the CLI operator)."""
    who = actor or user
    actor_id, label = (None, who) if isinstance(who, str) else (who.id, who.email)
    event = AccountEvent(user_id=user.id or 0, actor_id=actor_id, actor_label=label[:254],
                         action=action.value, detail=detail[:500], ip=ip[:45], before=before, after=after)
    session.add(event)
    session.flush()
    return event


def events(session: Session, user_id: int) -> list[AccountEvent]:
    """The user's account log, oldest first."""
    query = select(AccountEvent).where(AccountEvent.user_id == user_id).order_by(col(AccountEvent.id))
    return list(session.exec(query).all())


def recent_changes(session: Session, limit: int = 50) -> list[AccountEvent]:
    """The latest changes to anyone's account (the actions in CHANGES), newest first."""
    query = (select(AccountEvent).where(col(AccountEvent.action).in_([a.value for a in CHANGES]))
             .order_by(col(AccountEvent.id).desc()).limit(limit))
    return list(session.exec(query).all())


def differences(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for each field an event's `before` and `after` differ in, in the order
    `after` holds them; old is None for an account that did not exist yet (an invitation)."""
    was = before or {}
    return [(field, was.get(field), value) for field, value in (after or {}).items() if was.get(field) != value]
