"""Checks shared by every way data comes in (web form, CLI, CSV import, preferences page).

An address is normalised by `core.addresses.normalise_email` (the same rule as staff accounts)
and everything else compares normalised addresses: the same person typed as
"Jan.Peeters@Example.BE" and "jan.peeters@example.be" is one subscriber and one suppression hash.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from core.addresses import normalise_email  # the one rule for every address
from core.errors import InvalidInput
from core.settings import get_settings
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
    """A configured language code; "NL", "nl-BE" and "nl_BE" all mean "nl".

    Empty means `default` (else the installation's default language); raises InvalidInput.
    """
    languages = get_settings().languages
    code = (value or "").strip().lower().replace("_", "-").split("-", 1)[0]
    if not code:
        return default or get_settings().default_language
    if code not in languages:
        raise InvalidInput(field, f"{value!r} is not one of {', '.join(languages)}")
    return code


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
