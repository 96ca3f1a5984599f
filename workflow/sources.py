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
    web_only: false               # true: the newsroom only, mailed to nobody (then no lists)
    translations: {fr: {title: ..., lead: ..., body: ...}}
    media:                        # files beside the release file, in print order
      - {file: photos/minister.jpg, role: lead, alt: {nl: ..., fr: ...}, caption: ..., credit: ...}
      - {file: jaarverslag.pdf, role: document, title: {nl: ..., fr: ...}}
    ---
    Markdown body in the main language.

Further languages may also stand beside the file as `NAME.fr.md` (front matter: title, lead,
links; the rest is the body).

A contact written out in the file goes into the revision exactly as written (fields left out
come from the contact directory); the directory itself changes only when the author asks for
it (`update_contacts`), and every difference is reported so that the CLI can say which entries
differ.

Media files are named by paths relative to the release file and must lie in its directory or
below it (an absolute path or a `../` escape is refused). Each is checked and stored by
`media.library.upload` in the reader's transaction; its renditions are made once that commits
(`SourceRead.uploaded` lists the files still to process), by the worker or by the command.
A text given as a plain string is in the release's main language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from core.addresses import normalise_email
from core.errors import InvalidInput
from core.settings import get_settings
from media.library import Uploaded, forget, upload_file
from workflow.content import ReleaseContent, parse_content
from workflow.models import User
from workflow.users import contact_details, find_contact, get_contact, save_contact

