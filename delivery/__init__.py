"""Delivery: MIME assembly of compiled messages, DKIM signing, and the mail transports.

    compose     workflow rows -> template inputs (ReleaseInput, Sender)
    message     CompiledMessage + Recipient -> RFC 5322 bytes (PreparedMessage.build)
    signing     optional DKIM
    transports  smtp / smtps / maildir / console / memory, chosen by PRESSROOM_MAIL_URL
    preview     one release as a subscriber would get it

May import workflow, templates and core; never tasks or the CLI.
"""

from delivery.compose import (
    contact_card,
    organisation_sender,
    release_input,
    release_url,
    reply_to_for,
    sender_for,
)
from delivery.errors import DkimKeyError, InvalidMailURL, TransportUnavailable, UnsafeHeader
from delivery.message import (
    MailIdentity,
    PreparedMessage,
    Recipient,
    ascii_address,
    format_address,
    identity_for,
    prepare,
)
from delivery.preview import Preview, preview_recipient, preview_release
from delivery.signing import DkimSigner, signer_from_settings
from delivery.transports import (
    BaseTransport,
    ConsoleTransport,
    MaildirTransport,
    MemoryTransport,
    Outbox,
    Outcome,
    RecipientResult,
    SendResult,
    SentMessage,
    SMTPTransport,
    classify,
    default_mail_url,
    get_transport,
    memory_outbox,
    transport_from_url,
)

__all__ = [
    "BaseTransport",
    "ConsoleTransport",
    "DkimKeyError",
    "DkimSigner",
    "InvalidMailURL",
    "MailIdentity",
    "MaildirTransport",
    "MemoryTransport",
    "Outbox",
    "Outcome",
    "PreparedMessage",
    "Preview",
    "Recipient",
    "RecipientResult",
    "SMTPTransport",
    "SendResult",
    "SentMessage",
    "TransportUnavailable",
    "UnsafeHeader",
    "ascii_address",
    "classify",
    "contact_card",
    "default_mail_url",
    "format_address",
    "get_transport",
    "identity_for",
    "memory_outbox",
    "organisation_sender",
    "prepare",
    "preview_recipient",
    "preview_release",
    "release_input",
    "release_url",
    "reply_to_for",
    "sender_for",
    "signer_from_settings",
    "transport_from_url",
]
