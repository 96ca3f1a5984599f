"""Checks shared by every way data comes in (web form, CLI, CSV import, preferences page).

An address is normalised by `core.addresses.normalise_email` (the same rule as staff accounts)
and everything else compares normalised addresses: the same person typed as
"Jan.Peeters@Example.BE" and "jan.peeters@example.be" is one subscriber and one suppression hash.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from core.addresses import normalise_email  # the one rule for every address
from core.errors import InvalidInput
from core.settings import KNOWN_LANGUAGES, get_settings
from core.text import refuse_hidden_characters

# Same shape as release topics and list slugs in workflow/content.py, so they always match.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TOPIC_SEPARATORS = re.compile(r"[\s,;|]+")


def address_hash(normalised: str) -> str:
    """SHA-256 of a normalised address: the key of the suppression list."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def hash_of(address: str) -> str:
    """The suppression key of any spelling of an address; raises InvalidAddress."""
    return address_hash(normalise_email(address, lookup=True))


def check_slug(value: str, field: str = "slug") -> str:
    """A lower-case slug (letters, digits, dashes; up to 60); raises InvalidInput."""
    slug = value.strip().lower()
    if not SLUG.match(slug):
        raise InvalidInput(field, f"{value!r} is not a slug (lowercase letters, digits, dashes)")
    return slug


def check_topics(values: Iterable[str], field: str = "topics") -> list[str]:
    """Topics as sorted unique slugs; raises InvalidInput naming the first bad one."""
    topics: set[str] = set()
    for value in values:
        slug = value.strip().lower()
        if not SLUG.match(slug):
            raise InvalidInput(field, f"{value!r} is not a slug (lowercase letters, digits, dashes)")
        topics.add(slug)
    return sorted(topics)


def split_topics(cell: str, field: str = "topics") -> list[str]:
    """Topics from one spreadsheet cell, separated by commas, semicolons, bars or spaces."""
    return check_topics((part for part in _TOPIC_SEPARATORS.split(cell) if part), field)


def check_language(value: str | None, default: str | None = None, field: str = "language") -> str:
    """A configured language code from what people write: "NL", "nl-BE", "FR-be", "fra",
    "Nederlands", "français", "Flemish" or "Deutsch" (names in nl, fr, en and de).

    Empty means `default` (else the installation's default language); raises InvalidInput.
    """
    languages = get_settings().languages
    if not (value or "").strip():
        return default or get_settings().default_language
    code = language_code(value or "")
    if code is None:
        raise InvalidInput(field, f"{value!r} is not a language (a code such as nl or fr-BE, or a "
                                  f"name such as Nederlands or français; this office uses {', '.join(languages)})")
    if code not in languages:
        raise InvalidInput(field, f"{value!r} is not one of {', '.join(languages)}")
    return code


def language_code(value: str) -> str | None:
    """The ISO 639-1 code of a language tag ("nl_BE", "FR-be", "fra") or of a known language's
    name in nl, fr, en or de ("Nederlands", "Frans", "français (Belgique)", "Französisch"); None
    if neither."""
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    if code in KNOWN_LANGUAGES:
        return code
    names = _language_names()
    # "Nederlands (België)": the region in brackets, as Windows and Outlook name languages.
    named = names.get(fold(value)) or names.get(fold(value.split("(", 1)[0]))
    if named is not None:
        return named
    try:
        return str(Locale.parse(value.strip().replace("-", "_")).language)
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def fold(text: str) -> str:
    """Text compared as people mean it: no case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if c.isalnum())


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    """Folded display names of the known languages (and their regional forms, "Vlaams") in each
    known language, as Babel's CLDR data spells them, to their code."""
    names: dict[str, str] = {}
    for in_language in KNOWN_LANGUAGES:
        for tag, name in Locale(in_language).languages.items():
            code = tag.split("_", 1)[0]
            if code in KNOWN_LANGUAGES:
                names.setdefault(fold(name), code)
    return names


def check_line(value: str, field: str, max_length: int = 200) -> str:
    """Single-line text without control characters, invisible characters or direction
    overrides: names end up in mail headers and in lists people read (see core.text)."""
    match = _CONTROL.search(value)
    if match:
        raise InvalidInput(
            field, f"must be one line without control characters (found {match.group()!r})"
        )
    refuse_hidden_characters(value, field)
    value = value.strip()
    if len(value) > max_length:
        raise InvalidInput(field, f"is longer than {max_length} characters")
    return value
