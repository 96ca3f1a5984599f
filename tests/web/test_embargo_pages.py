"""The public side of an embargo, as visitors and attackers see it over HTTP.

Before the lift nothing public tells an embargoed release from one that does not exist: its
URLs answer the 404 of an unknown id byte for byte, and no page, feed, count or topic list
mentions it. The recipient of its mail reads it through the access token in their link, on a
page marked as under embargo that no cache keeps and no search engine lists. After the lift it
takes its place by the time it became public, and the recipient's link is anyone's page.

Waiting for a real lift takes a few seconds (`LIFT_AFTER`); tests about other moments set the
release times in the database to what publishing at those moments would have left there.
"""

from __future__ import annotations

import html
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import event, update

from core.db import get_engine, session_scope, utcnow
from core.settings import get_settings, override_settings
from subscribers import add_subscriber, create_list, forget, get_subscriber
from subscribers.tokens import access_token, preferences_token, unsubscribe_token
from tests.web.conftest import Web
from tests.web.test_public_pages import ATOM, publish
from web.queries import newsroom as newsroom_query
from workflow import service
from workflow.models import Release
from workflow.users import get_user

# Every string of the embargoed release carries this mark: no public byte may contain it.
MARK = "zq7x41"
SECRET = {
    "topics": [f"topic-{MARK}"], "lists": [],
    "translations": {
        "nl": {"title": f"Hervorming {MARK}", "lead": "Nieuw beleid.", "body": "De tekst."},
        "fr": {"title": f"Réforme {MARK}", "lead": "Nouvelle politique.", "body": "Le texte."},
        "en": {"title": f"Reform {MARK}", "lead": "New policy.", "body": "The text."},
        "de": {"title": f"Reform {MARK} (de)", "lead": "Neue Politik.", "body": "Der Text."},
    },
}
LIFT_AFTER = timedelta(seconds=4)
JOURNALIST = "els@example.org"


@pytest.fixture
def sqlite_db(db: str) -> str:
    """An embargo is a matter of comparing times in the database, so these tests serve the app
    from every backend: the `web` fixture takes its database from this fixture."""
    return db


def publish_secret(web: Web, lift: datetime) -> int:
    return publish(web, embargo_until=lift, **SECRET)


def plain(web: Web, title: str) -> int:
    """A release without embargo, in every language (so that every newsroom and feed has one)."""
    texts = {lang: {"title": title if lang == "nl" else f"{title} ({lang})", "body": "Tekst."}
             for lang in ("nl", "fr", "en", "de")}
    return publish(web, lists=[], topics=["gewoon"], translations=texts)


@pytest.fixture
def journalist(web: Web) -> Callable[[int], str]:
    """A journalist on the private embargo list; gives the access token their mail of a
    release carries."""
    with session_scope() as s:
        create_list(s, "pers", "Pers", visibility="private", receives_embargoed=True)
        add_subscriber(s, JOURNALIST, "pers", confirmed=True)
        person = get_subscriber(s, JOURNALIST)
        subscriber_id, email_hash = person.id or 0, person.email_hash
    return lambda release_id: access_token(release_id, subscriber_id, email_hash)


def answer(client: httpx.Client, url: str) -> tuple[int, dict[str, str], bytes]:
    """Everything a response says, but its date."""
    response = client.get(url)
    return response.status_code, {k: v for k, v in response.headers.items() if k != "date"}, response.content


def banner(page: str) -> str:
    match = re.search(r'id="embargo"><strong>(.*?)</strong>', page)
    assert match, "no embargo notice on the page"
    return html.unescape(match.group(1))


def local(moment: datetime, zone: str = "Europe/Brussels") -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def wait_until_past(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - utcnow()).total_seconds()) + 0.2)


# --- no difference between embargoed and missing ------------------------------------------------


