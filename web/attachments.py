"""A release's files as the API and the press pages change them: add (upload and attach),
change (role, texts), take off; and the per-language texts read from form fields.

Both doors run the same checks before a byte is stored: the person may edit the release (role,
authorship, state), the version they saw is current. An upload that is refused after its bytes
were stored (a wrong role, a missing alt text, a stale version) takes them out of the store
again, so a refusal leaves neither a row nor an object behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import BinaryIO

from pydantic import ValidationError
from sqlmodel import Session

from core.errors import InvalidInput, NotFound
from core.settings import get_settings
from media import library
from media.errors import WrongMediaRole
from media.models import MediaFile, MediaKind
from media.views import Attached, attached
from workflow import service
from workflow.content import MediaItem, MediaRole, MediaText, ReleaseContent, parse_content
from workflow.errors import IllegalTransition, MissingAltText, StaleVersion
from workflow.guards import Context, check, permitted_actions
from workflow.models import User
from workflow.states import Action, State, allowed_actions

TEXT_FIELDS = tuple(MediaText.model_fields)  # alt, caption, credit, title


def may_edit(session: Session, release_id: int, actor: User, expected_version: int | None = None) -> None:
    """Raise what editing the release would raise for `actor` (role, authorship, state, a stale
    version), before anything is stored."""
    release = service.get_release(session, release_id)
    if Action.EDIT.value not in permitted_actions(session, release, actor):
        check(Context(session, release, actor, Action.EDIT))
        raise IllegalTransition(release_id, State(release.state), Action.EDIT, allowed_actions(State(release.state)))
    if expected_version is not None and expected_version != release.version:
        raise StaleVersion(release_id, expected_version, release.version)


def read_upload(file: BinaryIO) -> bytes:
    """The uploaded bytes, at most one more than the largest file accepted (so that a huge
    upload is refused as too big without being held in memory whole)."""
    return file.read(get_settings().media_max_bytes + 1)


def add(session: Session, release_id: int, actor: User, data: bytes, filename: str, role: str,
        texts: dict[str, MediaText], expected_version: int | None = None) -> MediaFile:
    """Upload `data` and attach it to the release as a new revision; returns the file's row.
    No `role` (""): the lead image, a gallery image or a document, as `_role_for` says.

    Raises MediaRefused (naming the file and why), WrongMediaRole, InvalidInput, StaleVersion or
    the edit refusal; then nothing of the upload is kept.
    """
    may_edit(session, release_id, actor, expected_version)
    parsed_role = parse_role(role) if role.strip() else None
    uploaded: list[library.Uploaded] = []
    try:
        uploaded.append(library.upload_file(session, data, filename, actor))
        media = uploaded[0].media
        parsed_role = parsed_role or _role_for(session, release_id, media)
        _check_alt(session, release_id, media, library.plain_name(filename), parsed_role, texts)
        # The name this upload gave: the same bytes may have come earlier under another one.
        library.attach(session, release_id, actor, media, parsed_role, texts,
                       filename=library.plain_name(filename), expected_version=expected_version)
    except Exception:
        library.forget(uploaded)  # the transaction takes the row back; the bytes are ours to take
        raise
    return media


def _check_alt(session: Session, release_id: int, media: MediaFile, filename: str, role: MediaRole,
               texts: dict[str, MediaText]) -> None:
    """A file fits its role (WrongMediaRole), and an image has its alt text in the release's main
    language, needed to attach it at all (the other languages are asked for at submission):
    MissingAltText naming the file."""
    if (media.kind is MediaKind.IMAGE) != (role is not MediaRole.DOCUMENT):
        raise WrongMediaRole(filename, role.value, media.kind.value)
    if role is MediaRole.DOCUMENT:
        return
    content = service.current_content(session, service.get_release(session, release_id))
    if not texts.get(content.default_language, MediaText()).alt:
        raise MissingAltText([(filename, content.default_language)])


def _role_for(session: Session, release_id: int, media: MediaFile) -> MediaRole:
    """No role chosen: a document is a document; an image is the lead image if the release has
    none yet, else it goes into the gallery."""
    if media.kind is MediaKind.DOCUMENT:
        return MediaRole.DOCUMENT
    content = service.current_content(session, service.get_release(session, release_id))
    return MediaRole.GALLERY if content.lead_image else MediaRole.LEAD


def change(session: Session, release_id: int, actor: User, media_id: int, role: str | None,
           texts: dict[str, MediaText] | None, expected_version: int | None = None) -> MediaFile:
    """Change how a file is attached (its role, its texts): a new revision."""
    may_edit(session, release_id, actor, expected_version)
    media = library.find(session, media_id)
    item = _item(session, release_id, media)
    new_role = parse_role(role) if role else item.role
    new_texts = item.texts if texts is None else texts
    _check_alt(session, release_id, media, item.filename, new_role, new_texts)
    library.attach(session, release_id, actor, media, new_role, new_texts, filename=item.filename,
                   expected_version=expected_version)
    return media


def remove(session: Session, release_id: int, actor: User, media_id: int,
           expected_version: int | None = None) -> None:
    """Take a file off the release: a new revision without it."""
    may_edit(session, release_id, actor, expected_version)
    library.detach(session, release_id, actor, library.find(session, media_id), expected_version)


def release_media(session: Session, release_id: int) -> list[Attached]:
    """The files of the release's current revision, with their processing state."""
    release = service.get_release(session, release_id)
    return attached(session, service.current_content(session, release).media)


