"""Mail transports: where assembled messages go. One interface, four implementations.

    BaseTransport            open() / send(envelope_from, recipients, message) / close()
    ├── SMTPTransport        smtp://user:pass@host:port[?starttls=1]  smtps://…  (smtplib)
    ├── MaildirTransport     maildir:///path        a real Maildir (stdlib mailbox)
    ├── ConsoleTransport     console://             prints each message
    └── MemoryTransport      memory:// or memory://name   keeps messages in a list (tests)

A transport is a context manager, so a batch reuses one connection:

    with transport_from_url(url) as transport:
        for message in batch:
            result = transport.send(sender, [recipient], message)

`send` never raises for what the server says about recipients: each recipient gets a
`RecipientResult` with the SMTP reply code, classified as accepted (2xx), transient (4xx, or
the connection dropped) or permanent (5xx). Only failing to get a session at all (connect, TLS,
login) raises `TransportUnavailable`.

A bulk sender uses `submit` instead: it returns a `Ticket` at once, and SMTP reads the server's
reply to the message's content only when the connection is next used (or at `settle()`). The
server checks and stores one message while Pressroom builds the next, so neither waits for the
other. Where the server offers PIPELINING (RFC 2920), MAIL FROM, every RCPT TO and DATA go in
one write and their replies are read together: one round trip less per recipient and two per
message, and fewer system calls on both sides. The content still goes only after DATA's 354, but
it is held until the next message is submitted and goes in front of that message's commands, in
the same write (RFC 2920 3.1: "the actual transfer of message content is explicitly allowed to be
the first 'command' in a group"): a message costs one round trip and one write, where smtplib's
`sendmail` takes four of each. Its reply is read first, then the next message's; a 421 or a lost
connection there leaves the next message unsent (nothing of it was accepted), and it is tried
once more over a new connection.
"""

from __future__ import annotations

import functools
import mailbox
import re
import smtplib
import socket
import ssl
import sys
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Self, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from core.settings import Settings, get_settings
from delivery.errors import InvalidMailURL, TransportUnavailable, UnsafeHeader
from delivery.message import ascii_address


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    TRANSIENT = "transient"
    PERMANENT = "permanent"


def classify(code: int | None) -> Outcome:
    """2xx accepted, 5xx permanent; 4xx and no reply at all (a lost connection) transient."""
    if code is not None and 200 <= code < 300:
        return Outcome.ACCEPTED
    if code is not None and 500 <= code < 600:
        return Outcome.PERMANENT
    return Outcome.TRANSIENT


@dataclass(frozen=True)
class RecipientResult:
    """What became of one recipient of one message."""

    recipient: str
    outcome: Outcome
    code: int | None = None
    detail: str = ""

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


@dataclass(frozen=True)
class SendResult:
    """What became of every recipient of one message."""

    recipients: tuple[RecipientResult, ...]

    @property
    def ok(self) -> bool:
        """Every recipient was accepted."""
        return all(result.accepted for result in self.recipients)

    @property
    def accepted(self) -> list[str]:
        return [r.recipient for r in self.recipients if r.outcome is Outcome.ACCEPTED]

    @property
    def transient(self) -> list[RecipientResult]:
        return [r for r in self.recipients if r.outcome is Outcome.TRANSIENT]

    @property
    def permanent(self) -> list[RecipientResult]:
        return [r for r in self.recipients if r.outcome is Outcome.PERMANENT]

    def __getitem__(self, recipient: str) -> RecipientResult:
        for result in self.recipients:
            if result.recipient == recipient:
                return result
        raise KeyError(recipient)

    @classmethod
    def all(cls, recipients: list[str] | tuple[str, ...], code: int | None, detail: str) -> SendResult:
        """The same outcome for every recipient."""
        return cls(tuple(RecipientResult(r, classify(code), code, detail) for r in recipients))


