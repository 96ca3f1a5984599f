"""The charts of the mailing report page, in the reader's language (see `web.charts`)."""

from __future__ import annotations

from markupsafe import Markup

from reports.mailing import FAILURE_CLASSES, Counts, MailingReport, Part, Timing
from web.charts import Bar, bar_chart, stacked_chart
from web.i18n import translate

# The figures of the outcome chart and the tables, in reading order.
FIGURES = ("recipients", "accepted", "held", "pending", "deferred", "failed", "bounced_hard", "bounced_soft",
           "skipped", "unsubscribed", "complaints")
# The parts of a list's or language's bar: accepted (less bounced), bounced, failed, skipped, waiting.
SEGMENTS = ("report_segment_accepted", "report_segment_bounced", "report_segment_failed", "report_segment_skipped",
            "report_segment_waiting")


def duration(seconds: float, language: str) -> str:
    """A delay as people read it: seconds, minutes or hours."""
    if seconds < 120:
        return translate("duration_seconds", language, value=_number(seconds, language))
    if seconds < 7200:
        return translate("duration_minutes", language, value=_number(seconds / 60, language))
    return translate("duration_hours", language, value=_number(seconds / 3600, language))


def _number(value: float, language: str) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(round(value, 1), format="#,##0.#", locale=language))


def _segments(counts: Counts) -> list[int]:
    bounced = counts.bounced_hard + counts.bounced_soft
    waiting = counts.held + counts.pending + counts.deferred
    return [max(counts.accepted - bounced, 0), bounced, counts.failed, counts.skipped, waiting]


def part_label(part: Part, language: str, is_language: bool) -> str:
    """A list by its slug (a mail without a list's link: "—"), a language by its name."""
    if is_language:
        return translate(f"language_{part.key}", language) if part.key in ("nl", "fr", "en", "de") else part.key
    return part.label or "—"


def _stack(chart_id: str, title_key: str, parts: list[Part], language: str) -> Markup:
    series = [translate(key, language) for key in SEGMENTS]
    by_language = title_key == "report_by_language"
    return stacked_chart(chart_id, translate(title_key, language), translate("report_stack_desc", language),
                         series, [(part_label(part, language, by_language), _segments(part.counts))
                                  for part in parts])


def _timing_chart(index: int, timing: Timing, language: str) -> Markup:
    title = translate(f"report_timing_{timing.phase}", language, count=timing.messages)
    bars = [Bar(translate(f"report_{name}", language), value, duration(value, language))
            for name, value in (("first", timing.first), ("p50", timing.p50), ("p90", timing.p90),
                                ("p99", timing.p99), ("last", timing.last))]
    return bar_chart(f"chart-timing-{index}", title, translate("report_timing_desc", language), bars)


def report_charts(report: MailingReport, language: str) -> dict[str, object]:
    """Every chart of the page, as SVG markup."""
    totals = report.totals
    outcomes = [Bar(translate(f"report_{name}", language), getattr(totals, name), str(getattr(totals, name)))
                for name in FIGURES]
    failures = [Bar(translate(f"failure_{name}", language), totals.failed_by_reason[name],
                    str(totals.failed_by_reason[name])) for name in FAILURE_CLASSES]
    return {
        "outcomes": bar_chart("chart-outcomes", translate("report_outcomes", language),
                              translate("report_outcomes_desc", language), outcomes),
        "failures": bar_chart("chart-failures", translate("report_failures", language),
                              translate("report_failures_desc", language), failures) if totals.failed else None,
        "lists": _stack("chart-lists", "report_by_list", report.by_list, language),
        "languages": _stack("chart-languages", "report_by_language", report.by_language, language),
        "timing": [_timing_chart(i, timing, language) for i, timing in enumerate(report.timing)],
    }
