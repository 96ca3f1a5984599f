"""Reading a subscriber file as people save it: its text encoding and its column names.

Encodings, detected without being told:
- a byte order mark declares UTF-8 or UTF-16 (LE/BE); UTF-16 without one is recognised by its
  zero bytes (every other byte of Latin text);
- otherwise each line is read as UTF-8, and a line that is not valid UTF-8 as Windows-1252,
  which is what Excel's "CSV (semicolon)" writes in Belgium: such a file is reported as cp1252
  (or as mixed, if some other lines were UTF-8 with accents). A file with a UTF-8 mark gets no
  such second chance: its bad lines are corrupt, not another encoding.

Lines end in LF or CRLF, or in CR alone (Excel for Mac's "CSV (Macintosh)") when the start of
the file holds no CRLF and more carriage returns than line feeds.

Column names are matched in nl, fr, en and de, ignoring case, accents, spaces and dashes, from
one table (`HEADER_ALIASES`); a name not in it is an unknown column that the importer maps
(`--map "Functie=organisation"`) or ignores.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import IO, AnyStr

from core.errors import InvalidInput
from subscribers.validation import fold

FIELDS = ("email", "name", "language", "organisation", "topics")
IGNORE = "ignore"  # the target that says "leave this column out" in a mapping

# Every name a spreadsheet in nl, fr, en or de gives a column, per field; compared normalised.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "e-mail", "mail", "e-mailadres", "emailadres", "mailadres", "courriel",
        "adresse e-mail", "adresse mail", "adresse électronique", "e-mail address",
        "email address", "E-Mail-Adresse", "Mailadresse",
    ),
    "name": (
        "name", "naam", "nom", "volledige naam", "nom complet", "full name", "vollständiger Name",
        "contactpersoon", "personne de contact", "Ansprechpartner",
    ),
    "language": (
        "language", "taal", "langue", "Sprache", "lang", "voorkeurtaal", "langue préférée",
        "preferred language", "bevorzugte Sprache",
    ),
    "organisation": (
        "organisation", "organization", "organisatie", "org", "medium", "media", "média",
        "redactie", "rédaction", "Redaktion", "krant", "journal", "newspaper", "Zeitung",
        "bedrijf", "entreprise", "company", "Unternehmen", "Firma", "société", "employer",
        "werkgever", "employeur", "Arbeitgeber",
    ),
    "topics": (
        "topics", "topic", "onderwerpen", "onderwerp", "thema's", "themas", "sujets", "thèmes",
        "Themen", "interests", "interesses", "intérêts", "Interessen",
    ),
}

# How the workbooks people upload instead of a CSV saved from them begin: .xlsx and .ods are zip
# files, .xls an OLE compound file.
_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 with BOM"  # declared: a line that is not UTF-8 is corrupt, not cp1252
_CP1252 = "cp1252"
_CHUNK = 1 << 16


def header_key(label: str) -> str:
    """A column name compared as people mean it: no case, accents, spaces, dashes or dots."""
    return fold(label)


_FIELD_OF = {header_key(alias): field for field, aliases in HEADER_ALIASES.items() for alias in aliases}


def field_of(label: str) -> str | None:
    """The field a column name means, or None if the table does not know it."""
    return _FIELD_OF.get(header_key(label))


def parse_mapping(pairs: Iterable[str], option: str = "map") -> dict[str, str]:
    """`["Naam=name", "Functie=ignore"]` as {column name: field or IGNORE}; raises InvalidInput
    naming the pair and the fields it may name, or two pairs giving one column two fields."""
    mapping: dict[str, str] = {}
    said: dict[str, tuple[str, str]] = {}  # column compared as people mean it → (pair, field)
    choices = ", ".join((*FIELDS, IGNORE))
    for pair in pairs:
        header, sep, target = pair.rpartition("=")
        field = target.strip().lower()
        if not sep or not header_key(header):
            raise InvalidInput(option, f"{pair!r} is not COLUMN=FIELD (FIELD one of {choices})")
        if field not in (*FIELDS, IGNORE):
            field = field_of(field) or field
        if field not in (*FIELDS, IGNORE):
            raise InvalidInput(option, f"{pair!r}: {target.strip()!r} is not one of {choices}")
        earlier, earlier_field = said.setdefault(header_key(header), (pair, field))
        if earlier_field != field:
            raise InvalidInput(option, f"{earlier!r} and {pair!r} both name the column {header.strip()!r}")
        if earlier == pair:
            mapping[header.strip()] = field
    return mapping


class DecodedLines:
    """The lines of a byte stream as text, read lazily, with the encoding they turned out to be in.

    `encoding` is final once every line has been read; `bad_lines` holds the numbers of lines
    that no candidate encoding could read, and `bytes_read` serves progress bars. `workbook`
    says that the stream is a spreadsheet workbook, not text.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.bytes_read = 0
        self.lines_read = 0
        self.bad_lines: set[int] = set()
        self._stream = stream
        self._head = stream.read(_CHUNK)
        self.workbook = self._head.startswith(_WORKBOOKS)
        self._declared = ""
        self._utf16 = ""
        self._cp1252_lines = 0
        self._utf8_lines = 0  # lines with non-ASCII text that were valid UTF-8
        for bom, codec, label in (
            (codecs.BOM_UTF8, "", UTF8_BOM),
            (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE with BOM"),
            (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE with BOM"),
        ):
            if self._head.startswith(bom):
                self._head = self._head[len(bom):]
                self.bytes_read += len(bom)
                self._declared, self._utf16 = label, codec
                break
        else:
            self._utf16 = _utf16_without_bom(self._head)
            if self._utf16:
                self._declared = f"UTF-16 {self._utf16[-2:].upper()}"
        cr, lf = ("\r".encode(self._utf16), "\n".encode(self._utf16)) if self._utf16 else (b"\r", b"\n")
        # Excel for Mac ends lines with CR alone, and breaks lines within a cell with LF.
        only_cr = cr + lf not in self._head and self._head.count(cr) > self._head.count(lf)
        self._newline = "\r" if only_cr else "\n"

    @property
    def encoding(self) -> str:
        """What the lines were read as: "UTF-8", "UTF-8 with BOM", "UTF-16 LE with BOM",
        "cp1252", "UTF-8 and cp1252 (mixed)", …"""
        if self._declared:
            return self._declared
        if self._cp1252_lines:
            return f"{_UTF8} and {_CP1252} (mixed)" if self._utf8_lines else _CP1252
        return _UTF8

    def __iter__(self) -> Iterator[str]:
        lines = self._lines()
        first = next(lines, None)
        if first is None:
            return
        yield first.removeprefix("\ufeff")  # a second mark, or one that was converted with the text
        yield from lines

    def _lines(self) -> Iterator[str]:
        if self._utf16:
            yield from self._text_lines(self._utf16)
            return
        strict = bool(self._declared)
        for raw in self._byte_lines():
            self.lines_read += 1
            self.bytes_read += len(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = self._fallback(raw, strict)
            else:
                if not text.isascii():
                    self._utf8_lines += 1
            yield text

    def _fallback(self, raw: bytes, strict: bool) -> str:
        if not strict:
            try:
                text = raw.decode(_CP1252)
            except UnicodeDecodeError:
                pass
            else:
                self._cp1252_lines += 1
                return text
        self.bad_lines.add(self.lines_read)
        return raw.decode("utf-8", errors="replace")

    def _chunks(self) -> Iterator[bytes]:
        if self._head:
            yield self._head
        yield from iter(lambda: self._stream.read(_CHUNK), b"")

    def _byte_lines(self) -> Iterator[bytes]:
        return _split_lines(self._chunks(), self._newline.encode())

    def _text_lines(self, codec: str) -> Iterator[str]:
        for line in _split_lines(self._decoded(codec), self._newline):
            yield self._counted(line)

    def _decoded(self, codec: str) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        for chunk in chain(self._chunks(), [None]):
            text = decoder.decode(chunk or b"", final=chunk is None)
            self.bytes_read += len(chunk or b"")
            yield text

    def _counted(self, line: str) -> str:
        self.lines_read += 1
        if "\ufffd" in line:  # what the decoder put in place of bytes that are not UTF-16
            self.bad_lines.add(self.lines_read)
        return line


def _split_lines(pieces: Iterable[AnyStr], newline: AnyStr) -> Iterator[AnyStr]:
    """The lines of a stream read in pieces, each with its newline. A line spanning many pieces
    is joined once, so a line of megabytes costs its length, not its length squared."""
    parts: list[AnyStr] = []
    for piece in pieces:
        lines = piece.split(newline)
        rest = lines.pop()
        for line in lines:
            parts.append(line)
            yield newline[:0].join(parts) + newline
            parts = []
        if rest:
            parts.append(rest)
    if parts:
        yield newline[:0].join(parts)


def _utf16_without_bom(head: bytes) -> str:
    """"utf-16-le" or "utf-16-be" if the start of the file looks like it, else "".

    Column names and addresses are ASCII, which UTF-16 stores as the character and a zero byte;
    UTF-8 and cp1252 text never holds zero bytes."""
    sample = head[:512]
    if len(sample) < 4 or b"\x00" not in sample:
        return ""
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= half * 0.6 and even == 0:
        return "utf-16-le"
    if even >= half * 0.6 and odd == 0:
        return "utf-16-be"
    return ""
