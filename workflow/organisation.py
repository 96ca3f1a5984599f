"""The organisation's identity per language, with its history.

What every mail says it comes from: name, address, phone, website and logo in each language, and
one sender address for all. Each change writes a new numbered version holding every language
(who, when, what changed); older versions stay readable, and the newest is what new mail uses. A
field a language leaves empty is taken from the version's default language, so a French name
and a shared phone number are enough for French mail. The PRESSROOM_ORGANISATION_* settings only
make version 1, on first use of a database that has none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.addresses import normalise_email
from core.errors import ConfigurationError, InvalidInput, NotFound
from core.settings import get_settings
from workflow.content import check_single_line
from workflow.errors import InvalidIdentity, OrganisationChanged
from workflow.guards import require_role
from workflow.models import OrganisationIdentity, OrganisationVersion, User

CHANGE_ACTION = "change the organisation"
MAX_LENGTHS = {"name": 200, "address": 500, "phone": 40, "website": 300, "logo_url": 500}
URL_FIELDS = ("website", "logo_url")
# Digits, spaces and the usual separators, optionally after a +: "+32 2 501 81 11", "02/501.81.11".
_PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]*[0-9]$")
_PHONE_DIGITS = (6, 15)  # 15: the longest number E.164 allows
SEED_SETTINGS = {"name": "PRESSROOM_ORGANISATION_NAME", "address": "PRESSROOM_ORGANISATION_ADDRESS",
                 "phone": "PRESSROOM_ORGANISATION_PHONE", "website": "PRESSROOM_ORGANISATION_WEBSITE",
                 "logo_url": "PRESSROOM_LOGO_URL"}


@dataclass(frozen=True)
class Identity:
    """The organisation in one language, as mail prints it; "" is "not set"."""

    name: str = ""
    address: str = ""
    phone: str = ""
    website: str = ""
    logo_url: str = ""

    def filled_from(self, fallback: Identity) -> Identity:
        """These values, with every empty one taken from `fallback`."""
        return Identity(**{name: getattr(self, name) or getattr(fallback, name) for name in FIELDS})

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Identity))


@dataclass(frozen=True)
class IdentityVersion:
    """One version of the identity: `own` holds each language's values as stored."""

    number: int
    default_language: str
    email: str
    created_at: datetime
    created_by: str
    change: str
    own: Mapping[str, Identity] = field(default_factory=dict)

    def in_language(self, language: str) -> Identity:
        """The identity as mail in `language` prints it: its own values, the rest from the
        default language (a language with no values at all is the default language's)."""
        default = self.own.get(self.default_language, Identity())
        return self.own.get(language, Identity()).filled_from(default)


# --- reading --------------------------------------------------------------------------------


def current_organisation_version(session: Session) -> int:
    """The number of the version new mail uses (version 1 is made from the settings if the
    database has none yet). Record it to render a mail later with the identity of that moment."""
    number = session.exec(select(func.max(OrganisationVersion.id))).one()
    return int(number) if number is not None else _seed(session)


def organisation_identity(session: Session, version: int | None = None) -> IdentityVersion:
    """Version `version` of the identity, else the current one; raises NotFound."""
    number = current_organisation_version(session) if version is None else version
    row = session.get(OrganisationVersion, number)
    if row is None:
        raise NotFound("organisation version", number)
    texts = session.exec(
        select(OrganisationIdentity).where(OrganisationIdentity.version_id == number)
    ).all()
    return _version(row, texts)


def organisation_history(session: Session) -> list[IdentityVersion]:
    """Every version, newest first."""
    current_organisation_version(session)
    rows = session.exec(select(OrganisationVersion).order_by(col(OrganisationVersion.id).desc())).all()
    texts: dict[int, list[OrganisationIdentity]] = {}
    for text in session.exec(select(OrganisationIdentity)).all():
        texts.setdefault(text.version_id, []).append(text)
    return [_version(row, texts.get(row.id, [])) for row in rows]


def _version(row: OrganisationVersion, texts: Any) -> IdentityVersion:
    own = {t.language: Identity(**{name: getattr(t, name) for name in FIELDS}) for t in texts}
    return IdentityVersion(number=row.id, default_language=row.default_language, email=row.email,
                           created_at=row.created_at, created_by=row.created_by, change=row.change,
                           own=dict(sorted(own.items())))


def identity_view(version: IdentityVersion) -> dict[str, Any]:
    """A version for people and scripts (CLI --json, API, the press page): its own values per
    language as stored, and what mail in each configured language prints."""
    languages = list(dict.fromkeys([*get_settings().languages, *version.own]))
    return {
        "version": version.number,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "change": version.change,
        "default_language": version.default_language,
        "email": version.email,
        "own": {language: identity.as_dict() for language, identity in version.own.items()},
        "effective": {language: version.in_language(language).as_dict() for language in languages},
    }


# --- changing -------------------------------------------------------------------------------


