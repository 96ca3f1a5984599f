"""Transports against real things: an aiosmtpd server on 127.0.0.1, a Maildir on disk."""

from __future__ import annotations

import email
import io
import mailbox
import time
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path

import pytest

from core.settings import Settings
from delivery import (
    ConsoleTransport,
    InvalidMailURL,
    MaildirTransport,
    MemoryTransport,
    Outcome,
    SMTPTransport,
    TransportUnavailable,
    default_mail_url,
    get_transport,
    memory_outbox,
    transport_from_url,
)
from tests.delivery.smtp_sink import (
    Certificate,
    Sink,
    authenticator,
    content_never_answered,
    falls_silent,
    free_port,
    self_signed,
    smtp_server,
)

SENDER = "bounces@diplomatie.example.be"
MESSAGE = (
    b"From: Pers <pers@diplomatie.example.be>\r\nTo: jan@example.org\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n"
    b"Message-ID: <t1@diplomatie.example.be>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    b"Caf=C3=A9\r\n.a line that starts with a dot\r\n"
)


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def server(sink: Sink) -> Iterator[str]:
    """smtp:// URL of a running sink."""
    with smtp_server(sink) as controller:
        yield f"smtp://{controller.hostname}:{controller.port}?helo=pressroom.test"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_each_recipient_gets_its_own_smtp_code(sink: Sink, server: str) -> None:
    sink.rcpt_replies = {"gone@example.org": "550 5.1.1 No such user", "full@example.org": "452 4.2.2 Mailbox full"}
    with transport_from_url(server) as transport:
        result = transport.send(SENDER, ["jan@example.org", "gone@example.org", "full@example.org"], MESSAGE)

    assert not result.ok
    assert result.accepted == ["jan@example.org"]
    assert (result["jan@example.org"].code, result["jan@example.org"].outcome) == (250, Outcome.ACCEPTED)
    assert (result["gone@example.org"].code, result["gone@example.org"].outcome) == (550, Outcome.PERMANENT)
    assert "No such user" in result["gone@example.org"].detail
    assert (result["full@example.org"].code, result["full@example.org"].outcome) == (452, Outcome.TRANSIENT)
    assert [r.recipient for r in result.permanent] == ["gone@example.org"]
    assert [r.recipient for r in result.transient] == ["full@example.org"]
    # Only the accepted recipient got the message, byte for byte (dot-stuffing undone).
    [received] = sink.received
    assert (received.mail_from, received.rcpt_tos) == (SENDER, ["jan@example.org"])
    assert received.content == MESSAGE
    assert email.message_from_bytes(received.content, policy=default_policy)["Subject"] == "Café"


def test_a_batch_reuses_one_connection(sink: Sink, server: str) -> None:
    transport = transport_from_url(server)
    with transport:
        for number in range(5):
            assert transport.send(SENDER, [f"r{number}@example.org"], MESSAGE).ok
    assert len(sink.received) == 5
    assert len(sink.peers) == 1
    with transport:  # a new batch, a new connection
        assert transport.send(SENDER, ["r5@example.org"], MESSAGE).ok
    assert len(sink.peers) == 2


def test_refused_data_is_reported_and_the_connection_stays_usable(sink: Sink, server: str) -> None:
    with transport_from_url(server) as transport:
        sink.data_reply = "554 5.7.1 Message rejected as spam"
        result = transport.send(SENDER, ["a@example.org", "b@example.org"], MESSAGE)
        assert [(r.code, r.outcome) for r in result.recipients] == [(554, Outcome.PERMANENT)] * 2
        assert "rejected as spam" in result["a@example.org"].detail

        sink.data_reply = None
        sink.mail_reply = "451 4.3.2 Try again later"
        result = transport.send(SENDER, ["a@example.org"], MESSAGE)
        assert [(r.code, r.outcome) for r in result.recipients] == [(451, Outcome.TRANSIENT)]

        sink.mail_reply = None
        assert transport.send(SENDER, ["a@example.org"], MESSAGE).ok
    assert len(sink.peers) == 1 and len(sink.received) == 1


