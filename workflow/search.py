"""Full-text search over the public releases: one index row per (release, language), kept
current by the publish, withdraw and archive events, queried with stemming in the text's language.

PostgreSQL stems with its own dictionaries (`dutch`, `french`, `english`, `german`): each row
holds a tsvector weighted title A, lead B, body C, under a GIN index. SQLite's FTS5 has no
stemmer for Dutch, French or German, so on SQLite the text and the query are stemmed here with
the same Snowball algorithms PostgreSQL uses, and FTS5 indexes the stems (`search_fts`). On both,
highlights are cut from the original text here, so they read the same and are escaped the same.

The index holds only published releases; a search is still given the newsroom's rule
(`web.queries.public_now`) and applies it at the moment it runs, so a release under embargo or
scheduled never shows, whatever the index holds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import snowballstemmer
from markupsafe import Markup, escape
from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    case,
    column,
    delete,
    func,
    insert,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    text,
    union_all,
)
from sqlmodel import Session, col

from core.db import utcnow
from core.errors import InvalidInput
from core.outbox import OutboxEvent
from core.settings import get_settings
from workflow.models import Release, Revision
from workflow.states import State

STOP_WORDS = Path(__file__).parent / "stopwords"

# The Snowball algorithm per language. Dutch is "dutch_porter": the stemmer PostgreSQL's `dutch`
# dictionary runs; snowballstemmer's newer "dutch" lengthens vowels ("jaarverslagen" becomes
# "jaarverslaag" but "jaarverslag" stays), so a plural would not find its singular.
SNOWBALL = {"nl": "dutch_porter", "fr": "french", "en": "english", "de": "german"}
# PostgreSQL's text search configuration per language.
REGCONFIG = {"nl": "dutch", "fr": "french", "en": "english", "de": "german"}
# Weights of title, lead and body (PostgreSQL's A, B, C; FTS5's bm25 column weights).
COLUMN_WEIGHTS = (10.0, 4.0, 1.0)
MAX_QUERY_WORDS = 12
SNIPPET_WORDS = 30

_WORD = re.compile(r"\w+", re.UNICODE)
# Markdown a body may hold that is not words: link targets, emphasis and heading marks.
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"[*_`#>|~]+")

metadata = MetaData()

# One row per public (release, language); the text as the revision has it, without markdown.
# PostgreSQL adds `document` (tsvector, GIN), SQLite the FTS5 table `search_fts` (rowid = id).
search_entry = Table(
    "search_entry",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, nullable=False, index=True),
    Column("language", String(5), nullable=False),
    Column("title", Text, nullable=False),
    Column("lead", Text, nullable=False),
    Column("body", Text, nullable=False),
    # The revision's topics as ",africa,economy,": the topic filter tests one of them.
    Column("topics", String(2000), nullable=False),
    Column("indexed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("release_id", "language"),
)


class InvalidSearch(InvalidInput):
    """A search filter that cannot be read (a date that is not a date, or outside the years the
    newsroom compares, a range the wrong way). `reason` names the catalogue's message for the
    page ("search_bad_date", "search_date_range", "search_dates_swapped") and `value` what was typed."""

    def __init__(self, field: str, problem: str, reason: str = "search_bad_date", value: str = "") -> None:
        super().__init__(field, problem)
        self.reason = reason
        self.value = value


# The years a date filter may name: any day in them shifts to UTC and on by a day without
# overflowing Python's dates (years 1 and 9999 do not).
FIRST_YEAR, LAST_YEAR = 1900, 9998


# --- text ---------------------------------------------------------------------------------------


def language_of_stemmer(language: str) -> str:
    """The Snowball algorithm for `language`; English's for a language without one of its own."""
    return SNOWBALL.get(language, "english")


@lru_cache(maxsize=8)
def _stemmer(algorithm: str) -> Any:
    return snowballstemmer.stemmer(algorithm)


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """One word's stem in `language`, lower-cased (the same word recurs: the cache pays)."""
    return str(_stemmer(language_of_stemmer(language)).stemWord(word.lower()))


def words(value: str) -> list[str]:
    return _WORD.findall(value)


def stems(value: str, language: str) -> list[str]:
    """The stems of the words of `value`, in order."""
    return [stem(word, language) for word in words(value)]


