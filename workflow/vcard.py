"""A contact from the directory as a vCard 4.0 (RFC 6350): what a journalist's address book
imports from the press contacts page.

Text values escape backslash, comma, semicolon and newline (§3.4); lines longer than 75 octets
are folded with CRLF and a space (§3.2), never inside a UTF-8 character; lines end in CRLF.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime

from workflow.content import ContactDetails

MEDIA_TYPE = "text/vcard; charset=utf-8"
LINE_OCTETS = 75
_DIALABLE = re.compile(r"^\+?[0-9]+$")
# Namespace of the UIDs: one stable UID per contact e-mail address across exports.
_NAMESPACE = uuid.UUID("6f1d5c8e-8a4b-4c59-9d2a-0b7a6c5e2f10")


def escape(value: str) -> str:
    """A TEXT value (RFC 6350 §3.4): backslash, comma, semicolon and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """A content line folded after at most 75 octets; a continuation starts with a space."""
    parts: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1  # the leading space counts
        current += char
        size += octets
    parts.append(current)
    return "\r\n ".join(parts)


def _tel(number: str, types: str) -> str:
    """A phone number as a tel: URI when it is dialable once spaces and dots go, else as text."""
    compact = re.sub(r"[\s.()/-]", "", number)
    if _DIALABLE.match(compact):
        return f"TEL;VALUE=uri;TYPE=\"{types}\":tel:{compact}"
    return f"TEL;VALUE=text;TYPE=\"{types}\":{escape(number)}"


def vcard(contact: ContactDetails, organisation: str, language: str, default_language: str,
          updated: datetime | None = None) -> str:
    """The contact as one vCard: its function in every language it has (the page's language
    preferred, RFC 6350 ALTID/PREF), phone, mobile and e-mail, and the organisation."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", "PRODID:-//Pressroom//Press contacts//EN",
             f"UID:urn:uuid:{uuid.uuid5(_NAMESPACE, contact.email)}",
             "KIND:individual", f"FN:{escape(contact.name)}"]
    functions: Mapping[str, str] = contact.function
    preferred = language if language in functions else default_language
    for code, title in sorted(functions.items(), key=lambda pair: pair[0] != preferred):
        if title:
            pref = ";PREF=1" if code == preferred else ""
            lines.append(f"TITLE;ALTID=1;LANGUAGE={code}{pref}:{escape(title)}")
    if organisation:
        lines.append(f"ORG:{escape(organisation)}")
    lines.append(f"EMAIL;TYPE=work:{escape(contact.email)}")
    if contact.phone:
        lines.append(_tel(contact.phone, "work,voice"))
    if contact.mobile:
        lines.append(_tel(contact.mobile, "cell,voice"))
    if updated is not None:
        lines.append(f"REV:{updated:%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def filename(contact: ContactDetails) -> str:
    """An ASCII file name for the download, from the contact's name."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", contact.name).strip("-").lower()
    return f"{stem or 'contact'}.vcf"
