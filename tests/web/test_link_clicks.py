"""Link clicks as the README promises them: a release sent through a real worker to the SMTP sink,
its links taken from the mails and clicked with a real HTTP client against the served app.

Readers come from different networks through `X-Forwarded-For` (the test server trusts its own
loopback proxy, as `pressroom web` trusts `PRESSROOM_FORWARDED_ALLOW_IPS`).
"""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from core.db import as_utc, get_engine, session_scope, utcnow
from core.settings import get_settings, override_settings
from delivery.models import Delivery, Distribution
from reports.clicks import (
    BURST_SECONDS,
    clicks_for_distribution,
    opens_for_distribution,
    opens_label,
)
from reports.link_tables import Link, RecipientClick
from subscribers.tokens import link_token, read_link_token, read_recipient_token
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.reports.tracked import TRACKED
from tests.web.conftest import Web, publish_through_api, signed_in
from web.i18n import translate as web_text

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
REPORT = "https://example.org/rapport?jaar=2025&taal=nl#hoofdstuk-2"
DATA = "https://data.example.org/cijfers.csv?x=1&y=%C3%A9&z=a+b"
RAPPORT_FR = "https://example.org/rapport?annee=2025&langue=fr"
READERS = {"nl": ["els@krant.example", "jan@omroep.example"], "fr": ["luc@journal.example"]}
EVERYONE = [email for emails in READERS.values() for email in emails]


@pytest.fixture(autouse=True)
def _forget_recent_clicks() -> None:
    """Each test's database numbers its mailings from 1: the burst rule's keys of an earlier test
    (ten seconds in Redis) must not meet this test's."""
    from core.broker import redis_client

    client = redis_client()
    keys = list(client.scan_iter("pressroom:clicks:burst:*"))
    if keys:
        client.delete(*keys)


def _mails(sink: Sink, address: str) -> list[EmailMessage]:
    return [message_from_bytes(r.content, policy=policy.default)  # type: ignore[misc]
            for r in sink.received if address in r.rcpt_tos]


def _parts(mail: EmailMessage) -> tuple[str, str]:
    html_part = mail.get_body(("html",))
    text_part = mail.get_body(("plain",))
    assert html_part is not None and text_part is not None
    return html_part.get_content(), text_part.get_content()  # type: ignore[attr-defined]


def _hrefs(body: str) -> list[str]:
    return [html.unescape(url) for url in re.findall(r'href="([^"]*)"', body)]


def _publish(web: Web, sink: Sink) -> tuple[int, int]:
    """A bilingual release with a body link, a links list and a contact, to three readers in two
    languages; returns (release id, distribution id) once every copy is in the sink."""
    with web.api(web.admin) as api:
        made = api.post("/lists", json={"slug": "journalists", "name": "Journalisten"})
        assert made.status_code == 201, made.text
        for language, emails in READERS.items():
            for email in emails:
                added = api.post("/lists/journalists/subscribers",
                                 json={"email": email, "confirmed": True, "language": language})
                assert added.status_code in (200, 201), added.text
    release_id = publish_through_api(web, lists=["journalists"], translations={
        "nl": {"title": "Jaarverslag 2025", "lead": "Het jaar in cijfers.",
               "body": f"Lees [het rapport]({REPORT}) of mail [de dienst](mailto:pers@example.be).",
               "links": [{"label": "De cijfers", "url": DATA}]},
        "fr": {"title": "Rapport annuel 2025", "lead": "L'année en chiffres.",
               "body": f"Lisez [le rapport]({RAPPORT_FR}).", "links": [{"label": "Les chiffres", "url": DATA}]},
    })
    wait_until(lambda: all(_mails(sink, email) for email in EVERYONE), 60, "every copy to arrive")
    with session_scope() as s:
        distribution_id = s.exec(  # type: ignore[call-overload]
            Distribution.__table__.select().where(Distribution.__table__.c.release_id == release_id)
        ).first()[0]
    return release_id, int(distribution_id)


def _tracked_of(mail: EmailMessage) -> list[str]:
    body, plain = _parts(mail)
    return [url for url in _hrefs(body) if "/r/" in url] + [m.group(0) for m in TRACKED.finditer(plain)]


def _follow(url: str, ip: str, agent: str = BROWSER, method: str = "GET") -> httpx.Response:
    return httpx.request(method, url, headers={"User-Agent": agent, "X-Forwarded-For": ip},
                         follow_redirects=False, timeout=10)


def _destination(url: str) -> str:
    """Where a tracked link was made to lead, as stored with the mailing."""
    with session_scope() as s:
        link = s.get(Link, read_link_token(url.split("/r/", 1)[1].split("/")[0].split("?")[0]))
        assert link is not None
        return link.url


