"""The content of a release revision, validated before it is stored.

A revision's content is a JSON document; this module defines its shape, refuses what must
never reach a subscriber (a subject with line breaks, a `javascript:` link, an unknown
language) and computes the hash that approvals bind to.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.db import as_utc
from core.errors import InvalidInput
from core.settings import get_settings
from core.text import HiddenCharacter, refuse_hidden_characters, refuse_unprintable
from workflow.models import ReleaseKind

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
# Content fields added after the first revisions were stored (see `canonical_json`).
_LATER_FIELDS = ("contact_details", "web_only", "organisation_version", "media")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_MEDIA = 30


def _visible(value: str, what: str) -> str:
    """`value` unless it holds characters that hide or reorder text (see core.text), as a
    ValueError so that the field's path names where."""
    try:
        return refuse_hidden_characters(value, what)
    except HiddenCharacter as exc:
        raise ValueError(exc.problem) from None


def check_single_line(value: str, what: str) -> str:
    """Refuse CR, LF and other control characters in text that becomes a mail header."""
    match = _CONTROL.search(value)
    if match:
        raise ValueError(
            f"{what} must be one line without control characters "
            f"(found {match.group()!r} at position {match.start() + 1})"
        )
    return value.strip()


def printed_line(value: str, what: str) -> str:
    """One line of text printed under a release (a contact's detail, a caption, a file name):
    composed (NFC), without control characters, and without characters that hide or reorder text."""
    return _visible(check_single_line(unicodedata.normalize("NFC", value), what), what)


class Link(BaseModel):
    """A link printed with a release, such as "download the full report"."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=200)
    url: str = Field(max_length=2000)

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        return _visible(check_single_line(value, "link label"), "link label")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if not re.match(r"^(https?://[^\s/]+|mailto:[^\s]+@[^\s]+)", value, re.IGNORECASE):
            raise ValueError(f"link must be an http(s) or mailto URL, not {value[:60]!r}")
        if _CONTROL.search(value) or " " in value:
            raise ValueError("link URL must not contain spaces or control characters")
        return value


class Translation(BaseModel):
    """The text of a release in one language."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=250)
    lead: str = Field(default="", max_length=2000)
    body: str = Field(default="", max_length=200_000)
    links: list[Link] = Field(default_factory=list, max_length=20)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        # The title becomes the e-mail subject: a line break there would inject headers, and a
        # direction override or an invisible character would make it read as something else.
        return printed_line(value, "title")

    @field_validator("lead", "body")
    @classmethod
    def _text(cls, value: str, info: ValidationInfo) -> str:
        value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
        try:
            refuse_unprintable(value, info.field_name or "text")
        except HiddenCharacter as exc:
            raise ValueError(exc.problem) from None
        if info.field_name == "lead":  # the lead is the preview line of every mail client
            _visible(value, "lead")
        return value.strip()

    @property
    def complete(self) -> bool:
        """Whether this translation can be submitted: it has a title and a body."""
        return bool(self.title and self.body)


class ContactDetails(BaseModel):
    """A contact block as it was reviewed: what pages and mails print comes from here, never
    from the contact directory, which may have changed since the approval."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=200)
    function: dict[str, str] = Field(default_factory=dict, description="job title per language")
    phone: str = Field(default="", max_length=40)
    mobile: str = Field(default="", max_length=40)

    @field_validator("email", "name", "phone", "mobile")
    @classmethod
    def _line(cls, value: str, info: ValidationInfo) -> str:
        return printed_line(value, f"contact {info.field_name}")

    @field_validator("function")
    @classmethod
    def _functions(cls, value: dict[str, str]) -> dict[str, str]:
        return {str(language): _visible(check_single_line(str(title), "contact function"),
                                                        "contact function")
                for language, title in value.items() if str(title).strip()}

    def label(self) -> str:
        """One line for a diff: every detail a reviewer signs off."""
        functions = "; ".join(f"{language}: {title}" for language, title in sorted(self.function.items()))
        parts = [f"{self.name} <{self.email}>", functions, f"tel {self.phone}" if self.phone else "",
                 f"gsm {self.mobile}" if self.mobile else ""]
        return " · ".join(part for part in parts if part)


class MediaRole(StrEnum):
    """Where a file appears: the lead image under the title, the gallery, the documents block."""

    LEAD = "lead"
    GALLERY = "gallery"
    DOCUMENT = "document"


class MediaText(BaseModel):
    """What is printed with a file in one language. Images need `alt` (read aloud by screen
    readers in place of the picture); documents are listed by `title`."""

    model_config = ConfigDict(extra="forbid")

    alt: str = Field(default="", max_length=500)
    caption: str = Field(default="", max_length=1000)
    credit: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=250)

    @field_validator("alt", "caption", "credit", "title")
    @classmethod
    def _line(cls, value: str, info: ValidationInfo) -> str:
        return printed_line(value, f"media {info.field_name}")


class MediaItem(BaseModel):
    """A file attached to a revision, named by the SHA-256 of its bytes: the approval covers
    exactly these bytes, whatever happens to files of the same name later."""

    model_config = ConfigDict(extra="forbid")

    sha256: str
    role: MediaRole
    filename: str = Field(min_length=1, max_length=200)
    texts: dict[str, MediaText] = Field(default_factory=dict)

    @field_validator("sha256")
    @classmethod
    def _hash(cls, value: str) -> str:
        if not _SHA256.match(value):
            raise ValueError(f"{value[:70]!r} is not a SHA-256 (64 lowercase hex digits)")
        return value

    @field_validator("filename")
    @classmethod
    def _filename(cls, value: str) -> str:
        value = printed_line(value, "file name")
        if "/" in value or "\\" in value or value in (".", ".."):
            raise ValueError(f"{value!r} is a path, not a file name")
        return value

    @property
    def is_image(self) -> bool:
        return self.role is not MediaRole.DOCUMENT

    def text(self, language: str, fallback: str) -> MediaText:
        """The texts in `language`, each empty field filled from `fallback`'s."""
        own = self.texts.get(language, MediaText())
        other = self.texts.get(fallback, MediaText())
        return MediaText(**{name: getattr(own, name) or getattr(other, name)
                            for name in MediaText.model_fields})

    def label(self) -> str:
        """One line for a diff: everything a reviewer signs off about this file."""
        texts = "; ".join(
            f"{language}: " + ", ".join(f"{name} {value!r}" for name, value in text.model_dump().items() if value)
            for language, text in sorted(self.texts.items())
        )
        return f"{self.role.value} {self.filename} ({self.sha256[:12]})" + (f" · {texts}" if texts else "")


