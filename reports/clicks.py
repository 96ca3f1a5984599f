"""Counting the clicks on tracked links and the opens of a mailing, people and machines apart.

`follow` is the redirect's whole work: verify the token, count, and give the original URL. What
is stored is the link, the time and a verdict (`click_event`); by default nothing that names or
locates the person who clicked: no subscriber or delivery id, no address, no IP address, no user
agent. With `PRESSROOM_TRACKING=per_recipient` the link also carries a recipient token, and a
`recipient_click` row names the delivery (a privacy choice, see the README).

Machines are counted apart (`bot`), never mixed with people:

- a HEAD request (link checkers ask whether a page is there; it gets the same 302);
- a user agent that is empty or contains one of `reports.bots.BOT_MARKERS` (security gateways that
  follow every link of an incoming mail, preview fetchers, crawlers, HTTP libraries);
- a burst: links of one mailing opened from one network within `BURST_SECONDS` of each other,
  when at least two different links are among them. A scanner opens every link of a message the
  moment it arrives; a person reads first and opens one. Every click of the burst, the first
  included, is counted as a machine's. The network is the /24 of an IPv4 address or the /48 of
  an IPv6 one (a gateway's addresses, or an office's), held only as a keyed hash in Redis under
  a key that expires after `BURST_SECONDS`; no address is written anywhere. When Redis cannot
  be reached the rule is skipped (the click counts by the other rules) and a warning logged.
- With per-recipient tracking, also a click less than `BURST_SECONDS` after that recipient's
  message was accepted by the mail server.

Opens come from the pixel `/o/<token>` and follow the same rules; they are unreliable (mail
clients and privacy proxies such as Apple Mail Privacy Protection load every picture, others
block them all), and the report says so (`OPENS_LABEL`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import delete, func, insert, update
from sqlmodel import Session, col, select

from core.broker import redis_client
from core.db import as_utc, utcnow
from core.errors import NotFound
from core.settings import get_settings
from reports.bots import is_machine_agent
from reports.link_tables import ClickCount, ClickEvent, Link, LinkKind, RecipientClick, Verdict
from subscribers.errors import InvalidToken
from subscribers.tokens import read_link_token, read_recipient_token

log = logging.getLogger(__name__)

BURST_SECONDS = 10
OPENS_LABEL = "report_opens_unreliable"  # the catalogue key of the sentence shown with opens
_BURST_KEY = "pressroom:clicks:burst:{distribution}:{network}"
# Note a click (event id → link id) under its network's key, renew the key's life, return them all.
_NOTE_CLICK = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return redis.call('HGETALL', KEYS[1])
"""
_scripts: dict[Any, Any] = {}
# The tables as SQLAlchemy Core sees them: the redirect writes with plain statements, no ORM.
_LINK = Link.__table__  # type: ignore[attr-defined]
_EVENT = ClickEvent.__table__  # type: ignore[attr-defined]
_RECIPIENT = RecipientClick.__table__  # type: ignore[attr-defined]
_ACCESS_PREFIX = "access="
_PUNCTUATION = ".,;:!?)]}'\""
_ACCESS_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


class UnknownLink(NotFound):
    """A tracked-link token that does not verify, or names no link of that kind: the redirect
    answers 404 and leads nowhere."""

    def __init__(self) -> None:
        super().__init__("link", "")
        self.message = "there is no link at this address"
        self.args = (self.message,)


@dataclass(frozen=True)
class Click:
    """What the web layer knows of one request, and only for as long as it is answered."""

    method: str
    user_agent: str
    client_ip: str
    recipient: str = ""  # the recipient token of per-recipient tracking, if the link had one
    query: str = ""  # the request's query string (an embargo access query, passed on)


@dataclass(frozen=True)
class LinkClicks:
    link_id: int
    language: str
    position: int
    label: str
    url: str
    human: int
    bot: int


@dataclass(frozen=True)
class LanguageOpens:
    language: str
    human: int
    bot: int


# --- the redirect -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What the redirect needs of a link (read with one indexed query, no ORM object)."""

    id: int
    distribution_id: int
    url: str
    forwards_access: bool


def resolve(session: Session, token: str, kind: LinkKind) -> Target:
    """The link a genuine token names; raises UnknownLink for anything else.

    Punctuation a mail program took into the link from the sentence around it (a plain-text
    URL followed by a full stop, in brackets) is left off first: a signature never ends in it.
    """
    try:
        link_id = read_link_token(token.rstrip(_PUNCTUATION))
    except InvalidToken:
        raise UnknownLink() from None
    row = session.execute(
        select(_LINK.c.distribution_id, _LINK.c.url, _LINK.c.forwards_access)
        .where(_LINK.c.id == link_id, _LINK.c.kind == kind.value)
    ).first()
    if row is None:
        raise UnknownLink()
    return Target(link_id, int(row[0]), str(row[1]), bool(row[2]))


