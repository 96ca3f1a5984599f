"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that records what it receives and
answers chosen recipients, senders or messages with chosen replies."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Sink:
    """The handler: what arrived, over how many connections, and the replies to give."""

    received: list[Received] = field(default_factory=list)
    peers: set[Any] = field(default_factory=set)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    mail_reply: str | None = None
    data_reply: str | None = None
    data_replies: dict[str, str] = field(default_factory=dict)  # by first recipient
    drop_after_data: set[str] = field(default_factory=set)  # hang up instead of replying
    pipelining: bool = False  # offer PIPELINING (RFC 2920) in the EHLO reply
    # MAIL FROMs that arrived with the message's RCPT TOs and DATA already behind them, unread
    pipelined: int = 0
    # Messages whose content arrived with the next message's MAIL FROM behind it, unread
    joined: int = 0

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        self.peers.add(session.peer)
        unread = bytes(getattr(server._reader, "_buffer", b""))
        if b"RCPT TO:" in unread and unread.rstrip().endswith(b"DATA"):
            self.pipelined += 1
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if bytes(getattr(server._reader, "_buffer", b"")).startswith(b"MAIL FROM:"):
            self.joined += 1
        first = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        if first in self.drop_after_data:
            server.transport.close()
            return "421 4.3.0 gone"  # never arrives: the connection is closed
        if self.data_reply or first in self.data_replies:
            return self.data_reply or self.data_replies[first]
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(sink: Sink, **options: Any) -> Iterator[Controller]:
    """Run aiosmtpd on a free port of 127.0.0.1 for the duration of the block."""
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@contextmanager
def falls_silent(ehlo: bytes, script: Sequence[tuple[int, bytes]] = ()) -> Iterator[tuple[int, list[int]]]:
    """A scripted SMTP server on 127.0.0.1 for what aiosmtpd will not do: on each connection it
    greets, answers EHLO with `ehlo`, then for each (lines, reply) of `script` reads that many
    lines and sends the reply, and then never answers again. Yields its port and a one-item list
    counting the connections it accepted (each is served by a thread of its own, so a second
    connection is greeted while the first hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.05)  # so that the accepting thread sees `stop`
    accepted = [0]
    stop = threading.Event()

    def session(connection: socket.socket) -> None:
        connection.sendall(b"220 silent.example ESMTP\r\n")
        reader = connection.makefile("rb")
        if reader.readline().upper().startswith(b"EHLO"):
            connection.sendall(ehlo)
            for lines, reply in script:
                for _ in range(lines):
                    reader.readline()
                connection.sendall(reply)
        stop.wait()  # what comes next gets no reply
        connection.close()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            accepted[0] += 1
            threading.Thread(target=session, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1]), accepted
    finally:
        stop.set()
        server.close()
        thread.join(5)


def content_never_answered() -> AbstractContextManager[tuple[int, list[int]]]:
    """A server that offers PIPELINING, takes a message's MAIL, RCPT and DATA, and never
    answers its content."""
    return falls_silent(b"250-slow.example\r\n250 PIPELINING\r\n", [(3, b"250 OK\r\n250 OK\r\n354 Go ahead\r\n")])


def authenticator(username: str, password: str):  # type: ignore[no-untyped-def]
    """An aiosmtpd authenticator accepting exactly one login."""

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == username.encode() and data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return check


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def self_signed(directory: Path) -> Certificate:
    """A certificate for 127.0.0.1, made with the openssl command."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)