def release_version(session: Session, release_id: int) -> int:
    """The release's version now: what the next change must name as `expected_version`."""
    return service.get_release(session, release_id).version


def one_attached(session: Session, release_id: int, media_id: int) -> Attached:
    """One file of the release's current revision; NotFound if it is not on it."""
    found = next((a for a in release_media(session, release_id) if a.media_id == media_id), None)
    if found is None:
        raise NotFound(f"media file on release {release_id}", media_id)
    return found


def _item(session: Session, release_id: int, media: MediaFile) -> MediaItem:
    content = service.current_content(session, service.get_release(session, release_id))
    item = next((i for i in content.media if i.sha256 == media.sha256), None)
    if item is None:
        raise NotFound(f"media file on release {release_id}", media.id)
    return item


def keep_media(content: ReleaseContent, media: list[MediaItem], strict: bool = True) -> ReleaseContent:
    """`content` (typed in a form that does not hold the files) with the release's files.
    InvalidInput if they no longer fit (the main language changed to one without alt texts);
    not `strict`: then the content without them."""
    if not media:
        return content
    data = content.model_dump(mode="json")
    data["media"] = [item.model_dump(mode="json") for item in media]
    try:
        return parse_content(data)
    except InvalidInput:
        if strict:
            raise
        return content


def parse_role(role: str) -> MediaRole:
    """A role as typed; InvalidInput naming the roles there are."""
    try:
        return MediaRole(role.strip().lower())
    except ValueError:
        raise InvalidInput("role", f"{role[:40]!r} is not a role (lead, gallery, document)") from None


def texts_from_fields(value: Callable[[str], str], prefix: str = "") -> dict[str, MediaText]:
    """Per-language texts from fields named `alt_nl`, `caption_fr`, `credit_en`, `title_de`
    (after `prefix`); a language whose fields are all empty is left out. InvalidInput names the
    refused field."""
    texts: dict[str, MediaText] = {}
    for language in get_settings().languages:
        fields = {name: value(f"{prefix}{name}_{language}").strip() for name in TEXT_FIELDS}
        if any(fields.values()):
            texts[language] = media_text(fields, prefix=prefix, suffix=f"_{language}")
    return texts


def texts_from_json(data: object) -> dict[str, MediaText]:
    """Per-language texts from `{"nl": {"alt": "…", "caption": "…"}, …}`."""
    if not isinstance(data, dict):
        raise InvalidInput("texts", 'write the texts as {"nl": {"alt": "…", "caption": "…"}, …}')
    languages = get_settings().languages
    texts: dict[str, MediaText] = {}
    for language, fields in data.items():
        if language not in languages:
            raise InvalidInput(f"texts.{str(language)[:10]}", f"language {str(language)[:10]!r} is not configured "
                                                              f"(PRESSROOM_LANGUAGES: {', '.join(languages)})")
        if not isinstance(fields, dict):
            raise InvalidInput(f"texts.{language}", "write this language's texts as {\"alt\": \"…\", …}")
        texts[language] = media_text(fields, prefix=f"texts.{language}.")
    return texts


def media_text(fields: Mapping[str, object], prefix: str = "", suffix: str = "") -> MediaText:
    """One language's texts, validated; InvalidInput names the refused field."""
    try:
        return MediaText.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "texts"
        raise InvalidInput(f"{prefix}{name}{suffix}", str(error["msg"]).removeprefix("Value error, ")) from None
