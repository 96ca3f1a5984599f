"""CSV import of subscribers onto a list: streamed, checked row by row, stored in bulk.

The file is what spreadsheets in Belgium export: UTF-8 with or without a byte order mark,
UTF-16, or Windows-1252 from Excel (`import_file` detects which, and the report says), separated
by `;`, `,` or tabs, with a header naming the columns `email`, `name`, `language`, `organisation`
and `topics` in nl, fr, en or de (`E-mail;Naam;Taal;Organisatie`), in any order and any case;
only `email` is required. A column the alias table does not know is mapped by the caller
(`mapping`, or `ask` for each one) or ignored and listed in the report. Languages may be codes or
names ("FR-be", "Nederlands", "français").

Every bad row is reported with its line number, the column and the reason (an address the
mail relay cannot deliver to, such as one with a non-ASCII part before the @, is such a row),
and the good rows are imported; only a file that cannot be read as a whole (no header, a header
that is not text, no email column, a mapping naming a column it lacks, no rows after the header)
is refused with InvalidInput, with nothing stored.

Importing adds and never takes away: a subscription that already exists keeps its status — in
particular, someone who unsubscribed stays unsubscribed — and suppressed addresses are skipped.
A subscriber who already exists keeps their details and topics (they may have changed them on
the preferences page since) unless `update` is asked: then the name, language and organisation
the file gives (non-empty cells) replace theirs, one `subscriber.updated` event each; consent
and subscriptions are never changed. Either way the report lists, per line, the details that
differ. Running the same file twice changes nothing the second time.

Rows are stored in chunks with multi-row `INSERT … ON CONFLICT DO NOTHING`, never one ORM
object per row; given a session factory, each chunk is its own transaction. A dry run does the
same work and rolls each chunk back, so its report is the real one and nothing is written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from uuid import uuid4

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from core.db import insert_ignoring, utcnow
from core.errors import InvalidInput
from core.outbox import OutboxEvent
from core.settings import get_settings
from subscribers.errors import AddressSuppressed, UnusableRow
from subscribers.import_file import FIELDS, IGNORE, UTF8_BOM, DecodedLines, field_of, header_key
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
from subscribers.sessions import Database, SessionFactory, transaction
from subscribers.subscriptions import CONFIRM_MAIL, REQUESTED_EVENT, new_nonce
from subscribers.suppression import suppressed_hashes
from subscribers.validation import (
    address_hash,
    check_language,
    check_line,
    normalise_email,
    split_topics,
)

# What `exporting` puts before a cell that a spreadsheet would run as a formula.
_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")
_DELIMITERS = (";", ",", "\t")
_QUOTED = re.compile(r'"[^"]*"')
DETAILS = ("name", "language", "organisation")  # what `update` may change, never consent
UPDATED_EVENT = "subscriber.updated"

Ask = Callable[[str, list[str]], str]
"""Asked for each column the alias table does not know, with the fields still free: returns
one of them or `IGNORE`."""

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
        # Kept for the report, an error must not keep its traceback and the error it replaced:
        # their frames would cost kilobytes per row, gigabytes for a file of bad rows.
        error.__context__ = None
        error = error.with_traceback(None)
        return cls(line, error.message if isinstance(error, InvalidInput) else str(error), error)

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    """A row that passed every check, with its values normalised; `given` names the details
    whose cells were not empty (an empty cell never overwrites what is held)."""

    line: int
    email: str
    email_hash: str
    name: str
    language: str
    organisation: str
    topics: tuple[str, ...]
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DetailChange:
    """An existing subscriber whose details differ from the file's: (field, held, in the file)
    for each, and whether the import changed them (`update`) or only says so."""

    line: int
    email: str
    fields: tuple[tuple[str, str, str], ...]
    applied: bool

    def __str__(self) -> str:
        said = "; ".join(f"{name} {old!r} → {new!r}" for name, old, new in self.fields)
        return f"line {self.line}: {self.email}: {said}" + ("" if self.applied else " (not changed)")


@dataclass
class ImportReport:
    """What an import did. `rows` counts data rows (blank lines aside) and equals the sum of
    the created, already present, unsubscribed, suppressed and rejected rows."""

    list_slug: str
    confirmed: bool
    delimiter: str = ","
    encoding: str = "UTF-8"
    columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    update: bool = False
    dry_run: bool = False
    rows: int = 0
    subscribers_created: int = 0
    subscriptions_created: int = 0
    already_on_list: int = 0
    left_unsubscribed: int = 0
    subscribers_updated: int = 0
    changes: list[DetailChange] = field(default_factory=list)
    suppressed: list[RowProblem] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "list": self.list_slug,
            "confirmed": self.confirmed,
            "delimiter": self.delimiter,
            "encoding": self.encoding,
            "columns": self.columns,
            "headers": self.headers,
            "ignored_columns": self.ignored_columns,
            "unknown_columns": self.unknown_columns,
            "update": self.update,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "subscribers_created": self.subscribers_created,
            "subscriptions_created": self.subscriptions_created,
            "already_on_list": self.already_on_list,
            "left_unsubscribed": self.left_unsubscribed,
            "subscribers_updated": self.subscribers_updated,
            "changes": [
                {"line": c.line, "email": c.email, "applied": c.applied,
                 "fields": {name: {"held": old, "file": new} for name, old, new in c.fields}}
                for c in self.changes
            ],
            "suppressed": [{"line": p.line, "reason": p.reason} for p in self.suppressed],
            "rejected": [{"line": p.line, "reason": p.reason} for p in self.rejected],
        }


class SubscriberCsv:
    """The rows of a subscriber CSV, each a SubscriberRow or a RowProblem, read lazily.

    Reading the header happens on construction and raises InvalidInput if the file is
    unusable. `mapping` ({column name: field or "ignore"}) comes before the alias table; `ask`
    is called for each column neither knows. Duplicates (any spelling of an address already
    accepted on an earlier line) are problems; remembering the addresses seen costs about 100
    bytes per row.
    """

    def __init__(
        self,
        stream: IO[bytes],
        *,
        default_language: str | None = None,
        check_dns: bool = False,
        name: str = "file",
        mapping: Mapping[str, str] | None = None,
        ask: Ask | None = None,
    ) -> None:
        self.name = name
        self.default_language = default_language
        self.check_dns = check_dns
        self._text = DecodedLines(stream)
        if self._text.workbook:
            raise UnusableRow("workbook", f"{name}: this is a spreadsheet workbook, not CSV: save it as "
                                          "'CSV UTF-8' and import that file")
        self._seen: dict[str, int] = {}
        lines = iter(self._text)
        first = next((line for line in lines if line.strip()), None)
        if first is None:
            raise InvalidInput(name, "the file is empty")
        self.header_line = self._text.lines_read
        unquoted = _QUOTED.sub("", first)  # a column name in quotes may hold another separator
        self.delimiter = max(_DELIMITERS, key=unquoted.count) if any(d in unquoted for d in _DELIMITERS) else ","
        self._reader = csv.reader(_prepend(first, lines), delimiter=self.delimiter)
        try:
            header = next(self._reader)
        except csv.Error as exc:
            raise InvalidInput(name, f"line {self.header_line}: unreadable header: {exc}") from None
        self._end = self._text.lines_read
        unreadable = self._encoding_problem(self.header_line)
        if unreadable is not None:  # its column names would be read wrong, and so would every row
            raise UnusableRow(unreadable.problem, f"{name}: line {self.header_line}: the header is "
                              f"{unreadable.message}", **unreadable.values)
        self._map_columns([cell.strip() for cell in header], mapping or {}, ask)
        self._width = len(header)

    def _map_columns(self, header: list[str], mapping: Mapping[str, str], ask: Ask | None) -> None:
        self.columns: list[str] = []
        self.headers: dict[str, str] = {}
        self.ignored_columns: list[str] = []
        self.unknown_columns: list[str] = []
        self._index: dict[str, int] = {}
        wanted = {header_key(label): target for label, target in mapping.items()}
        missing = [label for label in mapping if header_key(label) not in {header_key(h) for h in header}]
        if missing:
            found = ", ".join(repr(h) for h in header)
            raise InvalidInput("map", f"no column {missing[0]!r} in the header of {self.name} (found {found})")
        # A field a known column holds, even further on, is no answer to offer for another.
        claimed = {wanted.get(header_key(label)) or field_of(label) for label in header}
        for position, label in enumerate(header):
            column = wanted.get(header_key(label)) or field_of(label)
            if column is None and label and ask is not None:
                column = ask(label, [f for f in FIELDS if f not in self._index and f not in claimed])
            if column is None or column == IGNORE:
                self.ignored_columns.append(label)
                if column is None and label:
                    self.unknown_columns.append(label)
            elif column in self._index:
                raise InvalidInput(
                    self.name,
                    f"the column {column!r} appears twice in the header ({self.headers[column]!r} and "
                    f"{label!r}); map one of them to 'ignore'",
                )
            else:
                self._index[column] = position
                self.columns.append(column)
                self.headers[column] = label
        if "email" not in self._index:
            found = ", ".join(repr(h) for h in header) or "nothing"
            raise InvalidInput(
                self.name,
                f"line {self.header_line}: the header has no 'email' column (found {found}; "
                f"separator {self.delimiter!r}, encoding {self._text.encoding})",
            )

    @property
    def bytes_read(self) -> int:
        return self._text.bytes_read

    @property
    def encoding(self) -> str:
        """The text encoding detected so far (final once every row has been read)."""
        return self._text.encoding

    def __iter__(self) -> Iterator[SubscriberRow | RowProblem]:
        while True:
            start = self._end + 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._end = self._text.lines_read
                yield RowProblem.of(start, UnusableRow("unreadable_csv", f"{self._span(start)}unreadable CSV: {exc}"))
                continue
            self._end = self._text.lines_read
            if not any(cell.strip() for cell in cells):
                continue
            yield self._check(start, cells)

    def _span(self, start: int) -> str:
        return f"(lines {start}-{self._end}) " if self._end > start else ""

    def _encoding_problem(self, line: int) -> UnusableRow | None:
        """Why the lines from `line` to the last one read are not text, or None if they are."""
        bad = self._text.bad_lines
        if not (bad and any(n in bad for n in range(line, self._end + 1))):
            return None
        encoding = self._text.encoding
        if encoding == UTF8_BOM:
            return UnusableRow("not_utf8", "not valid UTF-8 text (save the file as 'CSV UTF-8')")
        if not encoding.startswith("UTF-16"):
            encoding = "UTF-8 or cp1252"
        return UnusableRow("not_text", f"not valid {encoding} text", encoding=encoding)

    def _check(self, line: int, cells: list[str]) -> SubscriberRow | RowProblem:
        unreadable = self._encoding_problem(line)
        if unreadable is not None:
            return RowProblem.of(line, unreadable)
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
            raw_language = cell("language")
            language = check_language(raw_language, self.default_language)
            organisation = check_line(cell("organisation"), "organisation")
            topics = tuple(split_topics(cell("topics")))
        except InvalidInput as exc:  # the message starts with the column: "email: …", "topics: …"
            return RowProblem.of(line, exc)
        first = self._seen.setdefault(email, line)
        if first != line:
            return RowProblem.of(line, UnusableRow("duplicate", f"duplicate of line {first} ({email})",
                                                   first=first, email=email))
        given = frozenset(column for column, value in zip(DETAILS, (name, raw_language, organisation)) if value)
        return SubscriberRow(line, email, address_hash(email), name, language, organisation, topics, given)


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
    mapping: Mapping[str, str] | None = None,
    ask: Ask | None = None,
    update_details: bool = False,
    dry_run: bool = False,
    chunk_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import a subscriber CSV (a binary stream) onto a list; returns what happened.

    Without `confirmed`, new subscriptions are pending and each gets a confirmation mail
    (a `subscription.requested` event); with it, the importer asserts that the people
    consented and they are confirmed at once. `update_details` lets the file's name, language
    and organisation replace those of people already held; `dry_run` reports the same and
    writes nothing. `progress` is called with the bytes read so far after each chunk. Raises
    ListNotFound, or InvalidInput if the file or the mapping is unusable.
    """
    moment = now or utcnow()
    with transaction(db) as session:
        mailing_list = get_list(session, list_slug)
        target = _Target(
            list_id=id_of(mailing_list),
            slug=mailing_list.slug,
            confirmed=confirmed,
            update=update_details,
            source=f"import {source_name}".strip()[:60],
            text_version=(text_version or get_settings().consent_text_version)[:40],
            moment=moment,
        )
    rows = SubscriberCsv(
        stream,
        default_language=mailing_list.default_language,
        check_dns=check_dns,
        name=source_name or "file",
        mapping=mapping,
        ask=ask,
    )
    report = ImportReport(
        list_slug=mailing_list.slug,
        confirmed=confirmed,
        delimiter=rows.delimiter,
        columns=rows.columns,
        headers=rows.headers,
        ignored_columns=rows.ignored_columns,
        unknown_columns=rows.unknown_columns,
        update=update_details,
        dry_run=dry_run,
    )
    _load(_rolled_back(db) if dry_run else db, rows, target, report, chunk_size, progress)
    report.encoding = rows.encoding
    if not report.rows:  # nothing was stored: a success that did nothing would go unnoticed
        raise UnusableRow("no_rows", f"{rows.name}: line {rows.header_line}: the header is the only line: "
                          "there are no rows to import")
    return report


