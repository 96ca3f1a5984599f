"""What a mailing looks like to the people watching it: one view-model for the CLI, the API and
the press pages, so all three say the same thing (such as "cancelled: withdrawn")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from core.db import session_scope, utcnow
from core.settings import get_settings
from delivery import engine
from delivery.models import Delivery, DeliveryStatus, Distribution, DistributionStatus
from workflow.content import ReleaseContent
from workflow.models import Release, Revision

# The rate is that of the last minute: a mailing whose first copies went hours before the
# embargo lifted sends at its recent pace, not at its average since the start.
RATE_WINDOW = timedelta(seconds=60)


def status_label(distribution: Distribution) -> str:
    """The status, with the cause when a withdrawal cancelled the mailing."""
    status = DistributionStatus(distribution.status).value
    if distribution.status == DistributionStatus.CANCELLED and distribution.note.startswith(engine.WITHDRAWN_NOTE):
        return f"{status}: {engine.WITHDRAWN_NOTE}"
    return status


def recent_rate(session: Session, distribution_id: int, end: datetime) -> float:
    """Messages per second over the `RATE_WINDOW` before `end`: the copies recorded after the
    window's first record moment, over the time since that moment (outcomes are recorded in
    chunks, so the first moment's copies were sent before it). With fewer than two record
    moments in the window, the configured throttle (`rate_limit_per_second`), else the window's
    copies over its whole length (0 when none went)."""
    window = (col(Delivery.distribution_id) == distribution_id, col(Delivery.sent_at) > end - RATE_WINDOW,
              col(Delivery.sent_at) <= end)
    first = session.execute(select(func.min(col(Delivery.sent_at))).where(*window)).scalar()
    if first is None:
        return get_settings().rate_limit_per_second
    later, copies = session.execute(select(
        func.count().filter(col(Delivery.sent_at) > first), func.count()).where(*window)).one()
    if later:
        return int(later) / max((end - first).total_seconds(), 1.0)
    return get_settings().rate_limit_per_second or int(copies) / RATE_WINDOW.total_seconds()


def distribution_view(distribution_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Status, counts per delivery status, rate, the latest errors of a distribution, and its ETA:
    for the rows that can go now (`sendable`), without those held until a later time (`held`,
    until `held_until`: the embargo's lift) or waiting for a retry (`retrying`, from `retry_at`),
    at the recent rate (`recent_rate`)."""
    with session_scope() as session:
        distribution = engine.get_distribution(session, distribution_id)
        counts = engine.counts(session, distribution_id)
        errors = session.execute(
            select(col(Delivery.email), col(Delivery.status), col(Delivery.last_error))
            .where(col(Delivery.distribution_id) == distribution_id, col(Delivery.last_error) != "")
            .order_by(col(Delivery.updated_at).desc())
            .limit(5)
        ).all()
        now = now or utcnow()
        # Rows that cannot go now, by why: a queued row with a time is held on purpose (the
        # embargo's lift, a schedule), a deferred one waits for its retry.
        waits = {DeliveryStatus(status): (int(n), first) for status, n, first in session.execute(
            select(col(Delivery.status), func.count(), func.min(col(Delivery.next_attempt_at))).where(
                col(Delivery.distribution_id) == distribution_id, col(Delivery.status).in_(engine.CLAIMABLE),
                col(Delivery.next_attempt_at) > now).group_by(col(Delivery.status))
        ).all()}
        title = title_of(session, distribution)
        stands = engine.release_stands(session, distribution)
        rate = recent_rate(session, distribution_id, distribution.finished_at or now)
    done = counts["sent"] + counts["failed"] + counts["bounced"] + counts["skipped"]
    held, held_until = waits.get(DeliveryStatus.QUEUED, (0, None))
    retrying, retry_at = waits.get(DeliveryStatus.DEFERRED, (0, None))
    # The ETA is for what can go now: held rows are not late, they wait on purpose.
    left = distribution.total - done - held - retrying
    status = DistributionStatus(distribution.status)
    return {
        "id": distribution.id,
        "key": distribution.key,
        "kind": distribution.kind,
        "release_id": distribution.release_id,
        "title": title,
        # What a person may do now: only the moves the status allows (retrying needs failures).
        "actions": [action for action, (sources, _) in engine.CONTROL_MOVES.items()
                    if status in sources and (stands or action in ("pause", "cancel"))
                    and (action != "retry-failed" or counts["failed"])],
        "held": held,
        "held_until": held_until.isoformat() if held_until else None,
        "retrying": retrying,
        "retry_at": retry_at.isoformat() if retry_at else None,
        "status": DistributionStatus(distribution.status).value,
        # "cancelled: withdrawn" when a withdrawal stopped it; the note says why.
        "status_label": status_label(distribution),
        "note": distribution.note,
        "total": distribution.total,
        **counts,
        "rate_per_second": round(rate, 1),
        "sendable": max(left, 0),
        "eta_seconds": round(left / rate) if rate > 0 and left > 0 and status is DistributionStatus.SENDING else None,
        "started_at": distribution.started_at.isoformat() if distribution.started_at else None,
        "finished_at": distribution.finished_at.isoformat() if distribution.finished_at else None,
        "last_errors": [{"email": e, "status": str(s), "error": m} for e, s, m in errors],
    }


def title_of(session: Session, distribution: Distribution) -> str:
    """A mailing is named by what it sends: its release's title (digests by their key)."""
    if distribution.release_id is None:
        return distribution.key
    release = session.get(Release, distribution.release_id)
    revision = session.get(Revision, distribution.revision_id or (release.current_revision_id if release else 0) or 0)
    if revision is None:
        return distribution.key
    content = ReleaseContent.model_validate(revision.content)
    text = content.translations.get(content.default_language)
    prefix = "withdrawal notice: " if distribution.kind == "withdrawal" else ""
    return prefix + (text.title if text and text.title else distribution.key)