def _link_to(mail: EmailMessage, destination: str) -> str:
    return next(url for url in _tracked_of(mail) if _destination(url) == destination)


def _counts(distribution_id: int) -> dict[tuple[str, str], tuple[int, int]]:
    with session_scope() as s:
        return {(row.language, row.url): (row.human, row.bot) for row in clicks_for_distribution(s, distribution_id)}


def test_links_go_through_the_redirect_and_each_click_is_counted_per_link_and_language(
        web: Web, worker: Any, sink: Sink) -> None:
    release_id, distribution_id = _publish(web, sink)
    els, = _mails(sink, "els@krant.example")
    body, plain = _parts(els)
    # The release's own links are tracked; the personal ones and mailto: are not.
    hrefs = _hrefs(body)
    assert REPORT not in hrefs and DATA not in hrefs and REPORT not in plain and DATA not in plain
    assert "mailto:pers@example.be" in hrefs
    assert any("/subscriptions/unsubscribe/" in url for url in hrefs)
    assert any("/subscriptions/preferences/" in url for url in hrefs)
    assert "/subscriptions/unsubscribe/" in str(els["List-Unsubscribe"])
    assert "/r/" not in str(els["List-Unsubscribe"])
    assert "/subscriptions/unsubscribe/" in plain and "/subscriptions/preferences/" in plain
    # Every copy of one language carries the same tokens: they name the link, not the reader.
    jan, = _mails(sink, "jan@omroep.example")
    assert sorted(_tracked_of(els)) == sorted(_tracked_of(jan))
    for url in _tracked_of(els):
        token = url.split("/r/", 1)[1]
        assert "/" not in token and "?" not in token and read_link_token(token) > 0  # a link id, signed
    base = get_settings().base_url
    nl_destinations = {_destination(url) for url in _tracked_of(els)}
    assert nl_destinations >= {REPORT, DATA, f"{base}/releases/{release_id}/nl",  # view online
                               f"{base}/releases/{release_id}/fr"}  # the other language

    # Els follows every link of her mail once: a 302 to the exact original URL each time. (Each
    # from another network, as if minutes apart, so the burst rule tested below stays out of it.)
    tracked_nl = list(dict.fromkeys(_tracked_of(els)))
    for number, url in enumerate(tracked_nl):
        answer = _follow(url, f"10.{number + 1}.0.7")
        assert answer.status_code == 302 and answer.headers["location"] == _destination(url)
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["referrer-policy"] == "same-origin"  # the target learns no token
    # Jan opens the data twice from his office; Luc (French) the report, with a link checker's
    # HEAD before it, which gets the same answer and counts as a machine.
    for _ in range(2):
        answer = _follow(_link_to(jan, DATA), "203.0.113.9")
        assert answer.status_code == 302 and answer.headers["location"] == DATA
    luc, = _mails(sink, "luc@journal.example")
    checked = _follow(_link_to(luc, RAPPORT_FR), "2001:db8:7::5", method="HEAD")
    assert checked.status_code == 302 and checked.headers["location"] == RAPPORT_FR
    assert _follow(_link_to(luc, RAPPORT_FR), "2001:db8:8::5").headers["location"] == RAPPORT_FR

    counts = _counts(distribution_id)
    expected = {("nl", url): (1, 0) for url in nl_destinations}
    expected[("nl", DATA)] = (3, 0)
    expected.update({("fr", url): (0, 0) for url in {_destination(u) for u in _tracked_of(luc)}})
    expected[("fr", RAPPORT_FR)] = (1, 1)
    assert counts == expected

    # The mailing's report page shows the same numbers, per link and language.
    with signed_in(web, web.admin) as client:
        page = client.get(f"/press/distributions/{distribution_id}/report")
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>(?:[^<]*<br>)?<small class=\"url\">([^<]*)</small></td>\s*<td>([^<]*)</td>"
                      r"<td>(\d+)</td><td>(\d+)</td></tr>", page.text)
    shown = {(language, html.unescape(url)): (int(people), int(machines)) for url, language, people, machines in rows}
    assert shown == {({"nl": "Nederlands", "fr": "Français"}[lang], url): n for (lang, url), n in expected.items()}


def _release_of(distribution_id: int) -> int:
    with session_scope() as s:
        distribution = s.get(Distribution, distribution_id)
        assert distribution is not None
        return int(distribution.release_id or 0)


