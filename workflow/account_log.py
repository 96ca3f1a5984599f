"""The account log: what happened to people's access, one `AccountEvent` row each.

Release actions are in the audit log (`workflow.service`); this records sign-ins, sign-outs,
ended sessions, second factors and roles that single sign-on set.
"""

from __future__ import annotations

from enum import StrEnum

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


def record(session: Session, user: User, action: AccountAction, *, actor: User | None = None,
           detail: str = "", ip: str = "") -> AccountEvent:
    """Append one event about `user`; the actor is the user themselves unless named."""
    who = actor or user
    event = AccountEvent(user_id=user.id or 0, actor_id=who.id, actor_label=who.email,
                         action=action.value, detail=detail[:500], ip=ip[:45])
    session.add(event)
    session.flush()
    return event


def events(session: Session, user_id: int) -> list[AccountEvent]:
    """The user's account log, oldest first."""
    query = select(AccountEvent).where(AccountEvent.user_id == user_id).order_by(col(AccountEvent.id))
    return list(session.exec(query).all())