class Ticket:
    """A submitted message; `result` is None until the server's reply to it has been read.
    `withheld`: its content never went (see `withhold`), so the server took nothing of it."""

    __slots__ = ("recipients", "result", "withheld")

    def __init__(self, recipients: tuple[str, ...], result: SendResult | None = None) -> None:
        self.recipients = recipients
        self.result = result
        self.withheld = False


class BaseTransport:
    """Interface of every transport; `open` and `close` are idempotent, `send` opens lazily."""

    name = "base"
    # Whether the other end let a reply time out: a batch then stops and gives its rest back.
    timed_out = False

    def open(self) -> None:
        """Get ready to send (connect, log in); raises TransportUnavailable."""

    def send(self, envelope_from: str, recipients: list[str] | tuple[str, ...], message: bytes) -> SendResult:
        """Hand `message` over for `recipients`; per-recipient outcomes, never a refusal raised."""
        raise NotImplementedError

    def submit(self, envelope_from: str, recipients: list[str] | tuple[str, ...], message: bytes) -> Ticket:
        """Hand `message` over, leaving its outcome to be read later (see the module docstring).

        Every ticket has its result after `settle()`, after `close()`, or once the next message
        has been submitted. Transports that have nothing to wait for settle at once.
        """
        return Ticket(tuple(recipients), self.send(envelope_from, recipients, message))

    def settle(self) -> None:
        """Read every outstanding reply, so that every ticket has its result."""

    def withhold(self) -> None:
        """Like `settle`, except that a message whose content is still held back is not sent
        at all (a batch that stopped sends nothing after the stop). Transports that hold nothing
        back settle."""
        self.settle()

    def close(self) -> None:
        """Release the connection or file handles."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def describe(self) -> str:
        """Where messages go, without secrets."""
        return self.name


# --- SMTP --------------------------------------------------------------------------------------


# How open() names a refusal in its message, by the exception smtplib raised.
_REFUSALS: dict[type[Exception], str] = {
    smtplib.SMTPAuthenticationError: "login refused: ",
    smtplib.SMTPConnectError: "greeting refused: ",
}


def _is_timeout(error: BaseException | None) -> bool:
    """Whether a reply did not come in time (smtplib reports a read that timed out as a lost
    connection, the timeout as its context)."""
    return isinstance(error, TimeoutError) or (error is not None and isinstance(error.__context__, TimeoutError))


def _reply(detail: bytes | str) -> str:
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


class SMTPTransport(BaseTransport):
    """SMTP with one connection per batch; STARTTLS or implicit TLS; optional login.

    Two timeouts: `connect_timeout` for the connection, the greeting and the login,
    `timeout` for every reply after that (PRESSROOM_SMTP_CONNECT_TIMEOUT and
    PRESSROOM_SMTP_COMMAND_TIMEOUT: docs/operations.md says why they are short).
    """

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        username: str = "",
        password: str = "",
        use_ssl: bool = False,
        starttls: bool = False,
        timeout: float = 20.0,
        connect_timeout: float = 10.0,
        local_hostname: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port or (465 if use_ssl else 25)
        self.username = username
        self.password = password
        self.use_ssl = use_ssl
        self.starttls = starttls
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        # smtplib would ask DNS for our FQDN on every connect; the host name is enough for EHLO.
        self.local_hostname = local_hostname or socket.gethostname() or "localhost"
        # Loading the CA store costs milliseconds: only a TLS connection pays for it.
        self.ssl_context = ssl_context or (_tls_context(None, True) if use_ssl or starttls else None)
        self._connection: smtplib.SMTP | None = None
        self._pending: _Pending | None = None

    def describe(self) -> str:
        scheme = "smtps" if self.use_ssl else "smtp"
        return f"{scheme}://{self.host}:{self.port}" + ("?starttls=1" if self.starttls else "")

    @property
    def connected(self) -> bool:
        return self._connection is not None

    def open(self) -> None:
        if self._connection is not None:
            return
        target = f"{self.host}:{self.port}"
        connection: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                connection = smtplib.SMTP_SSL(
                    self.host, self.port, local_hostname=self.local_hostname,
                    timeout=self.connect_timeout, context=self.ssl_context,
                )
            else:
                connection = smtplib.SMTP(
                    self.host, self.port, local_hostname=self.local_hostname, timeout=self.connect_timeout
                )
            connection.ehlo()
            if self.starttls:
                connection.starttls(context=self.ssl_context)
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password)
            if connection.sock is not None:
                connection.sock.settimeout(self.timeout)
            connection.timeout = self.timeout
        except smtplib.SMTPResponseException as exc:  # a refused login, greeting or command
            self._discard(connection)
            what = _REFUSALS.get(type(exc), "")
            raise TransportUnavailable(
                target, f"{what}{exc.smtp_code} {_reply(exc.smtp_error)}",
                transient=classify(exc.smtp_code) is Outcome.TRANSIENT, code=exc.smtp_code,
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            self._discard(connection)
            raise TransportUnavailable(target, str(exc), transient=False) from None
        except ssl.SSLError as exc:
            self._discard(connection)
            raise TransportUnavailable(target, f"TLS failed: {exc.reason or exc}", transient=False) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._discard(connection)
            self.timed_out = self.timed_out or _is_timeout(exc)
            raise TransportUnavailable(target, f"cannot connect: {exc}", transient=True) from None
        self._connection = connection

    @staticmethod
    def _discard(connection: smtplib.SMTP | None) -> None:
        if connection is None:
            return
        try:
            connection.close()
        except OSError:
            pass

    def close(self) -> None:
        self.settle()
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            self._discard(connection)

    def send(self, envelope_from: str, recipients: list[str] | tuple[str, ...], message: bytes) -> SendResult:
        ticket = self.submit(envelope_from, recipients, message)
        self.settle()
        assert ticket.result is not None
        return ticket.result

    def submit(self, envelope_from: str, recipients: list[str] | tuple[str, ...], message: bytes) -> Ticket:
        # The last message's reply is read with the next command group (see `_send_group`).
        ticket = Ticket(tuple(recipients))
        ticket.result = self._start(envelope_from, ticket, message)
        return ticket

    def settle(self) -> None:
        """Send the last message's content if it was held back, and read the reply to it."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        connection = self._connection
        assert connection is not None
        try:
            if pending.content is not None:
                connection.send(pending.content)
            code, detail = connection.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._drop(connection, exc)
            pending.ticket.result = pending.lost(f"connection lost: {exc}")
            return
        pending.ticket.result = self._finish(connection, pending, code, detail)

    def withhold(self) -> None:
        """Give up the last message if its content is still held back: the connection is closed
        before the content's end, and a server delivers no message whose data never ended (RFC
        5321 4.1.1.4); its ticket is marked `withheld`. A content that went already is settled."""
        pending = self._pending
        if pending is None or pending.content is None or self._connection is None:
            self.settle()
            return
        self._pending = None
        pending.ticket.withheld = True
        pending.ticket.result = pending.lost("not sent: the batch stopped before its content went")
        self._drop(self._connection)

    def _start(self, envelope_from: str, ticket: Ticket, message: bytes) -> SendResult | None:
        """Everything up to the message's content; a result now, or None while its reply is due."""
        recipients = ticket.recipients
        if not recipients or not envelope_from.isascii():
            # Nothing of this message goes out, so no write carries the last message's content:
            # it goes now, as a ticket must have its result once the next message is submitted.
            self.settle()
        if not recipients:
            return SendResult(())
        if not envelope_from.isascii():
            return SendResult(tuple(
                RecipientResult(r, Outcome.PERMANENT, None, "non-ASCII sender needs SMTPUTF8")
                for r in recipients
            ))
        envelopes = {r: _envelope_to(r) for r in recipients}
        # A connection kept for a batch may have been dropped by the server while idle: reconnect
        # once, but only before anything of this message was sent.
        started = self._connection is not None
        connection = self._session()
        try:
            code, detail, pipelined = self._mail(connection, envelope_from, message, envelopes)
        except smtplib.SMTPServerDisconnected as exc:
            self._drop(connection, exc)
            if not started or self.timed_out:  # a server that does not answer is not asked twice
                return SendResult.all(recipients, None, f"connection lost before MAIL FROM: {exc}")
            connection = self._session()
            try:
                code, detail, pipelined = self._mail(connection, envelope_from, message, envelopes)
            except smtplib.SMTPException as exc:
                self._drop(connection, exc)
                return SendResult.all(recipients, None, f"connection lost before MAIL FROM: {exc}")
        except smtplib.SMTPException as exc:  # a reply smtplib cannot read (a line over 8 KB)
            self._drop(connection, exc)
            return SendResult.all(recipients, None, f"connection failed: {exc}")
        try:
            return self._transaction(connection, code, detail, ticket, message, envelopes, pipelined)
        except smtplib.SMTPServerDisconnected as exc:
            self._drop(connection, exc)
            return SendResult.all(recipients, None, f"connection lost: {exc}")
        except (OSError, smtplib.SMTPException) as exc:
            self._drop(connection, exc)
            return SendResult.all(recipients, None, f"connection failed: {exc}")

    def _drop(self, connection: smtplib.SMTP, error: BaseException | None = None) -> None:
        self._discard(connection)
        self._connection = None
        self.timed_out = self.timed_out or _is_timeout(error)

    def _session(self) -> smtplib.SMTP:
        self.open()
        assert self._connection is not None
        return self._connection

    def _mail(self, connection: smtplib.SMTP, envelope_from: str, message: bytes,
              envelopes: dict[str, str | None]) -> tuple[int, bytes, bool]:
        """Send MAIL FROM (and, where the server pipelines, every RCPT TO and DATA with it);
        (MAIL's reply code and text, whether the other commands went along). The last message's
        reply is read first: see `_send_group`."""
        esmtp = connection.does_esmtp
        size = f" SIZE={len(message)}" if esmtp and "size" in connection.esmtp_features else ""
        mail = f"FROM:{_path(envelope_from)}{size}"
        usable = [envelope for envelope in envelopes.values() if envelope is not None]
        pipelined = bool(usable) and esmtp and "pipelining" in connection.esmtp_features
        if pipelined:
            commands = (f"MAIL {mail}", *(f"RCPT TO:{_path(e)}" for e in usable), "DATA")
            self._send_group(connection, "".join(_line(command) for command in commands).encode("ascii"))
        else:
            self.settle()
            connection.putcmd("mail", mail)
        code, detail = connection.getreply()
        return code, detail, pipelined

    def _send_group(self, connection: smtplib.SMTP, group: bytes) -> None:
        """Send a pipelined command group, with the last message's held-back content in front
        of it in the same write, then read that content's reply.

        A 421 there, or a connection lost, means the server took none of this group: the error
        is raised as a lost connection, so that `_start` opens a new one and sends this message
        once more (unless the server let a reply time out).
        """
        carried = self._pending
        if carried is None or carried.content is None:  # nothing held back
            self.settle()
            connection.send(group)
            return
        self._pending = None
        try:
            connection.send(carried.content + group)
            code, detail = connection.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            carried.ticket.result = carried.lost(f"connection lost: {exc}")
            self._drop(connection, exc)
            raise smtplib.SMTPServerDisconnected(f"connection lost after the last message: {exc}") from exc
        # The end of a message's content ends its transaction whatever the reply (RFC 5321
        # 4.1.1.4): no RSET, the next MAIL FROM is already on its way.
        carried.ticket.result = self._finish(connection, carried, code, detail, reset=False)
        if code == 421:
            self._drop(connection)
            raise smtplib.SMTPServerDisconnected("the server closed the session (421) after the last message")

    def _transaction(
        self, connection: smtplib.SMTP, mail_code: int, mail_detail: bytes, ticket: Ticket, message: bytes,
        envelopes: dict[str, str | None], pipelined: bool,
    ) -> SendResult | None:
        recipients = ticket.recipients
        if mail_code != 250:
            if pipelined and mail_code != 421:  # the replies to the recipients and DATA are due all the same
                for _ in range(sum(e is not None for e in envelopes.values()) + 1):
                    self._end_refused_data(connection, *connection.getreply())
            self._reset(connection, mail_code)
            return SendResult.all(recipients, mail_code, f"sender refused: {_reply(mail_detail)}")
        results: dict[str, RecipientResult] = {}
        accepted: list[str] = []
        for recipient, envelope_to in envelopes.items():  # each address once
            if envelope_to is None:
                results[recipient] = RecipientResult(
                    recipient, Outcome.PERMANENT, None, "non-ASCII address needs SMTPUTF8"
                )
                continue
            if not pipelined:
                connection.putcmd("rcpt", f"TO:{_path(envelope_to)}")
            code, detail = connection.getreply()
            results[recipient] = RecipientResult(recipient, classify(code), code, _reply(detail))
            if code in (250, 251):
                accepted.append(recipient)
            elif code == 421:  # the server is closing the session: the rest cannot be tried
                self._drop(connection)
                for rest in recipients:
                    results.setdefault(rest, RecipientResult(rest, Outcome.TRANSIENT, 421, _reply(detail)))
                return SendResult(tuple(results[r] for r in recipients))
        pending = _Pending(ticket, results, tuple(accepted))
        if not accepted:
            if pipelined:
                self._end_refused_data(connection, *connection.getreply())
            self._reset(connection, 0)
            return pending.result()
        if not pipelined:
            connection.putcmd("data")
        code, detail = connection.getreply()
        if code != 354:
            return self._finish(connection, pending, code, detail)
        pending.content = _dot_stuffed(message)
        if not pipelined:  # else it goes with the next message's commands, or at settle()
            connection.send(pending.content)
            pending.content = None
        self._pending = pending  # its reply is read later, while the caller gets on
        return None

    @staticmethod
    def _end_refused_data(connection: smtplib.SMTP, code: int, _detail: bytes) -> None:
        """A pipelined DATA that the server took although the transaction failed (RFC 2920
        3.1): end it with no content, and read what the server says to that."""
        if code == 354:
            connection.send(b".\r\n")
            connection.getreply()

    def _finish(self, connection: smtplib.SMTP, pending: _Pending, code: int, detail: bytes,
                reset: bool = True) -> SendResult:
        for recipient in pending.accepted:
            pending.results[recipient] = RecipientResult(recipient, classify(code), code, _reply(detail))
        if code != 250 and reset:
            self._reset(connection, code)
        return pending.result()

    def _reset(self, connection: smtplib.SMTP, code: int) -> None:
        if code == 421:
            self._drop(connection)
            return
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop(connection)


