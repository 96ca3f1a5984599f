"""Import of files as people save them: Excel's cp1252, UTF-8 with a mark, UTF-16, column names
and languages in nl, fr, en and de; the alias table and the encodings, through `import_csv`."""

from __future__ import annotations

import codecs
import io
import time
import tracemalloc

import pytest
from sqlmodel import select

from core.db import session_scope
from core.errors import InvalidInput
from subscribers import create_list, import_csv
from subscribers.import_file import field_of, parse_mapping
from subscribers.importing import RowProblem, SubscriberCsv
from subscribers.models import Subscriber

DUTCH = (
    "E-mail;Naam;Taal;Organisatie\r\n"
    "jan@example.be;Jan Peeters;Nederlands;De Standaard\r\n"
    "élise@example.be;Élise Dubois;FR-be;Le Soir\r\n"  # a non-ASCII local part: refused per line
    "elise@example.be;Élise Dubois;FR-be;Le Soir\r\n"
    "francoise@example.be;Françoise Lefèvre;français;RTBF\r\n"
    "klaus@example.be;Klaus Müller;Klingonisch;ZDF\r\n"
)


@pytest.fixture
def journalists(sqlite_db: str) -> str:
    """A Dutch list on SQLite: how a file is read does not depend on the database."""
    with session_scope() as s:
        return create_list(s, "journalists", "Journalists", default_language="nl").slug


def _people() -> dict[str, tuple[str, str, str]]:
    with session_scope() as s:
        return {p.email: (p.name, p.language, p.organisation) for p in s.exec(select(Subscriber)).all() if p.email}


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (DUTCH.encode("cp1252"), "cp1252"),
        (codecs.BOM_UTF8 + DUTCH.encode(), "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE + DUTCH.encode("utf-16-le"), "UTF-16 LE with BOM"),
        (DUTCH.encode("utf-16-be"), "UTF-16 BE"),
        (DUTCH.encode(), "UTF-8"),
    ],
    ids=["excel-cp1252", "utf8-bom", "utf16le-bom", "utf16be", "utf8"],
)
def test_dutch_headers_language_names_and_each_encoding(journalists: str, data: bytes, encoding: str) -> None:
    report = import_csv(session_scope, io.BytesIO(data), "journalists", confirmed=True)
    assert report.encoding == encoding
    assert report.headers == {"email": "E-mail", "name": "Naam", "language": "Taal", "organisation": "Organisatie"}
    assert (report.unknown_columns, report.ignored_columns) == ([], [])
    assert [str(p) for p in report.rejected] == [
        ("line 3: email: 'élise@example.be' cannot be used: the part before @ contains non-ASCII characters (é); "
        "Pressroom's mail relay cannot deliver to such addresses"),
        ("line 6: language: 'Klingonisch' is not a language (a code such as nl or fr-BE, or a name such as "
        "Nederlands or français; this office uses nl, fr, en, de)"),
    ]
    assert _people() == {
        "jan@example.be": ("Jan Peeters", "nl", "De Standaard"),
        "elise@example.be": ("Élise Dubois", "fr", "Le Soir"),
        "francoise@example.be": ("Françoise Lefèvre", "fr", "RTBF"),
    }


def test_french_headers_with_commas_and_a_mixed_file(journalists: str) -> None:
    data = (
        "Adresse e-mail,Nom,Langue,Média,Fonction\n".encode()
        + "marie@example.be,Marie Dupont,néerlandais,La Libre,journaliste\n".encode()
        + "luc@example.be,Luc Hénin,Anglais,RTL,rédacteur\n".encode("cp1252")
    )
    report = import_csv(session_scope, io.BytesIO(data), journalists, confirmed=True)
    assert (report.encoding, report.delimiter, report.rejected) == ("UTF-8 and cp1252 (mixed)", ",", [])
    assert (report.unknown_columns, report.columns) == (["Fonction"], ["email", "name", "language", "organisation"])
    assert _people() == {"marie@example.be": ("Marie Dupont", "nl", "La Libre"), "luc@example.be": ("Luc Hénin", "en", "RTL")}


