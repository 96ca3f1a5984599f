"""MIME assembly: a compiled message plus one recipient becomes the bytes handed to a transport.

    multipart/alternative (text/plain, then text/html), UTF-8, quoted-printable, CRLF

Everything that is the same for every recipient (the From, Reply-To and Subject headers, the
quoted-printable encoding of the HTML and text between the personal fields) is prepared once in
`PreparedMessage`. Per recipient only the personal fields are encoded and the pieces joined:
quoted-printable lets a soft line break ("=" CRLF) sit between any two pieces, so pieces encoded
separately concatenate into a valid body with every line at most 76 octets.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

import idna

from core.db import utcnow
from core.errors import InvalidInput
from core.settings import Settings, get_settings
from delivery.errors import UnsafeHeader
from delivery.signing import DkimSigner
from templates import CompiledMessage, Personalisation, Sender, is_safe_url
from workflow.content import check_single_line

CRLF = b"\r\n"
_SOFT_BREAK = b"=\r\n"
# Always used with fullmatch: "$" would also match before a trailing newline.
_ATEXT_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ .-]*")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
_ID_PART = re.compile(r"[^A-Za-z0-9.-]+")


@dataclass(frozen=True)
class Recipient:
    """One addressee and the per-recipient values of their copy.

    `list_slug` names the mailing list the copy goes out for (List-Id, Feedback-ID); the URLs
    are built by the subscribers room (tokens) and must be absolute http(s) URLs.
    """

    email: str
    name: str = ""
    unsubscribe_url: str = ""
    unsubscribe_mailto: str = ""  # "mailto:unsubscribe+TOKEN@…" read by the bounce poller; "" for none
    preferences_url: str = ""
    view_online_url: str = ""
    access_query: str = ""  # "?access=TOKEN" on release links of a mail sent under embargo
    list_slug: str = ""
    click_path: str = ""  # "/TOKEN" after each tracked link, with per-recipient click tracking

    def personalisation(self) -> Personalisation:
        return Personalisation(
            email=self.email,
            name=self.name,
            unsubscribe_url=self.unsubscribe_url,
            preferences_url=self.preferences_url,
            view_online_url=self.view_online_url,
            access_query=self.access_query,
            click_path=self.click_path,
        )


@dataclass(frozen=True)
class MailIdentity:
    """Who sends: From name and address, the bounce address, and the domain of ids."""

    from_name: str
    from_address: str
    domain: str
    envelope_from: str = ""
    default_list: str = "releases"

    @property
    def bounce_address(self) -> str:
        return self.envelope_from or self.from_address


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "") if url else ""


def identity_for(sender: Sender, settings: Settings | None = None) -> MailIdentity:
    """The identity of `sender` with the mail settings applied (see core.settings)."""
    settings = settings or get_settings()
    domain = (
        settings.list_id_domain
        or _host(sender.website)
        or _host(settings.organisation_website)
        or "localhost"
    )
    address = settings.mail_from or sender.email or f"noreply@{domain}"
    return MailIdentity(from_name=sender.name, from_address=address, domain=domain)


# --- header values -----------------------------------------------------------------------------


def _one_line(value: str, what: str) -> str:
    try:
        return check_single_line(value, what)
    except ValueError as exc:
        raise UnsafeHeader(what, str(exc)) from None


def ascii_address(address: str, what: str = "address") -> str:
    """`address` usable in a header and an SMTP envelope: ASCII, with an IDNA domain.

    Raises UnsafeHeader for control characters, spaces or a non-ASCII local part (which would
    need SMTPUTF8, which we do not rely on).
    """
    if _ATEXT_ADDRESS.fullmatch(address):
        return address
    _one_line(address, what)
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise UnsafeHeader(what, f"{address!r} is not an e-mail address")
    if not local.isascii():
        raise UnsafeHeader(what, f"{address!r} has a non-ASCII local part (needs SMTPUTF8)")
    try:  # IDNA 2008 with UTS #46, as the address check uses: Python's "idna" codec (IDNA 2003)
        # maps "faß.de" to "fass.de", another domain with another owner.
        converted = f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except (idna.IDNAError, UnicodeError):
        raise UnsafeHeader(what, f"{address!r} has an invalid domain") from None
    if not _ATEXT_ADDRESS.fullmatch(converted):
        raise UnsafeHeader(what, f"{address!r} is not an e-mail address")
    return converted


def _encoded_words(text: str) -> list[str]:
    """`text` as base64 encoded-words of at most 75 characters, split between characters only
    when a single word is too long for one."""
    words: list[str] = []
    chunk = ""
    for char in text:
        if len((chunk + char).encode("utf-8")) > 45:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words if w]


def _plain_word(word: str) -> bool:
    # "=?" must be encoded too, or a receiver would decode text that only looks encoded.
    return word.isascii() and "=?" not in word


def _encode_words(value: str, plain: Callable[[str], bool]) -> str:
    """`value` with every run of words that are not `plain` as encoded-words (inner spaces
    included), so no decoder has to guess about whitespace between adjacent encoded-words."""
    tokens: list[str] = []
    run: list[str] = []
    for word in value.split(" "):
        if plain(word):
            if run:
                tokens += _encoded_words(" ".join(run))
                run = []
            tokens.append(word)
        else:
            run.append(word)
    if run:
        tokens += _encoded_words(" ".join(run))
    return " ".join(tokens)


def encode_phrase(name: str) -> str:
    """A display name for an address header: as is, quoted, or RFC 2047 encoded per word."""
    if name.isascii() and "=?" not in name:
        if _PLAIN_NAME.fullmatch(name) and "." not in name:
            return name
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _encode_words(
        name,
        lambda word: _plain_word(word) and bool(_PLAIN_NAME.fullmatch(word)) and "." not in word,
    )


def encode_text(value: str) -> str:
    """Unstructured header text (a subject) with RFC 2047 encoded-words where needed."""
    return _encode_words(value, _plain_word)


def _folded(value: str, used: int) -> str:
    """Fold a header value at spaces so lines stay under 78 characters where possible."""
    if used + len(value) <= 76:
        return value
    out: list[str] = []
    line = used
    for word in value.split(" "):
        if out and line + 1 + len(word) > 76:
            out.append("\r\n " + word)
            line = 1 + len(word)
        else:
            out.append((" " if out else "") + word)
            line += (1 if len(out) > 1 else 0) + len(word)
    return "".join(out)


def format_address(name: str, address: str, what: str = "address") -> str:
    """A "Name <address>" header value; non-ASCII names are RFC 2047 encoded."""
    address = ascii_address(address, what)
    # Runs of spaces would be folded away by any parser: say what will be read.
    name = " ".join(part for part in _one_line(name, f"{what} name").split(" ") if part) if name else ""
    if not name:
        return address
    return f"{encode_phrase(name)} <{address}>"


def _address_header(name: str, value: str) -> bytes:
    """A header line, folded at spaces; `value` must already be ASCII (encoded)."""
    return f"{name}: {_folded(value, len(name) + 2)}\r\n".encode("ascii")


def _header_safe(url: str, what: str) -> str:
    """A URL that can stand between angle brackets in a header."""
    if not url.isascii() or "<" in url or ">" in url or "," in url.split("?", 1)[0]:
        raise UnsafeHeader(what, f"{url[:80]!r} cannot go into a header (non-ASCII, <, > or ,)")
    return url


def _web_url(url: str, what: str) -> str:
    """An absolute http(s) URL for a bulk message's links and headers; raises InvalidInput."""
    if not url.lower().startswith(("https://", "http://")) or not is_safe_url(url):
        raise InvalidInput(what, f"bulk mail needs an absolute http(s) URL here, not {url[:80]!r}")
    return _header_safe(url, what)


