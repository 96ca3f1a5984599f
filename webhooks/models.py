"""Webhook endpoints, the deliveries of events to them and every attempt at one.

An endpoint chooses its events and whether it may receive releases still under embargo. A
delivery is one event for one endpoint, unique by its idempotency key (`<event id>.<endpoint
id>`), which the receiver sees on every try; an attempt is one HTTP request, kept with its
answer so that an admin can see what a receiver said.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, enum_type, utcnow

PUBLISHED = "release.published"
WITHDRAWN = "release.withdrawn"
TEST = "webhook.test"
# The events an endpoint may choose.
EVENTS = (PUBLISHED, WITHDRAWN)


class WebhookStatus(StrEnum):
    PENDING = "pending"  # due now or later (a retry, or the embargo's lift)
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # a refusal that no retry changes, or the tries ran out
    CANCELLED = "cancelled"  # the release was withdrawn, or the endpoint removed or disabled, first


class WebhookEndpoint(SQLModel, table=True):
    """A receiver of signed event deliveries, managed by admins.

    `secret` signs every request; after a rotation `previous_secret` keeps signing too, until
    `previous_expires_at`, so a receiver can switch without losing a delivery. Both are stored
    as they are: signing needs them in clear (see docs/webhooks.md, "Secrets").
    """

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    # The chosen events as ",release.published,release.withdrawn,", so a query can filter on one.
    events: str = Field(max_length=400)
    embargoed: bool = Field(default=False)
    description: str = Field(default="", max_length=200)
    secret: str = Field(max_length=100)
    previous_secret: str | None = Field(default=None, max_length=100)
    previous_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = Field(default=True)
    removed: bool = Field(default=False)
    failures_in_a_row: int = Field(default=0)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_reason: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

    def wants(self, event: str) -> bool:
        return f",{event}," in self.events

    @property
    def event_list(self) -> list[str]:
        return [name for name in self.events.split(",") if name]


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: the document to send, when it is due and how it went."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # What the dispatcher and the sweep look for: pending rows by when they are due.
        Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    idempotency_key: str = Field(max_length=80, unique=True)
    event_id: str = Field(max_length=32)
    event: str = Field(max_length=80)
    release_id: int | None = Field(default=None, foreign_key="release.id", index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: WebhookStatus = Field(default=WebhookStatus.PENDING, sa_type=enum_type(WebhookStatus))
    attempts: int = Field(default=0)
    # The attempt count when the current round began (a manual redelivery starts a new round,
    # with its own PRESSROOM_WEBHOOK_MAX_ATTEMPTS).
    retries_from: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # A try in progress holds the row until then; a worker that died leaves it to the sweep.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One HTTP request of a delivery and what came back (or why none did)."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", index=True)
    number: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    status_code: int | None = Field(default=None)
    latency_ms: int = Field(default=0)
    outcome: str = Field(max_length=20)  # delivered, retry, failed, refused
    error: str = Field(default="", max_length=500)
    response_excerpt: str = Field(default="", max_length=500)
