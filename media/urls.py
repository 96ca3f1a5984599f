"""Where a release's files are served. A URL names the release as well as the file, because
whether a file may be shown is the release's to say (embargo, withdrawal), not the file's."""

from __future__ import annotations

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
