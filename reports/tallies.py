"""Counting what recipients did with a mailing — left its list through its link, complained —
as numbers per (mailing, list, language, day), never as rows about people.

The mailing, list and language come from the delivery the action answers (read, not stored with
anyone's id): the unsubscribe link of a mailing's message names the mailing, a complaint names
the message it complains about.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from core.db import add_to_count, utcnow
from delivery.models import Delivery
from reports.models import MailingTally

UNSUBSCRIBE = "unsubscribe"
COMPLAINT = "complaint"
KINDS = (UNSUBSCRIBE, COMPLAINT)

_table = MailingTally.__table__  # type: ignore[attr-defined]


def count(session: Session, kind: str, distribution_id: int, list_id: int, language: str,
          now: datetime | None = None) -> None:
    """One more `kind` for this mailing, list and language today (UTC)."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not one of {', '.join(KINDS)}")
    day = (now or utcnow()).date()
    add_to_count(session, _table, {"distribution_id": distribution_id, "list_id": list_id,
                                   "language": language[:5], "day": day, "kind": kind})


def count_unsubscribe(session: Session, distribution_id: int | None, subscriber_id: int, list_id: int,
                      language: str, now: datetime | None = None) -> bool:
    """Count an unsubscribe made through a mailing's link; returns whether it was counted.

    Counted under the list and language of the message the person received (their delivery of
    that mailing), so it lines up with the mailing's other figures; a link naming a mailing that
    no longer exists counts nothing.
    """
    if not distribution_id:
        return False
    row = session.execute(
        select(col(Delivery.list_id), col(Delivery.language)).where(
            col(Delivery.distribution_id) == distribution_id, col(Delivery.subscriber_id) == subscriber_id)
    ).first()
    if row is None:
        return False
    count(session, UNSUBSCRIBE, distribution_id, row[0] or list_id, row[1] or language, now)
    return True
