"""Tracked links: the http(s) links of a mailing's message, rewritten once per (distribution,
language) to go through the signed redirect `/r/<token>`.

A message is compiled once per language and each recipient's copy is a join of its literal parts
with the recipient's values (`templates.renderer`). The links of a release mail (its body, its
links list, its pictures' and documents' links, the other language versions, the organisation's
website) are in the literal parts, the same for every copy, so they are found and rewritten there,
once, when the mailer prepares the language's message: no recipient's copy costs more to build.
What is personal is never in the literal parts and so never rewritten: the unsubscribe and
preferences links (and List-Unsubscribe) are recipient values; mailto: and tel: links are not
http(s). The "view online" link is a recipient value too (it may carry an embargo access token);
its URL without the token is tracked here as well and the mailer puts the tracked one in.

Each distinct URL is one `link` row per distribution and language; its token carries its id and
nothing else. With `PRESSROOM_TRACKING=per_recipient` a recipient value, `click_path`
("/<recipient token>", naming the delivery), follows each tracked link. With
`PRESSROOM_TRACK_OPENS` the HTML gets a 1×1 pixel `/o/<token>` per distribution and language.

The preview of a mail in the press UI, test mails and the CLI's `preview` compile through
`delivery.preview`, not a mailer, and so show the original links.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from core.db import insert_ignoring
from core.settings import get_settings
from reports.link_tables import Link, LinkKind
from subscribers.tokens import link_token
from templates import CompiledMessage

CLICK_PATH = "/r/"
OPEN_PATH = "/o/"
ACCESS_FIELD = "access_query"  # the recipient value that follows release links under embargo
RECIPIENT_FIELD = "click_path"
VIEW_ONLINE_LABEL = "view online"

# An href holding an absolute http(s) URL; the URL ends at the closing quote, or at the end of the
# literal part when a recipient value (the access query) follows it.
_HREF = re.compile(r'(?i)(\bhref=")(https?://[^"]*)')
# A URL in the plain-text part: up to white space or an angle bracket ("label <url>").
_TEXT_URL = re.compile(r"(?i)https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'"
_TAGS = re.compile(r"<[^>]*>")
_BODY_END = re.compile(r"(?i)</body>")
LABEL_LENGTH = 200


@dataclass(frozen=True)
class Found:
    """A link as the compiled message has it: the original URL, the words it is under, and
    whether the recipient's access query follows it."""

    url: str
    label: str
    forwards_access: bool


@dataclass(frozen=True)
class Tracked:
    """A compiled message whose links go through the redirect, and its tracked "view online"."""

    compiled: CompiledMessage
    view_online: str
    links: int


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def redirect_url(link_id: int) -> str:
    return get_settings().base_url.rstrip("/") + CLICK_PATH + link_token(link_id)


def pixel_url(link_id: int) -> str:
    return get_settings().base_url.rstrip("/") + OPEN_PATH + link_token(link_id)


def _label(literal: str, after: int) -> str:
    """The words of the anchor whose href ends at `after`: its text with tags removed."""
    start = literal.find(">", after)
    end = literal.find("</a>", start)
    if start < 0 or end < 0:
        return ""
    words = " ".join(html.unescape(_TAGS.sub(" ", literal[start + 1:end])).split())
    return words[:LABEL_LENGTH]


def _next_field(parts: Sequence[str], index: int) -> str:
    return parts[index + 1] if index + 1 < len(parts) else ""


def _scan_html(parts: Sequence[str]) -> list[tuple[int, int, int, Found]]:
    """(part index, start, end, link) of every trackable href in the literal HTML parts."""
    spots = []
    for index in range(0, len(parts), 2):
        literal = parts[index]
        for match in _HREF.finditer(literal):
            start, end = match.span(2)
            closed = end < len(literal)  # else the literal ends inside the URL
            follows = _next_field(parts, index)
            if not closed and follows != ACCESS_FIELD:
                continue  # a URL continued by some other value: not ours to cut
            url = html.unescape(match.group(2))
            spots.append((index, start, end, Found(url, _label(literal, end), not closed)))
    return spots


def _scan_text(parts: Sequence[str]) -> list[tuple[int, int, int, Found]]:
    spots = []
    for index in range(0, len(parts), 2):
        literal = parts[index]
        for match in _TEXT_URL.finditer(literal):
            url = match.group(0).rstrip(_TRAILING)
            start, end = match.start(), match.start() + len(url)
            closed = end < len(literal)
            if not closed and _next_field(parts, index) != ACCESS_FIELD:
                continue
            spots.append((index, start, end, Found(url, "", not closed)))
    return spots


