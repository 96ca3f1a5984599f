"""What the public page of a withdrawn release may say beyond "withdrawn on <date>": whether
the reason (kept in the audit entry of the withdrawal) is shown, and which release corrects it.

One row per withdrawn release that had either choice made; the audit entry stays the record of
who withdrew it, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from core.db import UTCDateTime, utcnow
from core.errors import NotFound
from workflow.models import AuditEntry
from workflow.states import Action


class WithdrawalNotice(SQLModel, table=True):
    """The office's choices for the public notice of a withdrawal."""

    __tablename__ = "withdrawal_notice"

    release_id: int = Field(primary_key=True, foreign_key="release.id")
    publish_reason: bool = Field(default=False)
    corrected_by_id: int | None = Field(default=None, foreign_key="release.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


@dataclass(frozen=True)
class PublicWithdrawal:
    """What the page of a withdrawn release tells the public."""

    withdrawn_at: datetime
    reason: str  # empty unless the office chose to publish it
    corrected_by: int | None  # the correcting release's id; the caller checks it is public


def withdrawal_of(session: Session, release_id: int) -> AuditEntry:
    """The audit entry of a release's (last) withdrawal: who, when and why; raises NotFound."""
    entry = session.exec(
        select(AuditEntry)
        .where(AuditEntry.release_id == release_id, AuditEntry.action == Action.WITHDRAW.value)
        .order_by(col(AuditEntry.id).desc())
    ).first()
    if entry is None:
        raise NotFound("withdrawal of release", release_id)
    return entry


def public_withdrawal(session: Session, release_id: int) -> PublicWithdrawal | None:
    """The withdrawal notice of a withdrawn release, or None when it has no withdrawal entry."""
    try:
        entry = withdrawal_of(session, release_id)
    except NotFound:
        return None
    notice = session.get(WithdrawalNotice, release_id)
    shown = notice is not None and notice.publish_reason
    return PublicWithdrawal(withdrawn_at=entry.at, reason=entry.comment if shown else "",
                            corrected_by=notice.corrected_by_id if notice else None)
