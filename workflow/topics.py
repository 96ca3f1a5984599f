"""Topics as the public reads them: a release tags itself with slugs ("annual-report"), and this
table gives each slug a display name and a description per language, kept by admins.

A slug nobody named yet still reads well: `readable_slug` turns "annual-report" into "Annual
report", so a new topic never shows as a raw slug on a public page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import UTCDateTime, utcnow
from core.errors import InvalidInput, NotFound
from core.settings import get_settings
from workflow.content import _TOPIC, printed_line
from workflow.guards import require_role
from workflow.models import User

CHANGE_ACTION = "change topics"
NAME_LENGTH = 100
DESCRIPTION_LENGTH = 500


class Topic(SQLModel, table=True):
    """A topic's display name and description per language, e.g. {"nl": "Jaarverslag"}."""

    slug: str = Field(primary_key=True, max_length=60)
    names: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    descriptions: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_by: str = Field(default="", max_length=254)


def readable_slug(slug: str) -> str:
    """"annual-report" as "Annual report": what an unnamed topic shows instead of its slug."""
    words = slug.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def check_slug(slug: str) -> str:
    """The slug as releases store it (lowercase); raises InvalidInput for anything else."""
    cleaned = slug.strip().lower()
    if not _TOPIC.match(cleaned):
        raise InvalidInput("topic.slug", f"{slug!r} is not a slug (lowercase letters, digits, dashes)")
    return cleaned


def _texts(values: Mapping[str, str], field: str, limit: int, multiline: bool) -> dict[str, str]:
    """Non-empty texts per configured language, checked like everything printed on a page."""
    languages = get_settings().languages
    cleaned: dict[str, str] = {}
    for language, value in values.items():
        if language not in languages:
            raise InvalidInput(f"topic.{field}.{language}",
                               f"language {language!r} is not configured ({', '.join(languages)})")
        text = " ".join(value.split()) if multiline else value
        try:
            text = printed_line(text, f"topic {field.rstrip('s')}")
        except ValueError as error:
            raise InvalidInput(f"topic.{field}.{language}", str(error)) from None
        if len(text) > limit:
            raise InvalidInput(f"topic.{field}.{language}", f"at most {limit} characters (got {len(text)})")
        if text:
            cleaned[language] = text
    return cleaned


def get_topic(session: Session, slug: str) -> Topic:
    """Raises NotFound for a slug without stored names."""
    topic = session.get(Topic, check_slug(slug))
    if topic is None:
        raise NotFound("topic", slug)
    return topic


def all_topics(session: Session) -> list[Topic]:
    return list(session.exec(select(Topic).order_by(col(Topic.slug))).all())


def set_topic(session: Session, actor: User | None, slug: str, names: Mapping[str, str],
              descriptions: Mapping[str, str] | None = None, *, replace: bool = False) -> Topic:
    """Store names (and descriptions) of a topic per language; admins only (RoleRequired), the
    machine's operator (no actor) too. Languages left out keep their text unless `replace`, and
    an empty text removes that language's own (the page falls back)."""
    if actor is not None:
        require_role(actor, CHANGE_ACTION)
    key = check_slug(slug)
    given_names = _texts(names, "names", NAME_LENGTH, multiline=False)
    given_descriptions = _texts(dict(descriptions or {}), "descriptions", DESCRIPTION_LENGTH, multiline=True)
    topic = session.get(Topic, key) or Topic(slug=key)

    def merged(old: dict[str, str], asked: Mapping[str, str], kept: dict[str, str]) -> dict[str, str]:
        result = {} if replace else {k: v for k, v in old.items() if k not in asked}
        return {**result, **kept}

    topic.names = merged(dict(topic.names or {}), names, given_names)
    topic.descriptions = merged(dict(topic.descriptions or {}), descriptions or {}, given_descriptions)
    topic.updated_at = utcnow()
    topic.updated_by = actor.email if actor is not None else "pressroom"
    session.add(topic)
    session.flush()
    return topic


def _in_language(texts: Mapping[str, str], language: str) -> str:
    """The text in `language`, else the default language's, else any, else ""."""
    default = get_settings().default_language
    return texts.get(language) or texts.get(default) or next(iter(texts.values()), "")


def topic_name(topic: Topic | None, slug: str, language: str) -> str:
    return _in_language(topic.names if topic else {}, language) or readable_slug(slug)


def topic_description(topic: Topic | None, language: str) -> str:
    return _in_language(topic.descriptions if topic else {}, language)


def names_for(session: Session, slugs: Iterable[str], language: str) -> dict[str, str]:
    """Display names of `slugs` and of every stored topic in `language`, ordered by name."""
    stored = {t.slug: t for t in all_topics(session)}
    wanted = set(slugs) | set(stored)
    names = {slug: topic_name(stored.get(slug), slug, language) for slug in wanted}
    return dict(sorted(names.items(), key=lambda pair: (pair[1].casefold(), pair[0])))


def names_of(session: Session, slugs: Iterable[str], language: str) -> list[tuple[str, str]]:
    """(slug, display name) of `slugs` in `language`, in their order: a release's topic links."""
    wanted = list(dict.fromkeys(slugs))
    stored = {t.slug: t for t in session.exec(select(Topic).where(col(Topic.slug).in_(wanted))).all()} if wanted else {}
    return [(slug, topic_name(stored.get(slug), slug, language)) for slug in wanted]
