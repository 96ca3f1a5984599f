"""CSV import: a messy spreadsheet export, the exact error report, idempotency, suppression."""

from __future__ import annotations

import io
import sqlite3

import pytest
from sqlalchemy import make_url
from sqlmodel import col, select

from core.db import session_scope
from core.errors import InvalidInput
from subscribers import (
    SubscriptionStatus,
    SuppressionReason,
    create_list,
    import_csv,
    personal_data,
    suppress,
    unsubscribe,
)
from subscribers.models import ConsentRecord, Subscriber, SubscriberTopic, Subscription
from tests.subscribers.conftest import confirmed, events

MESSY = (
    "\ufeffEMAIL;Name;Topics\r\n"  # BOM, semicolons, upper-case header, no language/organisation
    "jan.peeters@example.be;Jan Peeters;africa\r\n"
    "Jan.Peeters@Example.BE;Jan P.;\r\n"
    "marie@example.be\r\n"  # trailing fields missing
    "not-an-address;Nobody;\r\n"
    "\r\n"
    ";;\r\n"
    "piet@exa mple.be;Piet;\r\n"
    "ann@example.be;Ann;Foreign Policy!\r\n"
    '"bob@example.be";"Bob; the builder";trade, climate\r\n'
    "chris@example.be;Chris;trade;extra\r\n"
    'eve@example.be;"Eve\r\nEvil";\r\n'
    "dan@example.be;Dan".encode()
    + b"\xff;\r\n"
    + b"MARIE@EXAMPLE.BE;Marie again;\r\n"
    b"ivy@example.be;Ivy;;\r\n"
    b"@example.be;;\r\n"
    b"zoe@example;Zoe;\r\n"
)

EXPECTED_REJECTIONS = [
    "line 3: duplicate of line 2 (jan.peeters@example.be)",
    "line 5: email: 'not-an-address' is not a valid e-mail address: An email address must have an @-sign.",
    "line 8: email: 'piet@exa mple.be' is not a valid e-mail address: The part after the @-sign contains invalid characters: SPACE.",
    "line 9: topics: 'Policy!' is not a slug (lowercase letters, digits, dashes)",
    "line 11: 4 fields but the header has 3",
    "line 12: a quoted value runs over lines 12-13; is a double quote missing or stray?",
    "line 14: not valid UTF-8 text (save the file as 'CSV UTF-8')",
    "line 15: duplicate of line 4 (marie@example.be)",
    "line 17: email: '@example.be' is not a valid e-mail address: There must be something before the @-sign.",
    "line 18: email: 'zoe@example' is not a valid e-mail address: The part after the @-sign is not valid. It should have a period.",
]


def _import(data: bytes | str, slug: str = "journalists", **options: object):  # type: ignore[no-untyped-def]
    raw = data.encode() if isinstance(data, str) else data
    return import_csv(session_scope, io.BytesIO(raw), slug, chunk_size=3, **options)  # type: ignore[arg-type]


def _state() -> list[tuple[object, ...]]:
    with session_scope() as s:
        return [
            *s.exec(select(Subscriber.email, Subscriber.name, Subscriber.language, Subscriber.updated_at).order_by(col(Subscriber.email))).all(),
            *s.exec(select(Subscription.subscriber_id, Subscription.list_id, Subscription.status, Subscription.updated_at).order_by(col(Subscription.id))).all(),
            *s.exec(select(SubscriberTopic.subscriber_id, SubscriberTopic.topic).order_by(col(SubscriberTopic.subscriber_id), col(SubscriberTopic.topic))).all(),
            *s.exec(select(ConsentRecord.id, ConsentRecord.action)).all(),
        ]


def test_messy_csv_reports_every_bad_row_exactly_and_imports_the_rest(lists: dict[str, int]) -> None:
    report = _import(MESSY, confirmed=True)
    assert [str(p) for p in report.rejected] == EXPECTED_REJECTIONS
    assert (report.delimiter, report.columns, report.ignored_columns) == (";", ["email", "name", "topics"], [])
    assert report.rows == 14  # 16 data lines, two of them blank
    assert (report.subscribers_created, report.subscriptions_created, report.already_on_list) == (4, 4, 0)
    with session_scope() as s:
        people = {p.email: p for p in s.exec(select(Subscriber)).all()}
        assert set(people) == {"jan.peeters@example.be", "marie@example.be", "bob@example.be", "ivy@example.be"}
        assert people["bob@example.be"].name == "Bob; the builder"
        assert {p.language for p in people.values()} == {"nl"}  # the list's default
        bob = personal_data(s, "bob@example.be")["subscriber"]
    assert bob["topics"] == ["climate", "trade"]
    assert bob["subscriptions"][0]["status"] == "confirmed"
    assert [c["action"] for c in bob["subscriptions"][0]["consent"]] == ["confirmed"]


def test_importing_twice_changes_nothing(lists: dict[str, int]) -> None:
    first = _import(MESSY, confirmed=True)
    before = _state()
    second = _import(MESSY, confirmed=True)
    assert _state() == before
    assert (second.subscribers_created, second.subscriptions_created) == (0, 0)
    assert second.already_on_list == first.subscriptions_created
    assert [str(p) for p in second.rejected] == EXPECTED_REJECTIONS


