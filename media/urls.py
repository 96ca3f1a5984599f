"""Where a release's files are served. A URL names the release as well as the file, because
whether a file may be shown is the release's to say (embargo, withdrawal), not the file's."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from core.settings import get_settings

ORIGINAL = "original"  # a document's own bytes (images are only ever served as renditions)


def media_path(release_id: int, sha256: str, name: str) -> str:
    """The path of one rendition (or a document's original) of a file on a release."""
    return f"/media/{release_id}/{sha256}/{name}"


def media_url(release_id: int, sha256: str, name: str) -> str:
    """The absolute URL of `media_path`, for mail and link previews."""
    return get_settings().base_url.rstrip("/") + media_path(release_id, sha256, name)


def media_kit_path(release_id: int, language: str) -> str:
    """The zip of a release's media."""
    return f"/releases/{release_id}/{language}/media-kit.zip"


# --- previews -----------------------------------------------------------------------------------

PREVIEW_KEY_HOURS = 24
_KEY = re.compile(r"[0-9]{1,12}\.[0-9a-f]{32}")


def preview_media_link(sha256: str, name: str) -> str:
    """Where a preview of a mail not sent yet finds a file's rendition (an absolute URL, as mail
    links are): not the public route, which shows nothing of a release before it is published,
    but the press office's, with a key for this one rendition in the path, since a preview's
    sandboxed frame sends no session cookie and a mail may append its own query to a URL."""
    path = f"/press/preview-media/{preview_key(sha256, name)}/{sha256}/{name}"
    return get_settings().base_url.rstrip("/") + path


def preview_key(sha256: str, name: str, now: float | None = None) -> str:
    """A key that opens one rendition of one file for a day: its expiry and an HMAC of it. The
    expiry is rounded up to the hour, so previews made within an hour link the same URL and a
    browser's cache serves the picture again."""
    hour = int((time.time() if now is None else now) // 3600)
    expires = (hour + PREVIEW_KEY_HOURS + 1) * 3600
    return f"{expires}.{_mac(sha256, name, expires)}"


def preview_key_opens(key: str, sha256: str, name: str) -> bool:
    """Whether `key` was made by `preview_key` for this rendition and has not expired."""
    expires, _, mac = key.partition(".")
    if not _KEY.fullmatch(key) or int(expires) < time.time():
        return False
    return hmac.compare_digest(mac, _mac(sha256, name, int(expires)))


def _mac(sha256: str, name: str, expires: int) -> str:
    secret = hashlib.sha256(f"pressroom.press.media-preview:{get_settings().secret_key}".encode()).digest()
    return hmac.new(secret, f"{sha256}/{name}/{expires}".encode(), "sha256").hexdigest()[:32]
