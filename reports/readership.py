"""Newsroom readership in aggregate: reads of public release pages per release, language and day,
the unique-reader estimate and the hosts that sent readers, with bots counted apart.

Counting is one INSERT of a `page_view` row per read (plus one Redis round trip for the
unique-reader estimate, see `reports.visitors`): appending rows takes no lock another read waits
for, where a per-day counter row would make every reader of a popular release queue for it. The
retention (`reports.retention`) folds old rows into `page_view_day`; `readership_of` adds both.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import CompoundSelect, case, func, insert, select, text, union_all
from sqlmodel import Session, col

from reports.models import PageView, PageViewDay

HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")


IPV4 = re.compile(r"^[0-9.]+$")


def referrer_host(referer: str | None, own_hosts: set[str]) -> str:
    """The host of an external http(s) Referer, lower-cased, without port, user, path or query;
    "" for none, our own pages (`own_hosts`), an IP address, or anything else that is not a host
    name."""
    if not referer:
        return ""
    try:
        parts = urlsplit(referer.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host or host in own_hosts:
        return ""
    if len(host) > 253 or not HOST.match(host) or IPV4.match(host):
        return ""  # an address is no site's name, and no address is stored
    return host


def record_view(session: Session, release_id: int, language: str, day: date, *,
                bot: bool, first_visit: bool, referrer: str) -> None:
    """Count one read of a release page (the caller decides it was a public 200 page), in the
    caller's transaction, which should hold nothing else: on PostgreSQL its commit does not wait
    for the disk (`synchronous_commit off`, for this transaction only). A crash of the database
    server may lose the last fraction of a second of reads, never corrupt anything, and a
    page's answer never waits for a WAL flush to count a read."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    session.execute(insert(PageView).values(
        release_id=release_id, language=language, day=day, bot=bot,
        first_visit=first_visit and not bot, referrer_host="" if bot else referrer,
    ))


@dataclass
class Readership:
    """What the reports show of a release's reads. `views` and everything beside it are people's
    reads; bots' reads are only in `bot_views`."""

    views: int = 0
    visitors: int = 0  # sum over days of first reads: a reader on two days counts twice
    bot_views: int = 0
    by_language: dict[str, int] = field(default_factory=dict)
    by_day: list[tuple[date, int]] = field(default_factory=list)
    referrers: list[tuple[str, int]] = field(default_factory=list)  # most readers first


def _rows(release_id: int) -> CompoundSelect:
    """Raw events grouped like the folded days, and the folded days: one shape, both sources."""
    raw = (
        select(col(PageView.day), col(PageView.language), col(PageView.bot), col(PageView.referrer_host),
               func.count().label("views"), func.sum(case((col(PageView.first_visit), 1), else_=0)).label("visitors"))
        .where(col(PageView.release_id) == release_id)
        .group_by(col(PageView.day), col(PageView.language), col(PageView.bot), col(PageView.referrer_host))
    )
    folded = (
        select(col(PageViewDay.day), col(PageViewDay.language), col(PageViewDay.bot), col(PageViewDay.referrer_host),
               col(PageViewDay.views), col(PageViewDay.visitors))
        .where(col(PageViewDay.release_id) == release_id)
    )
    return union_all(raw, folded)


def readership_of(session: Session, release_id: int) -> Readership:
    """A release's readership over its whole life: raw events and folded days alike."""
    result = Readership()
    languages: Counter[str] = Counter()
    days: Counter[date] = Counter()
    hosts: Counter[str] = Counter()
    for day, language, bot, host, views, visitors in session.execute(_rows(release_id)).all():
        if bot:
            result.bot_views += int(views)
            continue
        result.views += int(views)
        result.visitors += int(visitors or 0)
        languages[language] += int(views)
        days[day] += int(views)
        if host:
            hosts[host] += int(views)
    result.by_language = dict(sorted(languages.items()))
    result.by_day = sorted(days.items())
    result.referrers = sorted(hosts.items(), key=lambda item: (-item[1], item[0]))
    return result