def change_organisation(
    session: Session,
    actor: User,
    language: str,
    values: Mapping[str, str],
    *,
    email: str | None = None,
    expected_version: int | None = None,
) -> IdentityVersion | None:
    """Write a new version in which `language` has `values` (fields not given keep theirs; ""
    clears one, so it falls back to the default language) and, if given, the sender `email`.

    Only admins may. Returns None when nothing would change. Raises RoleRequired,
    InvalidIdentity (naming language and field), InvalidInput, OrganisationChanged.
    """
    require_role(actor, CHANGE_ACTION)
    settings = get_settings()
    if language not in settings.languages:
        raise InvalidInput("language", f"{language!r} is not one of {', '.join(settings.languages)}")
    clean = check_identity(language, values)
    new_email = None if email is None else (normalise_email(email, "email") if email.strip() else "")
    current = organisation_identity(session)
    if expected_version is not None and expected_version != current.number:
        raise OrganisationChanged(expected_version, current.number)

    own = dict(current.own)
    before = own.get(language, Identity())
    own[language] = replace(before, **clean)
    default_language = settings.default_language
    if not own.get(default_language, Identity()).name:
        raise InvalidIdentity(
            default_language, "name",
            f"the default language ({default_language}) needs a name: every other language falls "
            f"back to it (set it with language {default_language})",
        )
    changed = [name for name in FIELDS if getattr(before, name) != getattr(own[language], name)]
    what = [f"{language}: {', '.join(changed)}"] if changed else []
    if new_email is not None and new_email != current.email:
        what.append("e-mail")
    if default_language != current.default_language:
        what.append(f"default language {default_language}")
    if not what:
        return None
    number = current.number + 1
    row = OrganisationVersion(
        id=number, default_language=default_language,
        email=current.email if new_email is None else new_email,
        created_by_id=actor.id, created_by=actor.email, change="; ".join(what),
    )
    try:
        with session.begin_nested():
            _store(session, row, own)
    except IntegrityError:
        # Someone else wrote this version number between our read and our insert.
        raise OrganisationChanged(current.number, number) from None
    return organisation_identity(session, number)


def check_identity(language: str, values: Mapping[str, str]) -> dict[str, str]:
    """`values` cleaned (trimmed); raises InvalidIdentity naming the first bad field."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"{language}.{unknown[0]}", f"not a field of the organisation; "
                                                       f"fields: {', '.join(FIELDS)}")
    return {name: _check_field(language, name, value) for name, value in values.items()}


def _check_field(language: str, name: str, value: str) -> str:
    label = name.replace("_", " ")
    if not isinstance(value, str):
        raise InvalidIdentity(language, name, f"the {label} must be text")
    try:
        value = check_single_line(value, f"the {label}")
    except ValueError as exc:
        raise InvalidIdentity(language, name, str(exc)) from None
    if len(value) > MAX_LENGTHS[name]:
        raise InvalidIdentity(language, name, f"the {label} has {len(value)} characters; at most "
                                              f"{MAX_LENGTHS[name]}")
    if not value:
        return value
    if name in URL_FIELDS:
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
            raise InvalidIdentity(language, name, f"the {label} must be an http(s) URL such as "
                                                  f"https://example.be, not {value[:60]!r}")
    if name == "phone":
        digits = sum(c.isdigit() for c in value)
        low, high = _PHONE_DIGITS
        if not _PHONE.match(value) or not low <= digits <= high:
            raise InvalidIdentity(language, name, f"{value!r} is not a phone number: digits, spaces "
                                                  f"and + ( ) . / - only, {low} to {high} digits, "
                                                  "e.g. +32 2 501 81 11")
    return value


def _store(session: Session, row: OrganisationVersion, own: Mapping[str, Identity]) -> None:
    session.add(row)
    session.flush()
    for language, identity in sorted(own.items()):
        if any(identity.as_dict().values()):
            session.add(OrganisationIdentity(version_id=row.id, language=language, **identity.as_dict()))
    session.flush()


def _seed(session: Session) -> int:
    """Version 1, from the settings; returns 1. Settings that would be refused as input are a
    configuration error naming the variable."""
    settings = get_settings()
    raw = {"name": settings.organisation_name, "address": settings.organisation_address,
           "phone": settings.organisation_phone, "website": settings.organisation_website,
           "logo_url": settings.logo_url}
    language = settings.default_language
    try:
        identity = Identity(**check_identity(language, raw))
    except InvalidIdentity as exc:
        raise ConfigurationError(f"{SEED_SETTINGS[exc.name]}: {exc.problem}") from None
    if not identity.name:
        raise ConfigurationError("PRESSROOM_ORGANISATION_NAME: the organisation needs a name")
    row = OrganisationVersion(id=1, default_language=language, created_by="settings",
                              change="first version, from the PRESSROOM_ORGANISATION_* settings")
    try:
        with session.begin_nested():
            _store(session, row, {language: identity})
    except IntegrityError:
        pass  # another process made version 1 at the same moment: the same settings, so the same
    return 1
