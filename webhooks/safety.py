"""Where a webhook may point: checked when an endpoint is saved and again at every connection.

In production an endpoint must be https, and every address its host resolves to must be a
public one unless it lies in `PRESSROOM_WEBHOOK_ALLOWED_NETWORKS` (an admin's allow-list):
otherwise an admin's typo, or a DNS record changed later, would let the server post to its own
loopback, the cloud's metadata address or the office's intranet (SSRF). The check runs when the
connection is made, on the very addresses the socket then connects to, so a name that resolved
to a public address when the endpoint was saved and to a private one since is refused. Redirects
are never followed (the client does not follow them); in development http and any address are
allowed, for a receiver on the same machine.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from core.errors import InvalidInput
from core.settings import Settings, get_settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeAddress(httpx.TransportError):
    """The endpoint's host resolved to an address that this installation may not reach."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}, a private, loopback or reserved address; "
                         "add its network to PRESSROOM_WEBHOOK_ALLOWED_NETWORKS to allow it")
        self.host = host
        self.address = address


def _production(settings: Settings) -> bool:
    return settings.environment == "production"


def address_allowed(address: Address, settings: Settings | None = None) -> bool:
    """Whether a webhook may connect to `address`: anything outside production; a public
    address, or one in the allow-list, in production."""
    settings = settings or get_settings()
    if not _production(settings):
        return True
    carried = _carried(address)
    if any(a in ipaddress.ip_network(net, strict=False)
           for net in settings.webhook_allowed_networks for a in {address, carried}):
        return True
    return carried.is_global and not carried.is_multicast


# IPv6 forms that the kernel or a gateway turns into the IPv4 address carried in their last 32
# bits: IPv4-compatible (::/96), SIIT (RFC 2765) and the well-known NAT64 prefix (RFC 6052).
_CARRYING = tuple(ipaddress.ip_network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96"))


def _carried(address: Address) -> Address:
    """The IPv4 address an IPv6 address reaches through it (mapped, compatible, SIIT, NAT64,
    6to4), else the address itself: `64:ff9b::a00:1` is 10.0.0.1, not a public address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in net for net in _CARRYING):
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address


# The Fetch standard's "bad ports" (https://fetch.spec.whatwg.org/#bad-port), which no browser
# connects to: mail, shell, file, name and chat services. A webhook's POST to one of them could
# speak to that service (a request body read as SMTP commands); port 0 is no port at all.
BAD_PORTS = frozenset({
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103,
    104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514,
    515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723,
    2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
})


def port_refusal(url: str) -> str:
    """Why `url`'s port may not be posted to ("" when it may): checked when an endpoint is
    saved, and again when one saved earlier is sent to."""
    try:
        port = httpx.URL(url).port
    except httpx.InvalidURL:
        return "the URL cannot be read"
    if port is not None and port in BAD_PORTS:
        return f"port {port} belongs to another service than the web (the Fetch standard's bad ports)"
    return ""


def scheme_allowed(url: str, settings: Settings | None = None) -> bool:
    """Whether `url`'s scheme may be used now: only https in production (an endpoint saved
    with http in development is refused when it would be sent to)."""
    settings = settings or get_settings()
    return url.lower().startswith("https://") or (not _production(settings) and url.lower().startswith("http://"))


def check_url(url: str, field: str = "url", settings: Settings | None = None) -> str:
    """The endpoint URL as it will be stored; raises InvalidInput naming `field` and the reason."""
    settings = settings or get_settings()
    text = url.strip()
    if not text or len(text) > 2000 or any(ord(c) < 33 for c in text):
        raise InvalidInput(field, "must be an absolute URL of at most 2000 characters, without spaces")
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL as error:
        raise InvalidInput(field, f"{text!r} is not a URL: {error}") from None
    schemes = ("https",) if _production(settings) else ("https", "http")
    if parsed.scheme not in schemes:
        raise InvalidInput(field, f"{text!r} must be an {' or '.join(schemes)} URL"
                           + (" in production" if _production(settings) else ""))
    if not parsed.host:
        raise InvalidInput(field, f"{text!r} names no host")
    if any(not 0 < len(label) <= 63 for label in parsed.raw_host.rstrip(b".").split(b".")):
        raise InvalidInput(field, f"{parsed.host!r} has an empty label or one over 63 characters")
    if parsed.userinfo:
        raise InvalidInput(field, "must not carry a user name or password (they would be shown in lists)")
    if parsed.fragment:
        raise InvalidInput(field, "must not have a #fragment (it is never sent)")
    refusal = port_refusal(text)
    if refusal:
        raise InvalidInput(field, refusal)
    literal = _literal(parsed.host)
    if literal is not None and not address_allowed(literal, settings):
        raise InvalidInput(field, str(UnsafeAddress(parsed.host, str(literal))))
    if parsed.host.lower() in ("localhost", "localhost.") and _production(settings) and not any(
        address_allowed(ipaddress.ip_address(a), settings) for a in ("127.0.0.1", "::1")
    ):
        raise InvalidInput(field, str(UnsafeAddress(parsed.host, "127.0.0.1")))
    return text


def _literal(host: str) -> Address | None:
    """The address `host` names by itself: an IP literal, or an IPv4 address in a form the
    resolver reads as one (`2130706433`, `0x7f.1`, `017700000001`, `127.1`)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to for a TCP connection, in the resolver's order."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class _Deadline(threading.local):
    """When the request this thread is making must be over (time.monotonic), or None."""

    at: float | None = None


_deadline = _Deadline()


def _within(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` cut to what is left of the request's total time; raises `error` when none is."""
    if _deadline.at is None:
        return timeout
    left = _deadline.at - time.monotonic()
    if left <= 0:
        raise error("the answer took longer than the timeout in all")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the request's total deadline: an answer
    dripped a byte at a time, each within the per-read timeout, cannot hold a worker for hours."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _BoundedStream(self._stream.start_tls(ssl_context, server_hostname,
                                                     _within(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class CheckedBackend(httpcore.SyncBackend):
    """httpcore's network backend that resolves the host itself, refuses the connection if any
    address is not allowed, and connects to the addresses it checked (never a second lookup)."""

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        settings = get_settings()
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as error:  # UnicodeError: a name the idna codec refuses
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
        for address in addresses:
            if not address_allowed(ipaddress.ip_address(address), settings):
                raise UnsafeAddress(host, address)
        last: Exception = httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:
            try:
                return _BoundedStream(super().connect_tcp(address, port, _within(timeout, httpcore.ConnectTimeout),
                                                          local_address, socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
        raise last


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport over `CheckedBackend`: the same connection pool, checked addresses, and
    `total` seconds at most for a request and the reading of its answer."""

    def __init__(self, max_connections: int = 20, total: float | None = None) -> None:
        super().__init__()
        self._total = total
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=max_connections,
            max_keepalive_connections=max_connections, keepalive_expiry=30.0, network_backend=CheckedBackend(),
        )


    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _deadline.at = None if self._total is None else time.monotonic() + self._total
        return super().handle_request(request)


def checked_client(timeout: float) -> httpx.Client:
    """An httpx client for webhooks: checked addresses, no redirects, no proxies from the
    environment (they would connect on our behalf, unchecked), a timeout on each phase and on
    the whole."""
    return httpx.Client(transport=CheckedTransport(total=timeout), follow_redirects=False, trust_env=False,
                        timeout=httpx.Timeout(timeout))