_TOP_KEYS = {
    "kind", "language", "title", "lead", "lists", "topics", "contacts", "links",
    "embargo_until", "publish_at", "translations", "web_only", "media",
}
_MEDIA_KEYS = {"file", "role", "alt", "caption", "credit", "title"}
_MEDIA_TEXTS = ("alt", "caption", "credit", "title")
_TRANSLATION_KEYS = {"title", "lead", "body", "links"}


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """Front matter as a mapping and the Markdown after it; raises InvalidInput with the file."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise InvalidInput(where, "no front matter: a release file starts with a '---' line, its settings "
                                  "(title, lists, …) and another '---' line (see the README)")
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


@dataclass
class SourceRead:
    """A release file read: its content, and how its contacts differ from the directory."""

    content: ReleaseContent
    contact_notes: list[str] = field(default_factory=list)
    # Ids of the media files this read uploaded that still need their renditions made.
    uploaded: list[int] = field(default_factory=list)
    # Whether the file has a `media:` key; without one, an edit keeps the release's files.
    media_given: bool = False


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(str(path), f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


@contextmanager
def stored_or_forgotten(where: str) -> Iterator[list[Uploaded]]:
    """The files a release source stores while the block runs (it appends them), forgotten
    again if the block fails: a refused file or text leaves no file behind. An InvalidInput is
    named under `where` (the file it came from)."""
    stored: list[Uploaded] = []
    try:
        yield stored
    except InvalidInput as exc:
        forget(stored)
        if exc.field.startswith(where):
            raise
        raise InvalidInput(f"{where}: {exc.field}", exc.problem) from None
    except BaseException:
        forget(stored)
        raise


def read_release_file(session: Session, path: Path, *, actor: User | None = None,
                      update_contacts: bool = False, web_only: bool = False) -> SourceRead:
    """Parse `path` (and its `NAME.xx.md` siblings) into validated content.

    Contacts given as addresses must be in the directory; contacts written out go into the
    revision as written, and into the directory only with `update_contacts` (as `actor`, who
    must be an admin or that contact). Raises InvalidInput naming the file and the field.
    """
    where = str(path)
    meta, body = split_front_matter(_read_text(path), where)
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
        sib_meta, sib_body = split_front_matter(_read_text(sibling), str(sibling))
        translations[lang] = _translation(sib_meta, sib_body.strip(), str(sibling))
    ids, details, notes = resolve_contacts(session, meta.get("contacts") or [], where, actor, update_contacts)
    entries = _media_entries(meta.get("media") or [], path, where, language)
    data = {
        "kind": meta.get("kind", "press_release"),
        "default_language": language,
        "translations": translations,
        "contacts": ids,
        "contact_details": details,
        "topics": meta.get("topics") or [],
        "lists": meta.get("lists") or [],
        "embargo_until": _when(meta.get("embargo_until")),
        "publish_at": _when(meta.get("publish_at")),
        "web_only": bool(meta.get("web_only", False)) or web_only,
    }
    with stored_or_forgotten(where) as stored:
        parse_content(data)  # everything but the files first: a bad title uploads nothing
        items, uploaded = _upload_media(session, entries, actor, where, stored)
        return SourceRead(parse_content({**data, "media": items}), notes, uploaded, "media" in meta)


@dataclass
class _MediaEntry:
    """One `media:` entry of a release file, checked but not yet read."""

    path: Path
    label: str  # as the file names it, for messages
    field: str  # e.g. "media.2"
    role: str | None
    texts: dict[str, dict[str, str]]


def _media_entries(items: Any, path: Path, where: str, language: str) -> list[_MediaEntry]:
    """The `media:` list, each entry's path resolved inside the release file's directory."""
    if not isinstance(items, list):
        raise InvalidInput(f"{where}: media", "must be a list of files ({file: ..., role: ..., alt: ...})")
    root = path.parent.resolve()
    entries: list[_MediaEntry] = []
    for index, item in enumerate(items):
        name = f"media.{index}"
        if isinstance(item, str):
            item = {"file": item}
        if not isinstance(item, dict):
            raise InvalidInput(f"{where}: {name}", "must be a mapping with at least `file`")
        unknown = set(item) - _MEDIA_KEYS
        if unknown:
            raise InvalidInput(f"{where}: {name}", f"unknown media keys: {', '.join(sorted(map(str, unknown)))} "
                                                   f"(known: {', '.join(sorted(_MEDIA_KEYS))})")
        label = str(item.get("file") or "").strip()
        if not label:
            raise InvalidInput(f"{where}: {name}.file", "each media entry needs a file")
        relative = Path(label)
        if relative.is_absolute() or label.startswith("~"):
            raise InvalidInput(f"{where}: {name}.file", f"{label!r} is an absolute path: name the file "
                                                         "relative to the release file")
        resolved = (root / relative).resolve()
        if not resolved.is_relative_to(root):
            raise InvalidInput(f"{where}: {name}.file", f"{label!r} lies outside the release file's directory "
                                                         f"{root}: media must be in it or below it")
        if not resolved.is_file():
            raise InvalidInput(f"{where}: {name}.file", f"{label!r}: file not found in {root}")
        role = item.get("role")
        if role is not None and str(role) not in ("lead", "gallery", "document"):
            raise InvalidInput(f"{where}: {name}.role", f"{role!r}: use lead, gallery or document")
        texts: dict[str, dict[str, str]] = {}
        for key in _MEDIA_TEXTS:
            value = item.get(key)
            if value is None:
                continue
            if not isinstance(value, dict):
                value = {language: value}
            for lang, text in value.items():
                if isinstance(text, (dict, list)):
                    raise InvalidInput(f"{where}: {name}.{key}.{lang}", "must be a text")
                texts.setdefault(str(lang), {})[key] = str(text)
        entries.append(_MediaEntry(resolved, label, name, None if role is None else str(role), texts))
    return entries


def _upload_media(session: Session, entries: list[_MediaEntry], actor: User | None, where: str,
                  stored: list[Uploaded]) -> tuple[list[dict[str, Any]], list[int]]:
    """Check and store each entry's file; its MediaItem as data, and the ids to process.
    Images default to the gallery, documents to the documents block. The keys of objects it
    put into the store go into `stored`."""
    from media.errors import MediaRefused
    from media.models import MediaKind, MediaStatus

    items: list[dict[str, Any]] = []
    uploaded: list[int] = []
    for entry in entries:
        try:
            done = upload_file(session, data=entry.path.read_bytes(), filename=entry.path.name, actor=actor)
            stored.append(done)
            media = done.media
        except MediaRefused as exc:
            reason = exc.message.split(": ", 1)[-1]
            raise InvalidInput(f"{where}: {entry.field}.file", f"{entry.label} {reason}") from None
        except OSError as exc:
            raise InvalidInput(f"{where}: {entry.field}.file", f"{entry.label}: cannot be read "
                                                               f"({exc.strerror or exc})") from None
        role = entry.role or ("gallery" if media.kind is MediaKind.IMAGE else "document")
        if (media.kind is MediaKind.IMAGE) != (role != "document"):
            kind = "an image" if media.kind is MediaKind.IMAGE else "a document"
            raise InvalidInput(f"{where}: {entry.field}.role", f"{entry.label} is {kind} and cannot be "
                                                               f"attached as {role}")
        items.append({"sha256": media.sha256, "role": role, "filename": entry.path.name, "texts": entry.texts})
        if media.status is MediaStatus.PROCESSING and media.id not in uploaded:
            uploaded.append(media.id or 0)
    return items, uploaded


def resolve_contacts(session: Session, items: Any, where: str, actor: User | None,
                     update: bool) -> tuple[list[int], list[dict[str, Any]], list[str]]:
    """Contacts as a release file (or an imported document) gives them: their directory ids,
    their details as the revision prints them, and a note for each that differs from the
    directory (or, with `update`, the directory updated as `actor`)."""
    if not isinstance(items, list):
        raise InvalidInput(f"{where}: contacts", "must be a list of addresses or contact mappings")
    ids: list[int] = []
    details: list[dict[str, Any]] = []
    notes: list[str] = []
    for index, item in enumerate(items):
        field_name = f"{where}: contacts.{index}"
        if not isinstance(item, dict):
            contact = get_contact(session, str(item))
            ids.append(contact.id or 0)
            details.append(contact_details(contact).model_dump())
            continue
        if "email" not in item:
            raise InvalidInput(field_name, "each contact needs an email")
        if update:
            contact = save_contact(session, actor, item)
            ids.append(contact.id or 0)
            details.append(contact_details(contact).model_dump())
            continue
        written, note = _as_written(session, item, field_name)
        details.append(written)
        if note:
            notes.append(note)
        known = find_contact(session, written["email"])
        if known is not None:
            ids.append(known.id or 0)
    return ids, details, notes


def _as_written(session: Session, item: dict[str, Any], where: str) -> tuple[dict[str, Any], str]:
    """The contact as the file has it (the directory fills what it leaves out), and a note when
    that differs from the directory."""
    unknown = set(item) - {"email", "name", "function", "phone", "mobile"}
    if unknown:
        raise InvalidInput(where, f"unknown contact fields: {', '.join(sorted(unknown))}")
    email = normalise_email(str(item["email"]), f"{where}.email")
    known = find_contact(session, email)
    base: dict[str, Any] = (contact_details(known).model_dump() if known is not None
                            else {"email": email, "name": "", "function": {}})
    function = item.get("function") or {}
    if isinstance(function, str):
        function = {get_settings().default_language: function}
    if not isinstance(function, dict):
        raise InvalidInput(f"{where}.function", "must be a text or a mapping of language to text")
    functions: dict[str, str] = {**base.get("function", {}), **{str(k): str(v) for k, v in function.items()}}
    written: dict[str, Any] = {**base, **{key: str(item[key]) for key in ("name", "phone", "mobile") if key in item}}
    written.update(function=functions, email=email)
    if not written.get("name"):
        raise InvalidInput(f"{where}.name", f"{email} is not in the contact directory: give a name")
    if known is None:
        return written, (f"{email} is not in the contact directory: the release prints it as written "
                         "(--update-contacts adds it)")
    changed = [key for key in ("name", "function", "phone", "mobile") if written.get(key) != base.get(key)]
    if not changed:
        return written, ""
    return written, (f"{email} differs from the contact directory in {', '.join(changed)}: the release prints "
                     "the file's details (--update-contacts updates the directory)")
