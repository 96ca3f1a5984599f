"""A release's content from Word or LibreOffice documents: one per language.

Every document is checked as an upload is (`media.checks.inspect_import`: macros, scripts,
remote templates, external links, DDE, bombs) before a byte of it is read as text, and all of
them before anything is stored. Its text then goes through the same steps as a Markdown release
file: contacts through `workflow.sources.resolve_contacts` (the directory, its notes and
`--update-contacts`), pictures through `media.library.upload_file` (the checks of any upload),
the whole through `parse_content`. A picture without a description refuses the import, like a
release file's image without an alt text; nothing is stored then, and stored pictures are
taken out of the store again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from sqlmodel import Session

from core.errors import InvalidInput
from core.settings import get_settings
from media.checks import inspect_import
from media.errors import MediaRefused
from media.library import Uploaded, plain_name, upload_file
from media.models import MediaStatus
from workflow.content import ReleaseContent, parse_content
from workflow.imports.blocks import ReadDocument
from workflow.imports.docx_reader import read_docx
from workflow.imports.errors import PictureWithoutDescription
from workflow.imports.mapping import PICTURE_TYPES, MappedText, Person, map_document
from workflow.imports.odt_reader import read_odt
from workflow.models import User
from workflow.sources import resolve_contacts, stored_or_forgotten

EXTENSIONS = (".docx", ".odt")


@dataclass(frozen=True)
class Document:
    """A document as uploaded or read from disk: its bytes and its name."""

    data: bytes
    filename: str


@dataclass
class ImportOptions:
    """What a Markdown release file says in its front matter and a document cannot."""

    kind: str = "press_release"
    language: str | None = None  # None: the document's language property, else the default
    lists: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    web_only: bool = False
    embargo_until: datetime | None = None
    publish_at: datetime | None = None
    update_contacts: bool = False


@dataclass
class Imported:
    """The content, what could not be carried over (one line each, naming the file and where),
    how contacts differ from the directory, and the pictures whose renditions are still to make."""

    content: ReleaseContent
    notes: list[str] = field(default_factory=list)
    contact_notes: list[str] = field(default_factory=list)
    uploaded: list[int] = field(default_factory=list)


def is_document(filename: str) -> bool:
    """Whether the name is one the import reads (.docx or .odt)."""
    return PurePath(filename).suffix.lower() in EXTENSIONS


def read_document(document: Document) -> ReadDocument:
    """Check a document as an upload is checked, then read it into blocks; MediaRefused names
    the file and what is wrong (macros, an external template, …)."""
    inspect_import(document.data, document.filename)
    if document.filename.lower().endswith(".odt"):
        return read_odt(document.data, document.filename)
    return read_docx(document.data, document.filename)


def _language(read: ReadDocument, wanted: str | None, notes: list[str]) -> str:
    """The language given, else the document's language property if it is one of ours, else
    the office default."""
    settings = get_settings()
    if wanted:
        if wanted not in settings.languages:
            raise InvalidInput("--language", f"{wanted!r} is not configured (PRESSROOM_LANGUAGES: "
                                             f"{', '.join(settings.languages)})")
        return wanted
    declared = read.language.split("-")[0].split("_")[0].lower()
    if declared in settings.languages:
        return declared
    if declared:
        notes.append(f"{read.filename}: the document says its language is {read.language!r}, not one of "
                     f"{', '.join(settings.languages)}: read as {settings.default_language}")
    return settings.default_language


def import_release(session: Session, main: Document, translations: dict[str, Document] | None = None, *,
                   actor: User | None, options: ImportOptions | None = None) -> Imported:
    """The content of a release written in `main` (and `translations`: language → document).

    Raises MediaRefused for a document or a setting that is refused, InvalidInput for a
    setting or a text that is (naming the file and the field), PictureWithoutDescription for a
    picture without its description; nothing is stored then.
    """
    options = options or ImportOptions()
    translations = translations or {}
    settings = get_settings()
    for language in translations:
        if language not in settings.languages:
            raise InvalidInput("--translation", f"{language!r} is not configured (PRESSROOM_LANGUAGES: "
                                                f"{', '.join(settings.languages)})")
    read_main = read_document(main)
    read_others = {language: read_document(document) for language, document in translations.items()}
    notes: list[str] = []
    language = _language(read_main, options.language, notes)
    if language in translations:
        raise InvalidInput("--translation", f"{language} is the language of {main.filename} itself")
    mapped = map_document(read_main)
    others = {lang: map_document(read) for lang, read in read_others.items()}
    for text in (mapped, *others.values()):
        notes.extend(f"{text.filename}: {note}" for note in text.notes)
    where = main.filename
    items = _contact_items(mapped, language, others, notes)
    ids, details, contact_notes = resolve_contacts(session, items, where, actor, options.update_contacts)
    data: dict[str, Any] = {
        "kind": options.kind,
        "default_language": language,
        "translations": {lang: {"title": text.title, "lead": text.lead, "body": text.body}
                         for lang, text in ((language, mapped), *others.items())},
        "contacts": ids,
        "contact_details": details,
        "topics": options.topics,
        "lists": options.lists,
        "embargo_until": options.embargo_until,
        "publish_at": options.publish_at,
        "web_only": options.web_only,
    }
    try:
        parse_content(data)  # the text and settings first: a bad title uploads nothing
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.field}", exc.problem) from None
    _refuse_undescribed(mapped)
    with stored_or_forgotten(where) as stored:
        media, uploaded = _pictures(session, mapped, language, others, actor, notes, stored)
        content = parse_content({**data, "media": media})
    return Imported(content, notes, contact_notes, uploaded)


def _contact_items(mapped: MappedText, language: str, others: dict[str, MappedText],
                   notes: list[str]) -> list[dict[str, Any]]:
    """The contact block's persons as a release file writes them out; a translation's block
    adds each person's function in its language (matched by e-mail address)."""
    items: list[dict[str, Any]] = []
    by_email: dict[str, dict[str, Any]] = {}
    for person in mapped.people:
        item = _item(person, language)
        items.append(item)
        by_email[person.email.lower()] = item
    for lang, text in others.items():
        for person in text.people:
            known = by_email.get(person.email.lower())
            if known is None:
                notes.append(f"{text.filename}: {person.where}: the contact {person.email} is not in "
                             f"{mapped.filename}'s contact block: contacts come from the main document")
            elif person.function:
                known.setdefault("function", {})[lang] = person.function
    return items


