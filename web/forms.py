"""The release editor's form: from a submitted form to release content, and back.

Times are typed in the mail time zone (PRESSROOM_MAIL_TIMEZONE, Europe/Brussels by default) in
<input type=datetime-local> fields and stored in UTC. Links are typed one per line as
"label | https://…". A new contact typed into the form is created (or updated) on save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from starlette.datastructures import FormData

from core.errors import InvalidInput
from core.settings import get_settings
from web.pages import local_input
from workflow.content import ReleaseContent, parse_content
from workflow.models import User
from workflow.users import save_contact


class NotADateTime(InvalidInput):
    """A time field that does not hold a date and a time."""

    def __init__(self, field_name: str, value: str) -> None:
        super().__init__(field_name, f"{value!r} is not a date and time (YYYY-MM-DDTHH:MM)")
        self.value = value


class UnreadableLink(InvalidInput):
    """A links line without a label before its bar."""

    def __init__(self, field_name: str) -> None:
        super().__init__(field_name, "write it as: label | https://…")


class MissingText(InvalidInput):
    """The editor was saved with every language left empty."""

    def __init__(self) -> None:
        super().__init__("translations", "write the release in at least one language")


class ListNotOffered(InvalidInput):
    """A list the public form does not offer (unknown, private, or a forged value) was sent:
    refused before any lookup, with the form shown again."""

    def __init__(self, slug: str) -> None:
        self.slug = ascii(slug)[1:-1][:60]  # printable whatever was sent
        super().__init__("lists", f"list {self.slug!r} is not offered here")


class NoListChosen(InvalidInput):
    """The public sign-up form was sent without a list ticked."""

    def __init__(self) -> None:
        super().__init__("lists", "choose at least one list")


@dataclass
class TextForm:
    title: str = ""
    lead: str = ""
    body: str = ""
    links: str = ""


@dataclass
class EditorForm:
    """What the editor shows: either a stored revision or what was just submitted."""

    kind: str = "press_release"
    default_language: str = ""
    texts: dict[str, TextForm] = field(default_factory=dict)
    contacts: list[int] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    topics: str = ""
    embargo_until: str = ""
    publish_at: str = ""
    web_only: bool = False
    comment: str = ""
    version: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_function: str = ""
    contact_phone: str = ""

    def text(self, language: str) -> TextForm:
        return self.texts.get(language) or TextForm()


def blank_form(language: str) -> EditorForm:
    return EditorForm(default_language=language, texts={lang: TextForm() for lang in get_settings().languages})


def form_from_content(content: ReleaseContent, version: int | None) -> EditorForm:
    texts = {
        lang: TextForm(t.title, t.lead, t.body, "\n".join(f"{link.label} | {link.url}" for link in t.links))
        for lang, t in content.translations.items()
    }
    return EditorForm(
        kind=content.kind.value,
        default_language=content.default_language,
        texts=texts,
        contacts=list(content.contacts),
        lists=list(content.lists),
        topics=", ".join(content.topics),
        embargo_until=local_input(content.embargo_until),
        publish_at=local_input(content.publish_at),
        web_only=content.web_only,
        version=version,
    )


def _one(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def read_form(form: FormData) -> EditorForm:
    """The submitted editor form as it was typed (nothing validated yet)."""
    version_text = _one(form, "expected_version").strip()
    contacts = []
    for value in form.getlist("contacts"):
        if isinstance(value, str) and value.strip().isdigit():
            contacts.append(int(value))
    return EditorForm(
        kind=_one(form, "kind") or "press_release",
        default_language=_one(form, "default_language"),
        texts={
            lang: TextForm(_one(form, f"title_{lang}"), _one(form, f"lead_{lang}"),
                           _one(form, f"body_{lang}"), _one(form, f"links_{lang}"))
            for lang in get_settings().languages
        },
        contacts=contacts,
        lists=[v for v in form.getlist("lists") if isinstance(v, str)],
        topics=_one(form, "topics"),
        embargo_until=_one(form, "embargo_until"),
        publish_at=_one(form, "publish_at"),
        web_only=_one(form, "web_only") == "true",
        comment=_one(form, "comment"),
        version=int(version_text) if version_text.isdigit() and len(version_text) < 10 else None,
        contact_name=_one(form, "contact_name"),
        contact_email=_one(form, "contact_email"),
        contact_function=_one(form, "contact_function"),
        contact_phone=_one(form, "contact_phone"),
    )


def parse_local_time(value: str, field_name: str) -> datetime | None:
    """A datetime-local value in the mail time zone, as an aware datetime; "" is None."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise NotADateTime(field_name, value) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(get_settings().mail_timezone))
    return moment


def _links(text: str, language: str) -> list[dict[str, str]]:
    links = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label, bar, url = line.rpartition("|")
        if not bar:
            label, url = line, line
        if not label.strip():
            raise UnreadableLink(f"translations.{language}.links.{number}")
        links.append({"label": label.strip(), "url": url.strip()})
    return links