@dataclass
class _Pending:
    """A message whose content was sent and whose reply is still to be read."""

    ticket: Ticket
    results: dict[str, RecipientResult]
    accepted: tuple[str, ...]
    content: bytes | None = None  # held back, to go with the next message's commands

    def result(self) -> SendResult:
        return SendResult(tuple(self.results[r] for r in self.ticket.recipients))

    def lost(self, detail: str) -> SendResult:
        """The result when the reply to the content cannot be read: the recipients that waited
        on it are transient; those refused at RCPT TO keep their refusal (a 5.1.1 suppresses
        the address, and a lost connection must not turn it into a retry)."""
        for recipient in self.accepted:
            self.results[recipient] = RecipientResult(recipient, Outcome.TRANSIENT, None, detail)
        return self.result()


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def _path(address: str) -> str:
    """The <path> of MAIL FROM or RCPT TO. A plain address (every one Pressroom sends to: they
    are validated on the way in) is framed as it is; smtplib's parser handles anything else."""
    return f"<{address}>" if _PLAIN_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


def _line(command: str) -> str:
    """One command line of a pipelined group, refusing line breaks inside it as smtplib's
    `putcmd` does."""
    if "\r" in command or "\n" in command:
        raise ValueError(f"command and arguments contain prohibited newline characters: {command!r}")
    return command + "\r\n"


