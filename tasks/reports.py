"""The reports' beat task: fold raw events past the retention into daily counts."""

from __future__ import annotations

from core.db import session_scope, utcnow
from reports.retention import fold_old_events
from tasks.app import app


@app.task(name="reports.fold")
def fold() -> dict[str, int]:
    """Fold and delete raw report events older than PRESSROOM_REPORT_RETENTION_DAYS; a second run
    folds nothing (the rows are gone)."""
    with session_scope() as session:
        return fold_old_events(session, utcnow())
