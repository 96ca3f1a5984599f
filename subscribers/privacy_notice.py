"""The privacy notice of the newsroom, per language: what is kept on a subscriber, for how long,
and how to have it erased. An admin writes it; until then the catalogue's default text speaks.

The text is plain: paragraphs are separated by a blank line, and the page escapes it.

What the installation's settings do with a reader's clicks is said by the notice itself, below
the admin's text or the default (`PrivacyNotice.tracking`), so no text can leave it out or contradict the settings: a
paragraph says that the links count clicks without recording who clicked, or, with
`PRESSROOM_TRACKING=per_recipient`, that each click is recorded with the message sent to the
reader; with `PRESSROOM_TRACK_OPENS` another says that opens are counted
(`tracking_paragraphs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from core.catalogue import WEB, lookup
from core.db import utcnow
from core.errors import InvalidInput
from core.settings import get_settings
from core.text import refuse_hidden_characters, refuse_unprintable
from subscribers.models import PrivacyNoticeText

MAX_LENGTH = 20000
DEFAULT_KEY = "privacy_default_text"
AGGREGATE_KEY = "privacy_clicks_aggregate"
PER_RECIPIENT_KEY = "privacy_clicks_per_recipient"
OPENS_KEY = "privacy_opens_counted"


@dataclass(frozen=True)
class PrivacyNotice:
    """The notice as the public page shows it."""

    language: str
    paragraphs: list[str]
    text: str
    custom: bool  # written by an admin (else the default text)
    updated_at: datetime | None
    updated_by: str
    tracking: list[str] = field(default_factory=list)  # what the settings add (`tracking_paragraphs`)


def _check_language(language: str) -> str:
    if language not in get_settings().languages:
        raise InvalidInput("language", f"{language!r} is not one of the newsroom's languages")
    return language


def default_text(language: str, organisation: str) -> str:
    """The catalogue's default notice in `language` (English when it has none)."""
    text = lookup(WEB, DEFAULT_KEY, language) or lookup(WEB, DEFAULT_KEY, "en") or ""
    return text.replace("{organisation}", organisation)


def tracking_paragraphs(language: str) -> list[str]:
    """What the notice must say, in `language`, about the clicks and opens this installation
    records (the settings `tracking` and `track_opens`)."""
    settings = get_settings()
    keys = [PER_RECIPIENT_KEY if settings.tracking == "per_recipient" else AGGREGATE_KEY]
    if settings.track_opens:
        keys.append(OPENS_KEY)
    return [lookup(WEB, key, language) or lookup(WEB, key, "en") or "" for key in keys]


def privacy_notice(session: Session, language: str, organisation: str) -> PrivacyNotice:
    """The notice in `language`: the admin's text, else the default. Raises InvalidInput for a
    language the newsroom does not have."""
    row = session.get(PrivacyNoticeText, _check_language(language))
    text = row.text if row is not None else default_text(language, organisation)
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return PrivacyNotice(language, paragraphs, text, row is not None,
                         row.updated_at if row else None, row.updated_by if row else "",
                         tracking_paragraphs(language))


def set_privacy_notice(session: Session, language: str, text: str, actor: str) -> bool:
    """Store the notice in `language` (empty text: back to the default); True if anything changed.
    Raises InvalidInput for an unknown language, a text over MAX_LENGTH characters, or one holding
    a control, non- or invisible character (HiddenCharacter names which and where)."""
    row = session.get(PrivacyNoticeText, _check_language(language))
    cleaned = refuse_hidden_characters(refuse_unprintable(text.replace("\r\n", "\n").strip(), "text"), "text")
    if len(cleaned) > MAX_LENGTH:
        raise InvalidInput("text", f"the privacy notice is {len(cleaned)} characters; at most {MAX_LENGTH} fit")
    if not cleaned:
        if row is None:
            return False
        session.delete(row)
        session.flush()
        return True
    if row is not None and row.text == cleaned:
        return False
    row = row or PrivacyNoticeText(language=language, text=cleaned)
    row.text, row.updated_by, row.updated_at = cleaned, actor[:254], utcnow()
    session.add(row)
    session.flush()
    return True
