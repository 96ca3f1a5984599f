"""Tables of the reports: aggregate counts, and raw events kept only until they are folded into
daily counts (`PRESSROOM_REPORT_RETENTION_DAYS`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel


class PageView(SQLModel, table=True):
    """One read of a public release page: a raw event, kept until the retention folds it.

    It holds what the readership report needs and nothing about the reader: the day (not the
    time), the page's language, whether the reader was a bot, the host of an external referrer
    (never its path or query), and whether this was the reader's first read of this page that
    day, decided in Redis against a hash whose salt lives for that day only. No address, no
    user agent, no hash, no cookie: a row cannot be tied to a person, not even by whoever holds
    the database and the day's salt.
    """

    __tablename__ = "page_view"
    __table_args__ = (
        Index("ix_page_view_release_day", "release_id", "day"),
        Index("ix_page_view_day", "day"),  # the retention folds by day
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True))
    release_id: int = Field(sa_column=Column(Integer, ForeignKey("release.id"), nullable=False))
    language: str = Field(max_length=5)
    day: date = Field(sa_column=Column(Date, nullable=False))
    bot: bool = False
    first_visit: bool = False
    referrer_host: str = Field(default="", max_length=253)


class PageViewDay(SQLModel, table=True):
    """Page views folded into daily counts once their raw events pass the retention
    (`PRESSROOM_REPORT_RETENTION_DAYS`): the same numbers, one row per day and kind of read."""

    __tablename__ = "page_view_day"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    release_id: int = Field(sa_column=Column(Integer, ForeignKey("release.id"), primary_key=True))
    language: str = Field(primary_key=True, max_length=5)
    bot: bool = Field(primary_key=True)
    referrer_host: str = Field(default="", primary_key=True, max_length=253)
    views: int = 0
    visitors: int = 0  # first reads of the page that day: the unique-visitor estimate


class MailingTally(SQLModel, table=True):
    """What recipients did with one mailing, counted per list, language and day: unsubscribes
    through the mailing's own link (one-click or the page's button) and complaints (ARF
    feedback reports). The row holds a number, never who: no subscriber id, no address, so the
    count outlives the people in it and cannot be turned back into a list of them."""

    __tablename__ = "mailing_tally"

    distribution_id: int = Field(
        sa_column=Column(Integer, ForeignKey("distribution.id"), primary_key=True, nullable=False)
    )
    list_id: int = Field(default=0, primary_key=True)  # 0: the message carried no list's link
    language: str = Field(max_length=5, primary_key=True)
    day: date = Field(sa_column=Column(Date, primary_key=True, nullable=False))
    kind: str = Field(max_length=20, primary_key=True)  # "unsubscribe" or "complaint"
    count: int = Field(default=0)
