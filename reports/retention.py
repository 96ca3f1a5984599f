"""The retention of raw report events: after `PRESSROOM_REPORT_RETENTION_DAYS` they are folded
into daily counts and deleted, so the detail of a read lives a bounded time and the numbers stay.

`fold_old_events` runs every function of `FOLDERS` with the same boundary, each in the caller's
transaction: the fold of a table adds its old rows to the daily counts and deletes them in one
go, so running it again (or twice at once: the second waits, then finds nothing) folds nothing
twice. Another raw-event table joins with one line in `FOLDERS`: its fold, which folds and
deletes that table's events older than `before` (`fold_clicks(session, before)` for clicks).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import case, delete, func, select
from sqlmodel import Session, col

from core.db import dialect_insert
from core.settings import get_settings
from reports.clicks import fold_clicks
from reports.models import PageView, PageViewDay

# A fold takes the session and the boundary (midnight UTC: whole days only) and returns how many
# raw events it folded.
Folder = Callable[[Session, datetime], int]


def fold_page_views(session: Session, before: datetime) -> int:
    """Add the page views of days before `before` to `page_view_day` and delete them."""
    cutoff = before.date()
    grouped = (
        select(col(PageView.day), col(PageView.release_id), col(PageView.language), col(PageView.bot),
               col(PageView.referrer_host), func.count(),
               func.sum(case((col(PageView.first_visit), 1), else_=0)))
        .where(col(PageView.day) < cutoff)
        .group_by(col(PageView.day), col(PageView.release_id), col(PageView.language), col(PageView.bot),
                  col(PageView.referrer_host))
    )
    table = PageViewDay.__table__  # type: ignore[attr-defined]
    keys = ["day", "release_id", "language", "bot", "referrer_host"]
    upsert = dialect_insert(session, table).from_select([*keys, "views", "visitors"], grouped)
    # A day folded in two goes (a read counted just before midnight, folded late) adds up.
    upsert = upsert.on_conflict_do_update(
        index_elements=keys,
        set_={"views": table.c.views + upsert.excluded.views, "visitors": table.c.visitors + upsert.excluded.visitors},
    )
    session.execute(upsert)
    deleted = session.execute(delete(PageView).where(col(PageView.day) < cutoff))
    return int(deleted.rowcount or 0)  # type: ignore[attr-defined]


# Every raw-event table's fold, run in this order by `fold_old_events`.
FOLDERS: list[Folder] = [fold_page_views, fold_clicks]


def retention_boundary(now: datetime) -> datetime:
    """Midnight UTC `PRESSROOM_REPORT_RETENTION_DAYS` days before `now`'s day: events of days
    before it are folded."""
    day = now.astimezone(UTC).date() - timedelta(days=get_settings().report_retention_days)
    return datetime.combine(day, time(), tzinfo=UTC)


def fold_old_events(session: Session, now: datetime) -> dict[str, int]:
    """Fold every raw-event table's events older than the retention; returns how many each
    fold took, by the fold's name (all 0 when there was nothing to fold)."""
    before = retention_boundary(now)
    return {folder.__name__: folder(session, before) for folder in FOLDERS}
