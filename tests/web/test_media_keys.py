"""The press office's picture links: a preview key opens its one rendition; anything else that
looks like a key is sent to sign in, as any anonymous request there (never a 500); and no
staff-only picture is kept by a browser."""

from __future__ import annotations

from media.urls import preview_key, preview_media_link
from tests.media import files
from tests.web.conftest import Web
from tests.web.test_media_pages import stored


def test_preview_keys_open_one_rendition_and_odd_keys_are_a_plain_404(web: Web) -> None:
    sha = stored(files.png(), "kaart.png")
    with web.browser() as client:
        good = client.get(preview_media_link(sha, "w400.jpg").removeprefix(web.url))
        assert good.status_code == 200 and good.headers["content-type"] == "image/jpeg"
        assert good.headers["cache-control"] == "private, no-store"
        key = preview_key(sha, "w400.jpg")
        expires, _, mac = key.partition(".")
        for odd in (f"{expires}.é{mac[1:]}", f"{expires}.{mac.upper()}", f"{expires}.{mac}0",
                    f"{'9' * 40}.{mac}", "."):
            answer = client.get(f"/press/preview-media/{odd}/{sha}/w400.jpg")
            # a malformed address (404, 422), or sent to sign in as any anonymous request (303)
            assert answer.status_code in (303, 404, 422), (odd, answer.status_code)
            assert not answer.headers.get("content-type", "").startswith("image/")
        other = client.get(f"/press/preview-media/{key}/{sha}/w800.jpg")  # another rendition
        assert other.status_code == 303
