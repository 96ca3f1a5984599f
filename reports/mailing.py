"""The mailing report: what happened to each mailing and each release's mailings, in numbers.

Per distribution (a release's mailing, its withdrawal notice, a digest issue) and per release
(all its mailings together): messages the relay accepted, deferred, failed (by reason class),
bounced hard or soft (bounces that came back after the relay accepted the message included: they
count as accepted and as bounced), unsubscribed through the mailing's own link, complaints,
skipped, and held for an embargo — in total, per list and per language; and how long after
publication (or after the embargo's lift, for messages held for it) the relay accepted the first
and the last message, with the 50th, 90th and 99th percentile of that delay.

Everything is counted by the database (GROUP BY, and window functions for the percentiles): the
work per report does not grow with rows carried through Python, so 100,000 deliveries report in
about the time the database takes to read them (`bench/mailing_report.py`). Nothing here names
a person: the report is numbers per list and language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, case, cast, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from core.db import as_utc, utcnow
from core.errors import NotFound
from delivery.models import Delivery, DeliveryStatus, Distribution, DistributionStatus
from delivery.progress import status_label, title_of
from reports.models import MailingTally
from reports.tallies import COMPLAINT, UNSUBSCRIBE
from subscribers.models import MailingList
from workflow.models import Release

# Why the relay refused a message for good, from its reply code and text (RFC 3463 classes first,
# then the words servers use). The first rule that matches decides.
FAILURE_CLASSES = ("recipient_refused", "policy", "mailbox_full", "connection", "other")
_RULES: tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...] = (
    ("mailbox_full", ("%5.2.2%", "%4.2.2%", "%mailbox full%", "%mailbox is full%", "%quota%",
                      "%insufficient storage%"), (452, 552)),
    ("policy", ("%5.7.%", "%4.7.%", "%spam%", "%policy%", "%blocked%", "%blacklist%", "%blocklist%",
                "%reputation%", "%dmarc%"), ()),
    ("recipient_refused", ("%5.1.%", "%no such user%", "%user unknown%", "%unknown user%",
                           "%does not exist%", "%mailbox unavailable%", "%invalid recipient%"), ()),
    ("connection", ("%4.4.%", "%5.4.%", "%timed out%", "%timeout%", "%connection%", "%cannot connect%",
                    "%mail server %", "%network%"), (421,)),
    ("recipient_refused", (), (550, 551, 553)),
)
PHASES = ("from_publication", "from_embargo_lift")
PERCENTILES = (50, 90, 99)


def failure_class(code: Any, text: Any) -> ColumnElement[str]:
    """The reason class of a permanent failure as an SQL expression of its reply code and text
    (`Delivery.smtp_code`, `Delivery.last_error`): the one place failures are classified, so the
    report counts in the database and a single message is classified by the same rules."""
    lowered = func.lower(text)
    whens = []
    for name, patterns, codes in _RULES:
        tests = [lowered.like(p) for p in patterns] + ([code.in_(codes)] if codes else [])
        whens.append((or_(*tests), literal(name)))
    return case(*whens, else_=literal("other"))


def classify_failure(session: Session, code: int | None, text: str) -> str:
    """The reason class of one failure (reply code and text), by the report's own rules."""
    expression = failure_class(cast(literal(code), Integer), cast(literal(text), String))
    return str(session.execute(select(expression)).scalar_one())


@dataclass
class Counts:
    """The figures of one mailing, list or language."""

    recipients: int = 0
    accepted: int = 0  # the relay took the message (a later bounce included)
    pending: int = 0  # queued or being sent now
    held: int = 0  # waiting, on purpose, for the embargo to lift
    deferred: int = 0  # refused for now, to be tried again
    failed: int = 0
    failed_by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAILURE_CLASSES, 0))
    bounced_hard: int = 0
    bounced_soft: int = 0
    skipped: int = 0  # not sent: left, suppressed, erased, withdrawn or cancelled before their turn
    unsubscribed: int = 0  # through this mailing's link
    complaints: int = 0

    def add(self, other: Counts) -> None:
        for name, value in vars(other).items():
            if isinstance(value, dict):
                mine = getattr(self, name)
                for key, number in value.items():
                    mine[key] = mine.get(key, 0) + number
            else:
                setattr(self, name, getattr(self, name) + value)

    def flat(self) -> dict[str, int]:
        """One column per figure, failures per reason as `failed_<reason>` (for CSV)."""
        out: dict[str, int] = {}
        for name, value in vars(self).items():
            if isinstance(value, dict):
                out.update({f"failed_{key}": number for key, number in value.items()})
            else:
                out[name] = value
        return out


@dataclass
class Timing:
    """How long after its starting point the relay accepted a mailing's messages, in seconds."""

    phase: str  # "from_publication", or "from_embargo_lift" for messages held for the embargo
    since: datetime
    messages: int
    first: float
    last: float
    p50: float
    p90: float
    p99: float


@dataclass
class Part:
    """The counts of one list (`key` its id, `label` its slug) or one language (`key` the code)."""

    key: str
    label: str
    counts: Counts