def test_every_url_of_an_unpublic_release_answers_the_404_of_an_unknown_id(
    web: Web, journalist: Callable[[int], str]
) -> None:
    embargoed = publish_secret(web, utcnow() + timedelta(days=1))
    withdrawn = publish_secret(web, utcnow() + timedelta(days=1))
    with session_scope() as s:
        service.withdraw(s, withdrawn, get_user(s, web.approver.email), "too early")
    public = plain(web, "Openbaar bericht")
    unknown = public + 1000
    genuine, for_withdrawn, for_public = journalist(embargoed), journalist(withdrawn), journalist(public)
    with session_scope() as s:
        create_list(s, "dagbladen", "Dagbladen", visibility="private", receives_embargoed=True)
        add_subscriber(s, "weg@example.org", "dagbladen", confirmed=True)
        gone = get_subscriber(s, "weg@example.org")
        to_erase = access_token(embargoed, gone.id or 0, gone.email_hash)
        forget(s, "weg@example.org")
    forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    paths = ["/releases/{}", *(f"/releases/{{}}/{lang}" for lang in get_settings().languages)]
    queries = ["", f"?access={forged}", f"?access={for_public}", f"?access={to_erase}", "?access=nonsense"]
    with web.browser() as client:
        for release_id, extra in ((embargoed, []), (withdrawn, [f"?access={for_withdrawn}"])):
            for url in [path + query for path in paths for query in [*queries, *extra]]:
                seen = answer(client, url.format(release_id))
                assert seen[0] == 404 and seen == answer(client, url.format(unknown)), url.format(release_id)
            api = answer(client, f"/api/releases/{release_id}")  # no token: no word about the id either
            assert api[0] == 401 and api == answer(client, f"/api/releases/{unknown}")
        assert client.get(f"/releases/{public}/nl", params={"access": genuine}).status_code == 200


# --- the recipient's page ----------------------------------------------------------------------


def test_a_recipient_reads_the_embargoed_release_marked_uncached_and_unindexed(
    web: Web, journalist: Callable[[int], str]
) -> None:
    lift = utcnow() + timedelta(days=1)
    release_id = publish_secret(web, lift)
    token = journalist(release_id)
    with web.browser() as client:
        page = client.get(f"/releases/{release_id}/nl", params={"access": token})
        assert page.status_code == 200 and f"Hervorming {MARK}" in page.text and "De tekst." in page.text
        assert page.headers["cache-control"] == "private, no-store"
        assert page.headers["x-robots-tag"] == "noindex"
        assert '<meta name="robots" content="noindex">' in page.text
        notice = banner(page.text)
        assert notice.startswith("Onder embargo tot ") and f"{local(lift)} (Brussel)" in notice
        assert "Gepubliceerd" not in page.text
        links = set(re.findall(r'href="(/releases/[^"]+)"', page.text))
        assert links == {f"/releases/{release_id}/{lang}?access={quote(token, safe='')}"
                         for lang in ("nl", "fr", "en", "de")}
        words = {"fr": "Sous embargo jusqu'au ", "en": "Under embargo until ", "de": "Sperrfrist bis "}
        for lang, start in words.items():
            other = client.get(f"/releases/{release_id}/{lang}?access={quote(token, safe='')}")
            assert other.status_code == 200 and MARK in other.text
            assert other.headers["cache-control"] == "private, no-store"
            assert banner(other.text).startswith(start)
        assert MARK not in client.get("/newsroom/nl", params={"access": token}).text
        override_settings(mail_timezone="America/New_York")
        elsewhere = banner(client.get(f"/releases/{release_id}/en", params={"access": token}).text)
        assert f"{local(lift, 'America/New_York')} (New York)" in elsewhere


def test_a_public_release_page_is_cached_and_indexed_as_before(web: Web) -> None:
    release_id = plain(web, "Openbaar bericht")
    with web.browser() as client:
        page = client.get(f"/releases/{release_id}/nl")
    assert page.status_code == 200 and 'id="embargo"' not in page.text and 'name="robots"' not in page.text
    assert page.headers["cache-control"].startswith("public, ") and "x-robots-tag" not in page.headers


# --- nothing public before the lift, everything after ------------------------------------------


