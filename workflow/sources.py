"""Reading a release from Markdown files with YAML front matter.

    ---
    kind: annual_report
    language: nl
    title: ...
    lead: ...
    lists: [journalists]
    topics: [annual-report]
    contacts: [{name: ..., email: ..., function: {nl: Woordvoerder, fr: Porte-parole}}]
    links: [{label: ..., url: https://...}]
    embargo_until: 2026-04-20T09:00:00+02:00
    translations: {fr: {title: ..., lead: ..., body: ...}}
    ---
    Markdown body in the main language.

Further languages may also stand beside the file as `NAME.fr.md` (front matter: title, lead,
links; the rest is the body).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from core.errors import InvalidInput
from core.settings import get_settings
from workflow.content import ReleaseContent, parse_content
from workflow.users import get_contact, upsert_contact

_TOP_KEYS = {
    "kind", "language", "title", "lead", "lists", "topics", "contacts", "links",
    "embargo_until", "publish_at", "translations",
}
_TRANSLATION_KEYS = {"title", "lead", "body", "links"}


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """Front matter as a mapping and the Markdown after it; raises InvalidInput with the file."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end == -1:
        raise InvalidInput(where, "front matter starts with '---' but has no closing '---' line")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark is not None else ""
        raise InvalidInput(f"{where}{line}", f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise InvalidInput(where, "front matter must be a mapping of keys to values")
    body = text[end + 4 :]
    return meta, body.split("\n", 1)[1] if "\n" in body else ""


def _translation(meta: dict[str, Any], body: str, where: str) -> dict[str, Any]:
    unknown = set(meta) - _TRANSLATION_KEYS
    if unknown:
        raise InvalidInput(where, f"unknown translation keys: {', '.join(sorted(unknown))}")
    return {
        "title": str(meta.get("title", "")),
        "lead": str(meta.get("lead", "")),
        "body": str(meta.get("body", body)),
        "links": meta.get("links") or [],
    }


def _when(value: Any) -> Any:
    # YAML gives datetimes and dates natively; a bare date means midnight UTC.
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def read_release_file(session: Session, path: Path) -> ReleaseContent:
    """Parse `path` (and its `NAME.xx.md` siblings) into validated content; contacts given as
    mappings are created or updated, contacts given as addresses must exist."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(where, "file not found") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(where, f"not UTF-8 text (byte {exc.start})") from None
    meta, body = split_front_matter(text, where)
    unknown = set(meta) - _TOP_KEYS
    if unknown:
        raise InvalidInput(where, f"unknown front-matter keys: {', '.join(sorted(unknown))}")
    language = str(meta.get("language", get_settings().default_language))
    main: dict[str, Any] = {key: meta[key] for key in ("title", "lead", "links") if key in meta}
    translations: dict[str, Any] = {language: _translation(main, body.strip(), where)}
    extra = meta.get("translations") or {}
    if not isinstance(extra, dict):
        raise InvalidInput(f"{where}: translations", "must map language codes to texts")
    for lang, values in extra.items():
        if not isinstance(values, dict):
            raise InvalidInput(f"{where}: translations.{lang}", "must be a mapping")
        translations[str(lang)] = _translation(values, "", f"{where}: translations.{lang}")
    for sibling in sorted(path.parent.glob(f"{path.stem}.*{path.suffix}")):
        lang = sibling.name[len(path.stem) + 1 : -len(path.suffix)]
        if "." in lang or not lang:
            continue
        sib_meta, sib_body = split_front_matter(sibling.read_text(encoding="utf-8"), str(sibling))
        translations[lang] = _translation(sib_meta, sib_body.strip(), str(sibling))
    contacts = []
    for item in meta.get("contacts") or []:
        contact = upsert_contact(session, item) if isinstance(item, dict) else get_contact(session, str(item))
        contacts.append(contact.id)
    data = {
        "kind": meta.get("kind", "press_release"),
        "default_language": language,
        "translations": translations,
        "contacts": contacts,
        "topics": meta.get("topics") or [],
        "lists": meta.get("lists") or [],
        "embargo_until": _when(meta.get("embargo_until")),
        "publish_at": _when(meta.get("publish_at")),
    }
    try:
        return parse_content(data)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.field}", exc.problem) from None
