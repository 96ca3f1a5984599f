"""Tables of link clicks and opens: the links of each mailing, raw click events and daily counts.

A `link` row is one distinct URL of one distribution's mail in one language (or, with
`kind = open`, that mail's open pixel). Its id is all a redirect token carries, so a click says
which link of which mailing in which language was followed, and by default nothing about who
followed it: `click_event` holds the link, the time and the bot verdict; `click_count` the same
folded into days once the raw events are older than the retention (`reports.clicks.fold_clicks`).
Only `PRESSROOM_TRACKING=per_recipient` writes `recipient_click`, which names the delivery.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime, enum_type, utcnow


class LinkKind(StrEnum):
    CLICK = "click"  # a link the redirect `/r/<token>` leads to
    OPEN = "open"  # the open pixel `/o/<token>` of one language's mail


class Verdict(StrEnum):
    """Why a click counts as a person's or a machine's (see `reports.clicks`)."""

    HUMAN = "human"
    HEAD = "head"  # a HEAD request: link checkers ask whether the page is there, people do not
    AGENT = "agent"  # a known scanner's or bot's user agent, or none at all
    BURST = "burst"  # several links of one mailing opened from one network within seconds


class Link(SQLModel, table=True):
    """One URL of one distribution's mail in one language, stored once however often it occurs.

    `url` is the original, byte for byte, as the approved revision had it; `url_hash` (its
    SHA-256) keeps it unique without indexing a URL of any length. `forwards_access` marks a link
    that the mail followed with the recipient's embargo access query (`?access=…`): the redirect
    hands that query on, so the recipient still reaches the release before the lift.
    """

    __tablename__ = "link"
    __table_args__ = (UniqueConstraint("distribution_id", "language", "kind", "url_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    distribution_id: int = Field(sa_column=Column(Integer, ForeignKey("distribution.id"), nullable=False))
    language: str = Field(max_length=5)
    kind: LinkKind = Field(default=LinkKind.CLICK, sa_type=enum_type(LinkKind))
    url: str = Field(sa_column=Column(Text, nullable=False))
    url_hash: str = Field(max_length=64)
    position: int = 0  # order of first appearance in the mail, from 1
    label: str = Field(default="", max_length=200)
    forwards_access: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ClickEvent(SQLModel, table=True):
    """One click (or open) as it happened: which link, when, and whether a machine made it.

    Kept until it is older than `PRESSROOM_REPORT_RETENTION_DAYS`, then folded into
    `click_count`. No person, address, IP address or user agent is stored.
    """

    __tablename__ = "click_event"
    __table_args__ = (Index("ix_click_event_at", "at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))
    link_id: int = Field(sa_column=Column(Integer, ForeignKey("link.id"), nullable=False, index=True))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    bot: bool = False
    kind: Verdict = Field(default=Verdict.HUMAN, sa_type=enum_type(Verdict))


class ClickCount(SQLModel, table=True):
    """Clicks (or opens) of one link on one UTC day, people and machines apart."""

    __tablename__ = "click_count"

    link_id: int = Field(sa_column=Column(Integer, ForeignKey("link.id"), primary_key=True))
    day: date = Field(primary_key=True)
    bot: bool = Field(primary_key=True)
    count: int = 0


class RecipientClick(SQLModel, table=True):
    """Which delivery's copy a click came from: only with `PRESSROOM_TRACKING=per_recipient`.

    Removed with the raw events at the retention, and with the delivery's person when they are
    erased.
    """

    __tablename__ = "recipient_click"

    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))
    link_id: int = Field(sa_column=Column(Integer, ForeignKey("link.id"), nullable=False, index=True))
    delivery_id: int = Field(sa_column=Column(BigInteger().with_variant(Integer, "sqlite"),
                                              ForeignKey("delivery.id"), nullable=False, index=True))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    bot: bool = False


__all__ = ["ClickCount", "ClickEvent", "Link", "LinkKind", "RecipientClick", "Verdict"]
