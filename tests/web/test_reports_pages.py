"""Reports as people meet them over HTTP: readers of the newsroom (counted, never profiled), the
press office reading the readership and the dashboard's last 30 days, and a Prometheus scraper.

Every request goes through the real web server with a real HTTP client, and the counts are read
back from the database and from the pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import inspect, select, text

from core.broker import redis_client
from core.db import get_engine, session_scope, utcnow
from core.settings import KNOWN_LANGUAGES, override_settings
from delivery.models import DeliveryStatus
from reports.models import PageView
from reports.readership import readership_of
from reports.retention import fold_old_events
from reports.visitors import PREFIX, forget_salts
from subscribers import add_subscriber, get_subscriber
from subscribers.tokens import access_token
from tests.delivery.smtp_sink import free_port
from tests.reports.seed import seed_two_windows
from tests.web.conftest import Web, signed_in
from tests.web.test_public_pages import publish
from workflow import service
from workflow.states import State
from workflow.users import get_user

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
TRANSLATED = {"translations": {
    "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.", "body": "De minister reist af."},
    "fr": {"title": "Le ministre visite Kinshasa", "lead": "Une visite.", "body": "Le ministre se rend."},
}}


@pytest.fixture(autouse=True)
def _new_day_of_readers(broker: str) -> Iterator[None]:
    """Each test starts a day nobody has read anything yet: no salt, no set of readers (they live
    in Redis, which the tests' databases do not reset)."""
    def clear() -> None:
        client = redis_client(broker)
        keys = list(client.scan_iter(f"{PREFIX}:*"))
        if keys:
            client.delete(*keys)
        forget_salts()
    clear()
    yield
    clear()


def _read(client: httpx.Client, path: str, agent: str = FIREFOX, method: str = "GET", **headers: str) -> httpx.Response:
    return client.request(method, path, headers={"User-Agent": agent, **headers})


def _reads(release_id: int) -> list[tuple[str, bool, bool, str]]:
    with session_scope() as session:
        rows = session.execute(select(PageView).where(PageView.release_id == release_id)  # type: ignore[arg-type]
                               .order_by(PageView.id)).scalars().all()  # type: ignore[arg-type]
        return [(r.language, r.bot, r.first_visit, r.referrer_host) for r in rows]


def test_reads_are_counted_per_language_with_bots_and_referrer_hosts_apart(web: Web) -> None:
    release = publish(web, **TRANSLATED)
    embargoed = publish(web, embargo_until=utcnow() + timedelta(days=1), **TRANSLATED)
    withdrawn = publish(web, **TRANSLATED)
    with session_scope() as s:
        service.withdraw(s, withdrawn, get_user(s, web.approver.email), "wrong figures")
    with web.browser() as client:
        own = f"{web.url}/newsroom/nl"
        assert _read(client, f"/releases/{release}/nl", **{"Accept-Language": "nl-BE",
                     "Referer": "https://www.standaard.be/cnt/dmf2026?utm_source=x#top"}).status_code == 200
        assert _read(client, f"/releases/{release}/nl", Referer=own).status_code == 200  # the same reader again
        assert _read(client, f"/releases/{release}/fr", CHROME, **{"Accept-Language": "fr",
                     "Referer": "https://anna:secret@News.Example.ORG:8443/a/b?q=1"}).status_code == 200
        assert _read(client, f"/releases/{release}/nl", CHROME, Referer="android-app://com.slack").status_code == 200
        head = _read(client, f"/releases/{release}/nl", method="HEAD")
        assert head.status_code == 200 and head.content == b""
        assert _read(client, f"/releases/{release}/nl", GOOGLEBOT).status_code == 200
        assert _read(client, f"/releases/{release}/nl", "").status_code == 200  # no user agent at all: a bot
        # A conditional GET from a reader who holds the current page: a 304, no page made, a read.
        conditional = _read(client, f"/releases/{release}/nl", **{"If-None-Match": head.headers["etag"]})
        assert conditional.status_code == 304 and conditional.content == b""
        # Not reads: a language it lacks, an embargoed and a withdrawn release, the redirect.
        assert _read(client, f"/releases/{release}/de").status_code == 404
        assert _read(client, f"/releases/{embargoed}/nl").status_code == 404
        assert _read(client, f"/releases/{withdrawn}/nl").status_code == 410
        assert _read(client, f"/releases/{release}").status_code in (302, 303, 307)

    assert _reads(release) == [
        ("nl", False, True, "www.standaard.be"),
        ("nl", False, False, ""),
        ("fr", False, True, "news.example.org"),
        ("nl", False, True, ""),
        ("nl", True, False, ""),
        ("nl", True, False, ""),
        ("nl", True, False, ""),
        ("nl", False, False, ""),
    ]
    assert _reads(embargoed) == [] and _reads(withdrawn) == []
    with session_scope() as s:
        found = readership_of(s, release)
    assert (found.views, found.visitors, found.bot_views) == (5, 3, 3)
    assert found.by_language == {"fr": 1, "nl": 4}
    assert found.by_day == [(utcnow().date(), 5)]
    assert found.referrers == [("news.example.org", 1), ("www.standaard.be", 1)]


def test_a_recipient_reading_under_embargo_is_not_a_newsroom_read(web: Web) -> None:
    with session_scope() as s:
        from subscribers import create_list

        create_list(s, "journalists", "Journalists", default_language="nl", visibility="private", receives_embargoed=True)
        add_subscriber(s, "els@example.org", "journalists", confirmed=True)
        subscriber = get_subscriber(s, "els@example.org")
    release = publish(web, embargo_until=utcnow() + timedelta(days=1), **TRANSLATED)
    token = access_token(release, subscriber.id or 0, subscriber.email_hash or "")
    with web.browser() as client:
        assert _read(client, f"/releases/{release}/nl?access={token}").status_code == 200
    assert _reads(release) == []


IP = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\b", re.IGNORECASE)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)


def _every_value(tables: list[str]) -> list[tuple[str, str, object]]:
    with get_engine().connect() as connection:
        return [(table, column, value) for table in tables
                for row in connection.execute(text(f"SELECT * FROM {table}")).mappings()
                for column, value in row.items()]


def test_the_page_view_tables_hold_no_address_agent_hash_or_subscriber(web: Web) -> None:
    """README: no IP address, no User-Agent, no hash and no cookie; the day's salt is in Redis
    only, until the day ends."""
    with session_scope() as s:
        from subscribers import create_list

        create_list(s, "journalists", "Journalists", default_language="nl", visibility="private")
        add_subscriber(s, "els@example.org", "journalists", confirmed=True)
        els = get_subscriber(s, "els@example.org")
    release = publish(web, **TRANSLATED)
    with web.browser() as client:
        # Els follows her mail's link, which names her (a signed token with her subscriber id).
        token = access_token(release, els.id or 0, els.email_hash or "")
        assert _read(client, f"/releases/{release}/nl?access={token}").status_code == 200
        for agent in (FIREFOX, CHROME, GOOGLEBOT):
            for language in ("nl", "fr"):
                response = _read(client, f"/releases/{release}/{language}", agent,
                                 Referer="https://mail.example.org/inbox?user=els@example.org&ip=192.0.2.7")
                assert response.status_code == 200
                assert "set-cookie" not in response.headers  # a page without the subscribe box sets none
        assert _read(client, f"/releases/{release}/nl", Referer="http://192.0.2.7/intranet").status_code == 200
        assert not client.cookies
    with session_scope() as s:  # yesterday's reads, folded: the daily counts are scanned too
        s.execute(text("UPDATE page_view SET day = :day WHERE id <= 2"), {"day": utcnow().date() - timedelta(days=400)})
        fold_old_events(s, utcnow())
    columns = {c["name"] for t in ("page_view", "page_view_day") for c in inspect(get_engine()).get_columns(t)}
    assert not {c for c in columns if re.search(r"ip|addr|mail|agent|subscriber|hash|cookie|session|user", c)}
    values = _every_value(["page_view", "page_view_day"])
    assert len({row for row in values if row[0] == "page_view_day"}) > 0
    # Every value is a count, a release id, a day, a flag, a language or a referrer's host.
    kinds = {"id": int, "release_id": int, "views": int, "visitors": int, "first_visit": (bool, int),
             "bot": (bool, int), "day": object, "language": str, "referrer_host": str}
    for table, column, value in values:
        assert isinstance(value, kinds[column]), (table, column, value)  # type: ignore[arg-type]
        shown = str(value)
        assert not IP.search(shown) or column == "day", (table, column, shown)
        assert not EMAIL.search(shown), (table, column, shown)
        assert shown not in (FIREFOX, CHROME, GOOGLEBOT, token, els.email_hash) and not re.fullmatch(r"[0-9a-f]{16,}", shown)
        if column in ("language", "referrer_host"):
            assert str(els.id) not in shown, (table, column, shown)
    assert {v for t, c, v in values if c == "release_id"} == {release}
    assert {v for t, c, v in values if c == "language"} == {"nl", "fr"}
    assert {v for t, c, v in values if c == "referrer_host"} == {"mail.example.org", ""}
    # The salt: in Redis, gone when the day ends (expiry at the next midnight UTC).
    client = redis_client()
    salts = list(client.scan_iter(f"{PREFIX}:*:salt"))
    assert [key.decode() for key in salts] == [f"{PREFIX}:{utcnow().date().isoformat()}:salt"]
    assert 0 < client.ttl(salts[0]) <= 86_400
    assert 0 < client.ttl(f"{PREFIX}:{utcnow().date().isoformat()}:seen") <= 86_400  # the day's readers too


def test_a_failure_to_count_never_fails_the_page(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    release = publish(web, **TRANSLATED)
    with get_engine().begin() as connection:
        connection.execute(text("DROP TABLE page_view"))
    with caplog.at_level(logging.WARNING, logger="web.readership"), web.browser() as client:
        response = _read(client, f"/releases/{release}/nl")
    assert response.status_code == 200 and "Minister bezoekt Kinshasa" in response.text
    assert any(f"read of release {release} not counted" in r.getMessage() for r in caplog.records)


def test_without_redis_a_read_still_counts_but_as_no_new_reader(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    release = publish(web, **TRANSLATED)
    override_settings(broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="web.readership"), web.browser() as client:
        response = _read(client, f"/releases/{release}/nl")
    assert response.status_code == 200 and "Minister bezoekt Kinshasa" in response.text
    assert _reads(release) == [("nl", False, False, "")]
    assert any("unique readers not counted" in r.getMessage() for r in caplog.records)


def test_the_press_page_of_a_release_shows_its_readership(web: Web) -> None:
    release = publish(web, **TRANSLATED)
    with web.browser() as client:
        _read(client, f"/releases/{release}/nl", Referer="https://www.lesoir.be/article/1")
        _read(client, f"/releases/{release}/fr", CHROME)
        _read(client, f"/releases/{release}/fr", CHROME)
        _read(client, f"/releases/{release}/nl", GOOGLEBOT)
    with signed_in(web, web.approver) as client:
        page = client.get(f"/press/releases/{release}").text
    assert "<h2 id=\"readership-heading\">Newsroom readership</h2>" in page
    assert re.search(r'id="readership-views">3<', page) and re.search(r'id="readership-visitors">2<', page)
    assert re.search(r'id="readership-bots">1<', page)
    assert re.search(r"<td>Français \(fr\)</td><td>2</td>", page) and re.search(r"<td>Nederlands \(nl\)</td><td>1</td>", page)
    assert "<td>www.lesoir.be</td><td>1</td>" in page
    with signed_in(web, web.spokesperson2) as client:  # French
        page = client.get(f"/press/releases/{release}").text
    assert "Lecture dans la salle de presse" in page and "Sites d&#39;où venaient les lecteurs" in page
    draft_id = 0
    with session_scope() as s:
        from tests import factories

        draft_id = factories.release(s, get_user(s, web.spokesperson.email)).id or 0
    with signed_in(web, web.spokesperson) as client:
        assert 'id="readership"' not in client.get(f"/press/releases/{draft_id}").text


def _row(page: str, name: str) -> list[str]:
    row = re.search(rf'<tr id="figure-{name}"[^>]*>(.*?)</tr>', page, re.DOTALL)
    assert row, name
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row[1], re.DOTALL)]


def test_the_dashboard_shows_the_last_30_days_in_words(web: Web) -> None:
    with session_scope() as session:
        seed_two_windows(session, utcnow())
    with signed_in(web, web.approver) as client:  # the approver reads English
        page = client.get("/press").text
    assert _row(page, "releases_published") == ["Releases published", "1", "3", "▼ down"]
    assert _row(page, "recipients_reached") == ["Recipients reached (messages sent)", "10", "4", "▲ up"]
    assert _row(page, "bounce_rate") == ["Bounce rate", "30.0 %", "25.0 %", "▲ up"]
    assert _row(page, "unsubscribe_rate") == ["Unsubscribe rate", "40.0 %", "0.0 %", "▲ up"]
    assert "Journalists: +4 (5 confirmed, 1 left)" in page
    assert "Public: -2 (1 confirmed, 3 left)" in page
    with signed_in(web, web.spokesperson) as client:  # Dutch
        page = client.get("/press").text
    assert _row(page, "bounce_rate")[3] == "▲ gestegen"
    assert "De laatste 30 dagen" in page


SAMPLE = re.compile(r'^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$')
BOUNDED = {
    "language": set(KNOWN_LANGUAGES), "bot": {"true", "false"}, "kind": {"hard", "soft", "click", "open"},
    "state": {s.value for s in State}, "status": {s.value for s in DeliveryStatus},
}


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, line
        labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', match["labels"] or "")))
        found[(match["name"], labels)] = float(match["value"])
    return found


def test_metrics_count_reads_mail_bounces_and_unsubscribes_with_bounded_labels(web: Web) -> None:
    with session_scope() as session:
        seed_two_windows(session, utcnow())
    release = publish(web, **TRANSLATED)
    with web.browser() as client:
        for agent, language in ((FIREFOX, "nl"), (CHROME, "nl"), (FIREFOX, "fr"), (GOOGLEBOT, "nl")):
            _read(client, f"/releases/{release}/{language}", agent)
        _read(client, f"/releases/{release}/nl", method="HEAD")
        body = client.get("/metrics").text
    samples = _samples(body)
    assert samples[("pressroom_page_views_total", (("bot", "false"), ("language", "nl")))] == 2
    assert samples[("pressroom_page_views_total", (("bot", "false"), ("language", "fr")))] == 1
    assert samples[("pressroom_page_views_total", (("bot", "true"), ("language", "nl")))] == 2
    assert samples[("pressroom_page_views_total", (("bot", "false"), ("language", "de")))] == 0
    assert samples[("pressroom_mail_accepted_total", ())] == 15
    assert samples[("pressroom_bounces_total", (("kind", "hard"),))] == 2
    assert samples[("pressroom_bounces_total", (("kind", "soft"),))] == 2
    assert samples[("pressroom_unsubscribes_total", ())] == 4
    assert "# TYPE pressroom_page_views_total counter" in body
    # Every label of every series, ours and the older ones, takes its value from a small fixed set:
    # no release id, list slug, address or URL ever becomes a label.
    for (name, labels) in samples:
        for key, value in labels:
            assert key in BOUNDED and value in BOUNDED[key], (name, key, value)
    for unbounded in (str(release), "journalists", "diplomats", "@", "http", "/releases/"):
        assert not re.search(r'="[^"]*' + re.escape(unbounded), body), unbounded
