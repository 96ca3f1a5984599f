"""Fixed strings and dates in the reader's language.

Strings come from the catalogue (core.catalogue, msgctxt "mail.<table>", tables chained as
`templates.strings.CHAINS` says); dates, times and language names from Babel's
CLDR data, in the Belgian variant of each language where one exists ("20 april 2026, 11:05",
"20 avril 2026, 11:05", "20. April 2026, 11:05").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import (
    format_date,
    format_interval,
    format_time,
    get_timezone,
    get_timezone_location,
)

from core.catalogue import lookup, mail_context
from core.db import as_utc
from core.errors import ConfigurationError
from core.settings import KNOWN_LANGUAGES
from templates.errors import UnsupportedLanguage
from templates.strings import chain

SUPPORTED_LANGUAGES: tuple[str, ...] = KNOWN_LANGUAGES
# CLDR locale per language: the Belgian one, except English (en_GB writes "20 April 2026").
LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}


def check_language(language: str) -> str:
    """`language` if the templates speak it; raises UnsupportedLanguage."""
    if language not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguage(language, SUPPORTED_LANGUAGES)
    return language


def translate(template: str, language: str, key: str, **values: object) -> str:
    """The fixed string `key` of `template` in `language`, with `values` filled in.

    A missing key is a bug in our templates, so it raises KeyError rather than printing the key.
    """
    for table_name in chain(template):
        text = lookup(mail_context(table_name), key, language)
        if text is not None:
            return text.format(**values) if values else text
    raise KeyError(f"no string {key!r} for template {template!r}")


def translator(template: str, language: str) -> Callable[..., str]:
    """`translate` bound to one template and language: the `t()` of the templates."""

    def t(key: str, **values: object) -> str:
        return translate(template, language, key, **values)

    return t


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The time zone datelines are shown in; raises ConfigurationError for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"PRESSROOM_MAIL_TIMEZONE {name!r} is not a known time zone") from None


def format_dateline(moment: datetime, language: str, tz: ZoneInfo) -> str:
    """Date and time as press releases print them: "20 april 2026, 11:05"."""
    local = as_utc(moment).astimezone(tz)
    locale = LOCALES[language]
    return f"{format_date(local, 'long', locale=locale)}, {format_time(local, 'HH:mm', locale=locale)}"


@lru_cache(maxsize=64)
def zone_city(tz_name: str, language: str) -> str:
    """The city a time zone is named after, in `language`: "Brussel", "Bruxelles", "Brussels"."""
    return str(get_timezone_location(get_timezone(tz_name), locale=LOCALES[language], return_city=True))


def format_day(moment: datetime, language: str, tz: ZoneInfo) -> str:
    """A date alone, in the long form: "20 april 2026"."""
    return format_date(as_utc(moment).astimezone(tz), "long", locale=LOCALES[language])


def format_days(first: date, last: date, language: str) -> str:
    """The calendar days a digest covers: one day in the long form ("30 november 2026"), a span
    as CLDR writes it in that language, naming each month and year only where they change
    ("23–29 nov 2026", "30 nov – 6 dec 2026", "29 dec 2025 – 4 jan 2026")."""
    if first == last:
        return format_date(first, "long", locale=LOCALES[language])
    return format_interval(first, last, "yMMMd", locale=LOCALES[language])


@lru_cache(maxsize=64)
def language_name(language: str, in_language: str | None = None) -> str:
    """The name of `language`, by default in itself ("Nederlands", "Français")."""
    name = Locale.parse(language).get_display_name(in_language or language) or language
    return name[:1].upper() + name[1:]