def register(session: Session, distribution_id: int, language: str, found: Sequence[Found],
             kind: LinkKind = LinkKind.CLICK) -> dict[str, int]:
    """The link ids of `found` URLs of one distribution's mail in `language`, storing the ones
    not stored yet (several workers may prepare the same language at once: a duplicate is no
    error). Positions number the URLs in the order the mail first shows them."""
    rows: dict[str, dict[str, object]] = {}
    for item in found:
        row = rows.get(item.url)
        if row is None:
            rows[item.url] = {
                "distribution_id": distribution_id, "language": language, "kind": kind, "url": item.url,
                "url_hash": url_hash(item.url), "position": len(rows) + 1, "label": item.label,
                "forwards_access": item.forwards_access,
            }
        else:
            row["label"] = row["label"] or item.label
            row["forwards_access"] = bool(row["forwards_access"]) or item.forwards_access
    if rows:
        session.execute(insert_ignoring(session, Link.__table__), list(rows.values()))  # type: ignore[attr-defined]
    stored = session.execute(
        select(col(Link.url), col(Link.id)).where(
            col(Link.distribution_id) == distribution_id, col(Link.language) == language, col(Link.kind) == kind)
    ).all()
    return {url: int(link_id) for url, link_id in stored if url in rows}


def _rewrite(parts: tuple[str, ...], spots: list[tuple[int, int, int, Found]], ids: dict[str, int],
             escape: bool, per_recipient: bool) -> tuple[str, ...]:
    """`parts` with each spot's URL replaced by its redirect (and, per recipient, followed by the
    recipient's `click_path` value): literal, field, literal, … as before."""
    by_part: dict[int, list[tuple[int, int, Found]]] = {}
    for index, start, end, item in spots:
        by_part.setdefault(index, []).append((start, end, item))
    out: list[str] = []

    def literal(text: str) -> None:
        if len(out) % 2 == 1:  # the last piece is a literal: extend it
            out[-1] += text
        else:
            out.append(text)

    def field(name: str) -> None:
        if len(out) % 2 == 0:
            out.append("")
        out.append(name)

    for index, part in enumerate(parts):
        if index % 2 == 1:
            field(part)
            continue
        cursor = 0
        for start, end, item in by_part.get(index, []):
            target = redirect_url(ids[item.url])
            literal(part[cursor:start] + (html.escape(target) if escape else target))
            if per_recipient:
                field(RECIPIENT_FIELD)
            cursor = end
        literal(part[cursor:])
    if len(out) % 2 == 0:
        out.append("")
    return tuple(out)


def _with_pixel(parts: tuple[str, ...], url: str) -> tuple[str, ...]:
    """The HTML with a 1×1 picture before </body> (its last literal part holds the end)."""
    last = parts[-1]
    pixel = (f'<img src="{html.escape(url)}" width="1" height="1" alt="" '
             'style="display:block;width:1px;height:1px;border:0" />')
    match = None
    for match in _BODY_END.finditer(last):
        pass
    if match is None:
        return parts
    return (*parts[:-1], last[:match.start()] + pixel + last[match.start():])


def track(session: Session, compiled: CompiledMessage, distribution_id: int, view_online: str = "", *,
          per_recipient: bool | None = None, opens: bool | None = None) -> Tracked:
    """`compiled` (one distribution's message in one language) with its http(s) links through the
    redirect, the links stored; `view_online` is tracked too when given. Per-recipient tracking
    and the open pixel follow the settings unless said."""
    settings = get_settings()
    per_recipient = settings.tracking == "per_recipient" if per_recipient is None else per_recipient
    opens = settings.track_opens if opens is None else opens
    html_spots = _scan_html(compiled.html_parts)
    text_spots = _scan_text(compiled.text_parts)
    found = ([Found(view_online, VIEW_ONLINE_LABEL, True)] if view_online else []) + \
        [spot[3] for spot in html_spots + text_spots]
    ids = register(session, distribution_id, compiled.language, found)
    html_parts = _rewrite(compiled.html_parts, html_spots, ids, True, per_recipient)
    text_parts = _rewrite(compiled.text_parts, text_spots, ids, False, per_recipient)
    if opens:
        pixel = register(session, distribution_id, compiled.language, [Found("", "open", False)], LinkKind.OPEN)
        html_parts = _with_pixel(html_parts, pixel_url(pixel[""]))
    tracked = replace(compiled, html_parts=html_parts, text_parts=text_parts)
    return Tracked(tracked, redirect_url(ids[view_online]) if view_online else "", len(ids))