def test_scanners_are_counted_apart_and_forged_tokens_lead_nowhere(web: Web, worker: Any, sink: Sink) -> None:
    _, distribution_id = _publish(web, sink)
    els, = _mails(sink, "els@krant.example")
    report, data = _link_to(els, REPORT), _link_to(els, DATA)
    # Known scanners and empty user agents: the same 302, counted as machines.
    for agent in ("Mozilla/5.0 (compatible; BingPreview/1.0b)", "Barracuda Sentinel (EE)",
                  "Proofpoint URL Defense", "Mimecast-Protect/2.0", "Microsoft-SafeLinks/1.0", ""):
        answer = _follow(report, "198.51.100.7", agent)
        assert answer.status_code == 302 and answer.headers["location"] == REPORT, agent
    # A gateway opening two links of the mailing from one /24 within seconds: both are a scan.
    assert _follow(report, "192.0.2.10").status_code == 302
    assert _follow(data, "192.0.2.200").status_code == 302
    # The same from one IPv6 /48.
    assert _follow(report, "2001:db8:abcd:1::1").status_code == 302
    assert _follow(data, "2001:db8:abcd:2::9").status_code == 302
    # People on other networks, one link each.
    assert _follow(report, "203.0.113.9").status_code == 302
    assert _follow(data, "100.64.5.5").status_code == 302

    counts = _counts(distribution_id)
    assert counts[("nl", REPORT)] == (1, 6 + 1 + 1)  # six agents, the /24 burst, the /48 burst
    assert counts[("nl", DATA)] == (1, 1 + 1)

    # Forged, altered, truncated or unknown tokens: 404, no Location, nothing counted.
    token = report.split("/r/", 1)[1]
    link_id = read_link_token(token)
    base = get_settings().base_url
    forged = [
        f"{base}/r/{link_id}.AAAAAAAAAAAAAAAAAAAAAA",
        f"{base}/r/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}",
        f"{base}/r/{token[:-4]}",
        f"{base}/r/{link_id + 1000}.{token.split('.', 1)[1]}",
        f"{base}/r/{link_token(link_id + 1000)}",  # genuine signature, no such link
        f"{base}/r/https%3A%2F%2Fevil.example",
        f"{base}/r/{token}/not-a-recipient-token/extra",
        f"{base}/o/{token}",  # a link's token is not a pixel's
    ]
    for url in forged:
        for method in ("GET", "HEAD"):
            answer = _follow(url, "203.0.113.50", method=method)
            assert answer.status_code == 404, (url, method, answer.status_code)
            assert "location" not in answer.headers, url
    assert _counts(distribution_id) == counts