@dataclass
class MailingReport:
    distribution_id: int
    key: str
    kind: str
    release_id: int | None
    title: str
    status: str
    status_label: str
    published_at: datetime | None  # the starting point: publication (else the mailing's start)
    embargo_until: datetime | None
    held_until: datetime | None  # set while messages wait for the embargo
    totals: Counts
    by_list: list[Part]
    by_language: list[Part]
    timing: list[Timing]

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass
class ReleaseReport:
    release_id: int
    title: str
    published_at: datetime | None
    mailings: list[MailingReport]
    totals: Counts
    by_list: list[Part]
    by_language: list[Part]

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def mailing_report(session: Session, distribution_id: int, now: datetime | None = None) -> MailingReport:
    """The report of one distribution; raises NotFound for an unknown id."""
    distribution = session.get(Distribution, distribution_id)
    if distribution is None:
        raise NotFound("distribution", distribution_id)
    moment = now or utcnow()
    release = session.get(Release, distribution.release_id) if distribution.release_id else None
    published = release.published_at if release is not None and distribution.kind == "release" else None
    origin = as_utc(published or distribution.started_at or distribution.created_at)
    lift = as_utc(release.embargo_until) if release is not None and release.embargo_until else None
    if lift is not None and (distribution.kind != "release" or lift <= origin):
        lift = None  # no embargo held this mailing back
    lists, languages = _counts(session, distribution_id, lift, moment)
    _add_tallies(session, distribution_id, lists, languages)
    totals = Counts()
    for counts in languages.values():
        totals.add(counts)
    names = _list_slugs(session, lists)
    return MailingReport(
        distribution_id=distribution_id,
        key=distribution.key,
        kind=distribution.kind,
        release_id=distribution.release_id,
        title=title_of(session, distribution),
        status=DistributionStatus(distribution.status).value,
        status_label=status_label(distribution),
        published_at=origin,
        embargo_until=lift,
        held_until=lift if totals.held else None,
        totals=totals,
        by_list=[Part(str(list_id), names.get(list_id, ""), counts) for list_id, counts in sorted(lists.items())],
        by_language=[Part(language, language, counts) for language, counts in sorted(languages.items())],
        timing=_timing(session, distribution_id, origin, lift),
    )


def release_report(session: Session, release_id: int, now: datetime | None = None) -> ReleaseReport:
    """Every mailing of a release (its mailing, a withdrawal notice) with their sums; raises
    NotFound for an unknown release."""
    release = session.get(Release, release_id)
    if release is None:
        raise NotFound("release", release_id)
    ids = session.execute(
        select(col(Distribution.id)).where(col(Distribution.release_id) == release_id).order_by(col(Distribution.id))
    ).scalars().all()
    mailings = [mailing_report(session, int(i), now) for i in ids]
    totals = Counts()
    lists: dict[str, Part] = {}
    languages: dict[str, Part] = {}
    for mailing in mailings:
        totals.add(mailing.totals)
        _merge(lists, mailing.by_list)
        _merge(languages, mailing.by_language)
    own = next((m for m in mailings if m.kind == "release"), None)
    return ReleaseReport(
        release_id=release_id,
        title=own.title if own else (mailings[0].title if mailings else ""),
        published_at=as_utc(release.published_at) if release.published_at else None,
        mailings=mailings,
        totals=totals,
        by_list=sorted(lists.values(), key=lambda p: int(p.key)),
        by_language=sorted(languages.values(), key=lambda p: p.key),
    )


def _merge(into: dict[str, Part], parts: Iterable[Part]) -> None:
    for part in parts:
        target = into.setdefault(part.key, Part(part.key, part.label, Counts()))
        target.counts.add(part.counts)


def _counts(session: Session, distribution_id: int, lift: datetime | None,
            now: datetime) -> tuple[dict[int, Counts], dict[str, Counts]]:
    """Counts per list and per language, each a GROUP BY of the database: the mailing's rows by
    status and bounce kind (plain columns, so the database only counts); then only its failed
    rows by reason class, and only the rows an embargo still holds (both found by the
    (distribution, status) index)."""
    lists: dict[int, Counts] = {}
    languages: dict[str, Counts] = {}

    def add(list_id: int | None, language: str, **figures: int) -> None:
        for counts in (lists.setdefault(int(list_id or 0), Counts()), languages.setdefault(str(language), Counts())):
            for name, number in figures.items():
                if name.startswith("failed_"):
                    counts.failed_by_reason[name.removeprefix("failed_")] += number
                else:
                    setattr(counts, name, getattr(counts, name) + number)

    mailing = col(Delivery.distribution_id) == distribution_id
    status = col(Delivery.status)
    by = (col(Delivery.list_id), col(Delivery.language))
    for list_id, language, state, bounce, number, accepted in session.execute(
        select(*by, status, col(Delivery.bounce), func.count(), func.count(col(Delivery.sent_at)))
        .where(mailing).group_by(*by, status, col(Delivery.bounce))
    ).all():
        state = DeliveryStatus(state)
        figures = {"recipients": int(number), "accepted": int(accepted)}
        if state is DeliveryStatus.BOUNCED:
            # A bounce recorded before kinds were kept apart has none on record: counted as hard.
            figures["bounced_soft" if bounce == "soft" else "bounced_hard"] = int(number)
        elif state in _FIGURE_OF:  # sent: counted as accepted already
            figures[_FIGURE_OF[state]] = int(number)
        add(list_id, language, **figures)
    # Failures by reason: classified in a subquery and grouped by its columns (grouping by the
    # expression itself would repeat its parameters, which PostgreSQL does not match up).
    failed = select(*by, failure_class(col(Delivery.smtp_code), col(Delivery.last_error)).label("reason")).where(
        mailing, status == DeliveryStatus.FAILED).subquery()
    keys = (failed.c.list_id, failed.c.language, failed.c.reason)
    for list_id, language, reason, number in session.execute(select(*keys, func.count()).group_by(*keys)).all():
        add(list_id, language, **{f"failed_{reason}": int(number)})
    if lift is not None and lift > now:  # held for the embargo: neither pending nor late
        for list_id, language, state, number in session.execute(
            select(*by, status, func.count()).where(
                mailing, status.in_((DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED)),
                col(Delivery.next_attempt_at) >= lift,
            ).group_by(*by, status)
        ).all():
            add(list_id, language, held=int(number), **{_FIGURE_OF[DeliveryStatus(state)]: -int(number)})
    return lists, languages


