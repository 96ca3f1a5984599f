"""What a mailing looks like to the people watching it: one view-model for the CLI, the API and
the press pages, so all three say the same thing (such as "cancelled: withdrawn")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from core.db import session_scope, utcnow
from delivery import engine
from delivery.models import Delivery, Distribution, DistributionStatus


def status_label(distribution: Distribution) -> str:
    """The status, with the cause when a withdrawal cancelled the mailing."""
    status = DistributionStatus(distribution.status).value
    if distribution.status == DistributionStatus.CANCELLED and distribution.note.startswith(engine.WITHDRAWN_NOTE):
        return f"{status}: {engine.WITHDRAWN_NOTE}"
    return status


def distribution_view(distribution_id: int) -> dict[str, Any]:
    """Status, counts per delivery status, rate, ETA and the latest errors of a distribution."""
    with session_scope() as session:
        distribution = engine.get_distribution(session, distribution_id)
        counts = engine.counts(session, distribution_id)
        errors = session.execute(
            select(col(Delivery.email), col(Delivery.status), col(Delivery.last_error))
            .where(col(Delivery.distribution_id) == distribution_id, col(Delivery.last_error) != "")
            .order_by(col(Delivery.updated_at).desc())
            .limit(5)
        ).all()
    done = counts["sent"] + counts["failed"] + counts["bounced"] + counts["skipped"]
    end = distribution.finished_at or utcnow()
    elapsed = (end - distribution.started_at).total_seconds() if distribution.started_at else 0.0
    rate = counts["sent"] / elapsed if elapsed > 0 else 0.0
    left = distribution.total - done
    return {
        "id": distribution.id,
        "key": distribution.key,
        "status": DistributionStatus(distribution.status).value,
        # "cancelled: withdrawn" when a withdrawal stopped it; the note says why.
        "status_label": status_label(distribution),
        "note": distribution.note,
        "total": distribution.total,
        **counts,
        "rate_per_second": round(rate, 1),
        "eta_seconds": round(left / rate) if rate > 0 and left > 0 else None,
        "started_at": distribution.started_at.isoformat() if distribution.started_at else None,
        "finished_at": distribution.finished_at.isoformat() if distribution.finished_at else None,
        "last_errors": [{"email": e, "status": str(s), "error": m} for e, s, m in errors],
    }