def crawl(client: httpx.Client, tokens: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Every public page and feed an anonymous visitor can reach, as (status, text)."""
    languages = get_settings().languages
    urls = ["/", "/subscribe", "/sitemap.xml", "/robots.txt", "/api/releases", "/api/openapi.json",
            f"/subscriptions/preferences/{tokens['preferences']}", f"/subscriptions/unsubscribe/{tokens['unsubscribe']}",
            *(f"/newsroom/{lang}" for lang in languages), *(f"/newsroom/{lang}?page=2" for lang in languages),
            *(f"/feeds/{lang}.{kind}" for lang in languages for kind in ("atom", "rss")),
            *(f"/subscribe?lang={lang}" for lang in languages)]
    found = {}
    for url in urls:
        response = client.get(url)
        found[url] = (response.status_code, re.sub(r"<lastBuildDate>[^<]*</lastBuildDate>", "", response.text))
    return found


@pytest.fixture
def audience(web: Web) -> dict[str, str]:
    """A public list with one subscriber: the tokens of their preferences and unsubscribe pages."""
    with session_scope() as s:
        mailing_list = create_list(s, "nieuws", "Nieuws")
        add_subscriber(s, "jan@example.org", "nieuws", confirmed=True)
        person = get_subscriber(s, "jan@example.org")
        return {"preferences": preferences_token(person.id or 0, person.email_hash),
                "unsubscribe": unsubscribe_token(person.id or 0, mailing_list.id or 0, person.email_hash)}


def feed_entries(client: httpx.Client, lang: str) -> list[tuple[str, datetime]]:
    feed = ET.fromstring(client.get(f"/feeds/{lang}.atom").content)
    return [(entry.findtext(f"{ATOM}title") or "", datetime.fromisoformat(entry.findtext(f"{ATOM}published") or ""))
            for entry in feed.findall(f"{ATOM}entry")]


def test_nothing_public_shows_an_embargoed_release_until_it_lifts(
    web: Web, audience: dict[str, str], journalist: Callable[[int], str]
) -> None:
    for number in range(20):  # one full newsroom page: one more item would add a second page
        plain(web, f"Bericht {number}")
    with web.browser() as client:
        before = crawl(client, audience)
        published = utcnow()
        lift = published + LIFT_AFTER
        secret = publish_secret(web, lift)
        during = crawl(client, audience)
        assert client.get(f"/releases/{secret}/nl").status_code == 404
        assert utcnow() < lift, "the crawl outlasted the embargo: make LIFT_AFTER longer"
        assert not [url for url, (_, text) in during.items() if MARK in text]
        assert during == before  # counts, pagers, topic lists: not one byte differs
        plain(web, "Tussendoor")  # published after the secret one, public before it
        wait_until_past(lift)

        after = crawl(client, audience)
        newsroom = after["/newsroom/nl"][1]
        assert newsroom.index(f"Hervorming {MARK}") < newsroom.index("Tussendoor") < newsroom.index("Bericht 19")
        assert "Pagina 1 van 2" in newsroom  # 22 releases now
        assert f"Réforme {MARK}" in after["/newsroom/fr"][1] and f"Reform {MARK} (de)" in after["/newsroom/de"][1]
        assert f"topic-{MARK}" in after["/subscribe"][1]
        assert f"topic-{MARK}" in after[f"/subscriptions/preferences/{audience['preferences']}"][1]
        entries = feed_entries(client, "nl")
        assert [title for title, _ in entries[:2]] == [f"Hervorming {MARK}", "Tussendoor"]
        assert abs(entries[0][1] - lift) < timedelta(seconds=1)  # its public time, not its publication
        assert f"Hervorming {MARK}" in after["/feeds/nl.rss"][1]
        assert client.get(f"/releases/{secret}").headers["location"] == f"/releases/{secret}/nl"
        anyone = client.get(f"/releases/{secret}/nl")
        recipient = client.get(f"/releases/{secret}/nl", params={"access": journalist(secret)})
        assert anyone.status_code == 200 and recipient.content == anyone.content
        # The same page, indexable; its address holds a token, so no cache keeps this copy.
        assert recipient.headers["cache-control"] == "private, no-store" and "x-robots-tag" not in recipient.headers


def test_a_release_withdrawn_under_embargo_stays_unknown_after_the_lift(web: Web) -> None:
    lift = utcnow() + LIFT_AFTER
    withdrawn = publish_secret(web, lift)
    with session_scope() as s:
        service.withdraw(s, withdrawn, get_user(s, web.approver.email), "wrong figures")
    once_public = plain(web, "Ooit openbaar")
    with session_scope() as s:
        service.withdraw(s, once_public, get_user(s, web.approver.email), "outdated")
    wait_until_past(lift)
    with web.browser() as client:
        assert answer(client, f"/releases/{withdrawn}/nl") == answer(client, f"/releases/{once_public + 1000}/nl")
        assert client.get(f"/releases/{once_public}/nl").status_code == 410
        assert MARK not in client.get("/newsroom/nl").text and MARK not in client.get("/subscribe").text


# --- dated and sorted by the time a release became public --------------------------------------


def set_times(release_id: int, published: datetime, public: datetime, embargo: datetime | None = None) -> None:
    """What publishing at `published` under an embargo until `embargo` leaves in the row."""
    with session_scope() as s:
        s.execute(update(Release).where(Release.id == release_id)  # type: ignore[arg-type]
                  .values(published_at=published, public_at=public, embargo_until=embargo, updated_at=published))


def test_releases_are_dated_and_sorted_by_when_they_became_public(web: Web) -> None:
    now = utcnow()
    older, embargoed, between = plain(web, "Ouder"), plain(web, "Onder embargo"), plain(web, "Tussendoor")
    set_times(older, now - timedelta(hours=4), now - timedelta(hours=4))
    set_times(embargoed, now - timedelta(hours=3), now - timedelta(hours=1), embargo=now - timedelta(hours=1))
    set_times(between, now - timedelta(hours=2), now - timedelta(hours=2))
    with web.browser() as client:
        newsroom = client.get("/newsroom/nl").text
        page = client.get(f"/releases/{embargoed}/nl").text
        entries = feed_entries(client, "nl")
        rss = ET.fromstring(client.get("/feeds/fr.rss").content).find("channel")
    titles = re.findall(r'<h2 lang="nl"><a href="/releases/\d+/nl" hreflang="nl">([^<]+)</a></h2>', newsroom)
    dates = re.findall(r'<p class="meta">([^<]+)</p>', newsroom)
    assert titles == ["Onder embargo", "Tussendoor", "Ouder"]
    for hours, line in zip((1, 2, 4), dates, strict=True):
        assert local(now - timedelta(hours=hours)) in line
    assert local(now - timedelta(hours=1)) in page and local(now - timedelta(hours=3)) not in page
    assert [title for title, _ in entries] == titles
    assert [abs(moment - (now - timedelta(hours=h))) < timedelta(seconds=1)
            for (_, moment), h in zip(entries, (1, 2, 4), strict=True)] == [True] * 3
    assert rss is not None and [i.findtext("title") for i in rss.findall("item")] == [
        "Onder embargo (fr)", "Tussendoor (fr)", "Ouder (fr)"]


def test_the_newsroom_walks_the_public_time_index(db: str) -> None:
    """The page query filters and sorts on (state, public_at), so the index serves both and the
    page stops after its rows however large the archive. PostgreSQL plans by table statistics
    (an empty table is simply read whole), so it is asked to ignore sequential scans."""
    engine = get_engine(db)
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with session_scope() as s:
            newsroom_query(s, "fr")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    statement, parameters = next((st, p) for st, p in statements if "ORDER BY" in st)
    with engine.connect() as connection:
        if db.startswith("sqlite"):
            plan = " ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                                         parameters))
            assert "USING INDEX ix_release_state_public_at" in plan
        else:
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
            assert "ix_release_state_public_at" in plan