def plain_text(markdown: str) -> str:
    """A body's words without markdown's link targets and marks: what is searched and quoted."""
    return re.sub(r"\s+", " ", _MD_MARKS.sub(" ", _MD_LINK.sub(r"\1", markdown))).strip()


def query_words(query: str) -> list[str]:
    """The words of a visitor's query, at most MAX_QUERY_WORDS (more narrows nothing)."""
    return words(query)[:MAX_QUERY_WORDS]


@lru_cache(maxsize=8)
def stop_words(language: str) -> frozenset[str]:
    """The words PostgreSQL's dictionary for `language` leaves out of a query (Snowball's lists,
    as PostgreSQL ships them, in `workflow/stopwords/`). SQLite leaves out the same ones, so a
    query finds the same releases on both databases: "het jaarverslag" finds a text without "het"."""
    path = STOP_WORDS / f"{language}.txt"
    return frozenset(path.read_text(encoding="utf-8").split()) if path.exists() else frozenset()


def meaningful_words(query: str, language: str) -> list[str]:
    """The query's words a search in `language` looks for: its words without the stop words."""
    common = stop_words(language)
    return [word for word in query_words(query) if word.lower() not in common]


def only_common_words(query: str, language: str) -> bool:
    """True when every word of `query` is a stop word in `language` ("de het", "le la"): such a
    search finds nothing in that language on either database, and the page says why."""
    return bool(query_words(query)) and not meaningful_words(query, language)


# --- the index ----------------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def remove_release(session: Session, release_id: int) -> None:
    """Take every language of a release out of the index."""
    if _dialect(session) == "sqlite":
        session.execute(text(
            "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entry WHERE release_id = :id)"
        ), {"id": release_id})
    session.execute(delete(search_entry).where(search_entry.c.release_id == release_id))


def _texts(content: dict[str, Any]) -> Iterable[tuple[str, str, str, str]]:
    """(language, title, lead, plain body) of each translation with a title, read from the raw
    revision JSON (the backfill reads revisions stored under older rules, too)."""
    for language, translation in (content.get("translations") or {}).items():
        title = str((translation or {}).get("title") or "")
        if title:
            yield (str(language), title, str(translation.get("lead") or ""),
                   plain_text(str(translation.get("body") or "")))


def index_release(session: Session, release_id: int) -> int:
    """Make the index hold what the release is now: its current revision's texts while it is
    published, nothing otherwise. Safe to run any number of times, in any order of events;
    returns how many languages it holds."""
    # The release row stays locked until this commits: a withdrawal (which updates it) cannot
    # slip in between reading "published" here and writing the entries.
    found = session.execute(
        select(col(Release.state), col(Revision.content))
        .join(Revision, col(Revision.id) == col(Release.current_revision_id))
        .where(col(Release.id) == release_id)
        .with_for_update(of=Release)
    ).first()
    remove_release(session, release_id)
    if found is None or State(found[0]) is not State.PUBLISHED:
        return 0
    content = found[1] or {}
    topics = "," + ",".join(str(t) for t in content.get("topics") or []) + ","
    postgres = _dialect(session) == "postgresql"
    count = 0
    for language, title, lead, body in _texts(content):
        entry_id = session.execute(insert(search_entry).values(
            release_id=release_id, language=language, title=title, lead=lead, body=body,
            topics=topics, indexed_at=utcnow(),
        ).returning(search_entry.c.id)).scalar_one()
        if postgres:
            session.execute(text(
                "UPDATE search_entry SET document ="
                " setweight(to_tsvector(CAST(:config AS regconfig), title), 'A')"
                " || setweight(to_tsvector(CAST(:config AS regconfig), lead), 'B')"
                " || setweight(to_tsvector(CAST(:config AS regconfig), body), 'C')"
                " WHERE id = :id"
            ), {"config": REGCONFIG.get(language, "simple"), "id": entry_id})
        else:
            session.execute(text(
                "INSERT INTO search_fts (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"
            ), {"id": entry_id, "title": " ".join(stems(title, language)),
                "lead": " ".join(stems(lead, language)), "body": " ".join(stems(body, language))})
        count += 1
    return count


