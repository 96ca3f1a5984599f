"""Charts drawn on the server as inline SVG, for the press pages' reports.

No script and no chart library: the page is complete as sent, prints, and passes the
Content-Security-Policy (SVG presentation attributes are not inline styles). Each chart is an
image with a title and a description (`role="img"`, `aria-labelledby`), says its numbers in
words on the chart itself (every bar carries its label and value), and tells series apart by
pattern as well as colour (solid, stripes, dots, cross-hatching, empty), so it reads in black and
white and for people who do not see colour; the page puts a data table with every figure under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
BAR_AREA = 600
ROW = 44
INK = "#1a1a1a"
BAR = "#1d4e89"

# Fill of each series by pattern: (pattern id suffix, drawing inside an 8×8 tile, or "" for solid).
PATTERNS: tuple[tuple[str, str], ...] = (
    ("solid", ""),
    ("stripes", (f'<rect width="8" height="8" fill="#ffffff"/><path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" '
                f'stroke="{BAR}" stroke-width="2.5"/>')),
    ("dots", f'<rect width="8" height="8" fill="#ffffff"/><circle cx="4" cy="4" r="2" fill="{BAR}"/>'),
    ("cross", (f'<rect width="8" height="8" fill="#ffffff"/><path d="M0,0 l8,8 M8,0 l-8,8" stroke="{BAR}" '
              f'stroke-width="1.5"/>')),
    ("empty", '<rect width="8" height="8" fill="#ffffff"/>'),
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the reader should read it ("1,204", "2.5 s")


def _open(chart_id: str, title: str, description: str, height: int) -> str:
    return (f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
            f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="14">'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>')


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """One horizontal bar per row, its label above it and its value beside it."""
    height = max(ROW * len(bars), ROW) + 4
    top = max((bar.value for bar in bars), default=0) or 1
    parts = [_open(chart_id, title, description, height)]
    for index, bar in enumerate(bars):
        y = index * ROW
        length = BAR_AREA * 0.8 * bar.value / top
        parts.append(f'<text x="0" y="{y + 15}" fill="{INK}">{escape(bar.label)}</text>')
        parts.append(f'<rect x="0" y="{y + 21}" width="{length:.1f}" height="16" fill="{BAR}"/>')
        parts.append(f'<text x="{length + 6:.1f}" y="{y + 34}" fill="{INK}" font-weight="bold">'
                     f'{escape(bar.shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_chart(chart_id: str, title: str, description: str, series: Sequence[str],
                  rows: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """One bar per row, split into `series` (at most five), each told apart by its pattern, with
    a legend of the patterns on top and the row's total beside its bar."""
    legend_rows = (len(series) + 2) // 3
    head = legend_rows * 24 + 8
    height = head + max(ROW * len(rows), ROW) + 4
    top = max((sum(values) for _, values in rows), default=0) or 1
    parts = [_open(chart_id, title, description, height), "<defs>"]
    for name, drawing in PATTERNS[: len(series)]:
        if drawing:
            parts.append(f'<pattern id="{escape(chart_id)}-{name}" width="8" height="8" '
                         f'patternUnits="userSpaceOnUse">{drawing}</pattern>')
    parts.append("</defs>")

    def fill(index: int) -> str:
        name, drawing = PATTERNS[index]
        return f"url(#{escape(chart_id)}-{name})" if drawing else BAR

    for index, name in enumerate(series):
        left, y = (index % 3) * 210, (index // 3) * 24
        parts.append(f'<rect x="{left}" y="{y + 4}" width="16" height="16" fill="{fill(index)}" stroke="{INK}"/>')
        parts.append(f'<text x="{left + 22}" y="{y + 17}" fill="{INK}">{escape(name)}</text>')
    for row, (label, values) in enumerate(rows):
        y = head + row * ROW
        parts.append(f'<text x="0" y="{y + 15}" fill="{INK}">{escape(label)}</text>')
        x = 0.0
        for index, value in enumerate(values):
            length = BAR_AREA * 0.8 * value / top
            if length > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 21}" width="{length:.1f}" height="16" '
                             f'fill="{fill(index)}" stroke="{INK}" stroke-width="0.5"/>')
            x += length
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 34}" fill="{INK}" font-weight="bold">{sum(values)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
