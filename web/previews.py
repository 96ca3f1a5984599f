"""Mail previews for the editor: the stored revision (delivery.preview) or text still being typed.

`preview_content` renders content that is not saved yet exactly as `delivery.preview` renders a
stored revision: the same templates, the same sender and the same stand-in recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from core.db import utcnow
from core.errors import PressroomError
from delivery.compose import content_input, organisation_sender
from delivery.message import identity_for
from delivery.preview import preview_recipient
from media.urls import preview_media_link
from templates import compile_message, release_template
from web.error_text import describe
from workflow.content import ReleaseContent


@dataclass(frozen=True)
class LivePreview:
    language: str
    subject: str
    html: str
    text: str


def preview_content(session: Session, content: ReleaseContent, language: str, release_id: int = 0) -> LivePreview:
    """The mail a subscriber reading `language` would get for this content.

    Raises the templates' errors (MissingTranslation when the language has no title yet).
    """
    data = content_input(session, content, key=f"preview{release_id}", dateline=utcnow(), release_id=release_id,
                         media_link=preview_media_link)
    sender = organisation_sender(session, language)
    compiled = compile_message(release_template(data.kind), language, data, sender)
    recipient = preview_recipient(identity_for(sender).domain)
    rendered = compiled.personalise(recipient.personalisation())
    return LivePreview(language, rendered.subject, rendered.html, rendered.text)


def safe_preview(session: Session, content: ReleaseContent, language: str, release_id: int = 0,
                 reader: str = "en") -> LivePreview:
    """Like preview_content, but a message in the `reader`'s language instead of an error while
    the text is incomplete."""
    try:
        return preview_content(session, content, language, release_id)
    except PressroomError as exc:
        said = describe(exc, reader)
        note = f"<p style='font-family:sans-serif;color:#666'>{_escape(said)}</p>"
        return LivePreview(language, "", note, said)


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
