"""Bounces: VERP return paths that name the delivery, and parsing of what comes back.

Each message goes out with the envelope sender `bounces+<token>@<domain>`, where the token is the
delivery id and a short HMAC of it, so a bounce maps back to its delivery without trusting
anything else in it. Delivery status notifications (RFC 3464, multipart/report) are read field
by field; plain bounces by the first enhanced status code (RFC 3463) or SMTP reply in the text.
"""

from __future__ import annotations

import hashlib
import hmac
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from sqlalchemy import func, select, update
from sqlmodel import col

from core.db import session_scope, utcnow
from core.errors import InvalidInput
from core.settings import get_settings
from delivery.models import Delivery, DeliveryStatus
from subscribers.models import SuppressionReason
from subscribers.suppression import suppress

_VERP = re.compile(r"bounces\+([0-9a-z]+)-([0-9a-f]{10})@", re.IGNORECASE)
_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_REPLY = re.compile(r"\b([45])(\d\d)[ -]")
_ADDRESS_HEADERS = ("To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "Return-Path")


def _sign(delivery_id: int) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"verp:{delivery_id}".encode(), hashlib.sha256).hexdigest()[:10]


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


def delivery_id_from_address(text: str) -> int | None:
    """The delivery a VERP address names, or None if absent or forged."""
    for match in _VERP.finditer(text):
        delivery_id = int(match.group(1), 36)
        if hmac.compare_digest(match.group(2).lower(), _sign(delivery_id)):
            return delivery_id
    return None


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
    unmatched: int = 0
    not_bounces: int = 0
    problems: list[str] = field(default_factory=list)


def apply_bounce(bounce: Bounce, report: BounceReport) -> None:
    """Mark the delivery bounced; suppress on a hard bounce or too many soft ones."""
    with session_scope() as session:
        delivery = session.get(Delivery, bounce.delivery_id) if bounce.delivery_id else None
        if delivery is None and bounce.message_id:
            delivery = session.execute(
                select(Delivery).where(col(Delivery.message_id) == bounce.message_id)
            ).scalars().first()
        if delivery is None:
            report.unmatched += 1
            return
        kind = "hard" if bounce.hard else "soft"
        # An erased person's row keeps no address, and a diagnostic quotes it: only the code stays.
        erased = not delivery.email
        detail = f"{kind} bounce {bounce.status}" + ("" if erased else f": {bounce.diagnostic}")
        session.execute(
            update(Delivery).where(col(Delivery.id) == delivery.id).values(
                status=DeliveryStatus.BOUNCED, last_error=detail[:500], updated_at=utcnow(),
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
                col(Delivery.last_error).startswith("soft bounce"),
            )
        ).scalar_one()
        if softs >= get_settings().soft_bounce_threshold:
            suppress(session, delivery.email, SuppressionReason.HARD_BOUNCE,
                     f"{softs} soft bounces, last {bounce.status}")
            report.suppressed += 1


def process_maildir(path: Path) -> BounceReport:
    """Read every unread message of a Maildir, apply the bounces, and mark them read.

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
        try:
            bounce = parse_bounce(message)
        except Exception as exc:  # noqa: BLE001 - a malformed message must not stop the pass
            report.problems.append(f"{key}: {exc}")
            bounce = None
        if bounce is None:
            report.not_bounces += 1
        else:
            apply_bounce(bounce, report)
        message.set_subdir("cur")
        message.add_flag("S")
        box[key] = message
    return report