def _raw(name: str, value: str) -> bytes:
    return f"{name}: {value}\r\n".encode("ascii")


# --- quoted-printable pieces -------------------------------------------------------------------


def _qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends and lines of at most 76 octets, the last line short
    enough (75) that a soft line break can still follow it."""
    if not text:
        return b""
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    encoded = encoded.replace(b"\n", CRLF)
    start = encoded.rfind(CRLF) + 2 if CRLF in encoded else 0
    last = encoded[start:]
    if len(last) <= 75:
        return encoded
    cut = 75
    # Never split an escape such as "=3D": back off to before it.
    while any(last[i : i + 1] == b"=" for i in range(max(cut - 2, 0), cut)):
        cut -= 1
    return encoded[:start] + last[:cut] + _SOFT_BREAK + last[cut:]


# A part ready to fill: literal pieces encoded once, with whether each ends a line (bytes, bool),
# and the names of the fields between them (str). Empty literals are left out: they add nothing
# and break no line.
_Plan = tuple[tuple[bytes, bool] | str, ...]


def _qp_pieces(parts: tuple[str, ...]) -> _Plan:
    """Literal parts encoded once; field names (str) are left to fill per recipient."""
    plan: list[tuple[bytes, bool] | str] = []
    for index, part in enumerate(parts):
        if index % 2:
            plan.append(part)
        elif part:
            encoded = _qp(part)
            plan.append((encoded, encoded.endswith(CRLF)))
    return tuple(plan)


def _join_qp(plan: _Plan, encoded: dict[str, bytes]) -> bytes:
    """One part's body: the literals and the fields' encoded values, a soft line break between
    two pieces where the first does not end its line."""
    out: list[bytes] = []
    at_line_start = True
    for piece in plan:
        if isinstance(piece, str):
            data = encoded[piece]
            if not data:
                continue
            ends_line = data.endswith(CRLF)
        else:
            data, ends_line = piece
        if not at_line_start:
            out.append(_SOFT_BREAK)
        out.append(data)
        at_line_start = ends_line
    return b"".join(out)


class _FieldEncoder:
    """The quoted-printable form of each field's value, as text and as escaped HTML.

    Fields whose value is the same for every recipient (the "view online" link, an empty
    access query) are encoded once and reused while the value stays the same; a value with
    nothing to escape has one encoding for both parts.
    """

    def __init__(self) -> None:
        self._last: dict[str, tuple[str, bytes, bytes]] = {}

    def encode(self, values: dict[str, str], names: frozenset[str]) -> tuple[dict[str, bytes], dict[str, bytes]]:
        text: dict[str, bytes] = {}
        markup: dict[str, bytes] = {}
        last = self._last
        for name in names:
            value = values[name]
            known = last.get(name)
            if known is None or known[0] != value:
                plain = _qp(value)
                escaped = html.escape(value, quote=True)
                known = last[name] = (value, plain, plain if escaped == value else _qp(escaped))
            text[name] = known[1]
            markup[name] = known[2]
        return text, markup


# --- the message -------------------------------------------------------------------------------


class PreparedMessage:
    """A compiled message with its constant headers and encoded parts; `build` per recipient.

    Raises UnsafeHeader when the subject or a sender value would break a header.
    """

    def __init__(
        self,
        compiled: CompiledMessage,
        identity: MailIdentity,
        *,
        reply_to: tuple[str, str] | None = None,
        signer: DkimSigner | None = None,
    ) -> None:
        self.compiled = compiled
        self.identity = identity
        self.signer = signer
        self.envelope_from = ascii_address(identity.bounce_address, "envelope from")
        subject = _one_line(compiled.subject, "subject")
        self.subject = subject
        key = _ID_PART.sub("-", compiled.key).strip("-") or "message"
        self._id_prefix = f"{compiled.template.replace('_', '-')}.{key}.{compiled.language}."
        self._boundary = "=_pr_" + hashlib.sha256(
            f"{compiled.template}|{compiled.key}|{compiled.language}".encode()
        ).hexdigest()[:24]
        headers = [
            _address_header("From", format_address(identity.from_name, identity.from_address, "from")),
        ]
        if reply_to is not None:
            headers.append(_address_header("Reply-To", format_address(reply_to[0], reply_to[1], "reply-to")))
        headers += [
            _address_header("Subject", encode_text(subject)),
            _raw("MIME-Version", "1.0"),
            _raw("Content-Language", compiled.language),
            _raw("Auto-Submitted", "auto-generated"),
        ]
        if compiled.bulk:
            headers += [
                _raw("Precedence", "bulk"),
                _raw("X-Auto-Response-Suppress", "OOF, AutoReply"),
            ]
        headers.append(_raw("Content-Type", f'multipart/alternative; boundary="{self._boundary}"'))
        self._static_headers = b"".join(headers)
        # The display phrase of List-Id, encoded once: "Name <x@x>" minus the address.
        self._list_phrase = (
            encode_phrase(_one_line(identity.from_name, "from name")) + " " if identity.from_name else ""
        )
        self._list_ids: dict[str, bytes] = {}
        self._text_pieces = _qp_pieces(compiled.text_parts)
        self._html_pieces = _qp_pieces(compiled.html_parts)
        self._fields = frozenset(p for p in (*self._text_pieces, *self._html_pieces) if isinstance(p, str))
        self._encoder = _FieldEncoder()
        self._date: tuple[object, bytes] = (None, b"")
        self._last_id: tuple[str | None, str] = (None, "")
        self._mailto_checked = ""
        delimiter = f"\r\n--{self._boundary}\r\n".encode("ascii")
        self._text_head = (
            CRLF + f"--{self._boundary}\r\n".encode("ascii")
            + b'Content-Type: text/plain; charset="utf-8"\r\n'
            + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        self._html_head = (
            delimiter
            + b'Content-Type: text/html; charset="utf-8"\r\n'
            + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        self._end = f"\r\n--{self._boundary}--\r\n".encode("ascii")

    def message_id(self, recipient_email: str) -> str:
        """The Message-ID of this message for one recipient: the same every time it is built
        (the last one is kept: a copy's header and its delivery row both ask for it)."""
        if self._last_id[0] != recipient_email:
            digest = hashlib.sha256(recipient_email.strip().lower().encode("utf-8")).hexdigest()[:20]
            self._last_id = (recipient_email, f"<{self._id_prefix}{digest}@{self.identity.domain}>")
        return self._last_id[1]

    def _date_header(self, moment: datetime) -> bytes:
        """The Date header, formatted once per second (a chunk of messages shares its moment)."""
        key = (moment.replace(microsecond=0), moment.utcoffset())
        if self._date[0] != key:
            self._date = (key, _raw("Date", format_datetime(moment)))
        return self._date[1]

    def _list_id(self, slug: str) -> bytes:
        cached = self._list_ids.get(slug)
        if cached is None:
            if not _SLUG.fullmatch(slug):
                raise UnsafeHeader("list_slug", f"{slug!r} is not a list slug")
            cached = self._list_ids[slug] = _address_header(
                "List-Id", f"{self._list_phrase}<{slug}.{self.identity.domain}>"
            )
        return cached

    def _bulk_headers(self, recipient: Recipient, slug: str) -> list[bytes]:
        """List-Id and List-Unsubscribe: the HTTPS one-click link (RFC 8058), and the recipient's
        own mailto: address when they have one (never a shared address nobody reads)."""
        url = _web_url(recipient.unsubscribe_url, "recipient.unsubscribe_url")
        _web_url(recipient.preferences_url, "recipient.preferences_url")
        mailto = recipient.unsubscribe_mailto
        if mailto and mailto != self._mailto_checked:
            if not mailto.startswith("mailto:") or not is_safe_url(mailto.split("?", 1)[0]):
                raise InvalidInput("recipient.unsubscribe_mailto", f"{mailto[:80]!r} is not a mailto URL")
            _header_safe(mailto, "recipient.unsubscribe_mailto")
            self._mailto_checked = mailto
        unsubscribe = f"List-Unsubscribe: <{url}>,\r\n <{mailto}>\r\n" if mailto else f"List-Unsubscribe: <{url}>\r\n"
        return [
            self._list_id(slug),
            unsubscribe.encode("ascii"),
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        ]

    def build(self, recipient: Recipient, *, date: datetime | None = None) -> bytes:
        """The complete message for `recipient`, DKIM-signed when a signer is set.

        Raises UnsafeHeader or InvalidInput for an unusable address, name or URL.
        """
        compiled = self.compiled
        slug = recipient.list_slug or self.identity.default_list
        headers = [
            self._date_header(date or utcnow()),
            _address_header("To", format_address(recipient.name, recipient.email, "to")),
            _raw("Message-ID", self.message_id(recipient.email)),
        ]
        if compiled.bulk:
            headers += self._bulk_headers(recipient, slug)
        headers.append(
            _raw("Feedback-ID", f"{_ID_PART.sub('-', compiled.key)}:{compiled.template}:{slug}:pressroom")
        )
        values = compiled.values(recipient.personalisation())
        for field in ("view_online_url",):
            if values[field] and not is_safe_url(values[field]):
                raise InvalidInput(f"recipient.{field}", f"{values[field][:80]!r} is not an http(s) URL")
        text, markup = self._encoder.encode(values, self._fields)
        message = b"".join(
            (
                *headers,
                self._static_headers,
                self._text_head,
                _join_qp(self._text_pieces, text),
                self._html_head,
                _join_qp(self._html_pieces, markup),
                self._end,
            )
        )
        return self.signer.sign(message) if self.signer is not None else message


def prepare(
    compiled: CompiledMessage,
    identity: MailIdentity,
    *,
    reply_to: tuple[str, str] | None = None,
    signer: DkimSigner | None = None,
) -> PreparedMessage:
    """Prepare `compiled` for assembly; see PreparedMessage."""
    return PreparedMessage(compiled, identity, reply_to=reply_to, signer=signer)
