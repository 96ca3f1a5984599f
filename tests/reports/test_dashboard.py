"""The dashboard's last 30 days, exact against seeded history on both databases (the page itself:
tests/web/test_reports_pages.py)."""

from __future__ import annotations

from core.db import session_scope, utcnow
from reports.dashboard import FIGURES, Trend, last_30_days
from tests.reports.seed import seed_two_windows


def test_figures_and_trends_over_two_windows(db: str) -> None:
    now = utcnow()
    with session_scope() as session:
        seed_two_windows(session, now)
    with session_scope() as session:
        found = last_30_days(session, now)
    assert tuple(f.name for f in found.figures) == FIGURES
    figures = {f.name: (f.current, f.previous, f.trend) for f in found.figures}
    assert figures == {
        "releases_published": (1, 3, Trend.DOWN),
        "recipients_reached": (10, 4, Trend.UP),
        "bounce_rate": (0.3, 0.25, Trend.UP),
        "unsubscribe_rate": (0.4, 0.0, Trend.UP),
    }
    assert found.growing is not None and (found.growing.slug, found.growing.joined, found.growing.left) == ("journalists", 5, 1)
    assert found.shrinking is not None and (found.shrinking.slug, found.shrinking.net) == ("public", -2)
    assert (found.shrinking.joined, found.shrinking.left) == (1, 3)


def test_an_empty_office_has_nothing_to_compare(db: str) -> None:
    with session_scope() as session:
        found = last_30_days(session, utcnow())
    assert [(f.current, f.previous, f.trend) for f in found.figures] == [
        (0, 0, Trend.SAME), (0, 0, Trend.SAME), (None, None, Trend.NONE), (None, None, Trend.NONE)]
    assert found.growing is None and found.shrinking is None
