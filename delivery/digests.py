"""Daily and weekly digests: the period's published releases in one mailing, for subscribers
who chose a digest instead of one mail per release.

An issue is named by its period and date (`digest:daily:2026-11-23`, `digest:weekly:2026-W47`);
the Distribution key is unique, so an issue is prepared once however often the task runs, and
each subscriber is in it once. Its content is read back from that key, so every worker builds
the same issue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from core.db import session_scope, utcnow
from core.errors import InvalidInput
from core.settings import get_settings
from delivery import engine
from delivery.compose import release_url
from subscribers.audience import audience_rule
from subscribers.models import Frequency
from templates import DigestInput, DigestItem
from workflow.content import ReleaseContent
from workflow.models import Release, Revision
from workflow.states import State

log = logging.getLogger(__name__)

PERIODS = ("daily", "weekly")


def issue_window(period: str, now: datetime) -> tuple[str, datetime, datetime]:
    """The key and [start, end) of the last complete period before `now` (UTC days, ISO weeks)."""
    today = now.date()
    if period == "daily":
        day = today - timedelta(days=1)
        start = datetime.combine(day, time(), tzinfo=now.tzinfo)
        return f"digest:daily:{day.isoformat()}", start, start + timedelta(days=1)
    if period == "weekly":
        monday = today - timedelta(days=today.weekday() + 7)
        start = datetime.combine(monday, time(), tzinfo=now.tzinfo)
        year, week, _ = monday.isocalendar()
        return f"digest:weekly:{year}-W{week:02d}", start, start + timedelta(days=7)
    raise InvalidInput("period", f"{period!r} is not a digest period; choose {' or '.join(PERIODS)}")


def _window_of_key(key: str) -> tuple[str, datetime, datetime]:
    _, period, label = key.split(":", 2)
    if period == "daily":
        start = datetime.combine(date.fromisoformat(label), time()).replace(tzinfo=utcnow().tzinfo)
        return period, start, start + timedelta(days=1)
    year, week = label.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    start = datetime.combine(monday, time()).replace(tzinfo=utcnow().tzinfo)
    return period, start, start + timedelta(days=7)


@dataclass(frozen=True)
class Issue:
    """The releases of one digest issue, with their content."""

    key: str
    period: str
    issued_at: datetime
    releases: tuple[tuple[int, ReleaseContent, datetime], ...]

    def input(self, language: str) -> DigestInput:
        items = []
        for release_id, content, published_at in self.releases:
            shown = language if language in content.translations else content.default_language
            text = content.translations[shown]
            items.append(DigestItem(title=text.title, url=release_url(release_id, shown), lead=text.lead,
                                    published_at=published_at))
        first, last = self.days
        return DigestInput(key=self.key.replace(":", "."), period=self.period, first_day=first,
                           last_day=last, items=tuple(items))

    @property
    def days(self) -> tuple[date, date]:
        """The first and last calendar day the issue covers (its window ends at `issued_at`)."""
        length = 1 if self.period == "daily" else 7
        last = (self.issued_at - timedelta(days=1)).date()
        return last - timedelta(days=length - 1), last

    @property
    def lists(self) -> list[str]:
        return sorted({slug for _, content, _ in self.releases for slug in content.lists})

    @property
    def topics(self) -> list[str]:
        """Topics to filter on; none when any release is for everyone on its lists."""
        if any(not content.topics for _, content, _ in self.releases):
            return []
        return sorted({t for _, content, _ in self.releases for t in content.topics})


def _releases(session: Session, start: datetime, end: datetime) -> tuple[tuple[int, ReleaseContent, datetime], ...]:
    """Releases that became public in [start, end): an embargoed one belongs to the period of its
    lift, not of the publish click (which would leave it out of every issue)."""
    rows = session.exec(
        select(Release, Revision)
        .join(Revision, col(Revision.id) == Release.current_revision_id)
        .where(Release.state == State.PUBLISHED, col(Release.public_at) >= start, col(Release.public_at) < end)
        .order_by(col(Release.public_at))
    ).all()
    now = utcnow()
    return tuple(
        (release.id or 0, ReleaseContent.model_validate(revision.content), release.public_at)
        for release, revision in rows
        if release.public_at and release.public_at <= now
    )


def standing(session: Session, issue: Issue) -> Issue:
    """The issue without the releases withdrawn since it was made (the same object if none was)."""
    ids = [release_id for release_id, _, _ in issue.releases]
    published = set(session.exec(
        select(Release.id).where(col(Release.id).in_(ids), Release.state == State.PUBLISHED)
    ).all())
    if len(published) == len(ids):
        return issue
    kept = tuple(item for item in issue.releases if item[0] in published)
    return Issue(issue.key, issue.period, issue.issued_at, kept)


def issue_of(session: Session, key: str) -> Issue:
    """The issue a digest distribution key names."""
    period, start, end = _window_of_key(key)
    return Issue(key, period, end, _releases(session, start, end))


def prepare_digest(period: str, now: datetime | None = None) -> int | None:
    """Prepare the last complete period's issue; returns its distribution id, or None when the
    period published nothing. Running it again returns the same issue and adds nobody."""
    moment = now or utcnow()
    key, start, end = issue_window(period, moment)
    with session_scope() as session:
        issue = Issue(key, period, end, _releases(session, start, end))
        if not issue.releases:
            return None
        distribution, created = engine.create_distribution(session, key, "digest")
        if created:
            # Inserted by the database from the audience rule, as a release's mailing is.
            rule = audience_rule(session, issue.lists, issue.topics, get_settings().languages,
                                 get_settings().default_language, frequency=Frequency(period))
            distribution.total = engine.materialise_audience(session, distribution, rule.select())
            total = engine.prepared(session, distribution)
            log.info("%s: %d releases to %d subscribers", key, len(issue.releases), total)
        return distribution.id