def _rolled_back(db: Database) -> SessionFactory:
    """Transactions that are rolled back: a dry run stores each chunk as the import would and
    undoes it. The chunks hold different addresses, so none depends on another's rows, and no
    transaction outlives its chunk (on SQLite a transaction holds the write lock)."""

    @contextmanager
    def scope() -> Iterator[Session]:
        with transaction(db) as session:
            savepoint = session.begin_nested()
            try:
                yield session
            finally:
                savepoint.rollback()

    return scope


def _load(db: Database, rows: SubscriberCsv, target: _Target, report: ImportReport, chunk_size: int,
          progress: Callable[[int], None] | None) -> None:
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


@dataclass(frozen=True)
class _Target:
    list_id: int
    slug: str
    confirmed: bool
    update: bool
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

    held = _held_details(session, [row.email for row in rows])
    ids = {email: details[0] for email, details in held.items()}
    _compare_details(session, [row for row in rows if row.email in held], held, target, report)
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
        _emit(session, target.moment, REQUESTED_EVENT, [
            (subscription_id, {"subscription_id": subscription_id, "subscriber_id": subscriber_id,
                               "list": target.slug, "kind": CONFIRM_MAIL, "source": target.source})
            for subscription_id, subscriber_id in new_subscriptions
        ])


_Held = tuple[int, dict[str, str]]


