"""CSV import of subscribers onto a list: streamed, checked row by row, stored in bulk.

The file is what spreadsheets in Belgium export: UTF-8 with or without a byte order mark,
separated by `;` or `,` (or tabs), with a header naming the columns `email`, `name`,
`language`, `organisation` and `topics` in any order and any case; only `email` is required.

Every bad row is reported with its line number, the column and the reason (an address the
mail relay cannot deliver to, such as one with a non-ASCII part before the @, is such a row),
and the good rows are imported; only a file that cannot be read as a whole (no header, no email column, UTF-16) is
refused with InvalidInput before anything is stored.

Importing is insert-only and therefore idempotent: a subscriber who already exists keeps their
details and topics (they may have changed them on the preferences page since), a subscription
that already exists keeps its status — in particular, someone who unsubscribed stays
unsubscribed — and suppressed addresses are skipped. Running the same file twice changes
nothing the second time.

Rows are stored in chunks with multi-row `INSERT … ON CONFLICT DO NOTHING`, never one ORM
object per row; given a session factory, each chunk is its own transaction.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from uuid import uuid4

from sqlalchemy import insert, select
from sqlmodel import Session

from core.db import insert_ignoring, utcnow
from core.errors import InvalidInput
from core.outbox import OutboxEvent
from core.settings import get_settings
from subscribers.errors import AddressSuppressed, UnusableRow
from subscribers.lists import get_list
from subscribers.models import (
    ConsentAction,
    ConsentRecord,
    Frequency,
    Subscriber,
    SubscriberStatus,
    SubscriberTopic,
    Subscription,
    SubscriptionStatus,
    id_of,
)
from subscribers.sessions import Database, transaction
from subscribers.subscriptions import CONFIRM_MAIL, REQUESTED_EVENT, new_nonce
from subscribers.suppression import suppressed_hashes
from subscribers.validation import (
    address_hash,
    check_language,
    check_line,
    normalise_email,
    split_topics,
)

COLUMNS = {
    "email": "email",
    "e-mail": "email",
    "name": "name",
    "language": "language",
    "organisation": "organisation",
    "organization": "organisation",
    "topics": "topics",
}
# What `exporting` puts before a cell that a spreadsheet would run as a formula.
_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")
_DELIMITERS = (";", ",", "\t")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_subscriber = Subscriber.__table__  # type: ignore[attr-defined]
_subscription = Subscription.__table__  # type: ignore[attr-defined]
_topic = SubscriberTopic.__table__  # type: ignore[attr-defined]
_consent = ConsentRecord.__table__  # type: ignore[attr-defined]
_outbox = OutboxEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RowProblem:
    """A row that was not imported, and why: `reason` in English for the CLI and the API, `error`
    for pages that say it in the reader's language."""

    line: int
    reason: str
    error: Exception | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, line: int, error: InvalidInput | AddressSuppressed) -> RowProblem:
        return cls(line, error.message if isinstance(error, InvalidInput) else str(error), error)

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    """A row that passed every check, with its values normalised."""

    line: int
    email: str
    email_hash: str
    name: str
    language: str
    organisation: str
    topics: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import did. `rows` counts data rows (blank lines aside) and equals the sum of
    the created, already present, unsubscribed, suppressed and rejected rows."""

    list_slug: str
    confirmed: bool
    delimiter: str = ","
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    subscribers_created: int = 0
    subscriptions_created: int = 0
    already_on_list: int = 0
    left_unsubscribed: int = 0
    suppressed: list[RowProblem] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "list": self.list_slug,
            "confirmed": self.confirmed,
            "delimiter": self.delimiter,
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
            "rows": self.rows,
            "subscribers_created": self.subscribers_created,
            "subscriptions_created": self.subscriptions_created,
            "already_on_list": self.already_on_list,
            "left_unsubscribed": self.left_unsubscribed,
            "suppressed": [{"line": p.line, "reason": p.reason} for p in self.suppressed],
            "rejected": [{"line": p.line, "reason": p.reason} for p in self.rejected],
        }


class SubscriberCsv:
    """The rows of a subscriber CSV, each a SubscriberRow or a RowProblem, read lazily.

    Reading the header happens on construction and raises InvalidInput if the file is
    unusable. Duplicates (any spelling of an address already accepted on an earlier line) are
    problems; remembering the addresses seen costs about 100 bytes per row.
    """

    def __init__(
        self,
        stream: IO[bytes],
        *,
        default_language: str | None = None,
        check_dns: bool = False,
        name: str = "file",
    ) -> None:
        self.name = name
        self.default_language = default_language
        self.check_dns = check_dns
        self.bytes_read = 0
        self._stream = stream
        self._lines_read = 0
        self._bad_lines: set[int] = set()
        self._seen: dict[str, int] = {}
        lines = self._decoded_lines()
        first = next((line for line in lines if line.strip()), None)
        if first is None:
            raise InvalidInput(name, "the file is empty")
        self._header_line = self._lines_read
        self.delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
        self._reader = csv.reader(_prepend(first, lines), delimiter=self.delimiter)
        try:
            header = next(self._reader)
        except csv.Error as exc:
            raise InvalidInput(name, f"line {self._header_line}: unreadable header: {exc}") from None
        self._end = self._lines_read
        self.columns: list[str] = []
        self.ignored_columns: list[str] = []
        self._index: dict[str, int] = {}
        for position, raw in enumerate(header):
            label = raw.strip().lower()
            column = COLUMNS.get(label)
            if column is None:
                self.ignored_columns.append(raw.strip())
            elif column in self._index:
                raise InvalidInput(name, f"the column {column!r} appears twice in the header")
            else:
                self._index[column] = position
                self.columns.append(column)
        if "email" not in self._index:
            found = ", ".join(repr(h.strip()) for h in header) or "nothing"
            raise InvalidInput(
                name,
                f"line {self._header_line}: the header has no 'email' column (found {found}; "
                f"separator {self.delimiter!r})",
            )
        self._width = len(header)

    def _decoded_lines(self) -> Iterator[str]:
        for raw in iter(self._stream.readline, b""):
            self._lines_read += 1
            self.bytes_read += len(raw)
            if self._lines_read == 1:
                if raw.startswith(_UTF16_BOMS):
                    raise InvalidInput(self.name, "the file is UTF-16; save it as 'CSV UTF-8'")
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self._bad_lines.add(self._lines_read)
                yield raw.decode("utf-8", errors="replace")

    def __iter__(self) -> Iterator[SubscriberRow | RowProblem]:
        while True:
            start = self._end + 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._end = self._lines_read
                yield RowProblem.of(start, UnusableRow("unreadable_csv", f"{self._span(start)}unreadable CSV: {exc}"))
                continue
            self._end = self._lines_read
            if not any(cell.strip() for cell in cells):
                continue
            yield self._check(start, cells)

    def _span(self, start: int) -> str:
        return f"(lines {start}-{self._end}) " if self._end > start else ""

    def _check(self, line: int, cells: list[str]) -> SubscriberRow | RowProblem:
        if self._bad_lines and any(n in self._bad_lines for n in range(line, self._end + 1)):
            return RowProblem.of(line, UnusableRow("not_utf8", "not valid UTF-8 text (save the file as 'CSV UTF-8')"))
        if self._end > line:
            return RowProblem.of(line, UnusableRow(
                "quote_runs_over",
                f"a quoted value runs over lines {line}-{self._end}; is a double quote missing or stray?",
                first=line, last=self._end,
            ))
        if len(cells) > self._width and any(c.strip() for c in cells[self._width :]):
            return RowProblem.of(line, UnusableRow("too_many_fields", f"{len(cells)} fields but the header has "
                                                   f"{self._width}", count=len(cells), width=self._width))

        def cell(column: str) -> str:
            position = self._index.get(column)
            if position is None or position >= len(cells):
                return ""
            value = cells[position].strip()
            return value[1:] if _NEUTRALISED.match(value) else value

        raw_email = cell("email")
        if not raw_email:
            return RowProblem.of(line, UnusableRow("no_email", "no e-mail address"))
        try:
            email = normalise_email(raw_email, check_dns=self.check_dns)
            name = check_line(cell("name"), "name")
            language = check_language(cell("language"), self.default_language)
            organisation = check_line(cell("organisation"), "organisation")
            topics = tuple(split_topics(cell("topics")))
        except InvalidInput as exc:  # the message starts with the column: "email: …", "topics: …"
            return RowProblem.of(line, exc)
        first = self._seen.setdefault(email, line)
        if first != line:
            return RowProblem.of(line, UnusableRow("duplicate", f"duplicate of line {first} ({email})",
                                                   first=first, email=email))
        return SubscriberRow(line, email, address_hash(email), name, language, organisation, topics)


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def import_csv(
    db: Database,
    stream: IO[bytes],
    list_slug: str,
    *,
    confirmed: bool = False,
    check_dns: bool = False,
    source_name: str = "",
    text_version: str | None = None,
    chunk_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import a subscriber CSV (a binary stream) onto a list; returns what happened.

    Without `confirmed`, new subscriptions are pending and each gets a confirmation mail
    (a `subscription.requested` event); with it, the importer asserts that the people
    consented and they are confirmed at once. `progress` is called with the bytes read so
    far after each chunk. Raises ListNotFound, or InvalidInput if the file is unusable.
    """
    moment = now or utcnow()
    with transaction(db) as session:
        mailing_list = get_list(session, list_slug)
        target = _Target(
            list_id=id_of(mailing_list),
            slug=mailing_list.slug,
            confirmed=confirmed,
            source=f"import {source_name}".strip()[:60],
            text_version=(text_version or get_settings().consent_text_version)[:40],
            moment=moment,
        )
    rows = SubscriberCsv(
        stream,
        default_language=mailing_list.default_language,
        check_dns=check_dns,
        name=source_name or "file",
    )
    report = ImportReport(
        list_slug=mailing_list.slug,
        confirmed=confirmed,
        delimiter=rows.delimiter,
        columns=rows.columns,
        ignored_columns=rows.ignored_columns,
    )
    chunk: list[SubscriberRow] = []
    for item in rows:
        report.rows += 1
        if isinstance(item, RowProblem):
            report.rejected.append(item)
            continue
        chunk.append(item)
        if len(chunk) >= chunk_size:
            with transaction(db) as session:
                _store(session, chunk, target, report)
            chunk = []
            if progress:
                progress(rows.bytes_read)
    if chunk:
        with transaction(db) as session:
            _store(session, chunk, target, report)
    if progress:
        progress(rows.bytes_read)
    return report