def agent_verdict(method: str, user_agent: str) -> Verdict:
    """HEAD, an empty user agent or a known scanner's: a machine. Else a person, so far."""
    if method.upper() == "HEAD":
        return Verdict.HEAD
    return Verdict.AGENT if is_machine_agent(user_agent) else Verdict.HUMAN


def network_of(client_ip: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address, "" if it is none."""
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def network_key(distribution_id: int, client_ip: str) -> str:
    """The Redis key of one network's recent clicks on one mailing: the network only as a hash
    keyed with the secret key, so the key names no address that could be read back."""
    network = network_of(client_ip)
    if not network:
        return ""
    digest = hmac.new(get_settings().secret_key.encode("utf-8"), f"click-network|{network}".encode(),
                      hashlib.sha256).hexdigest()[:32]
    return _BURST_KEY.format(distribution=distribution_id, network=digest)


def _burst(key: str, event_id: int, link_id: int) -> list[int]:
    """Note this click under its network's key; the ids of the events of a burst it makes (every
    recent click of the network when they are on two or more links), else [].

    One script, one round trip. Of two clicks at once, the one noted second sees both."""
    try:
        client = redis_client()
        script = _scripts.get(client)
        if script is None:
            script = _scripts[client] = client.register_script(_NOTE_CLICK)
        flat: list[bytes] = script(keys=[key], args=[event_id, link_id, BURST_SECONDS])
    except RedisError as exc:
        log.warning("the burst rule of link clicks is skipped: Redis answered %s", type(exc).__name__)
        return []
    events, links = flat[0::2], flat[1::2]
    if len(set(links)) < 2:
        return []
    return [int(event) for event in events]


def location(link: Link | Target, query: str) -> str:
    """Where a click goes: the stored URL exactly; for a link the mail followed with an embargo
    access query, that query is handed on (only `access=` and URL-safe characters)."""
    if link.forwards_access and query.startswith(_ACCESS_PREFIX):
        value = query[len(_ACCESS_PREFIX):]
        if value and len(value) <= 400 and set(value) <= _ACCESS_CHARACTERS:
            return f"{link.url}?{query}"
    return link.url


def _recipient(token: str) -> int | None:
    if not token:
        return None
    try:
        return read_recipient_token(token)
    except InvalidToken:
        return None


def record(session: Session, link: Target, click: Click, now: datetime | None = None) -> tuple[int, Verdict]:
    """Count one click (or open) of `link`; returns the stored event's id and its verdict."""
    moment = now or utcnow()
    verdict = agent_verdict(click.method, click.user_agent)
    delivery_id = _recipient(click.recipient) if get_settings().tracking == "per_recipient" else None
    if delivery_id is not None and verdict is Verdict.HUMAN and _just_delivered(session, delivery_id, moment):
        verdict = Verdict.BURST
    inserted = session.execute(
        insert(_EVENT).values(link_id=link.id, at=moment, bot=verdict is not Verdict.HUMAN, kind=verdict.value)
    )
    event_id = int(inserted.inserted_primary_key[0])  # type: ignore[attr-defined]
    key = network_key(link.distribution_id, click.client_ip)
    burst = _burst(key, event_id, link.id) if key else []
    if burst:
        session.execute(
            update(_EVENT).where(_EVENT.c.id.in_(burst), _EVENT.c.kind == Verdict.HUMAN.value)
            .values(bot=True, kind=Verdict.BURST.value)
        )
        # A recipient click has its event's id (below), so the burst marks both.
        session.execute(update(_RECIPIENT).where(_RECIPIENT.c.id.in_(burst)).values(bot=True))
        if verdict is Verdict.HUMAN:
            verdict = Verdict.BURST
    if delivery_id is not None:
        session.execute(insert(_RECIPIENT).values(id=event_id, link_id=link.id, delivery_id=delivery_id, at=moment,
                                                  bot=verdict is not Verdict.HUMAN))
    return event_id, verdict


def _just_delivered(session: Session, delivery_id: int, moment: datetime) -> bool:
    from delivery.models import Delivery

    sent_at = session.execute(select(col(Delivery.sent_at)).where(col(Delivery.id) == delivery_id)).scalar()
    return sent_at is not None and timedelta(0) <= moment - as_utc(sent_at) < timedelta(seconds=BURST_SECONDS)


def follow(session: Session, token: str, kind: LinkKind, click: Click, now: datetime | None = None) -> str:
    """The redirect and the pixel: verify `token`, count the click, return where it leads.
    Raises UnknownLink (nothing counted, nowhere to go) for a token that does not verify."""
    link = resolve(session, token, kind)
    record(session, link, click, now)
    return location(link, click.query)


# --- the numbers --------------------------------------------------------------------------------


