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

from sqlalchemy import Integer, String, and_, case, cast, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from core.db import as_utc, utcnow
from core.errors import NotFound
from delivery.models import Delivery, DeliveryStatus, Distribution
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
        status=str(distribution.status.value if hasattr(distribution.status, "value") else distribution.status),
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
    """Counts per list and per language, from one GROUP BY over the mailing's deliveries."""
    status = col(Delivery.status)
    waiting = status.in_((DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED))
    held = (case((and_(waiting, col(Delivery.next_attempt_at) >= lift), 1), else_=0) if lift is not None and lift > now
            else literal(0, Integer))
    reason = case((status == DeliveryStatus.FAILED, failure_class(col(Delivery.smtp_code), col(Delivery.last_error))),
                  else_=literal(""))
    accepted = case((col(Delivery.sent_at).is_not(None), 1), else_=0)
    # The row's classes are worked out in a subquery and grouped by its columns: grouping by the
    # expressions themselves would repeat their parameters, which PostgreSQL does not match up.
    rows_of = select(
        func.coalesce(col(Delivery.list_id), 0).label("list_id"), col(Delivery.language).label("language"),
        status.label("status"), col(Delivery.bounce).label("bounce"), reason.label("reason"),
        accepted.label("accepted"), held.label("held"),
    ).where(col(Delivery.distribution_id) == distribution_id).subquery()
    keys = [rows_of.c[name] for name in ("list_id", "language", "status", "bounce", "reason", "accepted", "held")]
    rows = session.execute(select(*keys, func.count()).group_by(*keys)).all()
    lists: dict[int, Counts] = {}
    languages: dict[str, Counts] = {}
    for list_id, language, state, bounce, why, was_accepted, is_held, number in rows:
        for counts in (lists.setdefault(int(list_id), Counts()), languages.setdefault(str(language), Counts())):
            _count_row(counts, DeliveryStatus(state), str(bounce or ""), str(why or ""), bool(was_accepted),
                       bool(is_held), int(number))
    return lists, languages


def _count_row(counts: Counts, state: DeliveryStatus, bounce: str, reason: str, accepted: bool, held: bool,
               number: int) -> None:
    counts.recipients += number
    counts.accepted += number if accepted else 0
    if held:
        counts.held += number
    elif state in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING):
        counts.pending += number
    elif state is DeliveryStatus.DEFERRED:
        counts.deferred += number
    elif state is DeliveryStatus.FAILED:
        counts.failed += number
        counts.failed_by_reason[reason or "other"] += number
    elif state is DeliveryStatus.SKIPPED:
        counts.skipped += number
    if state is DeliveryStatus.BOUNCED:
        if bounce == "soft":
            counts.bounced_soft += number
        else:  # bounced before kinds were kept apart, with no kind on record: counted as hard
            counts.bounced_hard += number


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
    """First, last and percentiles of the accepted messages' delay, per phase, in one query: the
    database numbers the messages in time order and returns only the ranks asked for."""
    sent_at = col(Delivery.sent_at)
    phase = case((sent_at >= lift, literal(PHASES[1])), else_=literal(PHASES[0])) if lift else literal(PHASES[0])
    ranked = (
        select(phase.label("phase"), sent_at.label("sent_at"),
               func.row_number().over(partition_by=phase, order_by=sent_at).label("rn"),
               func.count().over(partition_by=phase).label("n"))
        .where(col(Delivery.distribution_id) == distribution_id, sent_at.is_not(None))
        .subquery()
    )
    wanted = or_(ranked.c.rn == 1, ranked.c.rn == ranked.c.n,
                 *[ranked.c.rn == _rank(p, ranked.c.n) for p in PERCENTILES])
    rows = session.execute(
        select(ranked.c.phase, ranked.c.rn, ranked.c.n, ranked.c.sent_at).where(wanted)
    ).all()
    by_phase: dict[str, tuple[int, dict[int, datetime]]] = {}
    for name, rank, total, moment in rows:
        entry = by_phase.setdefault(str(name), (int(total), {}))
        entry[1][int(rank)] = as_utc(moment)
    out = []
    for name in PHASES:
        if name not in by_phase:
            continue
        total, at = by_phase[name]
        since = origin if name == PHASES[0] else (lift or origin)

        def delay(rank: int, since: datetime = since, at: dict[int, datetime] = at) -> float:
            return round(max((at[rank] - since).total_seconds(), 0.0), 3)

        out.append(Timing(name, since, total, delay(1), delay(total),
                          *(delay(_rank(p, total)) for p in PERCENTILES)))
    return out


CSV_SCOPES = ("total", "list", "language")


def csv_rows(report: MailingReport | ReleaseReport) -> list[dict[str, Any]]:
    """The report as flat rows (scope, key, label and one column per figure) for CSV."""
    rows = [{"scope": "total", "key": "", "label": "", **report.totals.flat()}]
    rows += [{"scope": "list", "key": p.key, "label": p.label, **p.counts.flat()} for p in report.by_list]
    rows += [{"scope": "language", "key": p.key, "label": p.label, **p.counts.flat()} for p in report.by_language]
    return rows
