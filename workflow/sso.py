"""Single sign-on: which user an OpenID Connect identity is, and the role it may set.

Users are matched by e-mail address, and only an address the provider says it verified counts.
Nobody is created: an unknown address is turned away (an admin invites people). When
PRESSROOM_OIDC_ROLE_CLAIM is set and the claim names a role, the user gets that role (logged);
the change ends their other sessions, like any role change.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from core.addresses import normalise_email
from core.errors import InvalidInput
from core.settings import get_settings
from workflow.access_errors import AccountDeactivated, EmailNotVerified, NoInvitation
from workflow.account_log import AccountAction, record
from workflow.models import Role, User
from workflow.users import find_user


def user_for_claims(session: Session, claims: Mapping[str, object], ip: str = "") -> User:
    """The active user the provider's verified address names, with the role the role claim gives;
    raises EmailNotVerified, NoInvitation or AccountDeactivated."""
    verified = claims.get("email_verified")
    address = claims.get("email")
    if verified not in (True, "true") or not isinstance(address, str) or not address:
        raise EmailNotVerified()
    try:
        email = normalise_email(address, lookup=True)
    except InvalidInput:
        raise EmailNotVerified() from None
    user = find_user(session, email)
    if user is None:
        raise NoInvitation(email)
    if not user.active:
        raise AccountDeactivated(email)
    role = _claimed_role(claims)
    if role is not None and role is not user.role:
        before = user.role
        user.role = role
        session.add(user)
        record(session, user, AccountAction.ROLE_FROM_SSO, ip=ip, before={"role": before.value},
               after={"role": role.value})
    return user


def _claimed_role(claims: Mapping[str, object]) -> Role | None:
    """The role the configured claim names, or None (claim not configured, absent, or no role)."""
    name = get_settings().oidc_role_claim
    value = claims.get(name) if name else None
    if not isinstance(value, str):
        return None
    try:
        return Role(value.strip().lower())
    except ValueError:
        return None