def _envelope_to(recipient: str) -> str | None:
    """The RCPT TO form of a recipient: an internationalised domain in its xn-- form; None for
    a non-ASCII local part, which needs SMTPUTF8."""
    if recipient.isascii():
        return recipient
    try:
        return ascii_address(recipient, "recipient")
    except UnsafeHeader:
        return None


def _dot_stuffed(message: bytes) -> bytes:
    """The message as the DATA command carries it (RFC 5321 4.5.2), ending in CRLF.CRLF.

    A plain replace, not smtplib's regular expression: HTML mail has many lines that start with
    a dot (its style sheet), and this runs once per recipient.
    """
    message = message.replace(b"\n.", b"\n..")
    if message.startswith(b"."):
        message = b"." + message
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    return message + b".\r\n"


# --- Maildir -----------------------------------------------------------------------------------


class MaildirTransport(BaseTransport):
    """Writes each message into a Maildir (new/), as a local MTA would deliver it."""

    name = "maildir"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._box: mailbox.Maildir | None = None

    def describe(self) -> str:
        return f"maildir://{self.path}"

    def open(self) -> None:
        if self._box is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._box = mailbox.Maildir(self.path, create=True)
            except OSError as exc:
                raise TransportUnavailable(str(self.path), f"cannot create Maildir: {exc}", transient=False) from None

    def send(self, envelope_from: str, recipients: list[str] | tuple[str, ...], message: bytes) -> SendResult:
        recipients = tuple(recipients)
        if not recipients:
            return SendResult(())
        self.open()
        assert self._box is not None
        # What a delivering MTA prepends: who it came from and whom it was for.
        trace = f"Return-Path: <{envelope_from}>\r\n".encode() + b"".join(
            f"Delivered-To: {recipient}\r\n".encode() for recipient in recipients
        )
        try:
            key = self._box.add(trace + message)
        except OSError as exc:
            return SendResult.all(recipients, None, f"cannot write to {self.path}: {exc}")
        return SendResult.all(recipients, 250, f"stored as {key}")

    def close(self) -> None:
        if self._box is not None:
            self._box.close()
            self._box = None