def test_a_submitted_message_is_settled_when_the_connection_is_next_used(sink: Sink, server: str) -> None:
    sink.data_replies = {"b@example.org": "554 5.7.1 Rejected as spam"}
    with transport_from_url(server) as transport:
        first = transport.submit(SENDER, ["a@example.org"], MESSAGE)
        assert first.result is None  # the server's reply to its content is not read yet
        second = transport.submit(SENDER, ["b@example.org"], MESSAGE)
        assert first.result is not None and first.result.ok
        assert second.result is None
        transport.settle()
        assert second.result is not None
        assert (second.result["b@example.org"].code, second.result["b@example.org"].outcome) == (554, Outcome.PERMANENT)
        third = transport.submit(SENDER, ["c@example.org"], MESSAGE)
    assert third.result is not None and third.result.ok  # closing read the last reply
    assert [r.rcpt_tos for r in sink.received] == [["a@example.org"], ["c@example.org"]]
    assert len(sink.peers) == 1


@pytest.mark.parametrize("pipelining", [False, True])
def test_a_connection_lost_before_the_reply_makes_only_that_message_transient(
        sink: Sink, server: str, pipelining: bool) -> None:
    # With PIPELINING, c's commands went in the same write as b's content, into a connection
    # the server then closed: nothing of c was accepted there, so it goes over a new one.
    sink.pipelining = pipelining
    sink.drop_after_data = {"b@example.org"}
    with transport_from_url(server) as transport:
        tickets = [transport.submit(SENDER, [f"{name}@example.org"], MESSAGE) for name in "abc"]
    results = [ticket.result for ticket in tickets]
    assert results[0] is not None and results[0].ok
    assert results[1] is not None
    lost = results[1]["b@example.org"]
    assert (lost.outcome, lost.code) == (Outcome.TRANSIENT, None) and "connection lost" in lost.detail
    assert results[2] is not None and results[2].ok  # sent over a new connection
    assert len(sink.peers) == 2
    assert [r.rcpt_tos for r in sink.received] == [["a@example.org"], ["c@example.org"]]


def test_a_server_that_pipelines_gets_each_message_s_commands_in_one_write(sink: Sink, server: str) -> None:
    sink.pipelining = True
    sink.rcpt_replies = {"gone@example.org": "550 5.1.1 No such user"}
    sink.data_replies = {"spam@example.org": "554 5.7.1 Rejected as spam"}
    with transport_from_url(server) as transport:
        tickets = [transport.submit(SENDER, recipients, MESSAGE) for recipients in (
            ["a@example.org", "gone@example.org", "b@example.org"],
            ["gone@example.org"],  # no recipient left: DATA is refused, the session goes on
            ["spam@example.org"],
            ["c@example.org"],
        )]
        sink.mail_reply = "451 4.3.2 Try again later"  # refused MAIL: its RCPT and DATA replies are read too
        refused = transport.send(SENDER, ["d@example.org", "e@example.org"], MESSAGE)
        sink.mail_reply = None
        last = transport.send(SENDER, ["f@example.org"], MESSAGE)
    results = [ticket.result for ticket in tickets]
    assert all(result is not None for result in results)
    codes = [[(r.recipient, r.code) for r in result.recipients] for result in results if result is not None]
    assert codes == [
        [("a@example.org", 250), ("gone@example.org", 550), ("b@example.org", 250)],
        [("gone@example.org", 550)],
        [("spam@example.org", 554)],
        [("c@example.org", 250)],
    ]
    assert [(r.code, r.outcome) for r in refused.recipients] == [(451, Outcome.TRANSIENT)] * 2
    assert last.ok
    assert [r.rcpt_tos for r in sink.received] == [["a@example.org", "b@example.org"], ["c@example.org"],
                                                   ["f@example.org"]]
    assert all(r.content == MESSAGE for r in sink.received)
    assert sink.pipelined == 6 and len(sink.peers) == 1


def test_with_pipelining_a_message_s_content_goes_in_one_write_with_the_next_message_s_commands(
        sink: Sink, server: str) -> None:
    sink.pipelining = True
    with transport_from_url(server) as transport:
        first = transport.submit(SENDER, ["a@example.org"], MESSAGE)
        assert first.result is None and not sink.received  # its content waits for the next message
        second = transport.submit(SENDER, ["b@example.org"], MESSAGE)
        assert first.result is not None and first.result.ok  # read before the next message's replies
        assert second.result is None
        third = transport.submit(SENDER, ["c@example.org"], MESSAGE)
        assert second.result is not None and second.result.ok
    assert third.result is not None and third.result.ok  # closing sent the last content, read its reply
    assert [r.rcpt_tos for r in sink.received] == [["a@example.org"], ["b@example.org"], ["c@example.org"]]
    assert all(r.content == MESSAGE for r in sink.received)
    # a's and b's content each arrived with the next MAIL FROM behind it; c's went alone.
    assert sink.joined == 2 and sink.pipelined == 3 and len(sink.peers) == 1


