"""The reports' counters for /metrics: one list of providers, each reading its counts from the
database with labels drawn from small fixed sets.

A label value must never be a release id, a list slug, a URL or anything else that grows with
the data: every distinct value is a time series Prometheus keeps forever. So each `Metric`
declares the values each label may take (`allowed`), `render` refuses any other, and
tests/reports/test_metrics.py checks the served output against them. A room that counts
something new appends its provider to `PROVIDERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import case, func, select, union_all
from sqlmodel import Session, col

from core.settings import KNOWN_LANGUAGES
from delivery.models import Delivery
from reports.link_tables import ClickCount, ClickEvent, Link, LinkKind
from reports.models import PageView, PageViewDay
from subscribers.models import ConsentAction, ConsentRecord

BOOLEAN = ("false", "true")


class UnboundedLabel(ValueError):
    """A provider produced a label value outside its declared set (a bug, not a scrape error)."""


@dataclass
class Metric:
    name: str
    kind: str  # "counter" or "gauge"
    help: str
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # label -> every value it may take
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]
        for labels, value in self.samples:
            for key, val in labels.items():
                if val not in self.allowed.get(key, ()):
                    raise UnboundedLabel(f"{self.name}: label {key}={val!r} is not one of its declared values")
            inner = ",".join(f'{key}="{val}"' for key, val in labels.items())
            out.append(f"{self.name}{{{inner}}} {value:g}" if inner else f"{self.name} {value:g}")
        return out


Provider = Callable[[Session], list[Metric]]


def page_views(session: Session) -> list[Metric]:
    """Reads of public release pages, raw and folded alike, per page language and bot or not."""
    raw = select(col(PageView.language), col(PageView.bot), func.count().label("n")) \
        .group_by(col(PageView.language), col(PageView.bot))
    folded = select(col(PageViewDay.language), col(PageViewDay.bot), func.sum(col(PageViewDay.views)).label("n")) \
        .group_by(col(PageViewDay.language), col(PageViewDay.bot))
    both = union_all(raw, folded).subquery()
    metric = Metric("pressroom_page_views_total", "counter",
                    "Reads of public release pages, per page language; bot=true for bots and HEAD requests.",
                    {"language": KNOWN_LANGUAGES, "bot": BOOLEAN})
    totals = {(language, bool(bot)): 0.0 for language in KNOWN_LANGUAGES for bot in (False, True)}
    for language, bot, n in session.execute(
        select(both.c.language, both.c.bot, func.sum(both.c.n)).group_by(both.c.language, both.c.bot)
    ).all():
        totals[(language, bool(bot))] = float(n or 0)
    metric.samples = [({"language": lang, "bot": BOOLEAN[bot]}, n) for (lang, bot), n in sorted(totals.items())]
    return [metric]


def mail(session: Session) -> list[Metric]:
    """Messages the relay accepted, bounces by kind, unsubscriptions: one query each."""
    accepted = session.execute(select(func.count()).where(col(Delivery.sent_at).is_not(None))).scalar_one()
    # A bounce keeps its kind on the delivery, also one that came back after acceptance.
    hard = col(Delivery.bounce) == "hard"
    hard_n, soft_n = session.execute(
        select(func.sum(case((hard, 1), else_=0)), func.sum(case((hard, 0), else_=1)))
        .where(col(Delivery.bounce) != "")
    ).one()
    left = session.execute(
        select(func.count()).where(col(ConsentRecord.action) == ConsentAction.WITHDRAWN)
    ).scalar_one()
    return [
        Metric("pressroom_mail_accepted_total", "counter", "Messages the mail relay accepted.",
               samples=[({}, float(accepted))]),
        Metric("pressroom_bounces_total", "counter", "Messages that bounced, hard or soft.",
               {"kind": ("hard", "soft")},
               [({"kind": "hard"}, float(hard_n or 0)), ({"kind": "soft"}, float(soft_n or 0))]),
        Metric("pressroom_unsubscribes_total", "counter", "Unsubscriptions (one per list left).",
               samples=[({}, float(left))]),
    ]


def clicks(session: Session) -> list[Metric]:
    """Clicks of tracked links and opens of the pixel, raw and folded alike, machines apart."""
    raw = select(col(Link.kind), col(ClickEvent.bot), func.count().label("n")) \
        .join(Link, col(Link.id) == col(ClickEvent.link_id)).group_by(col(Link.kind), col(ClickEvent.bot))
    folded = select(col(Link.kind), col(ClickCount.bot), func.sum(col(ClickCount.count)).label("n")) \
        .join(Link, col(Link.id) == col(ClickCount.link_id)).group_by(col(Link.kind), col(ClickCount.bot))
    both = union_all(raw, folded).subquery()
    kinds = tuple(kind.value for kind in LinkKind)
    totals = {(kind, bot): 0.0 for kind in kinds for bot in (False, True)}
    for kind, bot, n in session.execute(
        select(both.c.kind, both.c.bot, func.sum(both.c.n)).group_by(both.c.kind, both.c.bot)
    ).all():
        totals[(str(getattr(kind, "value", kind)), bool(bot))] = float(n or 0)
    return [Metric("pressroom_link_clicks_total", "counter",
                   "Clicks of tracked mail links (kind=click) and opens (kind=open); bot=true for scanners.",
                   {"kind": kinds, "bot": BOOLEAN},
                   [({"kind": kind, "bot": BOOLEAN[bot]}, n) for (kind, bot), n in sorted(totals.items())])]


# Every provider /metrics reads, in order. Another room appends its own here.
PROVIDERS: list[Provider] = [page_views, mail, clicks]


def report_lines(session: Session) -> list[str]:
    """The Prometheus text lines of every provider."""
    return [line for provider in PROVIDERS for metric in provider(session) for line in metric.lines()]
