"""Bounces: VERP return paths that name the delivery, and parsing of what comes back.

Each message goes out with the envelope sender `bounces+<token>@<domain>`, where the token is the
delivery id and a short HMAC of it, so a bounce maps back to its delivery without trusting
anything else in it. Delivery status notifications (RFC 3464, multipart/report) are read field
by field; plain bounces (from MAILER-DAEMON or postmaster, or with X-Failed-Recipients: never a
person's vacation reply) by the first enhanced status code (RFC 3463) or SMTP reply in the text.

A bounce usually comes back after the relay accepted the message (the delivery is `sent`): the
delivery becomes `bounced` with its kind (`bounce`: hard or soft) and time, and keeps its
`sent_at`, so a mailing's report counts it both as accepted and as bounced later.

Unsubscribe requests come as mail to a bulk message's `mailto:` unsubscribe address,
`unsubscribe+<token>@<domain>` on the same domain as the return paths (so the same mailbox gets
them): the token names the delivery, signed like the return path's, so a request takes exactly
that recipient off the list their copy was for, and counts one unsubscribe for the mailing (a
mail to several copies' addresses: each). The addresses are read from the message's recipient
headers only, never from a message it quotes. Its sender is not checked: whoever holds a copy's
address may use it, as whoever holds its HTTPS one-click link (RFC 8058) may POST it.

Complaints come as ARF feedback reports (RFC 5965: `multipart/report;
report-type=feedback-report`) from mailbox providers' feedback loops: the address is suppressed
with the reason `complaint` and the mailing that drew it counts one complaint (a number per
list and language, see `reports.tallies`).
"""

from __future__ import annotations

import hmac
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from sqlalchemy import case, func, select, update
from sqlmodel import Session, col

from core.db import session_scope, utcnow
from core.errors import InvalidInput
from core.settings import get_settings
from delivery.models import Delivery, DeliveryStatus
from reports import tallies
from subscribers.models import Subscriber, SuppressionReason
from subscribers.subscriptions import unsubscribe
from subscribers.suppression import suppress

