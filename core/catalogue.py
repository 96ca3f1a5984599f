"""The one catalogue of every string a person reads: gettext .po files, one per language.

    core/locale/<language>/LC_MESSAGES/pressroom.po

An entry is found by (msgctxt, msgid): the context says who reads it ("web" for the pages,
"mail.<table>" for a mail template's table, see templates.strings.CHAINS), the msgid is the
symbolic key the code uses, and the extracted comment (`#.`) carries the English text so a
translator sees the source. The .po files are read with Babel at first use and kept in memory:
they are small, and reading them is cheaper than a build step that compiles .mo files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from core.settings import KNOWN_LANGUAGES

DOMAIN = "pressroom"
LOCALE_DIR = Path(__file__).parent / "locale"
WEB = "web"

Entries = dict[tuple[str, str], str]


def mail_context(table: str) -> str:
    """The msgctxt of a mail template's table ("mail.press_release")."""
    return f"mail.{table}"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(KNOWN_LANGUAGES))
def entries(language: str) -> Entries:
    """Every (context, key) → text of `language`; {} for a language without a catalogue.

    Fuzzy entries count: the merge tool fills a missing language from English and flags it, and
    English is a better page than a bare key (the completeness test still refuses them)."""
    path = po_path(language)
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    return {(message.context or "", str(message.id)): str(message.string)
            for message in catalog if message.id and message.string}


def lookup(context: str, key: str, language: str) -> str | None:
    """The text of `key` in `context` and `language`, or None when the catalogue lacks it."""
    return entries(language).get((context, key))
