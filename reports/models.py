"""Tables of the reports: aggregate counts, and raw events kept only until they are folded into
daily counts (`PRESSROOM_REPORT_RETENTION_DAYS`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Date, ForeignKey, Integer
from sqlmodel import Field, SQLModel


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