def _item(person: Person, language: str) -> dict[str, Any]:
    item: dict[str, Any] = {"email": person.email}
    if person.name:
        item["name"] = person.name
    if person.function:
        item["function"] = {language: person.function}
    for key in ("phone", "mobile"):
        if getattr(person, key):
            item[key] = getattr(person, key)
    return item


def _refuse_undescribed(mapped: MappedText) -> None:
    """Refuse pictures of the main document that have no description, all at once, with where
    they are: a release's images need an alt text in its main language."""
    missing = [(f"{mapped.filename}: picture {number} ({picture.where})", "")
               for number, picture in enumerate(mapped.pictures, start=1)
               if picture.image.content_type in PICTURE_TYPES and not picture.image.alt]
    if missing:
        raise PictureWithoutDescription(missing)


def _pictures(session: Session, mapped: MappedText, language: str, others: dict[str, MappedText],
              actor: User | None, notes: list[str], stored: list[Uploaded]) -> tuple[list[dict[str, Any]], list[int]]:
    """Each picture of the main document checked and stored like any upload, as the release's
    media (the first one its lead image); a translation's copy of a picture gives its
    description in that language. A picture the checks refuse, or of a type pages cannot show,
    is left out and said."""
    items: list[dict[str, Any]] = []
    by_hash: dict[str, dict[str, Any]] = {}
    uploaded: list[int] = []
    stem = plain_name(PurePath(mapped.filename).stem or "picture")
    for number, picture in enumerate(mapped.pictures, start=1):
        said = f"{mapped.filename}: {picture.where}"
        extension = PICTURE_TYPES.get(picture.image.content_type)
        if extension is None:
            notes.append(f"{said}: a picture of type {picture.image.content_type or 'unknown'} was left out: only "
                         "JPEG, PNG and WebP pictures are carried over; save it as one of those and add it in "
                         "the editor")
            continue
        filename = f"{stem}-{number}.{extension}"
        try:
            done = upload_file(session, data=picture.image.data, filename=filename, actor=actor)
        except MediaRefused as exc:
            notes.append(f"{said}: a picture was left out: it {exc.message.split(': ', 1)[-1]}")
            continue
        stored.append(done)
        media = done.media
        if media.sha256 in by_hash:
            notes.append(f"{said}: the same picture appears twice: it is attached once")
            continue
        item = {"sha256": media.sha256, "role": "gallery" if items else "lead", "filename": filename,
                "texts": {language: {"alt": picture.image.alt}}}
        items.append(item)
        by_hash[media.sha256] = item
        if media.status is MediaStatus.PROCESSING and media.id not in uploaded:
            uploaded.append(media.id or 0)
    for lang, text in others.items():
        for picture in text.pictures:
            found = by_hash.get(hashlib.sha256(picture.image.data).hexdigest())
            if found is None:
                notes.append(f"{text.filename}: {picture.where}: a picture that is not in {mapped.filename} was "
                             "left out: pictures come from the main document")
            elif picture.image.alt:
                found["texts"][lang] = {"alt": picture.image.alt}
            else:
                notes.append(f"{text.filename}: {picture.where}: the picture has no description here, so the "
                             f"release's image {found['filename']} has no alt text in {lang} yet: add it in the "
                             "editor (or the document) before submitting")
    return items, uploaded
