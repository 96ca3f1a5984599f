"""The reports' metrics refuse a label value outside the set they declare: a release id, a list
slug or a URL can never reach /metrics (the served output: tests/web/test_reports_pages.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reports.metrics import BOOLEAN, Metric, UnboundedLabel


def test_a_declared_label_renders_and_anything_else_is_refused() -> None:
    metric = Metric("pressroom_page_views_total", "counter", "Reads.", {"bot": BOOLEAN},
                    [({"bot": "true"}, 3)])
    assert metric.lines()[-1] == 'pressroom_page_views_total{bot="true"} 3'
    for labels in ({"bot": "maybe"}, {"release": "12"}, {"list": "journalists"}, {"url": "https://example.be/x"}):
        metric.samples = [(labels, 1)]
        with pytest.raises(UnboundedLabel, match="is not one of its declared values"):
            metric.lines()


def test_the_report_counters_on_both_databases(db: str) -> None:
    from core.db import session_scope, utcnow
    from reports.metrics import report_lines
    from reports.readership import record_view
    from reports.retention import fold_old_events
    from tests.reports.seed import seed_two_windows

    now = utcnow()
    with session_scope() as session:
        seed_two_windows(session, now)
        release = 1
        for days, language, bot in ((0, "nl", False), (0, "nl", True), (400, "nl", False), (400, "fr", False)):
            record_view(session, release, language, now.date() - timedelta(days=days), bot=bot, first_visit=True,
                        referrer="")
    with session_scope() as session:
        fold_old_events(session, now)  # folded reads count the same
    with session_scope() as session:
        lines = report_lines(session)
    assert 'pressroom_page_views_total{language="nl",bot="false"} 2' in lines
    assert 'pressroom_page_views_total{language="nl",bot="true"} 1' in lines
    assert 'pressroom_page_views_total{language="fr",bot="false"} 1' in lines
    assert 'pressroom_page_views_total{language="de",bot="true"} 0' in lines
    assert "pressroom_mail_accepted_total 15" in lines
    assert 'pressroom_bounces_total{kind="hard"} 2' in lines and 'pressroom_bounces_total{kind="soft"} 2' in lines
    assert "pressroom_unsubscribes_total 4" in lines
