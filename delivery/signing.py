"""Optional DKIM signing of assembled messages (dkimpy), when a key is configured.

RFC 8058 asks that List-Unsubscribe and List-Unsubscribe-Post be covered by a valid DKIM
signature for one-click unsubscribing to be honoured, so both are always among the signed
headers; headers a message lacks are signed as absent, so nobody can add them later.

The headers a reader or a mail client acts on (From, Subject, List-Id and the unsubscribe pair)
are over-signed (RFC 6376 §8.15): named once more in `h=` than the message carries them. A
verifier then counts the extra name as an empty header, so a second copy added above the
original (a forged Subject or unsubscribe address shown instead of ours) breaks the signature.
"""

from __future__ import annotations

import re
from pathlib import Path

import dkim

from core.settings import Settings, get_settings
from delivery.errors import DkimKeyError

SIGNED_HEADERS: tuple[bytes, ...] = (
    b"from", b"reply-to", b"to", b"subject", b"date", b"message-id", b"mime-version",
    b"content-type", b"content-language", b"list-id", b"list-unsubscribe",
    b"list-unsubscribe-post", b"feedback-id",
)

OVERSIGNED: tuple[bytes, ...] = (b"from", b"subject", b"list-id", b"list-unsubscribe", b"list-unsubscribe-post")
_OVERSIGNED_FIELD = re.compile(rb"^(" + b"|".join(map(re.escape, OVERSIGNED)) + rb")[ \t]*:", re.IGNORECASE | re.MULTILINE)


def headers_to_sign(message: bytes) -> list[bytes]:
    """`SIGNED_HEADERS`, with each over-signed name once more than `message` carries it."""
    head = re.split(rb"\r?\n\r?\n", message, maxsplit=1)[0]
    extra = [name.lower() for name in _OVERSIGNED_FIELD.findall(head)]
    return [*SIGNED_HEADERS, *extra]


class DkimSigner:
    """Signs messages for one selector and domain with an RSA key in PEM form."""

    def __init__(self, selector: str, domain: str, private_key: bytes) -> None:
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("ascii")
        self.private_key = private_key
        try:  # fail now, at configuration time, not on the first of ten thousand messages
            self.sign(b"From: check@example.invalid\r\nSubject: key check\r\n\r\nkey check\r\n")
        except DkimKeyError:
            raise
        except Exception as exc:  # noqa: BLE001 - dkimpy raises several unrelated types
            raise DkimKeyError(f"the DKIM key for {domain} cannot sign: {exc}") from None

    def sign(self, message: bytes) -> bytes:
        """`message` with a DKIM-Signature header in front."""
        try:
            signature = dkim.sign(
                message,
                self.selector,
                self.domain,
                self.private_key,
                include_headers=headers_to_sign(message),
                canonicalize=(b"relaxed", b"simple"),
            )
        except dkim.DKIMException as exc:
            raise DkimKeyError(f"DKIM signing failed for {self.domain.decode()}: {exc}") from None
        return signature + message


def signer_from_settings(from_domain: str, settings: Settings | None = None) -> DkimSigner | None:
    """The configured signer, or None when no DKIM key is set; raises DkimKeyError."""
    settings = settings or get_settings()
    path = settings.dkim_private_key_path
    if path is None:
        return None
    if not settings.dkim_selector:
        raise DkimKeyError("PRESSROOM_DKIM_SELECTOR must be set along with the DKIM key")
    try:
        key = Path(path).read_bytes()
    except OSError as exc:
        raise DkimKeyError(f"cannot read DKIM key {path}: {exc.strerror}") from None
    return DkimSigner(settings.dkim_selector, settings.dkim_domain or from_domain, key)