def test_withholding_gives_up_a_message_whose_content_was_held_back(sink: Sink, server: str) -> None:
    sink.pipelining = True
    transport = transport_from_url(server)
    with transport:
        first = transport.submit(SENDER, ["a@example.org"], MESSAGE)
        second = transport.submit(SENDER, ["b@example.org"], MESSAGE)
        transport.withhold()  # a batch that stopped: b's content must not go
    assert first.result is not None and first.result.ok and not first.withheld
    assert second.withheld and second.result is not None
    assert second.result["b@example.org"].outcome is Outcome.TRANSIENT
    time.sleep(0.2)  # the server saw the connection end in the middle of b's data
    assert [r.rcpt_tos for r in sink.received] == [["a@example.org"]] and len(sink.peers) == 1
    sink.pipelining = False
    with transport:  # without PIPELINING nothing is held back: withholding settles
        third = transport.submit(SENDER, ["c@example.org"], MESSAGE)
        transport.withhold()
        assert third.result is not None and third.result.ok and not third.withheld


def test_a_421_after_a_pipelined_message_sends_the_next_one_over_a_new_connection(sink: Sink, server: str) -> None:
    sink.pipelining = True
    sink.data_replies = {"b@example.org": "421 4.3.0 Shutting down"}
    with transport_from_url(server) as transport:
        tickets = [transport.submit(SENDER, [f"{name}@example.org"], MESSAGE) for name in "abcd"]
    results = [ticket.result for ticket in tickets]
    assert all(result is not None for result in results)
    outcomes = [(r.code, r.outcome) for result in results if result is not None for r in result.recipients]
    assert outcomes == [(250, Outcome.ACCEPTED), (421, Outcome.TRANSIENT), (250, Outcome.ACCEPTED),
                        (250, Outcome.ACCEPTED)]
    # c's commands had reached the first server behind b's content: it took none of c there.
    assert [r.rcpt_tos for r in sink.received] == [["a@example.org"], ["c@example.org"], ["d@example.org"]]
    assert len(sink.peers) == 2


def test_a_message_that_never_reaches_the_wire_still_settles_the_one_before(sink: Sink, server: str) -> None:
    """A message with no recipient, or a sender that needs SMTPUTF8, gets its result at once:
    the content held back for the last message must not stay unsent and unanswered behind it."""
    sink.pipelining = True
    with transport_from_url(server) as transport:
        first = transport.submit(SENDER, ["a@example.org"], MESSAGE)
        nobody = transport.submit(SENDER, [], MESSAGE)
        assert nobody.result is not None and first.result is not None and first.result.ok
        second = transport.submit(SENDER, ["b@example.org"], MESSAGE)
        refused = transport.submit("presse@außenministerium.example", ["c@example.org"], MESSAGE)
        assert refused.result is not None and refused.result["c@example.org"].outcome is Outcome.PERMANENT
        assert second.result is not None and second.result.ok
    assert [r.rcpt_tos for r in sink.received] == [["a@example.org"], ["b@example.org"]]


@pytest.mark.parametrize("pipelining", [False, True])
def test_a_connection_lost_after_the_content_keeps_the_recipients_the_server_refused(
        sink: Sink, server: str, pipelining: bool) -> None:
    """Only the recipients whose RCPT TO was accepted wait on the content's reply: one refused
    for good (a 5.1.1, which suppresses the address) stays refused when the connection is lost."""
    sink.pipelining = pipelining
    sink.rcpt_replies = {"gone@example.org": "550 5.1.1 No such user"}
    sink.drop_after_data = {"a@example.org"}
    with transport_from_url(server) as transport:
        first = transport.submit(SENDER, ["a@example.org", "gone@example.org"], MESSAGE)
        second = transport.submit(SENDER, ["b@example.org"], MESSAGE)
    assert first.result is not None and second.result is not None and second.result.ok
    lost, gone = first.result["a@example.org"], first.result["gone@example.org"]
    assert (lost.outcome, lost.code) == (Outcome.TRANSIENT, None) and "connection lost" in lost.detail
    assert (gone.outcome, gone.code) == (Outcome.PERMANENT, 550) and "5.1.1" in gone.detail