# --- console and memory ------------------------------------------------------------------------


class ConsoleTransport(BaseTransport):
    """Prints every message to a stream (stdout by default): for development and demos."""

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, envelope_from: str, recipients: list[str] | tuple[str, ...], message: bytes) -> SendResult:
        stream = self.stream or sys.stdout
        stream.write(f"----- mail from {envelope_from} to {', '.join(recipients)} ({len(message)} bytes)\n")
        stream.write(message.decode("utf-8", "replace").replace("\r\n", "\n"))
        stream.write("\n----- end of mail\n")
        stream.flush()
        return SendResult.all(tuple(recipients), 250, "printed")


@dataclass(frozen=True)
class SentMessage:
    """One message a MemoryTransport received."""

    envelope_from: str
    recipients: tuple[str, ...]
    message: bytes


@dataclass
class Outbox:
    """Messages kept in memory, and scripted replies (or errors) for chosen recipients."""

    messages: list[SentMessage] = field(default_factory=list)
    # recipient -> (SMTP code, text): e.g. {"gone@example.org": (550, "no such user")}
    replies: dict[str, tuple[int, str]] = field(default_factory=dict)
    # recipient -> an error raised by sending to them, as a transport with a fault would
    errors: dict[str, Exception] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.replies.clear()
            self.errors.clear()


