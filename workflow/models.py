"""Tables of the workflow room: people, contacts, releases, their revisions, approvals, audit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, enum_type, utcnow
from workflow.states import State


class Role(StrEnum):
    SPOKESPERSON = "spokesperson"
    APPROVER = "approver"
    ADMIN = "admin"


class ReleaseKind(StrEnum):
    PRESS_RELEASE = "press_release"
    ANNUAL_REPORT = "annual_report"
    EVENT = "event"
    STATEMENT = "statement"


class User(SQLModel, table=True):
    """Someone who writes or signs off releases."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    name: str = Field(max_length=200)
    role: Role = Field(sa_type=enum_type(Role))
    language: str = Field(default="nl", max_length=5)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ApiToken(SQLModel, table=True):
    """A bearer token for the API and CLI; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInSession(SQLModel, table=True):
    """One signed-in browser. The cookie holds a random id; this row holds only its SHA-256, so
    a copy of the table opens no session. It lives while the user stays active with the role
    and the password it was opened with (`workflow.sessions.is_live`)."""

    __tablename__ = "sign_in_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    role: Role = Field(sa_type=enum_type(Role))
    password_fingerprint: str = Field(max_length=16)
    method: str = Field(max_length=20)  # "password" or "sso", with "+2fa" when a code was asked
    user_agent: str = Field(default="", max_length=120)
    ip: str = Field(default="", max_length=45)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str = Field(default="", max_length=40)


class TotpFactor(SQLModel, table=True):
    """A user's authenticator app (RFC 6238). The shared secret is stored encrypted with a key
    derived from PRESSROOM_SECRET_KEY; `last_step` is the last time step a code was accepted
    for, so a code cannot be used twice. Unconfirmed until the user enters a first code."""

    __tablename__ = "totp_factor"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    secret: str = Field(max_length=255)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_step: int = Field(default=0, sa_type=BigInteger, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the authenticator; only a keyed hash is stored."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(unique=True, max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AccountEvent(SQLModel, table=True):
    """One line of the account log: sign-ins and sign-outs, ended sessions, second factors,
    invitations, roles, (de)activation and passwords set through links. Releases have
    `AuditEntry`; this is the same record for people's access."""

    __tablename__ = "account_event"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    # None when no person acted: the CLI operator, the password reset form.
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    # The actor's address; "pressroom" for the CLI operator, "password reset form" for a request.
    actor_label: str = Field(max_length=254)
    action: str = Field(max_length=40)
    detail: str = Field(default="", max_length=500)
    ip: str = Field(default="", max_length=45)
    # The account's fields before and after a change made to them (a role, being active); None
    # for events that change no field, such as a sign-in.
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class OrganisationVersion(SQLModel, table=True):
    """One version of the organisation's identity: who made it, when, and what changed.

    The identity per language lives in `OrganisationIdentity` rows of the same version; every
    change writes a whole new version, so what a mail said can be read again later. `id` is the
    version number, assigned as the previous one plus one: no gaps, and two simultaneous changes
    cannot both become the same version. Database triggers refuse UPDATE and DELETE.
    """

    __tablename__ = "organisation_version"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    # The language whose values fill in for a language that leaves a field empty.
    default_language: str = Field(max_length=5)
    # One sender address for every language; empty: PRESSROOM_MAIL_FROM, else noreply@ the website.
    email: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # The actor's address, or "settings" / "migration" for versions no person made.
    created_by: str = Field(max_length=254)
    change: str = Field(default="", max_length=1000)


class OrganisationIdentity(SQLModel, table=True):
    """The organisation in one language, as one version has it; empty fields fall back."""

    __tablename__ = "organisation_identity"

    version_id: int = Field(foreign_key="organisation_version.id", primary_key=True)
    language: str = Field(primary_key=True, max_length=5)
    name: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=40)
    website: str = Field(default="", max_length=300)
    logo_url: str = Field(default="", max_length=500)