def _counts(session: Session, distribution_id: int, kind: LinkKind) -> dict[int, list[int]]:
    """link id → [people, machines], raw events and folded days together."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    mine = select(col(Link.id)).where(col(Link.distribution_id) == distribution_id, col(Link.kind) == kind)
    raw = session.execute(
        select(col(ClickEvent.link_id), col(ClickEvent.bot), func.count())
        .where(col(ClickEvent.link_id).in_(mine.scalar_subquery()))
        .group_by(col(ClickEvent.link_id), col(ClickEvent.bot))
    ).all()
    folded = session.execute(
        select(col(ClickCount.link_id), col(ClickCount.bot), func.sum(ClickCount.count))
        .where(col(ClickCount.link_id).in_(mine.scalar_subquery()))
        .group_by(col(ClickCount.link_id), col(ClickCount.bot))
    ).all()
    for link_id, bot, count in [*raw, *folded]:
        totals[int(link_id)][1 if bot else 0] += int(count or 0)
    return totals


def clicks_for_distribution(session: Session, distribution_id: int) -> list[LinkClicks]:
    """Every tracked link of a mailing, by language and position in the mail, with the clicks of
    people and of machines (links nobody clicked included, at zero)."""
    totals = _counts(session, distribution_id, LinkKind.CLICK)
    links = session.exec(
        select(Link).where(col(Link.distribution_id) == distribution_id, col(Link.kind) == LinkKind.CLICK)
        .order_by(col(Link.language), col(Link.position), col(Link.id))
    ).all()
    return [
        LinkClicks(link.id or 0, link.language, link.position, link.label, link.url,
                   totals.get(link.id or 0, [0, 0])[0], totals.get(link.id or 0, [0, 0])[1])
        for link in links
    ]


def opens_for_distribution(session: Session, distribution_id: int) -> list[LanguageOpens]:
    """Opens of a mailing per language (people and machines apart); empty when opens were not
    tracked. Show them with the sentence `OPENS_LABEL` (`opens_label`)."""
    totals = _counts(session, distribution_id, LinkKind.OPEN)
    pixels = session.exec(
        select(Link).where(col(Link.distribution_id) == distribution_id, col(Link.kind) == LinkKind.OPEN)
        .order_by(col(Link.language))
    ).all()
    return [LanguageOpens(pixel.language, totals.get(pixel.id or 0, [0, 0])[0], totals.get(pixel.id or 0, [0, 0])[1])
            for pixel in pixels]


def opens_label(language: str) -> str:
    """Why opens are no measure of readers, in `language` (the press UI's catalogue)."""
    from core.catalogue import WEB, lookup

    return lookup(WEB, OPENS_LABEL, language) or lookup(WEB, OPENS_LABEL, "en") or ""


# --- retention and erasure ----------------------------------------------------------------------


def fold_clicks(session: Session, before: datetime) -> int:
    """Fold the raw click and open events older than `before` into daily counts (UTC days) and
    delete them, with the per-recipient clicks of that age; returns how many events were folded.
    Running it again folds nothing twice: an event is deleted in the transaction that counts it."""
    cutoff = as_utc(before)
    rows = session.execute(
        select(col(ClickEvent.id), col(ClickEvent.link_id), col(ClickEvent.at), col(ClickEvent.bot))
        .where(col(ClickEvent.at) < cutoff)
    ).all()
    if not rows:
        session.execute(delete(RecipientClick).where(col(RecipientClick.at) < cutoff))
        return 0
    days: dict[tuple[int, date, bool], int] = defaultdict(int)
    for _, link_id, at, bot in rows:
        days[(int(link_id), as_utc(at).date(), bool(bot))] += 1
    for (link_id, day, bot), count in sorted(days.items()):
        added = session.execute(
            update(ClickCount)
            .where(col(ClickCount.link_id) == link_id, col(ClickCount.day) == day, col(ClickCount.bot) == bot)
            .values(count=col(ClickCount.count) + count)
        )
        if not added.rowcount:  # type: ignore[attr-defined]
            session.add(ClickCount(link_id=link_id, day=day, bot=bot, count=count))
            session.flush()
    ids = [int(row[0]) for row in rows]
    for start in range(0, len(ids), 500):
        session.execute(delete(ClickEvent).where(col(ClickEvent.id).in_(ids[start:start + 500])))
    session.execute(delete(RecipientClick).where(col(RecipientClick.at) < cutoff))
    session.flush()
    return len(ids)


def erase_recipient_clicks(session: Session, subscriber_id: int) -> int:
    """Remove the per-recipient click records of an erased person's deliveries (the aggregate
    counts stay: they name nobody)."""
    from delivery.models import Delivery

    theirs = select(col(Delivery.id)).where(col(Delivery.subscriber_id) == subscriber_id)
    result = session.execute(delete(RecipientClick).where(col(RecipientClick.delivery_id).in_(theirs.scalar_subquery())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
