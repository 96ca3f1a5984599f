"""The words of the web pages in Dutch, French, English and German, from the one catalogue
(core.catalogue, msgctxt "web").

A page calls `t(key, **values)`; placeholders use `str.format` names and are filled after lookup.
Every key has all four languages (tests/core/test_catalogue.py checks this).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from core.catalogue import WEB, lookup
from core.settings import get_settings
from templates.i18n import zone_city

UI_LANGUAGES = ("nl", "fr", "en", "de")
FALLBACK = "en"

# Empty: the strings are in core/locale/*/LC_MESSAGES/pressroom.po (msgctxt "web"); a test fails
# when an entry appears here instead.
STRINGS: dict[str, dict[str, str]] = {}


def ui_language(code: str | None) -> str:
    """The UI language for a user preference or page language: nl, fr, en or de."""
    return code if code in UI_LANGUAGES else FALLBACK


def translate(key: str, language: str, **values: object) -> str:
    """The string `key` in `language` (English if missing), with `values` filled in."""
    text = lookup(WEB, key, language) or lookup(WEB, key, FALLBACK)
    if text is None:
        return key
    return text.format(**values) if values else text


# Names the code uses that differ from their catalogue key.
ACTION_KEYS = {"schedule": "schedule_action", "create": "action_create", "comment": "action_comment",
               "comment_resolved": "action_comment_resolved", "comment_reopened": "action_comment_reopened",
               "edit_taken_over": "action_edit_taken_over"}
FIELD_KEYS = {
    "embargo_until": "embargo", "publish_at": "schedule", "at": "schedule", "default_language": "main_language",
    "contact_details": "contacts", "expected_version": "version", "address": "organisation_address",
    "website": "organisation_website", "logo_url": "organisation_logo_url", "organisation_version": "organisation_version",
    "translations": "text", "visibility": "private_list",
}


def action_name(action: str, language: str) -> str:
    """A workflow action ("schedule", "create") as a button or the audit log names it."""
    return translate(ACTION_KEYS.get(action, action), language)


def role_name(role: str, language: str) -> str:
    """A user's role ("approver") as people call it."""
    return translate(f"role_{role}", language)


def field_name(field: str, language: str) -> str:
    """A refused field ("translations.fr.title", "fr.website") as its form labels it: "Titel (FR)".
    A field no form labels keeps its technical name."""
    parts = field.split(".")
    languages = [part for part in parts if part in get_settings().languages]
    for part in reversed(parts):
        key = FIELD_KEYS.get(part, part)
        if part not in languages and not part.isdigit() and lookup(WEB, key, FALLBACK) is not None:
            label = translate(key, language)
            return f"{label} ({languages[0].upper()})" if languages else label
    return field


def shown_value(field: str, value: str, language: str) -> str:
    """A release setting's value as the review page shows it: a kind, a language or yes/no in
    words; anything else (slugs, topics, times) as it is."""
    if field == "kind" and lookup(WEB, f"kind_{value}", FALLBACK):
        return translate(f"kind_{value}", language)
    if field == "default_language" and lookup(WEB, f"language_{value}", FALLBACK):
        return translate(f"language_{value}", language)
    if field == "web_only" and value in ("True", "False"):
        return translate("yes" if value == "True" else "no", language)
    return value


def _weighted(accept_language: str) -> list[str]:
    """The two-letter codes of an Accept-Language header, most wanted first (RFC 9110 §12.5.4:
    by q-value (§12.4.2), ties in the order written; q=0 means "not this one", so it is left out)."""
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:40]):
        code, *parameters = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = min(float(value), 1.0)
                except ValueError:
                    weight = 0.0
        if weight > 0 and code and code != "*":
            wanted.append((-weight, index, code.lower()[:2]))
    return [code for _, _, code in sorted(wanted)]


def negotiate(accept_language: str | None, choices: list[str] | None = None) -> str:
    """The one of `choices` (default: configured languages) the browser wants most."""
    options = choices or get_settings().languages
    for code in _weighted(accept_language or ""):
        if code in options:
            return code
    return get_settings().default_language if get_settings().default_language in options else options[0]


def format_time(value: datetime | str | None, language: str) -> str:
    """A date and time in the mail time zone, in the reader's language, the zone named by its
    city ("1 dec 2026, 23:25 (Brussel)"): people in the office think in local time, not UTC."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    zone_name = get_settings().mail_timezone
    shown = format_datetime(moment, "d MMM y, HH:mm", tzinfo=ZoneInfo(zone_name), locale=language)
    return f"{shown} ({zone_city(zone_name, language)})"