_outboxes: dict[str, Outbox] = {}
_outboxes_lock = threading.Lock()


def memory_outbox(name: str = "default") -> Outbox:
    """The shared in-process outbox called `name` (what memory://name sends into)."""
    with _outboxes_lock:
        return _outboxes.setdefault(name, Outbox())


class MemoryTransport(BaseTransport):
    """Keeps messages in an `Outbox`; scripted replies make recipients fail as a server would."""

    name = "memory"

    def __init__(self, outbox: Outbox | None = None) -> None:
        self.outbox = outbox if outbox is not None else Outbox()
        self.opened = 0
        self.closed = 0

    @property
    def messages(self) -> list[SentMessage]:
        return self.outbox.messages

    def open(self) -> None:
        self.opened += 1

    def close(self) -> None:
        self.closed += 1

    def send(self, envelope_from: str, recipients: list[str] | tuple[str, ...], message: bytes) -> SendResult:
        results = []
        accepted = []
        with self.outbox.lock:
            for recipient in recipients:
                if recipient in self.outbox.errors:
                    raise self.outbox.errors[recipient]
                code, detail = self.outbox.replies.get(recipient, (250, "OK"))
                results.append(RecipientResult(recipient, classify(code), code, detail))
                if classify(code) is Outcome.ACCEPTED:
                    accepted.append(recipient)
            if accepted:
                self.outbox.messages.append(SentMessage(envelope_from, tuple(accepted), message))
        return SendResult(tuple(results))


