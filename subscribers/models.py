"""Tables of the subscribers room: lists, subscribers, their subscriptions, consent and the
suppression list.

An address is stored once, normalised and lower-cased, in a unique column: "Jan@X.be" and
"jan@x.be" are the same subscriber. Its SHA-256 (`email_hash`) is what the suppression list
matches on, so a person who was erased stays suppressed without their address being kept.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, enum_type, utcnow


class Visibility(StrEnum):
    """Public lists take sign-ups from the web form; private ones only from an admin."""

    PUBLIC = "public"
    PRIVATE = "private"


class SubscriberStatus(StrEnum):
    ACTIVE = "active"
    ERASED = "erased"  # personal data removed on request; the row only keeps counts right


class Frequency(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class ConsentAction(StrEnum):
    REQUESTED = "requested"  # asked to be subscribed; not yet confirmed
    CONFIRMED = "confirmed"  # clicked the link, or an admin asserted consent
    WITHDRAWN = "withdrawn"  # unsubscribed


class SuppressionReason(StrEnum):
    HARD_BOUNCE = "hard_bounce"
    COMPLAINT = "complaint"
    ADMIN = "admin"
    ERASED = "erased"


class MailingList(SQLModel, table=True):
    """An audience a release can target, such as "Journalists" or "Diplomatic corps"."""

    __tablename__ = "mailing_list"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=60)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    default_language: str = Field(max_length=5)
    visibility: Visibility = Field(default=Visibility.PUBLIC, sa_type=enum_type(Visibility))
    # Accredited journalists get releases before the embargo lifts; everyone else at the time.
    receives_embargoed: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Subscriber(SQLModel, table=True):
    """A person who receives releases. `email` and `email_hash` become NULL once erased."""

    __tablename__ = "subscriber"

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, unique=True, index=True, max_length=254)
    email_hash: str | None = Field(default=None, unique=True, index=True, max_length=64)
    name: str = Field(default="", max_length=200)
    language: str = Field(max_length=5)
    organisation: str = Field(default="", max_length=200, description="medium, for journalists")
    frequency: Frequency = Field(default=Frequency.IMMEDIATE, sa_type=enum_type(Frequency))
    status: SubscriberStatus = Field(
        default=SubscriberStatus.ACTIVE, sa_type=enum_type(SubscriberStatus)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SubscriberTopic(SQLModel, table=True):
    """One topic a subscriber chose; a subscriber with none receives every topic."""

    __tablename__ = "subscriber_topic"

    subscriber_id: int = Field(foreign_key="subscriber.id", primary_key=True)
    topic: str = Field(primary_key=True, max_length=60)


class Subscription(SQLModel, table=True):
    """A subscriber on a list, through pending → confirmed → unsubscribed.

    `confirm_nonce` is part of every confirmation link; clearing or replacing it makes older
    links worthless, so a link from before an unsubscription cannot re-subscribe anyone.
    """

    __tablename__ = "subscription"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "list_id"),
        # Audience resolution and list statistics walk one list's subscriptions by status.
        Index("ix_subscription_list_status_subscriber", "list_id", "status", "subscriber_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id")
    list_id: int = Field(foreign_key="mailing_list.id")
    status: SubscriptionStatus = Field(
        default=SubscriptionStatus.PENDING, sa_type=enum_type(SubscriptionStatus)
    )
    source: str = Field(default="", max_length=60, description="web, import, admin, preferences")
    confirm_nonce: str | None = Field(default=None, max_length=32)
    confirmation_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unsubscribed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ConsentRecord(SQLModel, table=True):
    """Evidence of one consent event: who asked or confirmed, how, when, from where, and
    which version of the consent text they saw. Append-only in practice; erased on request."""

    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    action: ConsentAction = Field(sa_type=enum_type(ConsentAction))
    source: str = Field(max_length=60)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    ip: str | None = Field(default=None, max_length=45)
    text_version: str = Field(default="", max_length=40)
    detail: str = Field(default="", max_length=300)


class Suppression(SQLModel, table=True):
    """An address that must never be mailed, keyed by the SHA-256 of the normalised address.

    `email` is kept for the admins' benefit while the person is not erased; erasure clears it
    and `detail` (a bounce message quotes the address) and leaves the hash.
    """

    __tablename__ = "suppression"

    address_hash: str = Field(primary_key=True, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    reason: SuppressionReason = Field(sa_type=enum_type(SuppressionReason))
    detail: str = Field(default="", max_length=500)
    created_by: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def id_of(row: MailingList | Subscriber | Subscription) -> int:
    """The primary key of a row that has been flushed (for the type checker's sake)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush the session first")
    return row.id


class PrivacyNoticeText(SQLModel, table=True):
    """The privacy notice in one language, as an admin wrote it (plain text, paragraphs split by
    blank lines); a language without a row shows the default text of the catalogue."""

    __tablename__ = "privacy_notice"

    language: str = Field(primary_key=True, max_length=5)
    text: str = Field(max_length=20000)
    updated_by: str = Field(default="", max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
