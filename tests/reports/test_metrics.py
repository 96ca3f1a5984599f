"""The reports' metrics refuse a label value outside the set they declare: a release id, a list
slug or a URL can never reach /metrics (the served output: tests/web/test_reports_pages.py)."""

from __future__ import annotations

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