_FIGURE_OF = {
    DeliveryStatus.QUEUED: "pending", DeliveryStatus.SENDING: "pending",
    DeliveryStatus.DEFERRED: "deferred", DeliveryStatus.FAILED: "failed", DeliveryStatus.SKIPPED: "skipped",
}


def _add_tallies(session: Session, distribution_id: int, lists: dict[int, Counts],
                 languages: dict[str, Counts]) -> None:
    rows = session.execute(
        select(col(MailingTally.list_id), col(MailingTally.language), col(MailingTally.kind),
               func.sum(col(MailingTally.count)))
        .where(col(MailingTally.distribution_id) == distribution_id)
        .group_by(col(MailingTally.list_id), col(MailingTally.language), col(MailingTally.kind))
    ).all()
    for list_id, language, kind, number in rows:
        name = {UNSUBSCRIBE: "unsubscribed", COMPLAINT: "complaints"}.get(str(kind))
        if name is None:
            continue
        for counts in (lists.setdefault(int(list_id), Counts()), languages.setdefault(str(language), Counts())):
            setattr(counts, name, getattr(counts, name) + int(number or 0))


def _list_slugs(session: Session, lists: dict[int, Counts]) -> dict[int, str]:
    ids = [i for i in lists if i]
    if not ids:
        return {}
    rows = session.execute(select(col(MailingList.id), col(MailingList.slug)).where(col(MailingList.id).in_(ids)))
    return {int(i): str(slug) for i, slug in rows}


def _rank(percent: int, total: Any) -> Any:
    """The nearest-rank position of a percentile, ceil(percent × n / 100), in integer SQL."""
    return (percent * total + 99) // 100


def _timing(session: Session, distribution_id: int, origin: datetime, lift: datetime | None) -> list[Timing]:
    """First, last and percentiles of the accepted messages' delay, per phase. The database
    counts the messages of each phase and hands over only the message at each rank asked for,
    walking the (distribution, sent_at) index: messages accepted after the lift come after all
    the others in time, so a phase is a range of ranks."""
    sent_at = col(Delivery.sent_at)
    mailing = [col(Delivery.distribution_id) == distribution_id, sent_at.is_not(None)]
    total, before = session.execute(
        select(func.count(), func.sum(case((sent_at < lift, 1), else_=0)) if lift else func.count())
        .where(*mailing)
    ).one()
    total, before = int(total or 0), int(before or 0)
    phases = [(PHASES[0], origin, 0, before), (PHASES[1], lift or origin, before, total - before)]

    def at(rank: int) -> datetime:
        """The acceptance time of the message at `rank` (1: the earliest), walked to in the index
        from the nearer end."""
        order, offset = (sent_at, rank - 1) if rank <= total / 2 else (sent_at.desc(), total - rank)
        moment = session.execute(select(sent_at).where(*mailing).order_by(order).offset(offset).limit(1)).scalar_one()
        return as_utc(moment)

    out = []
    for name, since, skip, count in phases:
        if count == 0:
            continue

        def delay(rank: int, since: datetime = since, skip: int = skip) -> float:
            return round(max((at(skip + rank) - since).total_seconds(), 0.0), 3)

        out.append(Timing(name, since, count, delay(1), delay(count), *(delay(_rank(p, count)) for p in PERCENTILES)))
    return out


CSV_SCOPES = ("total", "list", "language")


def csv_rows(report: MailingReport | ReleaseReport) -> list[dict[str, Any]]:
    """The report as flat rows (scope, key, label and one column per figure) for CSV."""
    rows = [{"scope": "total", "key": "", "label": "", **report.totals.flat()}]
    rows += [{"scope": "list", "key": p.key, "label": p.label, **p.counts.flat()} for p in report.by_list]
    rows += [{"scope": "language", "key": p.key, "label": p.label, **p.counts.flat()} for p in report.by_language]
    return rows