@pytest.fixture
def logged() -> Iterator[list[str]]:
    """Every log line the process writes during the test, the web server's access log included."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(logging.DEBUG)
    access = logging.getLogger("uvicorn.access")
    level = access.level
    access.setLevel(logging.INFO)
    access.addHandler(handler)
    logging.getLogger().addHandler(handler)
    try:
        yield lines
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
        logging.getLogger().removeHandler(handler)


def test_nothing_ties_a_click_or_an_open_to_a_person_by_default(
        web: Web, worker: Any, sink: Sink, logged: list[str]) -> None:
    override_settings(track_opens=True)
    _, distribution_id = _publish(web, sink)
    addresses = ["198.51.100.7", "203.0.113.9", "2001:db8:7::5"]
    pixel_addresses = ["198.51.99.7", "203.0.112.9", "2001:db8:9::5"]
    for email, ip, pixel_ip in zip(EVERYONE, addresses, pixel_addresses, strict=True):
        mail = _mails(sink, email)[0]
        for url in dict.fromkeys(_tracked_of(mail)):
            assert _follow(url, ip).status_code == 302
        pixel = re.search(r'<img src="([^"]*/o/[^"]*)"', _parts(mail)[0])
        assert pixel is not None
        shown = _follow(html.unescape(pixel.group(1)), pixel_ip)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/gif"
    assert logged, "the access log was captured"
    assert any("/r/" in line for line in logged)

    with session_scope() as s:
        deliveries = [(d.id, d.subscriber_id) for d in s.exec(  # type: ignore[call-overload]
            Delivery.__table__.select().where(Delivery.__table__.c.distribution_id == distribution_id))]
        opens = opens_for_distribution(s, distribution_id)
    assert {o.language: (o.human, o.bot) for o in opens} == {"nl": (2, 0), "fr": (1, 0)}
    with signed_in(web, web.admin) as client:
        report = client.get(f"/press/distributions/{distribution_id}/report").text
    assert 'id="opens-unreliable"' in report and "Apple" in report  # opens come with their caveat
    tables = {"link", "click_event", "click_count", "recipient_click"}
    engine = get_engine()
    columns = {table: {c["name"] for c in inspect(engine).get_columns(table)} for table in tables}
    # No column that could hold a person: no subscriber, delivery, address, IP or user agent.
    assert not [name for table in tables - {"recipient_click"} for name in columns[table]
                if any(word in name for word in ("subscriber", "delivery", "email", "ip", "agent", "address"))]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM recipient_click")).scalar() == 0
        dump = "\n".join(
            repr(tuple(row)) for table in sorted(tables) for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
        event_columns = connection.execute(text("SELECT * FROM click_event")).keys()
    assert set(event_columns) == {"id", "link_id", "at", "bot", "kind"}
    seen = dump + "\n" + "\n".join(logged)
    for secret in [*EVERYONE, *addresses, *pixel_addresses, "198.51.", "203.0.11", "2001:db8"]:
        assert secret not in seen, secret
    for delivery_id, subscriber_id in deliveries:
        assert f"delivery_id={delivery_id}" not in seen and f'"delivery_id": {delivery_id}' not in seen
        assert f"subscriber_id={subscriber_id}" not in seen and f'"subscriber_id": {subscriber_id}' not in seen
    assert "Apple" in opens_label("en")
    # The privacy notice says what is counted, in the reader's language.
    notice = html.unescape(httpx.get(f"{web.url}/privacy/fr", timeout=10).text)
    assert web_text("privacy_clicks_aggregate", "fr") in notice
    assert web_text("privacy_opens_counted", "fr") in notice
    assert web_text("privacy_clicks_per_recipient", "fr") not in notice


def test_per_recipient_tracking_records_the_delivery(web: Web, worker: Any, sink: Sink) -> None:
    override_settings(tracking="per_recipient")
    _, distribution_id = _publish(web, sink)
    els, = _mails(sink, "els@krant.example")
    jan, = _mails(sink, "jan@omroep.example")
    assert set(_tracked_of(els)).isdisjoint(_tracked_of(jan))  # each copy names its reader
    report = _link_to(els, REPORT)
    # A gateway following the link as the message arrives: within seconds of its delivery.
    assert _follow(report, "198.51.100.7").headers["location"] == REPORT
    with session_scope() as s:
        els_delivery = s.exec(  # type: ignore[call-overload]
            Delivery.__table__.select().where(Delivery.__table__.c.email == "els@krant.example")).first()
    time.sleep(max(0.0, BURST_SECONDS - (utcnow() - as_utc(els_delivery.sent_at)).total_seconds()) + 0.2)
    # Els herself, later.
    assert _follow(report, "203.0.113.9").headers["location"] == REPORT
    with session_scope() as s:
        rows = s.exec(RecipientClick.__table__.select().order_by("id")).all()  # type: ignore[call-overload]
    assert read_recipient_token(report.split("/r/", 1)[1].split("/")[1]) == els_delivery.id
    assert [(row.delivery_id, row.bot) for row in rows] == [(els_delivery.id, True), (els_delivery.id, False)]
    assert _counts(distribution_id)[("nl", REPORT)] == (1, 1)
    # The privacy notice says so, in every language; opens are off, so it says nothing of them.
    for language in ("nl", "fr", "en", "de"):
        notice = html.unescape(httpx.get(f"{web.url}/privacy/{language}", timeout=10).text)
        assert web_text("privacy_clicks_per_recipient", language) in notice
        assert web_text("privacy_clicks_aggregate", language) not in notice
        assert web_text("privacy_opens_counted", language) not in notice


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.one_of(
    st.text(min_size=1, max_size=120).map(lambda text: quote(text, safe="")),
    st.binary(min_size=1, max_size=60).map(lambda raw: quote(raw, safe="")),
    st.lists(st.sampled_from(["1", "0", "01", "99999999999999999999", "-1", "é", "%2F", "abc", "", "AAAA"]),
             min_size=1, max_size=4).map(".".join),
))
def test_no_made_up_token_is_redirected(web: Web, token: str) -> None:
    """Anything that is not a genuine token of a stored link: a 4xx, never a Location."""
    assume(token not in (".", ".."))  # dot segments: the client itself sends another path
    with httpx.Client(base_url=web.url, timeout=10, follow_redirects=False) as client:
        for path in (f"/r/{token}", f"/r/{token}/{token}", f"/o/{token}"):
            for method in ("GET", "HEAD"):
                answer = client.request(method, path, params={"access": token})
                assert 400 <= answer.status_code < 500, (path, answer.status_code)
                assert "location" not in answer.headers, path
