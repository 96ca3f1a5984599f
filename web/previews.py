"""Mail previews for the editor: the stored revision (delivery.preview) or text still being typed.

`preview_content` renders content that is not saved yet exactly as `delivery.preview` renders a
stored revision: the same templates, the same sender and the same stand-in recipient.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from core.db import utcnow
from core.errors import PressroomError
from core.settings import get_settings
from delivery.compose import content_input, organisation_sender
from delivery.message import identity_for
from delivery.preview import preview_recipient
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
                         **_media_links())
    sender = organisation_sender(session, language)
    compiled = compile_message(release_template(data.kind), language, data, sender)
    recipient = preview_recipient(identity_for(sender).domain)
    rendered = compiled.personalise(recipient.personalisation())
    return LivePreview(language, rendered.subject, rendered.html, rendered.text)


PREVIEW_KEY_SECONDS = 24 * 3600


def press_media_link(sha256: str, name: str) -> str:
    """Where the editor's preview finds a file's rendition (an absolute URL, as mail links): not
    the public route, which shows nothing of a release before it is published, but the press
    office's, with a key for this one rendition in the path, since the preview's sandboxed frame
    sends no session cookie (its origin is opaque, so the SameSite cookie stays home) and a
    mail may append its own query to a picture's URL."""
    path = f"/press/preview-media/{preview_key(sha256, name)}/{sha256}/{name}"
    return get_settings().base_url.rstrip("/") + path


def preview_key(sha256: str, name: str, now: float | None = None) -> str:
    """A key that opens one rendition of one file for a day: its expiry and an HMAC of it."""
    expires = int((time.time() if now is None else now) + PREVIEW_KEY_SECONDS)
    return f"{expires}.{_mac(sha256, name, expires)}"


def preview_key_opens(key: str, sha256: str, name: str) -> bool:
    """Whether `key` was made by `preview_key` for this rendition and has not expired."""
    expires, _, mac = key.partition(".")
    if not expires.isdigit() or len(expires) > 12 or int(expires) < time.time():
        return False
    return hmac.compare_digest(mac, _mac(sha256, name, int(expires)))


def _mac(sha256: str, name: str, expires: int) -> str:
    secret = hashlib.sha256(f"pressroom.press.media-preview:{get_settings().secret_key}".encode()).digest()
    return hmac.new(secret, f"{sha256}/{name}/{expires}".encode(), "sha256").hexdigest()[:32]


def _media_links() -> dict[str, Callable[[str, str], str]]:
    """`media_link=press_media_link` for `content_input` once it takes one (it names where a
    mail's images are; by default their public URLs)."""
    if "media_link" in inspect.signature(content_input).parameters:
        return {"media_link": press_media_link}
    return {}


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
