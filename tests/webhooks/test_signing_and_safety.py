"""Signatures as a receiver checks them, and where a webhook may connect: refused at the
moment of connecting, on the addresses the name resolves to then."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

import httpx
import pytest

from core.errors import InvalidInput
from core.settings import override_settings
from tests.webhooks.receiver import OK, running_receiver, verify
from webhooks.safety import UnsafeAddress, address_allowed, check_url, checked_client
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


@pytest.mark.parametrize("url", ["https://mail.example.org:25/h", "http://127.0.0.1:587/h",
                                 "https://news.example.org:0/h", "https://news.example.org:6667/h"])
def test_a_port_of_another_service_is_refused_in_any_environment(url: str) -> None:
    with pytest.raises(InvalidInput, match=r"port \d+ belongs to another service"):
        check_url(url)
    assert check_url("https://news.example.org:8443/h") == "https://news.example.org:8443/h"


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


def test_an_answer_dripped_byte_by_byte_costs_no_more_than_the_timeout() -> None:
    """Each byte of the status line arrives well within the per-read timeout; the whole answer
    must still end at the timeout (a worker is not held for hours by one receiver)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def drip() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * 60:
                try:
                    conn.send(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)

    threading.Thread(target=drip, daemon=True).start()
    started = time.perf_counter()
    with server, pytest.raises(httpx.TimeoutException), checked_client(0.5) as client:
        client.post(f"http://127.0.0.1:{server.getsockname()[1]}/", content=BODY)
    assert time.perf_counter() - started < 2.5


@pytest.mark.parametrize("address", ["::127.0.0.1", "64:ff9b::10.1.2.3", "64:ff9b::169.254.169.254",
                                     "2002:7f00:1::1", "2002:a9fe:a9fe::1", "::ffff:0:127.0.0.1"])
def test_an_ipv4_address_inside_an_ipv6_form_is_checked_as_itself(address: str) -> None:
    """IPv4-compatible, NAT64, 6to4 and SIIT forms reach the IPv4 address they carry."""
    override_settings(environment="production", secret_key="s" * 40)
    with pytest.raises(InvalidInput, match="private, loopback"):
        check_url(f"https://[{address}]/h")
    assert not address_allowed(ipaddress.ip_address(address))
    override_settings(webhook_allowed_networks="10.1.0.0/16,127.0.0.0/8,169.254.0.0/16")
    assert address_allowed(ipaddress.ip_address(address))
    assert address_allowed(ipaddress.ip_address("2001:db8::1")) is False  # documentation: never global
    for public in ("2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8"):
        assert address_allowed(ipaddress.ip_address(public))


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "017700000001", "127.1", "0", "0xa9.0xfe.0xa9.0xfe"])
def test_an_ipv4_literal_in_any_form_the_resolver_reads_is_refused_when_saved(host: str) -> None:
    """Decimal, octal, hex and short forms are IP literals too (the resolver reads them so):
    refused when the endpoint is saved, as the docs promise, not only when it is sent to."""
    override_settings(environment="production", secret_key="s" * 40)
    with pytest.raises(InvalidInput, match="private, loopback"):
        check_url(f"https://{host}/h")


def test_a_host_the_resolver_cannot_encode_is_refused_when_saved_and_fails_cleanly_when_sent() -> None:
    """A label over 63 characters: a clear error when saved; and a URL saved before this check
    fails its attempt like any unresolvable name, not with an exception that leaves it unrecorded."""
    url = f"https://{'a' * 64}.example/h"
    with pytest.raises(InvalidInput, match="63"):
        check_url(url)
    with pytest.raises(httpx.ConnectError, match="cannot resolve"), checked_client(1) as client:
        client.post(url, content=BODY)


def test_a_name_rebound_to_loopback_among_public_addresses_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: saved while public, the name now also answers 127.0.0.1; every address
    is checked before any connection, so none is made."""
    override_settings(environment="production", secret_key="s" * 40)
    assert check_url("https://rebind.example/h") == "https://rebind.example/h"
    monkeypatch.setattr("webhooks.safety.resolve", lambda host, port: ["192.0.2.1", "8.8.8.8", "127.0.0.1"])
    with pytest.raises(UnsafeAddress, match="192.0.2.1"), checked_client(1) as client:
        client.post("https://rebind.example/h", content=BODY)
    monkeypatch.setattr("webhooks.safety.resolve", lambda host, port: ["8.8.8.8", "::ffff:127.0.0.1"])
    with pytest.raises(UnsafeAddress, match="127.0.0.1"), checked_client(1) as client:
        client.post("https://rebind.example/h", content=BODY)
