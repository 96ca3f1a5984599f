"""Tables of the distribution engine: one Distribution per mailing, one Delivery per recipient.

A Delivery row is the unit of exactly-once sending: it is claimed with a lease before its
message goes out, and once `sent` it is never claimed again. Counts per status are derived from
the rows (an index on (distribution_id, status) keeps that cheap) rather than kept in counters
that could drift from them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, enum_type, utcnow


class DistributionStatus(StrEnum):
    PREPARING = "preparing"
    SENDING = "sending"
    DONE = "done"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    FAILED = "failed"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"
    BOUNCED = "bounced"
    SKIPPED = "skipped"


# Statuses a batch may claim (deferred ones once their retry time has come).
CLAIMABLE = (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED)
UNFINISHED = (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED, DeliveryStatus.SENDING)


class Distribution(SQLModel, table=True):
    """One mailing: a release's revision to its audience, or one digest issue."""

    __tablename__ = "distribution"
    __table_args__ = (UniqueConstraint("key"),)

    id: int | None = Field(default=None, primary_key=True)
    # What this mailing is, uniquely: "release:12" or "digest:daily:2026-11-23".
    key: str = Field(max_length=80)
    kind: str = Field(max_length=20)  # "release" or "digest"
    release_id: int | None = Field(default=None, foreign_key="release.id", index=True)
    revision_id: int | None = Field(default=None, foreign_key="revision.id")
    status: DistributionStatus = Field(
        default=DistributionStatus.PREPARING, sa_type=enum_type(DistributionStatus), index=True
    )
    total: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str = Field(default="", max_length=1000)


class Delivery(SQLModel, table=True):
    """One message to one subscriber, with its attempts and the mail server's answer."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("distribution_id", "subscriber_id"),
        Index("ix_delivery_claim", "distribution_id", "status", "next_attempt_at", "id"),
        Index("ix_delivery_lease", "status", "lease_until"),
        Index("ix_delivery_subscriber", "subscriber_id"),  # soft-bounce counts, erasure
        Index("ix_delivery_message_id", "message_id"),  # bounces that only quote the Message-ID
        # The report's delays: accepted messages of a mailing in time order (only those: the
        # rows are written once each, when accepted).
        Index("ix_delivery_sent", "distribution_id", "sent_at", sqlite_where=text("sent_at IS NOT NULL"),
              postgresql_where=text("sent_at IS NOT NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))
    distribution_id: int = Field(sa_column=Column(Integer, ForeignKey("distribution.id"), nullable=False))
    subscriber_id: int = Field(sa_column=Column(Integer, ForeignKey("subscriber.id"), nullable=False))
    list_id: int | None = Field(default=None)  # the list whose unsubscribe link the message carries
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=200)
    language: str = Field(max_length=5)
    status: DeliveryStatus = Field(default=DeliveryStatus.QUEUED, sa_type=enum_type(DeliveryStatus))
    attempts: int = 0
    # Not before this time: a retry's backoff, or an embargo for lists that must wait for it.
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: str = Field(default="", max_length=250)
    smtp_code: int | None = None
    smtp_response: str = Field(default="", max_length=500)
    last_error: str = Field(default="", max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A bounce that came back after the relay accepted the message: "hard" or "soft" ("" none),
    # and when. Kept when the person is erased (it names no one), so a mailing's counts still add up.
    bounce: str = Field(default="", max_length=4)
    bounced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