class ReleaseContent(BaseModel):
    """Everything an edit can change; one revision stores one of these."""

    model_config = ConfigDict(extra="forbid")

    kind: ReleaseKind = ReleaseKind.PRESS_RELEASE
    default_language: str = ""
    translations: dict[str, Translation] = Field(default_factory=dict)
    contacts: list[int] = Field(default_factory=list, description="contact ids, in print order")
    # The contacts' details as reviewed, filled in when the revision is stored; what is printed.
    contact_details: list[ContactDetails] = Field(default_factory=list, max_length=20)
    topics: list[str] = Field(default_factory=list)
    lists: list[str] = Field(default_factory=list, description="target mailing list slugs")
    embargo_until: datetime | None = None
    publish_at: datetime | None = None
    # Published on the newsroom only, mailed to nobody: said explicitly, so that a release whose
    # lists were forgotten is refused at submission instead of reaching no one in silence.
    web_only: bool = False
    # The version of the organisation's identity (name, address, phone … per language) current
    # when the revision was stored: mails of this revision print that one.
    organisation_version: int | None = None
    # Images and documents, in print order; at most one lead image.
    media: list[MediaItem] = Field(default_factory=list, max_length=MAX_MEDIA)

    @field_validator("translations")
    @classmethod
    def _languages(cls, value: dict[str, Translation]) -> dict[str, Translation]:
        languages = get_settings().languages
        for language in value:
            if language not in languages:
                raise ValueError(
                    f"language {language!r} is not configured (PRESSROOM_LANGUAGES: "
                    f"{', '.join(languages)})"
                )
        return value

    @field_validator("topics", "lists")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        cleaned = []
        for item in value:
            slug = str(item).strip().lower()
            if not _TOPIC.match(slug):
                raise ValueError(f"{item!r} is not a slug (lowercase letters, digits, dashes)")
            if slug not in cleaned:
                cleaned.append(slug)
        return cleaned

    @field_validator("embargo_until", "publish_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)

    @model_validator(mode="after")
    def _default_language(self) -> ReleaseContent:
        if not self.default_language:
            self.default_language = (
                next(iter(self.translations)) if self.translations
                else get_settings().default_language
            )
        if self.translations and self.default_language not in self.translations:
            raise ValueError(
                f"default_language {self.default_language!r} has no translation "
                f"(have: {', '.join(self.translations)})"
            )
        self._check_media()
        return self

    def _check_media(self) -> None:
        languages = get_settings().languages
        seen: set[str] = set()
        for number, item in enumerate(self.media, start=1):
            if item.sha256 in seen:
                raise ValueError(f"media {number} ({item.filename}) is attached twice")
            seen.add(item.sha256)
            for language in item.texts:
                if language not in languages:
                    raise ValueError(f"media {number} ({item.filename}): language {language!r} is not configured")
            if item.is_image and not item.text(self.default_language, self.default_language).alt:
                raise ValueError(
                    f"media {number} ({item.filename}) needs an alt text in {self.default_language}: "
                    "it is what a screen reader says in place of the picture"
                )
        if sum(1 for item in self.media if item.role is MediaRole.LEAD) > 1:
            raise ValueError("a release has one lead image at most")

    def missing_alt_texts(self, languages: list[str]) -> list[tuple[str, str]]:
        """(file name, language) of every image without its own alt text in one of `languages`."""
        return [(item.filename, language) for item in self.media if item.is_image
                for language in languages if not item.texts.get(language, MediaText()).alt]

    @property
    def lead_image(self) -> MediaItem | None:
        return next((item for item in self.media if item.role is MediaRole.LEAD), None)

    def titled_languages(self) -> str:
        """The languages that have a title, as `Release.languages` keeps them: ",fr,nl,"."""
        titled = sorted(language for language, text in self.translations.items() if text.title)
        return f",{','.join(titled)}," if titled else ""

    def canonical_json(self) -> str:
        """A byte-stable serialisation: same content, same string. Fields added since revisions
        were first hashed are left out while they hold their default, so a stored revision's
        hash stays what its approvals bound to."""
        data = self.model_dump(mode="json")
        for name in _LATER_FIELDS:
            if not data.get(name):
                data.pop(name, None)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON; approvals and the audit log name revisions by it."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def submittable_languages(self) -> list[str]:
        """Languages whose translation has both a title and a body."""
        return [lang for lang, text in self.translations.items() if text.complete]


def parse_content(data: dict[str, Any]) -> ReleaseContent:
    """Validate raw content; raises InvalidInput naming the first bad field."""
    try:
        return ReleaseContent.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "content"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise InvalidInput(where, message) from None