def reindex_all(session: Session) -> int:
    """Index every published release again (the backfill after migration 0011); returns how many."""
    ids = session.execute(select(col(Release.id)).where(col(Release.state) == State.PUBLISHED)).scalars().all()
    for release_id in ids:
        index_release(session, int(release_id))
    return len(ids)


def follow_release(session: Session, event: OutboxEvent) -> None:
    """Event handler (release.published, .withdrawn, .archived): the index follows the release's
    state as it is when the handler runs, so a late or repeated event changes nothing wrong."""
    if event.subject_id is not None:
        index_release(session, event.subject_id)


# --- searching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a search narrows by besides its words; dates are whole days in the office's time zone."""

    topic: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Hit:
    id: int
    language: str
    # True when the release has no text in the searched language and is shown in its own.
    other_language: bool
    title: Markup
    snippet: Markup
    kind: str
    public_at: datetime


@dataclass(frozen=True)
class Results:
    items: list[Hit]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def parse_day(value: str, what: str) -> date | None:
    """A date typed in a filter (YYYY-MM-DD, as date inputs send it); None when empty.
    Raises InvalidSearch naming the field otherwise."""
    value = value.strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidSearch(what, f"{value[:40]!r} is not a date (YYYY-MM-DD)", value=value[:40]) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidSearch(what, f"{value} is outside the years {FIRST_YEAR}–{LAST_YEAR}",
                            "search_date_range", value)
    return day


def date_filters(date_from: str, date_to: str) -> tuple[date | None, date | None]:
    """The two days of a date range as typed; InvalidSearch when either cannot be read or the
    start comes after the end (a journalist who swapped them must not read "nothing found")."""
    start, end = parse_day(date_from, "from"), parse_day(date_to, "to")
    if start and end and start > end:
        raise InvalidSearch("from", f"the start date {start} comes after the end date {end}",
                            "search_dates_swapped", f"{start} > {end}")
    return start, end


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(get_settings().mail_timezone))