def test_existing_people_keep_their_details_and_unsubscribed_stay_unsubscribed(lists: dict[str, int]) -> None:
    confirmed("jan@example.be", ["public"], name="Jan Peeters", language="fr")
    confirmed("marie@example.be", ["journalists"])
    with session_scope() as s:
        marie = s.exec(select(Subscriber).where(Subscriber.email == "marie@example.be")).one()
        unsubscribe(s, marie, source="test")
    report = _import(
        "email,name,language,topics\nJAN@example.be,Someone Else,de,africa\nmarie@example.be,Marie,fr,\n",
        confirmed=True,
    )
    assert (report.delimiter, report.subscribers_created, report.subscriptions_created) == (",", 0, 1)
    assert report.left_unsubscribed == 1
    with session_scope() as s:
        jan = personal_data(s, "jan@example.be")["subscriber"]
        marie_subs = personal_data(s, "marie@example.be")["subscriber"]["subscriptions"]
    assert (jan["name"], jan["language"], jan["topics"]) == ("Jan Peeters", "fr", [])
    assert {x["list"]: x["status"] for x in jan["subscriptions"]} == {"journalists": "confirmed", "public": "confirmed"}
    assert marie_subs[0]["status"] == "unsubscribed"


def test_suppressed_addresses_are_skipped_whatever_their_spelling(lists: dict[str, int]) -> None:
    with session_scope() as s:
        suppress(s, "jan@example.be", SuppressionReason.HARD_BOUNCE)
    report = _import("Email\nok@example.be\nJAN@Example.BE\n", slug="diplomats", confirmed=True)
    assert [str(p) for p in report.suppressed] == ["line 3: jan@example.be is on the suppression list (hard_bounce)"]
    assert report.subscriptions_created == 1 and report.rejected == []
    with session_scope() as s:
        assert s.exec(select(Subscriber.email)).all() == ["ok@example.be"]


def test_import_without_confirmed_is_double_opt_in(lists: dict[str, int]) -> None:
    report = _import("email\na@example.be\nb@example.be\nc@example.be\nd@example.be\n")
    assert report.subscriptions_created == 4
    with session_scope() as s:
        statuses = set(s.exec(select(Subscription.status)).all())
        requested = events(s, "subscription.requested")
        ids = {sid for sid in s.exec(select(Subscription.id)).all()}
    assert statuses == {SubscriptionStatus.PENDING}
    assert {e.payload["subscription_id"] for e in requested} == ids
    assert {e.payload["kind"] for e in requested} == {"confirm"}
    _import("email\na@example.be\nb@example.be\nc@example.be\nd@example.be\n")
    with session_scope() as s:
        assert len(events(s, "subscription.requested")) == 4  # no second round of mails


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("name;language\nJan;nl\n", "no 'email' column"),
        ("email;e-mail\na@example.be;b@example.be\n", "appears twice"),
        ("Naam;Functie\nJan;chef\n", "no 'email' column .*found 'Naam', 'Functie'"),
        ("E-mail;Naam\r\n", "line 1: the header is the only line: there are no rows to import"),
        ("\n\nE-mail;Naam\n;\n\n", "line 3: the header is the only line"),
        # A header that is not text in the declared encoding: its columns would be guessed wrong.
        (b"\xef\xbb\xbfE-mail;Soci\xe9t\xe9\njan@example.be;Le Soir\n", "line 1: the header is not valid UTF-8 text"),
        (b"E-mail;Na\x81m\njan@example.be;Jan\n", "line 1: the header is not valid UTF-8 or cp1252 text"),
        # The workbook itself rather than a CSV saved from it (.xlsx and .ods are zip files, .xls OLE).
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00[Content_Types].xml", "this is a spreadsheet workbook, not CSV: save it as .CSV UTF-8."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "this is a spreadsheet workbook, not CSV: save it as .CSV UTF-8."),
    ],
)
def test_unusable_files_are_refused_before_anything_is_stored(lists: dict[str, int], data: str | bytes, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        _import(data)
    with session_scope() as s:
        assert s.exec(select(Subscriber)).all() == []


def test_comma_file_with_quoted_commas_aliases_and_extra_columns(lists: dict[str, int]) -> None:
    report = _import(
        'E-mail,Organization,Phone,Language,Topics\r\n'
        '"dupont@lesoir.be","Le Soir, Bruxelles",+32 2 000 00 00,FR-be,"africa,trade"\r\n'
        "'=x@example.be,'-Org,,,\r\n",
    )
    assert report.rejected == [] and report.ignored_columns == ["Phone"]
    with session_scope() as s:
        dupont = personal_data(s, "dupont@lesoir.be")["subscriber"]
        neutralised = personal_data(s, "=x@example.be")["subscriber"]
    assert (dupont["organisation"], dupont["language"], dupont["topics"]) == ("Le Soir, Bruxelles", "fr", ["africa", "trade"])
    assert neutralised["organisation"] == "-Org"  # the export's formula guard is undone


def test_a_dry_run_never_holds_the_database_longer_than_a_chunk(sqlite_db: str) -> None:
    # On SQLite a transaction holds the write lock: one dry run over a whole file would stall
    # every sign-up for as long as it reads. Between chunks, another writer must get in at once.
    with session_scope() as s:
        create_list(s, "journalists", "Journalists")
    between: list[str] = []

    def write_elsewhere(done: int) -> None:
        other = sqlite3.connect(make_url(sqlite_db).database or "", timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            between.append("written")
        except sqlite3.OperationalError as exc:
            between.append(str(exc))
        finally:
            other.close()

    data = "email\n" + "".join(f"p{i}@example.be\n" for i in range(7))
    report = _import(data, dry_run=True, progress=write_elsewhere)
    assert (report.subscribers_created, report.subscriptions_created) == (7, 7)
    assert between == ["written"] * 3  # after the two full chunks of 3, and at the end
    with session_scope() as s:
        assert s.exec(select(Subscriber)).all() == []