def _held_details(session: Session, emails: list[str]) -> dict[str, _Held]:
    """Subscribers already held, by address: their id and current name, language, organisation."""
    rows = session.execute(
        select(_subscriber.c.email, _subscriber.c.id, *(_subscriber.c[name] for name in DETAILS))
        .where(_subscriber.c.email.in_(emails))
    ).all()
    return {row[0]: (int(row[1]), {name: row[2 + i] or "" for i, name in enumerate(DETAILS)}) for row in rows}


def _compare_details(session: Session, rows: list[SubscriberRow], held: dict[str, _Held], target: _Target,
                     report: ImportReport) -> None:
    """Report the details in the file that differ from those held; with `update`, change them
    (consent and subscriptions are not details: they are never touched here)."""
    changed: list[tuple[int, SubscriberRow, dict[str, str], list[str]]] = []
    for row in rows:
        subscriber_id, current = held[row.email]
        fields = [name for name in DETAILS if name in row.given and getattr(row, name) != current[name]]
        if not fields:
            continue
        report.changes.append(DetailChange(
            row.line, row.email, tuple((name, current[name], str(getattr(row, name))) for name in fields),
            applied=target.update,
        ))
        changed.append((subscriber_id, row, current, fields))
    if not target.update or not changed:
        return
    session.execute(
        update(_subscriber).where(_subscriber.c.id == bindparam("subscriber_id")).values(
            name=bindparam("new_name"), language=bindparam("new_language"),
            organisation=bindparam("new_organisation"), updated_at=target.moment,
        ),
        [
            {"subscriber_id": subscriber_id,
             **{f"new_{name}": getattr(row, name) if name in fields else current[name] for name in DETAILS}}
            for subscriber_id, row, current, fields in changed
        ],
    )
    report.subscribers_updated += len(changed)
    _emit(session, target.moment, UPDATED_EVENT, [
        (subscriber_id, {"subscriber_id": subscriber_id, "changed": fields, "source": target.source})
        for subscriber_id, _, _, fields in changed
    ])


def _subscriber_ids(session: Session, emails: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(_subscriber.c.email, _subscriber.c.id).where(_subscriber.c.email.in_(emails))
    ).all()
    return {email: subscriber_id for email, subscriber_id in rows}


def _emit(session: Session, moment: datetime, name: str, events: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """`core.outbox.emit` of one event per (subject id, payload), as a single executemany: an
    ORM object per event would double the time of a large import."""
    session.execute(
        insert(_outbox),
        [
            {
                "id": uuid4().hex,
                "name": name,
                "subject_id": subject_id,
                "payload": payload,
                "created_at": moment,
                "dispatched_at": None,
                "dispatch_count": 0,
                "handled_at": None,
            }
            for subject_id, payload in events
        ],
    )
