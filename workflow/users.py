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
from core.errors import InvalidInput, NotFound
from core.settings import get_settings
from core.text import refuse_hidden_characters
from workflow.content import ContactDetails, ReleaseContent, check_single_line
from workflow.errors import DuplicateUser, NotContactOwner
from workflow.models import ApiToken, Contact, ContactChange, Role, User

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
    refuse_hidden_characters(name, "name")  # the To of notices, the author in review requests
    if not clean_name:
        raise InvalidInput("name", "a name is required")
    lang = language or get_settings().default_language
    if lang not in get_settings().languages:
        raise InvalidInput("language", f"{lang!r} is not one of {', '.join(get_settings().languages)}")
    if session.exec(select(User).where(User.email == address)).first():
        raise DuplicateUser(address)
    user = User(email=address, name=clean_name, role=role_value, language=lang)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    """The user with this address, or None."""
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def get_user(session: Session, email: str) -> User:
    """The user with this address; raises NotFound."""
    user = find_user(session, email)
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


def contact_details(contact: Contact) -> ContactDetails:
    """The directory entry as a revision keeps it."""
    return ContactDetails(email=contact.email, name=contact.name, function=dict(contact.function or {}),
                          phone=contact.phone, mobile=contact.mobile)


def snapshot_contacts(session: Session, content: ReleaseContent) -> ReleaseContent:
    """The content with its contacts' details as they are now, unless it brings its own (a
    release file's): a revision is the whole reviewed content. Raises InvalidInput for an
    unknown contact id."""
    if content.contact_details or not content.contacts:
        return content
    details = []
    for index, contact_id in enumerate(content.contacts):
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise InvalidInput(f"contacts.{index}", f"no contact has id {contact_id}")
        details.append(contact_details(contact))
    return content.model_copy(update={"contact_details": details})


def printed_contacts(session: Session, content: ReleaseContent) -> list[ContactDetails]:
    """What a page or mail prints: the reviewed details, or, for content not stored yet (a live
    preview) and revisions from before details were kept, the directory's."""
    if content.contact_details:
        return list(content.contact_details)
    contacts = (session.get(Contact, contact_id) for contact_id in content.contacts)
    return [contact_details(contact) for contact in contacts if contact is not None]


def _contact_state(contact: Contact) -> dict[str, Any]:
    return contact_details(contact).model_dump()


def may_change_contact(actor: User | None, email: str) -> bool:
    """Admins, the contact themselves, and the machine's operator (no actor) change an entry."""
    return actor is None or actor.role is Role.ADMIN or actor.email == email


def save_contact(session: Session, actor: User | None, data: dict[str, Any]) -> Contact:
    """Create a contact, or change one if `actor` may (raises NotContactOwner), keyed by e-mail
    address; fields left out keep their value. Every change is recorded in `contact_change`."""
    address = normalise_email(str(data.get("email", "")), "contacts.email") if data.get("email") else ""
    existing = session.exec(select(Contact).where(Contact.email == address)).first() if address else None
    before = _contact_state(existing) if existing is not None else None
    if existing is not None and not may_change_contact(actor, existing.email):
        if _contact_state(_applied(existing, data)) == before:  # nothing would change
            return existing
        raise NotContactOwner(actor.email if actor else "pressroom", existing.email)
    contact = upsert_contact(session, data)
    after = _contact_state(contact)
    if after != before:
        session.add(ContactChange(contact_id=contact.id or 0, actor_id=actor.id if actor else None,
                                  actor_label=actor.email if actor else "pressroom", before=before, after=after))
        session.flush()
    return contact


def _applied(contact: Contact, data: dict[str, Any]) -> Contact:
    """A detached copy of `contact` with `data` applied, to tell whether anything would change."""
    copy = Contact(email=contact.email, name=contact.name, function=dict(contact.function or {}),
                   phone=contact.phone, mobile=contact.mobile)
    function = data.get("function")
    if isinstance(function, str):
        function = {get_settings().default_language: function}
    if isinstance(function, dict):
        copy.function = {**copy.function, **{str(k): str(v) for k, v in function.items()}}
    for key in ("name", "phone", "mobile"):
        if key in data:
            setattr(copy, key, str(data[key]).strip())
    return copy


def upsert_contact(session: Session, data: dict[str, Any]) -> Contact:
    """Create or update a contact, keyed by e-mail address (no permission check: see
    `save_contact`). Fields left out keep their value; a function per language is merged. Raises
    InvalidInput (HiddenCharacter for invisible or reordering characters in what is printed
    under a release) and changes nothing when a field is refused."""
    if "email" not in data:
        raise InvalidInput("contacts", "each contact needs an email")
    address = normalise_email(str(data["email"]), "contacts.email")
    unknown = set(data) - {"email", "name", "function", "phone", "mobile"}
    if unknown:
        raise InvalidInput("contacts", f"unknown contact fields: {', '.join(sorted(unknown))}")
    function = data.get("function") or {}
    if isinstance(function, str):
        function = {get_settings().default_language: function}
    fields: dict[str, Any] = {}
    new_functions = {str(k): str(v) for k, v in function.items()}
    for language, text in new_functions.items():
        refuse_hidden_characters(text, f"contacts.function.{language}")
    for key in ("name", "phone", "mobile"):
        if key in data:
            try:
                fields[key] = check_single_line(str(data[key]), f"contact {key}")
            except ValueError as exc:
                raise InvalidInput(f"contacts.{key}", str(exc)) from None
            refuse_hidden_characters(str(data[key]), f"contacts.{key}")
    contact = session.exec(select(Contact).where(Contact.email == address)).first()
    if contact is None:
        if not fields.get("name"):
            raise InvalidInput("contacts.name", f"new contact {address} needs a name")
        contact = Contact(email=address, function=new_functions, **fields)
    else:
        for key, value in fields.items():
            setattr(contact, key, value)
        # A function left out (or a language left out) keeps the stored one.
        contact.function = {**(contact.function or {}), **new_functions}
    session.add(contact)
    session.flush()
    return contact


def find_contact(session: Session, email: str) -> Contact | None:
    """The directory entry for this (normalised) address, or None."""
    return session.exec(select(Contact).where(Contact.email == email.strip().lower())).first()


def get_contact(session: Session, email: str) -> Contact:
    contact = session.exec(select(Contact).where(Contact.email == email.strip().lower())).first()
    if contact is None:
        raise NotFound("contact", email)
    return contact