def test_a_reply_too_long_to_read_fails_the_message_not_the_batch() -> None:
    # smtplib refuses a reply line over 8 KB with an exception of its own, not a lost connection.
    long_reply = b"250 " + b"x" * 9000 + b"\r\n"
    with falls_silent(b"250 odd.example\r\n", [(1, long_reply)]) as (port, _accepted), \
            SMTPTransport("127.0.0.1", port, timeout=2, local_hostname="pressroom.test") as transport:
        result = transport.send(SENDER, ["a@example.org"], MESSAGE)
    refused = result["a@example.org"]
    assert refused.outcome is Outcome.TRANSIENT and "Line too long" in refused.detail


def test_a_pipelined_message_s_reply_that_times_out_leaves_the_next_one_unsent() -> None:
    with content_never_answered() as (port, accepted):
        transport = SMTPTransport("127.0.0.1", port, timeout=0.5, local_hostname="pressroom.test")
        with transport:
            first = transport.submit(SENDER, ["a@example.org"], MESSAGE)
            started = time.monotonic()
            second = transport.submit(SENDER, ["b@example.org"], MESSAGE)
            waited = time.monotonic() - started
    assert waited < 3  # one wait for one reply
    assert first.result is not None and second.result is not None
    lost = first.result["a@example.org"]
    assert (lost.outcome, lost.code) == (Outcome.TRANSIENT, None) and "connection lost" in lost.detail
    unsent = second.result["b@example.org"]
    assert unsent.outcome is Outcome.TRANSIENT and "before MAIL FROM" in unsent.detail
    assert transport.timed_out and accepted[0] == 1  # a server that timed out is not asked again


def test_an_address_cannot_smuggle_smtp_commands(sink: Sink, server: str) -> None:
    with transport_from_url(server) as transport:
        transport.send(SENDER, ["a@example.org\r\nRCPT TO:<evil@example.org>"], MESSAGE)
    assert all("evil@example.org" not in r.rcpt_tos for r in sink.received)


def test_a_connection_the_server_dropped_is_opened_again(sink: Sink) -> None:
    with smtp_server(sink, timeout=0.3) as controller:
        transport = SMTPTransport(controller.hostname, controller.port, local_hostname="pressroom.test")
        with transport:
            assert transport.send(SENDER, ["a@example.org"], MESSAGE).ok
            time.sleep(1.0)  # the server closes the idle session
            assert transport.send(SENDER, ["b@example.org"], MESSAGE).ok
    assert len(sink.peers) == 2 and len(sink.received) == 2


def test_no_server_is_a_transient_unavailability() -> None:
    transport = transport_from_url(f"smtp://127.0.0.1:{free_port()}?timeout=2")
    with pytest.raises(TransportUnavailable) as caught:
        transport.open()
    assert caught.value.transient is True


def test_login_with_credentials_from_the_url(sink: Sink) -> None:
    options = {"authenticator": authenticator("pressroom", "s3cret@x"), "auth_require_tls": False}
    with smtp_server(sink, **options) as controller:
        good = f"smtp://pressroom:s3cret%40x@{controller.hostname}:{controller.port}?helo=pressroom.test"
        with transport_from_url(good) as transport:
            assert transport.send(SENDER, ["a@example.org"], MESSAGE).ok
        bad = f"smtp://pressroom:wrong@{controller.hostname}:{controller.port}?helo=pressroom.test"
        with pytest.raises(TransportUnavailable) as caught:
            transport_from_url(bad).open()
    assert caught.value.code == 535 and caught.value.transient is False
    assert "wrong" not in caught.value.message


def test_starttls(sink: Sink, certificate: Certificate) -> None:
    options = {"tls_context": certificate.server_context(), "require_starttls": True}
    with smtp_server(sink, **options) as controller:
        base = f"smtp://{controller.hostname}:{controller.port}"
        with transport_from_url(f"{base}?starttls=1&cafile={certificate.cert}&helo=pressroom.test") as transport:
            assert transport.send(SENDER, ["a@example.org"], MESSAGE).ok
        # Without STARTTLS this server refuses to take mail: reported, not raised.
        with transport_from_url(f"{base}?helo=pressroom.test") as transport:
            result = transport.send(SENDER, ["a@example.org"], MESSAGE)
        assert result["a@example.org"].code == 530 and result["a@example.org"].outcome is Outcome.PERMANENT
    assert len(sink.received) == 1