def _ranked_postgres(query: str, languages: list[str], conditions: list[ColumnElement[bool]]) -> Any:
    """Entries matching `query` in their own language's dictionary, with a score (lower is
    better) and what the order needs. One `@@` per language, so the GIN index serves each."""
    document: ColumnElement[Any] = literal_column("search_entry.document")
    tests, ranks = [], []
    for language in languages:
        tsquery = func.plainto_tsquery(literal_column(f"'{REGCONFIG[language]}'::regconfig"),
                                       bindparam("q", " ".join(query_words(query))))
        tests.append(and_(search_entry.c.language == language, document.op("@@")(tsquery)))
        ranks.append((search_entry.c.language == language,
                      func.ts_rank(literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]"), document, tsquery)))
    return (select(search_entry.c.id.label("entry_id"), (-case(*ranks, else_=literal(0.0))).label("score"),
                   col(Release.public_at).label("public_at"), search_entry.c.release_id)
            .join(Release, col(Release.id) == search_entry.c.release_id)
            .where(or_(*tests), *conditions))


def _ranked_sqlite(query: str, languages: list[str], conditions: list[ColumnElement[bool]]) -> Any:
    """A union of one FTS5 match per language (FTS5 takes one MATCH per table reference), each
    with the query stemmed in that language and the FTS table driving the join; bm25 is lower
    for better matches."""
    fts = table("search_fts", column("rowid"))
    weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
    parts: list[Any] = []
    for number, language in enumerate(languages):
        meaningful = meaningful_words(query, language)
        if not meaningful:  # PostgreSQL's empty tsquery matches nothing in this language either
            continue
        expression = " ".join(f'"{s}"' for s in dict.fromkeys(stem(w, language) for w in meaningful))
        parts.append(
            select(search_entry.c.id.label("entry_id"),
                   literal_column(f"bm25(search_fts, {weights})").label("score"),
                   col(Release.public_at).label("public_at"), search_entry.c.release_id)
            .select_from(fts)
            .join(search_entry, search_entry.c.id == fts.c.rowid)
            .join(Release, col(Release.id) == search_entry.c.release_id)
            .where(text(f"search_fts MATCH :m{number}").bindparams(bindparam(f"m{number}", expression)),
                   search_entry.c.language == language, *conditions)
        )
    return union_all(*parts)


def search(session: Session, query: str, language: str, public: ColumnElement[bool],
           filters: Filters = Filters(), page: int = 1, per_page: int = 10) -> Results:
    """Releases whose title, lead or body hold every word of `query` (stemmed), best first,
    among those `public` admits (the newsroom's rule, `web.queries.public_now`, at this moment:
    the index holds published releases, not the rule's verdict). A release is found in
    `language`, or, when it has no text in `language`, in its own default language."""
    languages = [lang for lang in get_settings().languages if lang in SNOWBALL]
    if not any(meaningful_words(query, lang) for lang in languages):
        return Results([], 0, page, per_page)
    in_language = or_(
        search_entry.c.language == language,
        and_(search_entry.c.language == col(Release.default_language),
             not_(col(Release.languages).contains(f",{language},", autoescape=True))),
    )
    postgres = _dialect(session) == "postgresql"
    # On SQLite the rule goes in as one opaque test: given the release's (state, public_at) index,
    # SQLite would walk every public release and run the FTS match once for each, instead of
    # letting the match pick the few rows it holds.
    rule = public if postgres else case((public, 1), else_=0) == 1
    conditions: list[ColumnElement[bool]] = [rule, in_language]
    if filters.kind:
        conditions.append(col(Release.kind) == filters.kind)
    if filters.topic:
        conditions.append(search_entry.c.topics.contains(f",{filters.topic},", autoescape=True))
    if filters.date_from:
        conditions.append(col(Release.public_at) >= _day_start(filters.date_from))
    if filters.date_to:
        conditions.append(col(Release.public_at) < _day_start(filters.date_to + timedelta(days=1)))
    build = _ranked_postgres if postgres else _ranked_sqlite
    ranked = build(query, languages, conditions).subquery("ranked")
    total = int(session.execute(select(func.count()).select_from(ranked)).scalar_one())
    ids = list(session.execute(
        select(ranked.c.entry_id)
        .order_by(ranked.c.score, ranked.c.public_at.desc(), ranked.c.release_id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).scalars())
    rows = {row[0]: row[1:] for row in session.execute(
        select(search_entry.c.id, search_entry.c.release_id, search_entry.c.language, search_entry.c.title,
               search_entry.c.lead, search_entry.c.body, col(Release.kind), col(Release.public_at))
        .join(Release, col(Release.id) == search_entry.c.release_id)
        .where(search_entry.c.id.in_(ids))
    ).all()} if ids else {}
    items = []
    for entry_id in ids:
        release_id, entry_language, title, lead, body, kind, public_at = rows[entry_id]
        wanted = {stem(w, entry_language) for w in meaningful_words(query, entry_language)}
        marker = _marker(wanted, entry_language)
        items.append(Hit(id=release_id, language=entry_language, other_language=entry_language != language,
                         title=highlight(title, marker), snippet=snippet(f"{lead} {body}".strip(), marker),
                         kind=str(getattr(kind, "value", kind)), public_at=public_at))
    return Results(items, total, page, per_page)


# --- highlighting -------------------------------------------------------------------------------


def _marker(wanted: set[str], language: str) -> Callable[[str], bool]:
    return lambda word: stem(word, language) in wanted


def highlight(value: str, hit: Callable[[str], bool]) -> Markup:
    """`value` escaped, each word `hit` accepts wrapped in <mark>."""
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(value):
        out.append(str(escape(value[position:match.start()])))
        word = str(escape(match.group()))
        out.append(f"<mark>{word}</mark>" if hit(match.group()) else word)
        position = match.end()
    out.append(str(escape(value[position:])))
    return Markup("".join(out))


def snippet(value: str, hit: Callable[[str], bool], size: int = SNIPPET_WORDS) -> Markup:
    """About `size` words of `value` around its first hit (its start when none), highlighted,
    with an ellipsis where text was left out."""
    found = list(_WORD.finditer(value))
    if not found:
        return Markup("")
    first = next((i for i, m in enumerate(found) if hit(m.group())), 0)
    start = max(0, first - size // 3)
    end = min(len(found), start + size)
    begin_at = found[start].start() if start else 0
    end_at = found[end - 1].end() if end < len(found) else len(value)
    shown = highlight(value[begin_at:end_at], hit)
    return Markup(("… " if start else "") + shown + (" …" if end < len(found) else ""))
