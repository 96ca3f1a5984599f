"""People and their credentials: users with roles, hashed API tokens, contacts.

The organisation's identity lives in `workflow.organisation`.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlmodel import Session, col, select

from core.addresses import normalise_email
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotFound
from core.settings import get_settings
from workflow.content import check_single_line
from workflow.models import ApiToken, Contact, Role, User

TOKEN_PREFIX = "prt_"


def add_user(session: Session, email: str, name: str, role: str, language: str | None = None) -> User:
    """Create a user; raises Conflict when the address is taken."""
    address = normalise_email(email)
    try:
        role_value = Role(role)
    except ValueError:
        raise InvalidInput("role", f"{role!r} is not a role; choose {', '.join(r.value for r in Role)}") from None
    try:
        clean_name = check_single_line(name, "name")
    except ValueError as exc:
        raise InvalidInput("name", str(exc)) from None
    if not clean_name:
        raise InvalidInput("name", "a name is required")
    lang = language or get_settings().default_language
    if lang not in get_settings().languages:
        raise InvalidInput("language", f"{lang!r} is not one of {', '.join(get_settings().languages)}")
    if session.exec(select(User).where(User.email == address)).first():
        raise Conflict(f"a user with e-mail {address} already exists")
    user = User(email=address, name=clean_name, role=role_value, language=lang)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, email: str) -> User:
    """The user with this address; raises NotFound."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound("user", email)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.id))).all())


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, label: str = "") -> str:
    """A new API token for the user. Only its hash is stored: the caller shows it once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id or 0, token_hash=_hash_token(token), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    session.add(row)
    return user


def upsert_contact(session: Session, data: dict[str, Any]) -> Contact:
    """Create or update a contact, keyed by e-mail address."""
    if "email" not in data:
        raise InvalidInput("contacts", "each contact needs an email")
    address = normalise_email(str(data["email"]), "contacts.email")
    unknown = set(data) - {"email", "name", "function", "phone", "mobile"}
    if unknown:
        raise InvalidInput("contacts", f"unknown contact fields: {', '.join(sorted(unknown))}")
    function = data.get("function", {})
    if isinstance(function, str):
        function = {get_settings().default_language: function}
    fields: dict[str, Any] = {"function": {str(k): str(v) for k, v in function.items()}}
    for key in ("name", "phone", "mobile"):
        if key in data:
            try:
                fields[key] = check_single_line(str(data[key]), f"contact {key}")
            except ValueError as exc:
                raise InvalidInput(f"contacts.{key}", str(exc)) from None
    contact = session.exec(select(Contact).where(Contact.email == address)).first()
    if contact is None:
        if not fields.get("name"):
            raise InvalidInput("contacts.name", f"new contact {address} needs a name")
        contact = Contact(email=address, **fields)
    else:
        for key, value in fields.items():
            setattr(contact, key, value)
    session.add(contact)
    session.flush()
    return contact


def get_contact(session: Session, email: str) -> Contact:
    contact = session.exec(select(Contact).where(Contact.email == email.strip().lower())).first()
    if contact is None:
        raise NotFound("contact", email)
    return contact