class Contact(SQLModel, table=True):
    """A spokesperson block as printed under a release."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    name: str = Field(max_length=200)
    # Function per language, e.g. {"nl": "Woordvoerder", "fr": "Porte-parole"}.
    function: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    phone: str = Field(default="", max_length=40)
    mobile: str = Field(default="", max_length=40)


class ContactChange(SQLModel, table=True):
    """One change to the contact directory: who, when, before and after. Revisions keep the
    details they were approved with, so this is how a changed phone number is accounted for."""

    __tablename__ = "contact_change"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_label: str = Field(max_length=254)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Release(SQLModel, table=True):
    """A press release through its whole life; its text lives in the current revision.

    `version` is the optimistic lock: every change bumps it with a conditional UPDATE, so two
    people acting on the same version cannot both succeed.
    """

    # The newsroom walks published releases newest first, by the time they became public.
    __table_args__ = (
        Index("ix_release_state_published_at", "state", "published_at"),
        Index("ix_release_state_public_at", "state", "public_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: ReleaseKind = Field(sa_type=enum_type(ReleaseKind))
    state: State = Field(default=State.DRAFT, sa_type=enum_type(State), index=True)
    version: int = Field(default=1, nullable=False)
    author_id: int = Field(foreign_key="user_account.id", index=True)
    current_revision_id: int | None = Field(default=None)
    default_language: str = Field(max_length=5)
    # Mirrors of the current revision, kept as columns because queries filter on them.
    embargo_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The languages with a title, as ",fr,nl,": the newsroom of a language filters on it.
    languages: str = Field(default="", max_length=60)
    publish_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # When the publish step ran (the audit's time) …
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # … and when the public could read it: the later of that and the embargo's lift.
    public_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The approval chain of its kind as it stood when the release was last submitted
    # (`workflow.chains.Chain`); None: the kind had none, one step of PRESSROOM_REQUIRED_APPROVALS.
    chain: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Revision(SQLModel, table=True):
    """An immutable snapshot of a release's content; approvals bind to one of these.

    Database triggers (migration 0006) refuse UPDATE, DELETE and TRUNCATE on this table.
    """

    __table_args__ = (UniqueConstraint("release_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", index=True)
    number: int
    author_id: int = Field(foreign_key="user_account.id")
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Approval(SQLModel, table=True):
    """One approver's sign-off of one revision at one step of its approval chain.

    One person signs a step of a revision once (the unique constraint); whether they may sign
    two steps of it is the chain's to say (`workflow.guards.approves_once`). Database triggers
    (migration 0006) refuse UPDATE, DELETE and TRUNCATE on this table.
    """

    __table_args__ = (UniqueConstraint("revision_id", "step", "approver_id"),)

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    step: int = Field(default=1)  # 1-based position in the release's chain
    approver_id: int = Field(foreign_key="user_account.id")
    comment: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AuditEntry(SQLModel, table=True):
    """One line of the append-only record: who did what, when, on which text.

    Database triggers (migration 0006) refuse UPDATE, DELETE and TRUNCATE on this table.
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_label: str = Field(max_length=254)
    action: str = Field(max_length=40)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str = Field(max_length=20)
    revision_hash: str | None = Field(default=None, max_length=64)
    comment: str = Field(default="", max_length=4000)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Notification(SQLModel, table=True):
    """A note to a user caused by an event (review request, changes requested, published).

    Unique per (event, user): a redelivered event cannot notify twice.
    """

    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=32, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    release_id: int = Field(foreign_key="release.id")
    kind: str = Field(max_length=40)
    message: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReleaseComment(SQLModel, table=True):
    """A colleague's remark in a release's thread, written on one revision and, when given,
    anchored to one paragraph of its body in one language. Staff only: no public page or mail
    reads this table. Resolving and reopening keep the row and say who did it, when."""

    __tablename__ = "release_comment"

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    author_id: int = Field(foreign_key="user_account.id")
    body: str = Field(max_length=4000)
    # The paragraph (0-based, blank-line separated, of the body in `language`) it is about.
    language: str | None = Field(default=None, max_length=5)
    paragraph: int | None = Field(default=None)
    # The colleagues named with @, as user ids: each was mailed once (event comment.mentioned).
    mentions: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class EditLock(SQLModel, table=True):
    """Who has a release open in the editor: one row per release, taken over by another person
    only once its heartbeat has lapsed (a conditional UPDATE, so two takers cannot both win)."""

    __tablename__ = "edit_lock"

    release_id: int = Field(foreign_key="release.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    user_id: int = Field(foreign_key="user_account.id")
    taken_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
