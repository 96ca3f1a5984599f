"""Signatures as a receiver checks them, and where a webhook may connect: refused at the
moment of connecting, on the addresses the name resolves to then."""

from __future__ import annotations

import time

import httpx
import pytest

from core.errors import InvalidInput
from core.settings import override_settings
from tests.webhooks.receiver import OK, running_receiver, verify
from webhooks.safety import UnsafeAddress, check_url, checked_client
from webhooks.signing import SignatureError, new_secret, signature_header
from webhooks.signing import verify as pressroom_verify

BODY = b'{"type":"release.published"}'


def test_a_receiver_accepts_the_signature_and_refuses_tampering_replays_and_other_secrets() -> None:
    secret = new_secret()
    header = signature_header([secret], BODY)
    assert verify(secret, header, BODY) and pressroom_verify(secret, header, BODY)
    assert not verify(secret, header, BODY + b" ")  # body changed
    assert not verify(new_secret(), header, BODY)  # another secret
    old = signature_header([secret], BODY, timestamp=int(time.time()) - 600)
    assert not verify(secret, old, BODY)  # replayed ten minutes later
    with pytest.raises(SignatureError, match="replay"):
        pressroom_verify(secret, old, BODY)
    # During a rotation both secrets sign: a receiver with either one accepts the request.
    previous, current = new_secret(), new_secret()
    both = signature_header([current, previous], BODY)
    assert both.count("v1=") == 2 and verify(previous, both, BODY) and verify(current, both, BODY)


def test_production_takes_only_https_urls_to_public_addresses_unless_allow_listed() -> None:
    override_settings(environment="production", secret_key="s" * 40)
    assert check_url(" https://news.example.org/hook ") == "https://news.example.org/hook"
    for url, reason in [("http://news.example.org/hook", "https"), ("https://127.0.0.1/h", "loopback"),
                        ("https://[::1]/h", "loopback"), ("https://10.1.2.3/h", "private"),
                        ("https://169.254.169.254/latest", "private"), ("https://localhost:8443/h", "loopback"),
                        ("https://user:pw@news.example.org/h", "password"), ("ftp://x.example/h", "https")]:
        with pytest.raises(InvalidInput, match=reason):
            check_url(url)
    override_settings(webhook_allowed_networks="10.1.0.0/16")
    assert check_url("https://10.1.2.3/h") == "https://10.1.2.3/h"
    override_settings(environment="development")
    assert check_url("http://127.0.0.1:9000/h") == "http://127.0.0.1:9000/h"


def test_the_address_is_checked_when_connecting_so_a_name_for_loopback_is_refused() -> None:
    with running_receiver() as receiver:
        url = receiver.on("/hook", OK).replace("127.0.0.1", "localhost")
        override_settings(environment="production", secret_key="s" * 40)
        with checked_client(2) as client, pytest.raises(UnsafeAddress, match="localhost resolves to"):
            client.post(url, content=BODY)
        assert receiver.requests == []  # nothing reached it
        override_settings(webhook_allowed_networks="127.0.0.0/8,::1/128")  # the admin's allow-list
        with checked_client(2) as client:
            assert client.post(url, content=BODY).status_code == 200
        assert len(receiver.requests) == 1


def test_redirects_are_not_followed() -> None:
    with running_receiver() as receiver:
        url = receiver.on("/moved", (302, {"Location": "http://10.9.9.9/internal"}, 0.0))
        with checked_client(2) as client:
            response = client.post(url, content=BODY)
        assert response.status_code == 302 and not response.history
        # No proxy from the environment either: straight to the checked address.
        with pytest.raises(httpx.ConnectError), checked_client(0.5) as client:
            client.post("http://127.0.0.1:9/", content=BODY)