def content_data(editor: EditorForm) -> dict[str, Any]:
    """Raw content from the form; languages left entirely empty are not part of it."""
    translations = {}
    for lang, text in editor.texts.items():
        if text.title.strip() or text.lead.strip() or text.body.strip() or text.links.strip():
            translations[lang] = {"title": text.title, "lead": text.lead, "body": text.body,
                                  "links": _links(text.links, lang)}
    topics = [t for t in (part.strip() for part in editor.topics.replace(";", ",").split(",")) if t]
    return {
        "kind": editor.kind,
        "default_language": editor.default_language if editor.default_language in translations else "",
        "translations": translations,
        "contacts": editor.contacts,
        "topics": topics,
        "lists": editor.lists,
        "embargo_until": parse_local_time(editor.embargo_until, "embargo_until"),
        "publish_at": parse_local_time(editor.publish_at, "publish_at"),
        "web_only": editor.web_only,
    }


def to_content(session: Session | None, editor: EditorForm, actor: User | None = None) -> ReleaseContent:
    """Validated content from the form; with a session, a new contact typed in is saved (as
    `actor`: changing an existing contact is for admins and that contact) and added. Raises
    InvalidInput naming the field, NotContactOwner."""
    if session is not None and editor.contact_email.strip():
        data: dict[str, Any] = {"email": editor.contact_email.strip()}
        if editor.contact_name.strip():
            data["name"] = editor.contact_name.strip()
        if editor.contact_function.strip():
            data["function"] = {editor.default_language or get_settings().default_language:
                                editor.contact_function.strip()}
        if editor.contact_phone.strip():
            data["phone"] = editor.contact_phone.strip()
        contact = save_contact(session, actor, data)
        if contact.id not in editor.contacts:
            editor.contacts.append(contact.id or 0)
        editor.contact_name = editor.contact_email = editor.contact_function = editor.contact_phone = ""
    data = content_data(editor)
    if not data["translations"]:
        raise MissingText()
    return parse_content(data)


@dataclass(frozen=True)
class ErrorPlace:
    """Where in the editor a refused field is: the form input to mark and focus, the language tab
    to open, and the label words (catalogue keys) to name it by instead of a field path."""

    input: str = ""
    language: str = ""
    label: str = ""


_TEXT_FIELDS = ("title", "lead", "body", "links")
_OTHER_FIELDS = {"lists": "lists", "topics": "topics", "embargo_until": "embargo", "publish_at": "schedule",
                 "kind": "kind", "default_language": "main_language", "contacts": "contacts",
                 "contact_details": "contacts", "web_only": "lists"}


def error_place(field_path: str) -> ErrorPlace:
    """The editor's place of a content field path such as "translations.fr.links.0.url"."""
    parts = field_path.split(": ")[-1].split(".")
    if parts[0] == "translations" and len(parts) >= 3 and parts[2] in _TEXT_FIELDS:
        return ErrorPlace(f"{parts[2]}_{parts[1]}", parts[1], parts[2])
    if parts[0] == "translations" and len(parts) == 2:
        return ErrorPlace(f"title_{parts[1]}", parts[1], "title")
    key = _OTHER_FIELDS.get(parts[0])
    if key is None:
        return ErrorPlace()
    name = "contact_email" if key == "contacts" else parts[0]
    return ErrorPlace(name, "", key)


@dataclass(frozen=True)
class FieldConflict:
    """One field where the text being saved and a colleague's newer revision differ: the form
    input it belongs to ("" for the list choices, which are ticked rather than typed), the label
    to name it by (a catalogue key), its language ("" for fields of every language) and both texts."""

    input: str
    label: str
    language: str
    mine: str
    theirs: str


def _same(a: str, b: str) -> bool:
    # Browsers send line breaks as CRLF; stored text has LF.
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def conflicts(mine: EditorForm, theirs: EditorForm) -> list[FieldConflict]:
    """The fields in which `mine` (the form being saved) differs from `theirs` (the current
    revision, saved by someone else meanwhile), per language first, then the shared ones."""
    found = []
    for language in get_settings().languages:
        a, b = mine.text(language), theirs.text(language)
        for name in _TEXT_FIELDS:
            if not _same(getattr(a, name), getattr(b, name)):
                found.append(FieldConflict(f"{name}_{language}", name, language, getattr(a, name), getattr(b, name)))
    for name, label in (("topics", "topics"), ("embargo_until", "embargo"), ("publish_at", "schedule")):
        if not _same(getattr(mine, name), getattr(theirs, name)):
            found.append(FieldConflict(name, label, "", getattr(mine, name), getattr(theirs, name)))
    if sorted(mine.lists) != sorted(theirs.lists) or mine.web_only != theirs.web_only:
        found.append(FieldConflict("", "lists", "", ", ".join(mine.lists), ", ".join(theirs.lists)))
    return found