_VERP = re.compile(r"bounces\+([0-9a-z]+)-([0-9a-f]{10})@", re.IGNORECASE)
_UNSUBSCRIBE = re.compile(r"unsubscribe\+([0-9a-z]+)-([0-9a-f]{10})@", re.IGNORECASE)
# Where a mail to our unsubscribe address names it: the MTA's delivery headers, then the message's.
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To", "Cc")
_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_REPLY = re.compile(r"\b([45])(\d\d)[ -]")
_ADDRESS_HEADERS = ("To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "Return-Path")
# Who sends a bounce without a delivery-status report: a mail system, not a person (whose
# vacation reply, sent to the return path too, has dates like 5.1.26 and phone numbers in it).
_MAIL_SYSTEM = re.compile(r"\b(?:mailer-daemon|postmaster)@", re.IGNORECASE)


def _sign(delivery_id: int, purpose: str = "verp") -> str:
    key = get_settings().secret_key.encode()
    return hmac.digest(key, f"{purpose}:{delivery_id}".encode(), "sha256").hex()[:10]  # one C call per message


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def verp_address(delivery_id: int, domain: str) -> str:
    """The envelope sender for one delivery."""
    return f"bounces+{_base36(delivery_id)}-{_sign(delivery_id)}@{domain}"


def unsubscribe_address(delivery_id: int, domain: str) -> str:
    """The `mailto:` unsubscribe address of one delivery: mail to it takes that recipient off the
    list their copy was for (read by `process_maildir`)."""
    return f"unsubscribe+{_base36(delivery_id)}-{_sign(delivery_id, 'unsubscribe')}@{domain}"


def _signed_deliveries(pattern: re.Pattern[str], purpose: str, text: str) -> Iterator[int]:
    """The deliveries the correctly signed addresses in `text` name, in order."""
    for match in pattern.finditer(text):
        delivery_id = int(match.group(1), 36)
        if hmac.compare_digest(match.group(2).lower(), _sign(delivery_id, purpose)):
            yield delivery_id


def delivery_id_from_address(text: str) -> int | None:
    """The delivery a VERP address names, or None if absent or forged."""
    return next(_signed_deliveries(_VERP, "verp", text), None)


def unsubscribe_request(message: Message) -> list[int]:
    """The deliveries whose unsubscribe addresses `message` was sent to (one mail may name the
    copies of someone on two lists); none when it names none, or only forged ones."""
    addressed = " ".join(str(value) for header in _RECIPIENT_HEADERS for value in message.get_all(header, []))
    return list(dict.fromkeys(_signed_deliveries(_UNSUBSCRIBE, "unsubscribe", addressed)))


@dataclass(frozen=True)
class Bounce:
    """One recipient's failure as a bounce message reports it."""

    delivery_id: int | None
    status: str  # enhanced status code, e.g. "5.1.1"; "" when none was found
    hard: bool
    diagnostic: str = ""
    message_id: str = ""


def _delivery_status_fields(message: Message) -> Iterator[Message]:
    """The per-recipient field blocks of an RFC 3464 report."""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            blocks = [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []
            # The first block is per-message; the rest are per-recipient.
            yield from blocks[1:] if len(blocks) > 1 else blocks


def _original_message_id(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                found = payload[0].get("Message-ID", "")
            else:
                text = payload if isinstance(payload, str) else ""
                match = re.search(r"^Message-ID:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
                found = match.group(1) if match else ""
            if found:
                return str(found).strip()
    return ""


def _text_of(message: Message) -> str:
    chunks = []
    for part in message.walk():
        if part.get_content_maintype() == "text" and part.get_content_type() != "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                chunks.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(chunks)


@dataclass(frozen=True)
class Complaint:
    """A recipient's "this is spam" as a feedback loop reports it (RFC 5965)."""

    delivery_id: int | None
    feedback_type: str
    message_id: str = ""


# Feedback types that are a recipient's complaint about the message (not "not-spam", "virus").
COMPLAINT_TYPES = ("abuse", "fraud")


def _feedback_fields(message: Message) -> Message | None:
    """The machine-readable part of an ARF report, as headers."""
    for part in message.walk():
        if part.get_content_type() == "message/feedback-report":
            payload = part.get_payload()
            if isinstance(payload, list):
                return next((p for p in payload if isinstance(p, Message)), None)
            if isinstance(payload, str):
                from email.parser import HeaderParser

                return HeaderParser().parsestr(payload.lstrip("\r\n"))
    return None


def parse_complaint(message: Message) -> Complaint | None:
    """What an ARF feedback report says, or None when the message is none (or not a complaint).

    The delivery is found from the VERP envelope sender the report quotes (`Original-Mail-From`,
    or the original's `Return-Path`), else from the original's Message-ID.
    """
    if message.get_content_type() != "multipart/report" or \
            str(message.get_param("report-type", "")).lower() != "feedback-report":
        return None
    fields = _feedback_fields(message)
    if fields is None:
        return None
    feedback_type = str(fields.get("Feedback-Type", "")).strip().lower()
    if feedback_type not in COMPLAINT_TYPES:
        return None
    quoted = " ".join(str(v) for v in fields.get_all("Original-Mail-From", []))
    delivery_id = delivery_id_from_address(quoted) or delivery_id_from_address(_original_headers(message))
    return Complaint(delivery_id, feedback_type, _original_message_id(message))


def _original_headers(message: Message) -> str:
    """The Return-Path of the message a report quotes (our VERP address when it is ours)."""
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return str(payload[0].get("Return-Path", ""))
            if isinstance(payload, str):
                match = re.search(r"^Return-Path:\s*(.+)$", payload, re.IGNORECASE | re.MULTILINE)
                return match.group(1) if match else ""
    return ""


def parse_bounce(message: Message) -> Bounce | None:
    """What a bounce says, or None when the message is no bounce we can read."""
    addresses = " ".join(str(message.get(h, "")) for h in _ADDRESS_HEADERS)
    delivery_id = delivery_id_from_address(addresses)
    original_id = _original_message_id(message)
    for block in _delivery_status_fields(message):
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip()
        if action in ("delivered", "relayed", "expanded"):
            continue
        code = _ENHANCED.search(status)
        if code is None:
            continue
        hard = code.group(1) == "5" and action != "delayed"
        return Bounce(delivery_id, code.group(0), hard, str(block.get("Diagnostic-Code", "")).strip()[:300],
                      original_id)
    if not _MAIL_SYSTEM.search(str(message.get("From", ""))) and "X-Failed-Recipients" not in message:
        return None
    text = _text_of(message)
    code = _ENHANCED.search(text)
    if code and code.group(1) in "45":
        return Bounce(delivery_id, code.group(0), code.group(1) == "5", _line_around(text, code.start()), original_id)
    reply = _SMTP_REPLY.search(text)
    if reply and (delivery_id is not None or original_id):
        return Bounce(delivery_id, f"{reply.group(1)}.0.0", reply.group(1) == "5",
                      _line_around(text, reply.start()), original_id)
    return None


def _line_around(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start : end if end != -1 else None].strip()[:300]


@dataclass
class BounceReport:
    """What one pass over a mailbox did."""

    read: int = 0
    hard: int = 0
    soft: int = 0
    suppressed: int = 0
    complaints: int = 0
    unsubscribed: int = 0
    unmatched: int = 0
    not_bounces: int = 0
    problems: list[str] = field(default_factory=list)


def _delivery_for(session: Session, delivery_id: int | None, message_id: str) -> Delivery | None:
    """The delivery a bounce or complaint is about: by its VERP id, else by the Message-ID."""
    delivery = session.get(Delivery, delivery_id) if delivery_id else None
    if delivery is None and message_id:
        delivery = session.execute(
            select(Delivery).where(col(Delivery.message_id) == message_id)
        ).scalars().first()
    return delivery


def apply_bounce(bounce: Bounce, report: BounceReport) -> None:
    """Mark the delivery bounced, hard or soft (a hard bounce is never made soft by a later
    soft one); suppress on a hard bounce or too many soft ones."""
    with session_scope() as session:
        delivery = _delivery_for(session, bounce.delivery_id, bounce.message_id)
        if delivery is None:
            report.unmatched += 1
            return
        kind = "hard" if bounce.hard else "soft"
        # An erased person's row keeps no address, and a diagnostic quotes it: only the code stays.
        erased = not delivery.email
        detail = f"{kind} bounce {bounce.status}" + ("" if erased else f": {bounce.diagnostic}")
        now = utcnow()
        session.execute(
            update(Delivery).where(col(Delivery.id) == delivery.id).values(
                status=DeliveryStatus.BOUNCED, last_error=detail[:500], updated_at=now, bounced_at=now,
                bounce=case((col(Delivery.bounce) == "hard", "hard"), else_=kind),
            )
        )
        if erased:  # already suppressed, by the hash of an address no longer known
            report.hard += bounce.hard
            report.soft += not bounce.hard
            return
        if bounce.hard:
            report.hard += 1
            suppress(session, delivery.email, SuppressionReason.HARD_BOUNCE, f"{bounce.status} {bounce.diagnostic}")
            report.suppressed += 1
            return
        report.soft += 1
        softs = session.execute(
            select(func.count()).select_from(Delivery).where(
                col(Delivery.subscriber_id) == delivery.subscriber_id,
                col(Delivery.status) == DeliveryStatus.BOUNCED,
                col(Delivery.bounce) == "soft",
            )
        ).scalar_one()
        if softs >= get_settings().soft_bounce_threshold:
            suppress(session, delivery.email, SuppressionReason.HARD_BOUNCE,
                     f"{softs} soft bounces, last {bounce.status}")
            report.suppressed += 1


def apply_complaint(complaint: Complaint, report: BounceReport) -> None:
    """Suppress the address that complained (reason `complaint`) and count one complaint for
    the mailing, list and language of the message complained about."""
    with session_scope() as session:
        delivery = _delivery_for(session, complaint.delivery_id, complaint.message_id)
        if delivery is None:
            report.unmatched += 1
            return
        report.complaints += 1
        tallies.count(session, tallies.COMPLAINT, delivery.distribution_id, delivery.list_id or 0, delivery.language)
        if delivery.email:  # an erased person is suppressed already, by a hash
            suppress(session, delivery.email, SuppressionReason.COMPLAINT,
                     f"{complaint.feedback_type} report on delivery {delivery.id}")
            report.suppressed += 1


def apply_unsubscribe(delivery_id: int, report: BounceReport) -> None:
    """Take the delivery's recipient off the list their copy was for (consent source `mailto`)
    and count one unsubscribe for its mailing; nothing when they had left already or were erased."""
    with session_scope() as session:
        delivery = session.get(Delivery, delivery_id)
        subscriber = session.get(Subscriber, delivery.subscriber_id) if delivery is not None else None
        if delivery is None or subscriber is None or not delivery.email:  # an erased person is gone
            report.unmatched += 1
            return
        if unsubscribe(session, subscriber, [delivery.list_id or 0], source="mailto",
                       detail=f"delivery {delivery.id}"):
            report.unsubscribed += 1
            tallies.count(session, tallies.UNSUBSCRIBE, delivery.distribution_id, delivery.list_id or 0,
                          delivery.language)


def process_maildir(path: Path) -> BounceReport:
    """Read every unread message of a Maildir, apply the bounces, complaints and unsubscribe
    requests, and mark them read.

    Running it again reads nothing twice; a message we cannot parse is kept, marked read, and
    counted as not a bounce.
    """
    if not (path / "new").is_dir() or not (path / "cur").is_dir():
        raise InvalidInput(str(path), "is not a Maildir (it needs new/ and cur/ folders)")
    box = mailbox.Maildir(str(path), factory=None, create=False)
    report = BounceReport()
    for key in list(box.iterkeys()):
        message = box.get_message(key)
        if "S" in message.get_flags():
            continue
        report.read += 1
        leaving: list[int] = []
        try:
            complaint = parse_complaint(message)
            leaving = [] if complaint else unsubscribe_request(message)
            bounce = None if complaint or leaving else parse_bounce(message)
        except Exception as exc:  # noqa: BLE001 - a malformed message must not stop the pass
            report.problems.append(f"{key}: {exc}")
            complaint = bounce = None
        if complaint is not None:
            apply_complaint(complaint, report)
        elif leaving:
            for delivery_id in leaving:
                apply_unsubscribe(delivery_id, report)
        elif bounce is None:
            report.not_bounces += 1
        else:
            apply_bounce(bounce, report)
        message.set_subdir("cur")
        message.add_flag("S")
        box[key] = message
    return report
