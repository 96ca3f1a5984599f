"""The retention of raw page views on both databases: events of days before the retention are
folded into daily counts and deleted, the numbers stay the same, and a second run changes nothing.
The beat task does it through a real worker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from core.db import session_scope, utcnow
from core.settings import override_settings
from reports.models import PageView, PageViewDay
from reports.readership import readership_of, record_view
from reports.retention import FOLDERS, fold_old_events, fold_page_views, retention_boundary
from tests import factories
from tests.conftest import wait_until

NOW = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
TODAY = NOW.date()


def _seed(session: Session) -> int:
    release = factories.release(session, factories.user(session, "spokesperson", "an@example.be")).id or 0
    reads = [
        # (days ago, language, bot, first visit, referrer host)
        (0, "nl", False, True, "www.standaard.be"),
        (90, "nl", False, True, ""),  # the boundary's own day: kept
        (91, "nl", False, True, "www.standaard.be"),
        (91, "nl", False, False, "www.standaard.be"),
        (91, "fr", False, True, ""),
        (91, "nl", True, False, ""),
        (200, "fr", False, True, "www.lesoir.be"),
        (200, "fr", False, False, "www.lesoir.be"),
    ]
    for days, language, bot, first, host in reads:
        record_view(session, release, language, TODAY - timedelta(days=days), bot=bot, first_visit=first, referrer=host)
    return release


def _daily(session: Session) -> list[tuple[date, str, bool, str, int, int]]:
    rows = session.exec(select(PageViewDay).order_by(col(PageViewDay.day), col(PageViewDay.language),
                                                     col(PageViewDay.bot), col(PageViewDay.referrer_host))).all()
    return [(r.day, r.language, r.bot, r.referrer_host, r.views, r.visitors) for r in rows]


def test_old_page_views_fold_into_daily_counts_once(db: str) -> None:
    with session_scope() as session:
        release = _seed(session)
    with session_scope() as session:
        before = readership_of(session, release)
    assert (before.views, before.visitors, before.bot_views) == (7, 5, 1)
    assert retention_boundary(NOW) == datetime(2026, 9, 6, tzinfo=UTC)  # 90 days before today, midnight UTC

    with session_scope() as session:
        assert fold_old_events(session, NOW) == {"fold_page_views": 6, "fold_clicks": 0}
    with session_scope() as session:
        assert sorted(v.day for v in session.exec(select(PageView)).all()) == [TODAY - timedelta(days=90), TODAY]
        assert _daily(session) == [
            (TODAY - timedelta(days=200), "fr", False, "www.lesoir.be", 2, 1),
            (TODAY - timedelta(days=91), "fr", False, "", 1, 1),
            (TODAY - timedelta(days=91), "nl", False, "www.standaard.be", 2, 1),
            (TODAY - timedelta(days=91), "nl", True, "", 1, 0),
        ]
        assert readership_of(session, release) == before
        folded = _daily(session)

    with session_scope() as session:  # the second run: nothing left to fold, nothing counted twice
        assert fold_old_events(session, NOW) == {"fold_page_views": 0, "fold_clicks": 0}
    with session_scope() as session:
        assert _daily(session) == folded and readership_of(session, release) == before

    with session_scope() as session:  # a read of a folded day that arrives late adds up
        record_view(session, release, "fr", TODAY - timedelta(days=200), bot=False, first_visit=True, referrer="www.lesoir.be")
        assert fold_old_events(session, NOW) == {"fold_page_views": 1, "fold_clicks": 0}
    with session_scope() as session:
        assert _daily(session)[0] == (TODAY - timedelta(days=200), "fr", False, "www.lesoir.be", 3, 2)


def test_the_retention_setting_moves_the_boundary(db: str) -> None:
    override_settings(report_retention_days=1)
    with session_scope() as session:
        _seed(session)
        assert retention_boundary(NOW) == datetime(2026, 12, 4, tzinfo=UTC)
        assert fold_old_events(session, NOW) == {"fold_page_views": 7, "fold_clicks": 0}  # all but today's
    with session_scope() as session:
        assert [v.day for v in session.exec(select(PageView)).all()] == [TODAY]


def test_every_raw_event_table_has_its_fold_in_the_list() -> None:
    assert fold_page_views in FOLDERS


def test_the_beat_task_folds_through_a_worker(sqlite_db: str, worker: object) -> None:
    from tasks.app import app
    from tasks.reports import fold

    app.loader.import_default_modules()
    app.conf.beat_schedule  # noqa: B018 - resolving the configuration builds the schedule
    schedule = app.conf.beat_schedule["reports-fold"]
    assert schedule["task"] == "reports.fold"
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({3}, {30})  # daily, 03:30 UTC
    with session_scope() as session:
        release = factories.release(session, factories.user(session, "spokesperson", "an@example.be")).id or 0
        for days in (0, 400, 400):
            record_view(session, release, "nl", utcnow().date() - timedelta(days=days), bot=False, first_visit=True,
                        referrer="")

    def remaining() -> int:
        with session_scope() as session:
            return len(session.exec(select(PageView)).all())

    fold.delay()
    wait_until(lambda: remaining() == 1, what="the old reads to be folded")
    fold.delay()  # again: nothing more to fold

    def idle() -> bool:
        from celery.worker import state

        with app.connection_for_write() as connection:
            queued = connection.default_channel.client.llen("pressroom")
        return not queued and not state.active_requests and not state.reserved_requests

    wait_until(idle, what="the second run")
    assert remaining() == 1
    with session_scope() as session:
        assert [(r.views, r.visitors) for r in session.exec(select(PageViewDay)).all()] == [(2, 2)]
    assert fold() == {"fold_page_views": 0, "fold_clicks": 0}  # by hand, as docs/operations.md shows: nothing left
