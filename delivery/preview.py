"""A release's mail as one subscriber would get it, for people to check before it goes out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from core.settings import get_settings
from delivery.compose import MediaLink, organisation_sender, release_input, reply_to_for
from delivery.message import PreparedMessage, Recipient, identity_for, prepare
from delivery.signing import signer_from_settings
from templates import (
    CompiledMessage,
    ReleaseInput,
    RenderedMessage,
    compile_message,
    release_template,
)
from templates.errors import UnsupportedLanguage
from workflow.models import Revision
from workflow.service import get_release


@dataclass(frozen=True)
class Preview:
    """The compiled message, one personalised copy and its complete MIME bytes."""

    compiled: CompiledMessage
    prepared: PreparedMessage
    recipient: Recipient
    rendered: RenderedMessage
    message: bytes
    # Set when the language asked for has no text: its subscribers get this copy instead.
    fallback_note: str = ""

    def part(self, kind: str) -> bytes:
        """"eml" (the whole message), "html" or "text" (that part, UTF-8)."""
        if kind == "eml":
            return self.message
        return (self.rendered.text if kind == "text" else self.rendered.html).encode("utf-8")


def preview_recipient(domain: str) -> Recipient:
    """A stand-in subscriber whose links lead to harmless preview pages."""
    base = get_settings().base_url.rstrip("/")
    return Recipient(
        email=f"preview@{domain}",
        name="Preview",
        unsubscribe_url=f"{base}/subscriptions/preview/unsubscribe",
        preferences_url=f"{base}/subscriptions/preview",
        list_slug="preview",
    )


def preview_release(
    session: Session,
    release_id: int,
    language: str | None = None,
    *,
    now: datetime | None = None,
    revision: Revision | None = None,
    test_marker: str = "",
    media_link: MediaLink | None = None,
) -> Preview:
    """Render the current revision of a release (or `revision`) in `language` (default: its own).

    With `test_marker`, the copy is a test mail: its subject starts with the marker, its
    Message-ID differs from the real mail's, and it carries no list headers (no one-click
    unsubscribe); its links are the preview recipient's harmless ones either way. `media_link`
    says where its pictures and documents are linked (default: their public URLs, which show
    nothing before publication; the press office's previews pass links of their own).
    Raises NotFound, MissingTranslation, UnsupportedLanguage, UnsafeHeader.
    """
    release = get_release(session, release_id)
    data = release_input(session, release, now=now, revision=revision, media_link=media_link)
    shown, note = copy_for(data, language)
    sender = organisation_sender(session, shown)
    compiled = compile_message(release_template(data.kind), shown, data, sender, now=now)
    if test_marker:
        compiled = replace(compiled, subject=f"{test_marker} {compiled.subject}", key=f"test.{compiled.key}",
                           bulk=False)
    identity = identity_for(sender)
    signer = signer_from_settings(identity.from_address.rpartition("@")[2])
    prepared = prepare(compiled, identity, reply_to=reply_to_for(data, sender), signer=signer)
    recipient = preview_recipient(identity.domain)
    return Preview(
        compiled=compiled,
        prepared=prepared,
        recipient=recipient,
        rendered=compiled.personalise(recipient.personalisation()),
        message=prepared.build(recipient),
        fallback_note=note,
    )


def copy_for(data: ReleaseInput, language: str | None) -> tuple[str, str]:
    """The language of the copy that subscribers of `language` receive, and a note when that is
    the release's default language because it has no text in theirs (what the distribution does).
    Raises UnsupportedLanguage for a language the installation does not offer."""
    if not language or language == data.default_language:
        return data.default_language, ""
    if language not in get_settings().languages:
        raise UnsupportedLanguage(language, tuple(get_settings().languages))
    if language in data.languages:
        return language, ""
    return data.default_language, (
        f"subscribers whose language is {language} receive the {data.default_language} copy shown here: "
        f"the release has no {language} text")