def test_the_alias_table_and_mappings() -> None:
    assert [field_of(h) for h in ("E-Mail-Adresse", "courriel", " NAAM ", "Sprache", "Médi-a", "Thema's", "Functie")] == [
        "email", "email", "name", "language", "organisation", "topics", None]
    assert parse_mapping(["Functie = ignore", "Wie=naam", "a=b=email"]) == {"Functie": "ignore", "Wie": "name", "a=b": "email"}
    with pytest.raises(InvalidInput, match="'Functie=title': 'title' is not one of email, name, language, organisation, topics, ignore"):
        parse_mapping(["Functie=title"])
    with pytest.raises(InvalidInput, match="is not COLUMN=FIELD"):
        parse_mapping(["name"])
    with pytest.raises(InvalidInput, match="'naam=name' and 'NAAM = ignore' both name the column 'NAAM'"):
        parse_mapping(["naam=name", "NAAM = ignore"])
    assert parse_mapping(["Wie=name", " wie =naam"]) == {"Wie": "name"}  # the same thing said twice


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["mac-cr", "windows-crlf"])
def test_lines_ended_by_carriage_returns_alone(journalists: str, newline: str) -> None:
    # Excel for Mac's "CSV (Macintosh)" ends lines with CR only; line numbers still count them.
    lines = ["E-mail;Naam", "jan@example.be;Jan", "not-an-address;X", 'piet@example.be;"Piet; de"',
             'eve@example.be;"Eve\nEvil"', "ann@example.be;Ann", ""]  # a line break within a cell is LF
    for data in (newline.join(lines).encode("cp1252"), codecs.BOM_UTF16_LE + newline.join(lines).encode("utf-16-le")):
        report = import_csv(session_scope, io.BytesIO(data), journalists, confirmed=True)
        assert [p.line for p in report.rejected] == [3, 5]
    assert _people() == {"jan@example.be": ("Jan", "nl", ""), "piet@example.be": ("Piet; de", "nl", ""),
                         "ann@example.be": ("Ann", "nl", "")}


def test_a_line_of_many_megabytes_is_one_rejected_row_read_in_linear_time(journalists: str) -> None:
    # Joining the pieces of a long line once, not at every chunk: 32 MB took minutes before.
    data = b"E-mail;Naam\n" + b"jan@example.be;" + b"x" * (32 << 20) + b"\npiet@example.be;Piet\n"
    started = time.monotonic()
    report = import_csv(session_scope, io.BytesIO(data), journalists, confirmed=True)
    assert time.monotonic() - started < 10
    assert [str(p) for p in report.rejected] == ["line 2: unreadable CSV: field larger than field limit (131072)"]
    assert list(_people()) == ["piet@example.be"]


def test_languages_named_with_their_region_as_windows_writes_them(journalists: str) -> None:
    data = ("E-mail;Taal\r\na@example.be;Nederlands (België)\r\nb@example.be;Français (Belgique)\r\n"
            "c@example.be;Deutsch (Belgien)\r\nd@example.be;English (United Kingdom)\r\ne@example.be;BE\r\n")
    report = import_csv(session_scope, io.BytesIO(data.encode("cp1252")), journalists, confirmed=True)
    assert [str(p) for p in report.rejected] == ["line 6: language: 'BE' is not one of nl, fr, en, de"]
    assert {email: language for email, (_, language, _) in _people().items()} == {
        "a@example.be": "nl", "b@example.be": "fr", "c@example.be": "de", "d@example.be": "en"}


def test_the_separator_is_counted_outside_quoted_column_names(journalists: str) -> None:
    data = 'E-mail,"Naam; voornaam; titel",Taal\r\njan@example.be,"Peeters; Jan; dr.",nl\r\n'
    report = import_csv(session_scope, io.BytesIO(data.encode()), journalists, confirmed=True,
                        mapping={"Naam; voornaam; titel": "name"})
    assert (report.delimiter, report.rejected) == (",", [])
    assert _people() == {"jan@example.be": ("Peeters; Jan; dr.", "nl", "")}


def test_a_file_of_bad_rows_keeps_under_a_kilobyte_and_a_half_per_row() -> None:
    # Every rejected row is kept for the report; with the traceback of its error (the frames of
    # every check it went through) it took 4 KB, gigabytes for a file of bad rows.
    data = "E-mail;Naam\n" + "".join(f"Jan {i} <jan{i}@example.be>;Jan\n" for i in range(2000))
    stream = io.BytesIO(data.encode())
    tracemalloc.start()
    try:
        problems = [row for row in SubscriberCsv(stream) if isinstance(row, RowProblem)]
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(problems) == 2000
    assert kept / 2000 < 1500
