"""MIME assembly, read back with the standard library's email package."""

from __future__ import annotations

import email
import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import dkim
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import InvalidInput
from delivery import (
    DkimKeyError,
    DkimSigner,
    MailIdentity,
    PreparedMessage,
    Recipient,
    UnsafeHeader,
    identity_for,
    prepare,
)
from templates import CompiledMessage, Renderer
from tests.templates import samples
from tests.templates.htmlcheck import read_html

IDENTITY = MailIdentity(
    from_name="FOD Buitenlandse Zaken — SPF Affaires étrangères",
    from_address="pers@diplomatie.example.be",
    domain="diplomatie.example.be",
)
RECIPIENT = Recipient(
    email="jan@example.org",
    name="Jan Janssens",
    unsubscribe_url="https://diplomatie.example.be/u/tok-1?list=journalists&x=1",
    unsubscribe_mailto="mailto:unsubscribe@diplomatie.example.be?subject=unsubscribe%20tok-1",
    preferences_url="https://diplomatie.example.be/p/tok-1",
    list_slug="journalists",
)
WHEN = datetime(2026, 4, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _compiled(renderer: Renderer, template: str = "press_release", language: str = "nl", data: object = None) -> CompiledMessage:
    data = samples.input_for(template) if data is None else data
    return renderer.compile(template, language, data, samples.sender(), now=samples.NOW)


def _prepared(renderer: Renderer, template: str = "press_release", language: str = "nl", **kwargs: object) -> PreparedMessage:
    reply_to = ("Anouk Peeters", "anouk.peeters@diplomatie.example.be")
    return prepare(_compiled(renderer, template, language, kwargs.pop("data", None)), IDENTITY, reply_to=reply_to)


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message.defects == []
    for part in message.walk():
        assert part.defects == [], part.defects
    return message


def assert_wire_format(raw: bytes) -> None:
    """7-bit, CRLF line ends only, no line longer than 998 octets (body lines at most 76)."""
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    assert max(len(line) for line in body.split(b"\r\n")) <= 76


def test_multipart_alternative_text_then_html_utf8_quoted_printable(renderer: Renderer) -> None:
    prepared = _prepared(renderer)
    raw = prepared.build(RECIPIENT, date=WHEN)
    assert_wire_format(raw)
    message = parse(raw)

    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    expected = prepared.compiled.personalise(RECIPIENT.personalisation())
    for part, body in zip(parts, (expected.text, expected.html)):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part.get_content().replace("\r\n", "\n") == body.replace("\r\n", "\n")


def test_headers_of_a_bulk_release(renderer: Renderer) -> None:
    prepared = _prepared(renderer)
    message = parse(prepared.build(RECIPIENT, date=WHEN))

    assert message["From"].addresses[0].display_name == IDENTITY.from_name
    assert message["From"].addresses[0].addr_spec == "pers@diplomatie.example.be"
    assert str(message["Reply-To"]) == "Anouk Peeters <anouk.peeters@diplomatie.example.be>"
    assert str(message["To"]) == "Jan Janssens <jan@example.org>"
    assert message["Subject"] == samples.TITLES["nl"]
    assert "=?utf-8?" in prepared.build(RECIPIENT).split(b"\r\nSubject: ", 1)[1].split(b"\r\n")[0].decode()
    assert parsedate_to_datetime(message["Date"]) == WHEN
    assert re.fullmatch(r"<press-release\.r7\.3\.nl\.[0-9a-f]{20}@diplomatie\.example\.be>", message["Message-ID"])
    assert message["MIME-Version"] == "1.0"
    assert message["Content-Language"] == "nl"
    assert message["List-Id"] == f"{IDENTITY.from_name} <journalists.diplomatie.example.be>"
    assert message["List-Unsubscribe"] == (
        "<https://diplomatie.example.be/u/tok-1?list=journalists&x=1>, "
        "<mailto:unsubscribe@diplomatie.example.be?subject=unsubscribe%20tok-1>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Precedence"] == "bulk"
    assert message["Feedback-ID"] == "r7.3:press_release:journalists:pressroom"


@pytest.mark.parametrize("template", ["confirm_subscription", "already_subscribed", "review_request",
                                      "changes_requested", "published_receipt"])
def test_personal_mail_is_not_list_mail(renderer: Renderer, template: str) -> None:
    message = parse(prepare(_compiled(renderer, template), IDENTITY).build(Recipient("anouk@example.org", "Anouk")))
    for header in ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Precedence", "Reply-To"):
        assert header not in message
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith(f"<{template.replace('_', '-')}.")


def test_message_id_is_deterministic_per_revision_language_and_recipient(renderer: Renderer) -> None:
    def mid(prepared: PreparedMessage, recipient: Recipient = RECIPIENT) -> str:
        return str(parse(prepared.build(recipient))["Message-ID"])

    nl = _prepared(renderer)
    first = mid(nl)
    assert mid(_prepared(renderer)) == first  # rebuilt from scratch: recognisably the same
    assert mid(nl, replace(RECIPIENT, email="JAN@example.org", name="Other")) == first
    assert mid(nl, replace(RECIPIENT, email="piet@example.org")) != first
    assert mid(_prepared(renderer, language="fr")) != first
    assert mid(_prepared(renderer, data=samples.release(key="r7.4"))) != first


def test_subject_with_line_breaks_is_refused_as_defence_in_depth(renderer: Renderer) -> None:
    compiled = _compiled(renderer)
    for bad in ("Titel\r\nBcc: everyone@example.org", "Titel\nX: y", "Titel\x00", "Titel\u2028"):
        with pytest.raises(UnsafeHeader, match="subject"):
            prepare(replace(compiled, subject=bad), IDENTITY)


@pytest.mark.parametrize(
    "recipient",
    [
        replace(RECIPIENT, name="Jan\r\nBcc: x@example.org"),
        replace(RECIPIENT, email="jan@example.org\r\nBcc: x@example.org"),
        replace(RECIPIENT, email="jan janssens@example.org"),
        replace(RECIPIENT, email="jan@example.org\n"),
        replace(RECIPIENT, list_slug="journalists\n"),
        replace(RECIPIENT, email="jän@example.org"),
        replace(RECIPIENT, email="not-an-address"),
        replace(RECIPIENT, list_slug="Journalists List"),
        replace(RECIPIENT, unsubscribe_mailto="mailto:x@y.example>,<https://evil.example"),
        replace(RECIPIENT, unsubscribe_url="https://x.example/u>,<https://evil.example/"),
        replace(RECIPIENT, unsubscribe_url="https://x.example/ü"),
    ],
)
def test_unsafe_recipient_values_are_refused(renderer: Renderer, recipient: Recipient) -> None:
    with pytest.raises(UnsafeHeader):
        _prepared(renderer).build(recipient)


@pytest.mark.parametrize(
    "recipient",
    [
        replace(RECIPIENT, unsubscribe_url=""),
        replace(RECIPIENT, unsubscribe_url="javascript:alert(1)"),
        replace(RECIPIENT, preferences_url=""),
        replace(RECIPIENT, view_online_url="javascript:alert(1)"),
    ],
)
def test_bulk_mail_needs_working_unsubscribe_and_preferences_links(renderer: Renderer, recipient: Recipient) -> None:
    with pytest.raises(InvalidInput):
        _prepared(renderer).build(recipient)


def test_names_and_domains_beyond_ascii(renderer: Renderer) -> None:
    recipient = replace(RECIPIENT, email="jan@bücher.example", name="Jörg Müller-Łukasz «Ж» 東京, Jr.")
    raw = _prepared(renderer).build(recipient)
    assert_wire_format(raw)
    message = parse(raw)
    assert message["To"].addresses[0].display_name == "Jörg Müller-Łukasz «Ж» 東京, Jr."
    assert message["To"].addresses[0].addr_spec == "jan@xn--bcher-kva.example"
    assert "jan@bücher.example" in message.get_body(("plain",)).get_content()  # the footer's "why"
    greeting = parse(prepare(_compiled(renderer, "confirm_subscription", "de"), IDENTITY).build(recipient))
    assert "Guten Tag Jörg Müller-Łukasz «Ж» 東京, Jr.," in greeting.get_body(("plain",)).get_content()
    # A name too long for one encoded-word is split into several; RFC 2047 decoders drop the
    # folding between them (the policy-based parser of CPython keeps it, a known quirk), so
    # check with the RFC 2047 decoder of the standard library.
    long_name = "Ωμέγα " * 30
    raw = _prepared(renderer).build(replace(RECIPIENT, name=long_name))
    assert_wire_format(raw)
    to_value = email.message_from_bytes(raw).get("To")
    assert str(make_header(decode_header(to_value))) == f"{long_name.strip()} <jan@example.org>"


def test_hostile_release_stays_a_valid_message(renderer: Renderer) -> None:
    line = "ж" * 5000
    data = samples.with_text(
        samples.release(),
        "nl",
        title="Минск 🇧🇪 — <script>alert(1)</script> \"quoted\" =?utf-8?q?not_a_word?=",
        body=f"<script>alert(1)</script> [x](javascript:alert(1)) <b onclick=x>b</b>\n\n{line}\n\n🎉 日本語",
    )
    prepared = _prepared(renderer, data=data)
    raw = prepared.build(RECIPIENT)
    assert_wire_format(raw)
    message = parse(raw)
    assert message["Subject"] == data.text("nl").title
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert line in html and line in text and "🎉 日本語" in text
    page = read_html(html)
    assert page.errors == [] and page.event_handlers == [] and "script" not in page.tags
    assert all(href.startswith(("https://", "mailto:")) for href in page.hrefs)
    assert "[x](javascript:alert(1))" in page.text  # inert text, not a link


_header_safe_text = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    max_size=60,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_header_safe_text, token=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~%=&?", max_size=200))
def test_any_name_and_url_decode_to_what_the_renderer_produced(renderer: Renderer, name: str, token: str) -> None:
    prepared = _prepared(renderer)
    recipient = replace(
        RECIPIENT,
        name=name,
        unsubscribe_url=f"https://diplomatie.example.be/u/{token}",
        preferences_url=f"https://diplomatie.example.be/p/{token}",
    )
    raw = prepared.build(recipient)
    assert_wire_format(raw)
    message = parse(raw)
    expected = prepared.compiled.personalise(recipient.personalisation())
    text, html = (part.get_content().replace("\r\n", "\n") for part in message.iter_parts())
    assert text == expected.text
    assert html == expected.html
    shown = " ".join(part for part in name.strip().split(" ") if part)
    if not shown:
        return
    raw_to = str(email.message_from_bytes(raw).get("To"))
    if not shown.isascii():  # encoded: the RFC 2047 decoder of the standard library reads it back
        assert str(make_header(decode_header(raw_to))) == f"{shown} <{recipient.email}>"
    # CPython's policy parser keeps the space between adjacent encoded-words (a name too long for
    # one) and mangles some Unicode spaces in decoded phrases; it must read everything else.
    adjacent_words = re.search(r"\?=\s+=\?", raw_to)
    if not adjacent_words and not any(char.isspace() and char != " " for char in shown):
        assert message["To"].addresses[0].display_name == shown


def test_identity_falls_back_to_the_organisation_and_its_website(sqlite_db: str) -> None:
    identity = identity_for(samples.sender(email=""))
    assert identity.domain == "diplomatie.example.be"
    assert identity.from_address == "noreply@diplomatie.example.be"
    assert identity_for(samples.sender()).from_address == "pers@diplomatie.example.be"


# --- DKIM --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A fresh RSA key made by the openssl command, and its public half for the DNS record."""
    directory = tmp_path_factory.mktemp("dkim")
    key = directory / "private.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    import base64

    return key, base64.b64encode(public)


def test_dkim_signature_covers_the_one_click_headers(renderer: Renderer, dkim_key: tuple[Path, bytes]) -> None:
    key, public = dkim_key
    signer = DkimSigner("pr2026", "diplomatie.example.be", key.read_bytes())
    prepared = prepare(_compiled(renderer), IDENTITY, signer=signer)
    raw = prepared.build(RECIPIENT)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"pr2026._domainkey.diplomatie.example.be."
        return b"v=DKIM1; k=rsa; p=" + public

    assert raw.startswith(b"DKIM-Signature: ")
    signature = parse(raw)["DKIM-Signature"]
    assert "list-unsubscribe:list-unsubscribe-post" in signature.replace(" ", "").lower()
    assert dkim.verify(raw, dnsfunc=dns)
    tampered = raw.replace(b"List-Unsubscribe: <https://", b"List-Unsubscribe: <https://evil.")
    assert not dkim.verify(tampered, dnsfunc=dns)


@pytest.mark.parametrize("forged", [
    b"Subject: Urgent: new bank details\r\n",
    b"From: Minister <minister@evil.example>\r\n",
    b"List-Unsubscribe: <https://evil.example/u>\r\n",
    b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
    b"List-Id: <other.list.example>\r\n",
])
def test_a_second_copy_of_a_signed_header_breaks_the_signature(
    renderer: Renderer, dkim_key: tuple[Path, bytes], forged: bytes,
) -> None:
    """Over-signing (RFC 6376 §8.15): without it, a copy added above the original still
    verifies (the verifier hashes the lowest copy) while mail clients show the added one."""
    key, public = dkim_key
    signer = DkimSigner("pr2026", "diplomatie.example.be", key.read_bytes())
    raw = prepare(_compiled(renderer), IDENTITY, signer=signer).build(RECIPIENT)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return b"v=DKIM1; k=rsa; p=" + public

    names = [n.strip() for n in parse(raw)["DKIM-Signature"].replace(" ", "").lower().split("h=")[1].split(";")[0].split(":")]
    head = parse(raw)
    for name in ("from", "subject", "list-id", "list-unsubscribe", "list-unsubscribe-post"):
        present = len(head.get_all(name) or [])
        assert names.count(name) == present + 1, name
    assert dkim.verify(raw, dnsfunc=dns)
    assert not dkim.verify(forged + raw, dnsfunc=dns)


def test_a_bad_dkim_key_is_a_configuration_error() -> None:
    with pytest.raises(DkimKeyError):
        DkimSigner("s", "example.be", b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