def test_smtps_checks_the_certificate(sink: Sink, certificate: Certificate) -> None:
    with smtp_server(sink, ssl_context=certificate.server_context()) as controller:
        base = f"smtps://{controller.hostname}:{controller.port}"
        with transport_from_url(f"{base}?cafile={certificate.cert}&helo=pressroom.test") as transport:
            assert transport.send(SENDER, ["a@example.org"], MESSAGE).ok
        with pytest.raises(TransportUnavailable, match="TLS"):
            transport_from_url(f"{base}?helo=pressroom.test").open()  # self-signed, not trusted
    assert len(sink.received) == 1


def test_maildir_is_a_real_maildir(tmp_path: Path) -> None:
    path = tmp_path / "mail"
    with transport_from_url(f"maildir://{path}") as transport:
        assert isinstance(transport, MaildirTransport)
        result = transport.send(SENDER, ["jan@example.org", "piet@example.org"], MESSAGE)
    assert result.ok
    box = mailbox.Maildir(path, create=False)
    [key] = box.keys()
    stored = box.get_bytes(key)
    assert stored.endswith(MESSAGE)
    message = email.message_from_bytes(stored, policy=default_policy)
    assert message["Return-Path"] == f"<{SENDER}>"
    assert message.get_all("Delivered-To") == ["jan@example.org", "piet@example.org"]
    assert (path / "new").is_dir() and (path / "cur").is_dir() and (path / "tmp").is_dir()


def test_console_prints_the_message() -> None:
    stream = io.StringIO()
    result = ConsoleTransport(stream).send(SENDER, ["jan@example.org"], MESSAGE)
    assert result.ok
    printed = stream.getvalue()
    assert f"mail from {SENDER} to jan@example.org" in printed and "Subject: =?utf-8?q?Caf=C3=A9?=" in printed


def test_memory_transport_keeps_messages_and_scripted_refusals() -> None:
    outbox = memory_outbox("test-memory")
    outbox.clear()
    outbox.replies["gone@example.org"] = (550, "no such user")
    transport = transport_from_url("memory://test-memory")
    assert isinstance(transport, MemoryTransport) and transport.outbox is outbox
    with transport:
        result = transport.send(SENDER, ["jan@example.org", "gone@example.org"], MESSAGE)
    assert result["gone@example.org"].outcome is Outcome.PERMANENT
    [sent] = outbox.messages
    assert sent.recipients == ("jan@example.org",) and sent.message == MESSAGE
    assert (transport.opened, transport.closed) == (1, 1)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("smtp://", "needs a host"),
        ("smtp://user:topsecret@mail.example.org:notaport", "port"),
        ("maildir://", "needs a path"),
        ("sendmail:///usr/sbin/sendmail", "unknown scheme"),
    ],
)
def test_bad_mail_urls_are_configuration_errors(url: str, problem: str) -> None:
    with pytest.raises(InvalidMailURL, match=problem) as caught:
        transport_from_url(url)
    assert "topsecret" not in caught.value.message


def test_smtp_url_parts(tmp_path: Path) -> None:
    transport = transport_from_url("smtps://me%40example.org:p%2Fw@mail.example.org?timeout=5")
    assert isinstance(transport, SMTPTransport)
    assert (transport.host, transport.port, transport.use_ssl, transport.starttls) == ("mail.example.org", 465, True, False)
    assert (transport.username, transport.password, transport.timeout) == ("me@example.org", "p/w", 5.0)
    plain = transport_from_url("smtp://mail.example.org:587?starttls=1")
    assert isinstance(plain, SMTPTransport) and (plain.port, plain.starttls) == (587, True)


def test_default_transport_is_a_maildir_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRESSROOM_MAIL_URL", raising=False)
    settings = Settings(data_dir=tmp_path / "data")
    assert default_mail_url(settings) == f"maildir://{(tmp_path / 'data' / 'maildir').resolve()}"
    transport = get_transport(settings)
    assert isinstance(transport, MaildirTransport) and transport.path == (tmp_path / "data" / "maildir").resolve()
    monkeypatch.setenv("PRESSROOM_MAIL_URL", "console://")
    assert isinstance(get_transport(Settings()), ConsoleTransport)