# --- choosing a transport ----------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _tls_context(cafile: str | None, verify: bool) -> ssl.SSLContext:
    """A TLS client context, made once per process: every batch opens a connection."""
    context = ssl.create_default_context(cafile=cafile)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _flag(query: dict[str, list[str]], name: str) -> bool:
    value = query.get(name, ["0"])[-1].lower()
    return value in ("1", "true", "yes", "on")


def transport_from_url(url: str) -> BaseTransport:
    """The transport a mail URL names; raises InvalidMailURL.

    smtp://[user:pass@]host[:port][?starttls=1&timeout=20&helo=name&cafile=/ca.pem&verify=0]
    smtps://…  (implicit TLS, port 465)   maildir:///abs/path   console://   memory://[name]

    `timeout` (seconds per reply) overrides PRESSROOM_SMTP_COMMAND_TIMEOUT.
    """
    settings = get_settings()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = parse_qs(parts.query)
    if scheme in ("smtp", "smtps"):
        if not parts.hostname:
            raise InvalidMailURL(url, "needs a host, e.g. smtp://mail.example.org:587?starttls=1")
        try:
            port = parts.port
            timeout = float(query.get("timeout", [str(settings.smtp_command_timeout)])[-1])
        except ValueError as exc:
            raise InvalidMailURL(url, str(exc)) from None
        starttls = _flag(query, "starttls")
        context = None
        if scheme == "smtps" or starttls:
            verify = "verify" not in query or _flag(query, "verify")
            context = _tls_context(query["cafile"][-1] if "cafile" in query else None, verify)
        return SMTPTransport(
            parts.hostname,
            port,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_ssl=scheme == "smtps",
            starttls=starttls,
            timeout=timeout,
            connect_timeout=settings.smtp_connect_timeout,
            local_hostname=query.get("helo", [None])[-1],
            ssl_context=context,
        )
    if scheme == "maildir":
        path = unquote((parts.netloc or "") + parts.path)
        if not path:
            raise InvalidMailURL(url, "needs a path, e.g. maildir:///var/mail/pressroom")
        return MaildirTransport(Path(path))
    if scheme == "console":
        return ConsoleTransport(sys.stderr if query.get("stream", [""])[-1] == "stderr" else None)
    if scheme == "memory":
        return MemoryTransport(memory_outbox(parts.netloc or "default"))
    raise InvalidMailURL(url, "unknown scheme; use smtp, smtps, maildir, console or memory")


def default_mail_url(settings: Settings | None = None) -> str:
    """PRESSROOM_MAIL_URL, or a Maildir under the data directory when it is empty."""
    settings = settings or get_settings()
    if settings.mail_url:
        return settings.mail_url
    return f"maildir://{(Path(settings.data_dir) / 'maildir').resolve()}"


def get_transport(settings: Settings | None = None) -> BaseTransport:
    """A new transport for the configured mail URL."""
    return transport_from_url(default_mail_url(settings))
