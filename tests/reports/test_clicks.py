"""Tracked links and their counts on both databases: the engine sends a release with the in-memory
transport, its links are read from the copies, and clicks are recorded as the redirect records
them (`reports.clicks.follow`); the served redirect itself is tested in tests/web/test_link_clicks.py."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from core.db import session_scope, utcnow
from core.outbox import OutboxEvent, handle_event
from core.settings import override_settings
from delivery.handlers import erase_deliveries
from delivery.models import Delivery
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from reports.clicks import (
    BURST_SECONDS,
    Click,
    UnknownLink,
    clicks_for_distribution,
    fold_clicks,
    follow,
    network_key,
    opens_for_distribution,
)
from reports.link_tables import ClickCount, ClickEvent, Link, LinkKind, RecipientClick, Verdict
from subscribers import forget
from subscribers.tokens import link_token
from tests.delivery.distribution_helpers import add_people, make_lists, prepare, publish_release
from tests.reports.tracked import TRACKED, destination

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
AMPERSANDS = "https://example.org/zoek?q=a&b=c&lang=nl#r%C3%A9sultaten"
WITH_DOT = "https://example.org/verslag"


@pytest.fixture(autouse=True)
def _forget_recent_clicks() -> None:
    from core.broker import redis_client

    client = redis_client()
    keys = list(client.scan_iter("pressroom:clicks:burst:*"))
    if keys:
        client.delete(*keys)


def _send(french: int = 0, **content: object) -> tuple[int, int, list[EmailMessage]]:
    make_lists()
    add_people(2, ("journalists",), prefix="press")
    add_people(french, ("journalists",), prefix="fr", language="fr")
    release_id = publish_release(lists=["journalists"], **content)
    distribution_id = prepare(release_id)
    outbox = Outbox()
    while send_batch(distribution_id, MemoryTransport(outbox)).claimed:
        pass
    mails = [message_from_bytes(m.message, policy=policy.default) for m in outbox.messages]
    return release_id, distribution_id, mails  # type: ignore[return-value]


def _bodies(mail: EmailMessage) -> tuple[str, str]:
    return (mail.get_body(("html",)).get_content(),  # type: ignore[union-attr]
            mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def _click(token: str, ip: str = "198.51.100.7", agent: str = BROWSER, method: str = "GET",
           query: str = "", at: datetime | None = None) -> str:
    with session_scope() as s:
        return follow(s, token, LinkKind.CLICK, Click(method, agent, ip, query=query), at)


def _token(url: str) -> str:
    match = TRACKED.fullmatch(url)
    assert match is not None, url
    return match.group(1)


def test_links_are_rewritten_once_per_language_with_their_urls_kept_exactly(db: str) -> None:
    body = (f"Zie [de zoekresultaten]({AMPERSANDS}), of {WITH_DOT}. "
            "Bel [ons](tel:+3225018111) of [mail](mailto:pers@example.be).")
    translations = {"nl": {"title": "Titel", "lead": "Lead.", "body": body,
                           "links": [{"label": "Het <volledige> verslag", "url": WITH_DOT}]}}
    release_id, distribution_id, mails = _send(translations=translations)
    assert len(mails) == 2
    html_part, text_part = _bodies(mails[0])
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', html_part)]
    assert "mailto:pers@example.be" in hrefs and not any("tel:" in h for h in hrefs)  # tel: is never a link
    tracked = [h for h in hrefs if "/r/" in h]
    assert {destination(h) for h in tracked} >= {AMPERSANDS, WITH_DOT}
    assert AMPERSANDS not in hrefs and WITH_DOT not in hrefs
    # The text part's links are the same links (the sentence's full stop stays outside the URL).
    assert {destination(m.group(0)) for m in TRACKED.finditer(text_part)} == {destination(h) for h in tracked}
    assert re.search(r"/r/[A-Za-z0-9._-]+\. Bel", text_part), "the full stop after a URL is kept"
    # A mail program that takes the full stop (or a bracket) into the link still gets there.
    dotted = re.search(r"/r/([A-Za-z0-9._-]+\.) Bel", text_part)
    assert dotted is not None and _click(dotted.group(1)) == WITH_DOT
    assert _click(dotted.group(1)[:-1] + ").") == WITH_DOT
    with session_scope() as s:
        links = s.execute(select(Link).where(Link.distribution_id == distribution_id)).scalars().all()
    # Each URL once per language, numbered in the order the mail shows them, with its words.
    assert len({link.url for link in links}) == len(links)
    by_url = {link.url: link for link in links}
    assert by_url[WITH_DOT].label == "Het <volledige> verslag"
    assert by_url[AMPERSANDS].label == "de zoekresultaten"
    assert sorted(link.position for link in links) == list(range(1, len(links) + 1))
    assert all(link.kind == LinkKind.CLICK and link.language == "nl" for link in links)
    # Both copies carry the same tokens.
    assert sorted(tracked) == sorted(h for h in (html.unescape(x) for x in re.findall(
        r'href="([^"]*)"', _bodies(mails[1])[0])) if "/r/" in h)
    # A click leads to the stored URL, byte for byte.
    assert _click(_token(next(h for h in tracked if destination(h) == AMPERSANDS))) == AMPERSANDS
    assert release_id


def test_under_embargo_the_recipients_access_query_is_handed_on(db: str) -> None:
    lift = utcnow() + timedelta(hours=1)
    release_id, distribution_id, mails = _send(embargo_until=lift)
    assert len(mails) == 2
    _, text_part = _bodies(mails[0])
    other = next(m for m in TRACKED.finditer(text_part) if m.group(2) and destination(m.group(0)).endswith("/fr?" + m.group(2)))
    assert other.group(2).startswith("access=")
    where = _click(other.group(1), query=other.group(2))
    assert where.endswith(f"/releases/{release_id}/fr?{other.group(2)}")
    # Only to a link the mail itself followed with the access query, and only an access query.
    assert _click(other.group(1), query="next=https://evil.example") == where.split("?")[0]
    assert _click(other.group(1), query="access=a/b") == where.split("?")[0]
    assert distribution_id


def test_counts_per_link_and_language_people_and_machines_apart(db: str) -> None:
    translations = {
        "nl": {"title": "Titel", "body": f"[Verslag]({WITH_DOT})"},
        "fr": {"title": "Titre", "body": f"[Rapport]({WITH_DOT})"},
    }
    _, distribution_id, _ = _send(french=1, translations=translations)
    with session_scope() as s:
        links = {(link.language, link.url): link.id or 0
                 for link in s.execute(select(Link).where(Link.url == WITH_DOT)).scalars()}
    nl, fr = link_token(links[("nl", WITH_DOT)]), link_token(links[("fr", WITH_DOT)])
    _click(nl, "198.51.100.1")
    _click(nl, "203.0.113.1")
    _click(fr, "2001:db8:1::1")
    _click(nl, "192.0.2.1", method="HEAD")
    _click(fr, "192.0.3.1", agent="")
    _click(fr, "192.0.4.1", agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    with session_scope() as s:
        counts = {(row.language, row.url): (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
        kinds = sorted(s.execute(select(ClickEvent.kind)).scalars())
    assert counts[("nl", WITH_DOT)] == (2, 1) and counts[("fr", WITH_DOT)] == (1, 2)
    assert kinds == sorted([Verdict.HUMAN] * 3 + [Verdict.HEAD, Verdict.AGENT, Verdict.AGENT])


def test_a_burst_from_one_network_is_a_scanner_and_the_key_expires(db: str) -> None:
    _, distribution_id, _ = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT}) [b]({AMPERSANDS})"}})
    with session_scope() as s:
        ids = {link.url: link.id or 0 for link in s.execute(select(Link)).scalars()}
    first, second = link_token(ids[WITH_DOT]), link_token(ids[AMPERSANDS])
    _click(first, "192.0.2.10")
    _click(first, "192.0.2.11")  # the same link twice: a person may click twice
    with session_scope() as s:
        assert {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}[WITH_DOT] == (2, 0)
    _click(second, "192.0.2.12")  # a second link of the mailing from the same /24: a scan, all three
    with session_scope() as s:
        counts = {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
    assert counts[WITH_DOT] == (0, 2) and counts[AMPERSANDS] == (0, 1)
    # The key holds only a keyed hash of the network, and only for BURST_SECONDS.
    from core.broker import redis_client

    key = network_key(distribution_id, "192.0.2.200")
    assert key and "192.0.2" not in key and network_key(distribution_id, "192.0.2.1") == key
    assert network_key(distribution_id, "192.0.3.1") != key
    assert network_key(distribution_id, "2001:db8:5:1::1") == network_key(distribution_id, "2001:db8:5:ffff::2")
    assert network_key(distribution_id, "::ffff:192.0.2.9") == key  # IPv4 as IPv6 is the same network
    ttl = redis_client().ttl(key)
    assert 0 < ttl <= BURST_SECONDS


def test_forged_tokens_and_wrong_kinds_are_unknown(db: str) -> None:
    override_settings(track_opens=True)
    _, distribution_id, mails = _send()
    html_part, _ = _bodies(mails[0])
    pixel = re.search(r'<img src="[^"]*/o/([^"]+)" width="1" height="1" alt=""', html_part)
    assert pixel is not None
    token = pixel.group(1)
    with session_scope() as s:
        with pytest.raises(UnknownLink):  # an open pixel is no link to follow
            follow(s, token, LinkKind.CLICK, Click("GET", BROWSER, "198.51.100.7"))
        follow(s, token, LinkKind.OPEN, Click("GET", BROWSER, "198.51.100.7"))
        follow(s, token, LinkKind.OPEN, Click("GET", "", "203.0.113.7"))
    for forged in (token[:-2], token + "x", "1.AAAAAAAAAAAAAAAAAAAAAA", link_token(99999), "", "💥"):
        with session_scope() as s, pytest.raises(UnknownLink):
            follow(s, forged, LinkKind.OPEN, Click("GET", BROWSER, "198.51.100.8"))
    with session_scope() as s:
        assert [(o.language, o.human, o.bot) for o in opens_for_distribution(s, distribution_id)] == [("nl", 1, 1)]
        assert s.execute(select(func.count()).select_from(ClickEvent)).scalar() == 2


def test_fold_clicks_moves_old_events_into_daily_counts_and_deletes_them(db: str) -> None:
    _, distribution_id, _ = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT})"}})
    with session_scope() as s:
        link_id = s.execute(select(Link.id).where(Link.url == WITH_DOT)).scalar_one()
    token = link_token(link_id)
    day1 = datetime(2026, 9, 1, 23, 59, 59, tzinfo=UTC)
    day2 = datetime(2026, 9, 2, 0, 0, 1, tzinfo=UTC)
    for moment, ip, agent in ((day1, "10.0.1.1", BROWSER), (day1, "10.0.2.1", BROWSER), (day1, "10.0.3.1", ""),
                              (day2, "10.0.4.1", BROWSER)):
        _click(token, ip, agent, at=moment)
    time.sleep(0.01)
    _click(token, "10.0.5.1")  # today's: stays raw
    with session_scope() as s:
        before = {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
        assert fold_clicks(s, datetime(2026, 10, 1, tzinfo=UTC)) == 4
    with session_scope() as s:
        assert fold_clicks(s, datetime(2026, 10, 1, tzinfo=UTC)) == 0  # twice folds nothing twice
        days = sorted((c.day.isoformat(), c.bot, c.count) for c in s.execute(select(ClickCount)).scalars())
        raw = s.execute(select(func.count()).select_from(ClickEvent)).scalar()
        after = {row.url: (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}
    assert days == [("2026-09-01", False, 2), ("2026-09-01", True, 1), ("2026-09-02", False, 1)]
    assert raw == 1
    assert after == before and after[WITH_DOT] == (4, 1)
    # Folding again later adds to the day's count.
    _click(token, "10.0.6.1", at=datetime(2026, 9, 2, 12, tzinfo=UTC))
    with session_scope() as s:
        assert fold_clicks(s, datetime(2026, 10, 1, tzinfo=UTC)) == 1
        assert s.get(ClickCount, (link_id, datetime(2026, 9, 2).date(), False)).count == 2  # type: ignore[union-attr]


def test_per_recipient_clicks_are_folded_away_and_erased_with_the_person(db: str) -> None:
    override_settings(tracking="per_recipient")
    _, distribution_id, mails = _send(translations={"nl": {"title": "T", "body": f"[a]({WITH_DOT})"}})
    html_part, _ = _bodies(mails[0])
    url = next(html.unescape(h) for h in re.findall(r'href="([^"]*/r/[^"]*)"', html_part)
               if destination(html.unescape(h)) == WITH_DOT)
    token, recipient = url.split("/r/", 1)[1].split("/")
    with session_scope() as s:
        follow(s, token, LinkKind.CLICK, Click("GET", BROWSER, "10.1.0.1", recipient=recipient),
               utcnow() + timedelta(seconds=BURST_SECONDS + 1))
        follow(s, token, LinkKind.CLICK, Click("GET", BROWSER, "10.2.0.1", recipient=recipient),
               datetime(2026, 9, 1, tzinfo=UTC))
    with session_scope() as s:
        rows = s.execute(select(RecipientClick)).scalars().all()
        assert len(rows) == 2 and not any(row.bot for row in rows)
        fold_clicks(s, datetime(2026, 10, 1, tzinfo=UTC))
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(RecipientClick)).scalar() == 1
        email = s.execute(select(Delivery.email).where(Delivery.id == rows[0].delivery_id)).scalar_one()
        forget(s, email)
        event_id = s.execute(select(OutboxEvent.id).where(OutboxEvent.name == "subscriber.erased")).scalar_one()
    handle_event(event_id, {"subscriber.erased": [erase_deliveries]})
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(RecipientClick)).scalar() == 0
        # The aggregate counts stay (one folded, one raw): they name nobody.
        assert {row.url: row.human for row in clicks_for_distribution(s, distribution_id)}[WITH_DOT] == 2