@dataclass(frozen=True)
class _Target:
    list_id: int
    slug: str
    confirmed: bool
    source: str
    text_version: str
    moment: datetime


def _store(session: Session, chunk: list[SubscriberRow], target: _Target, report: ImportReport) -> None:
    """Store one chunk: read what exists, insert what is missing, read back the new ids.

    The inserts are plain executemany calls (one small statement the driver prepares once),
    with ON CONFLICT DO NOTHING so that a concurrent sign-up of the same address is no error.
    """
    moment = target.moment
    suppressed = suppressed_hashes(session, (row.email_hash for row in chunk))
    rows: list[SubscriberRow] = []
    for row in chunk:
        reason = suppressed.get(row.email_hash)
        if reason is None:
            rows.append(row)
        else:
            report.suppressed.append(RowProblem(
                row.line, f"{row.email} is on the suppression list ({reason.value})",
                AddressSuppressed(row.email, reason.value),
            ))
    if not rows:
        return

    ids = _subscriber_ids(session, [row.email for row in rows])
    new_people = [row for row in rows if row.email not in ids]
    if new_people:
        session.execute(
            insert_ignoring(session, _subscriber),
            [
                {
                    "email": row.email,
                    "email_hash": row.email_hash,
                    "name": row.name,
                    "language": row.language,
                    "organisation": row.organisation,
                    "frequency": Frequency.IMMEDIATE,
                    "status": SubscriberStatus.ACTIVE,
                    "created_at": moment,
                    "updated_at": moment,
                    "erased_at": None,
                }
                for row in new_people
            ],
        )
        created = _subscriber_ids(session, [row.email for row in new_people])
        ids.update(created)
        report.subscribers_created += len(created)
        topics = [
            {"subscriber_id": created[row.email], "topic": topic}
            for row in new_people
            if row.email in created
            for topic in row.topics
        ]
        if topics:
            session.execute(insert_ignoring(session, _topic), topics)

    subscriber_ids = [ids[row.email] for row in rows if row.email in ids]
    existing = dict(
        session.execute(
            select(_subscription.c.subscriber_id, _subscription.c.status).where(
                _subscription.c.list_id == target.list_id,
                _subscription.c.subscriber_id.in_(subscriber_ids),
            )
        ).all()
    )
    for status in existing.values():
        if status is SubscriptionStatus.UNSUBSCRIBED:
            report.left_unsubscribed += 1
        else:
            report.already_on_list += 1
    joining = [i for i in subscriber_ids if i not in existing]
    if not joining:
        return
    status = SubscriptionStatus.CONFIRMED if target.confirmed else SubscriptionStatus.PENDING
    session.execute(
        insert_ignoring(session, _subscription),
        [
            {
                "subscriber_id": subscriber_id,
                "list_id": target.list_id,
                "status": status,
                "source": target.source,
                "confirm_nonce": None if target.confirmed else new_nonce(),
                "confirmation_sent_at": None if target.confirmed else moment,
                "confirmed_at": moment if target.confirmed else None,
                "unsubscribed_at": None,
                "created_at": moment,
                "updated_at": moment,
            }
            for subscriber_id in joining
        ],
    )
    # Only rows stamped with this import's time and source are ours (not a concurrent sign-up's).
    new_subscriptions = [
        (int(subscription_id), int(subscriber_id))
        for subscription_id, subscriber_id in session.execute(
            select(_subscription.c.id, _subscription.c.subscriber_id).where(
                _subscription.c.list_id == target.list_id,
                _subscription.c.subscriber_id.in_(joining),
                _subscription.c.created_at == moment,
                _subscription.c.source == target.source,
            )
        ).all()
    ]
    report.subscriptions_created += len(new_subscriptions)
    report.already_on_list += len(joining) - len(new_subscriptions)
    if not new_subscriptions:
        return
    action = ConsentAction.CONFIRMED if target.confirmed else ConsentAction.REQUESTED
    session.execute(
        insert_ignoring(session, _consent),
        [
            {
                "subscription_id": subscription_id,
                "action": action,
                "source": target.source,
                "at": moment,
                "ip": None,
                "text_version": target.text_version,
                "detail": "",
            }
            for subscription_id, _ in new_subscriptions
        ],
    )
    if not target.confirmed:
        _emit_requested(session, target, new_subscriptions)


def _subscriber_ids(session: Session, emails: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(_subscriber.c.email, _subscriber.c.id).where(_subscriber.c.email.in_(emails))
    ).all()
    return {email: subscriber_id for email, subscriber_id in rows}


def _emit_requested(
    session: Session, target: _Target, subscriptions: Sequence[tuple[int, int]]
) -> None:
    """`core.outbox.emit` of one `subscription.requested` per new subscription, as a single
    executemany: an ORM object per event would double the time of a large import."""
    session.execute(
        insert(_outbox),
        [
            {
                "id": uuid4().hex,
                "name": REQUESTED_EVENT,
                "subject_id": subscription_id,
                "payload": {
                    "subscription_id": subscription_id,
                    "subscriber_id": subscriber_id,
                    "list": target.slug,
                    "kind": CONFIRM_MAIL,
                    "source": target.source,
                },
                "created_at": target.moment,
                "dispatched_at": None,
                "dispatch_count": 0,
                "handled_at": None,
            }
            for subscription_id, subscriber_id in subscriptions
        ],
    )
