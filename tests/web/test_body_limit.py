"""No one can make the server read (and spool to disk) a body larger than the largest upload:
the refusal comes before the body, for a declared length and for a chunked one alike, on the
API, the press pages and the public forms, signed in or not."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from core.settings import override_settings
from tests.media import files
from tests.web.conftest import Web


def _exchange(url: str, request: bytes, body_chunks: list[bytes] = ()) -> bytes:  # type: ignore[assignment]
    """Send a raw request (and body chunks), then read what the server answers without waiting
    for the rest of a body that is never sent: a server that kept reading would time out."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(request)
        try:
            for chunk in body_chunks:
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading, as it should: its answer is waiting
        answer = b""
        try:
            while data := connection.recv(65536):  # the refusal closes the connection
                answer += data
        except ConnectionResetError:
            pass  # closed with our unread chunks still in flight: what came first is the answer
        except TimeoutError:
            pytest.fail(f"no answer: the server went on reading the body ({answer[:80]!r})")
    return answer


@pytest.mark.parametrize("path", ["/api/releases/1/media", "/press/releases/1/media", "/subscribe"])
def test_a_declared_huge_body_is_refused_before_a_byte_of_it_is_read(web: Web, path: str) -> None:
    request = (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
               f"Content-Length: {500 * 1024 * 1024}\r\n\r\n").encode()
    answer = _exchange(web.url, request)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"MB Pressroom accepts" in answer


def test_a_chunked_body_is_cut_off_at_the_limit(web: Web) -> None:
    override_settings(media_max_bytes=2048)  # the limit is then 1 MB and 2 KB
    start = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
             b"Content-Type: image/png\r\n\r\n")
    chunk = b"x" * 65536
    body = [b"%x\r\n%s\r\n" % (len(start), start)]
    body += [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 24  # 1.5 MB of a file, and no final chunk
    request = (b"POST /api/releases/1/media HTTP/1.1\r\nHost: localhost\r\n"
               b"Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n")
    answer = _exchange(web.url, request, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_an_upload_within_the_limit_still_goes_through(web: Web) -> None:
    with web.api(web.spokesperson) as client:
        created = client.post("/releases", json={
            "kind": "press_release", "default_language": "nl", "web_only": True,
            "translations": {"nl": {"title": "Fotoreportage", "body": "Beelden van het bezoek."}}})
        assert created.status_code == 201, created.text
        release_id = created.json()["id"]
        answer = client.post(f"/releases/{release_id}/media", files={"file": ("kaart.png", files.png(), "image/png")},
                             data={"role": "lead", "texts": '{"nl": {"alt": "Kaart van de route"}}'})
    assert answer.status_code == 201, answer.text
