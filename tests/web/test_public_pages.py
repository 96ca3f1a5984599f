"""The public pages: newsroom, release pages, feeds, and the subscription pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from sqlmodel import select

from core.db import session_scope, utcnow
from core.settings import override_settings
from subscribers import create_list
from subscribers.models import Subscription, SubscriptionStatus
from subscribers.subscriptions import confirmation_request
from subscribers.tokens import unsubscribe_token
from tests import factories
from tests.web.conftest import Web, csrf_of
from workflow import service
from workflow.models import Contact
from workflow.users import get_user

ATOM = "{http://www.w3.org/2005/Atom}"


def publish(web: Web, **content: object) -> int:
    with session_scope() as s:
        author = get_user(s, web.spokesperson.email)
        approver = get_user(s, web.approver.email)
        release_id = factories.release(s, author, **content).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
        return release_id


def test_newsroom_release_page_and_feeds(web: Web) -> None:
    with session_scope() as s:
        contact = Contact(email="woord@example.be", name="Anouk Peeters", function={"nl": "Woordvoerder"},
                          phone="+32 2 501 81 11")
        s.add(contact)
        s.flush()
        contact_id = contact.id
    first = publish(web, contacts=[contact_id], lists=[])
    second = publish(web, lists=[], translations={"nl": {"title": "Tweede bericht", "body": "**Vet** en [link](https://example.be)"}})
    hidden = publish(web, lists=[], embargo_until=utcnow() + timedelta(days=1),
                     translations={"nl": {"title": "Onder embargo", "body": "Geheim"}})
    withdrawn = publish(web, lists=[], translations={"nl": {"title": "Ingetrokken", "body": "x"}})
    with session_scope() as s:
        service.withdraw(s, withdrawn, get_user(s, web.approver.email), "fout")
    with web.browser() as client:
        home = client.get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
        assert home.status_code == 303 and home.headers["location"] == "/newsroom/fr"
        newsroom_page = client.get("/newsroom/nl")
        assert "set-cookie" not in newsroom_page.headers  # no form, no cookie
        nl = newsroom_page.text
        fr = client.get("/newsroom/fr").text
        assert nl.index("Tweede bericht") < nl.index("Minister bezoekt Kinshasa")
        assert "Onder embargo" not in nl and "Ingetrokken" not in nl
        assert "Le ministre visite Kinshasa" in fr and "Minister bezoekt Kinshasa" not in fr
        # A release without French is listed in its own language, marked as such.
        assert '<h2 lang="nl"><a href="/releases/' + str(second) + '/nl" hreflang="nl">Tweede bericht</a>' in fr
        assert client.get("/newsroom/xx").status_code == 404
        page = client.get(f"/releases/{first}/nl")
        assert page.status_code == 200
        assert "Anouk Peeters" in page.text and "Woordvoerder" in page.text and "+32 2 501 81 11" in page.text
        assert 'hreflang="fr"' in page.text
        body = client.get(f"/releases/{second}/nl").text
        assert "<strong" in body and 'href="https://example.be"' in body
        assert client.get(f"/releases/{hidden}/nl").status_code == 404
        assert client.get(f"/releases/{withdrawn}/nl").status_code == 410
        assert client.get(f"/releases/{second}/fr").status_code == 404
        assert client.get(f"/releases/{first}").headers["location"] == f"/releases/{first}/nl"
        atom = client.get("/feeds/nl.atom")
        rss = client.get("/feeds/fr.rss")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(atom.content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["Tweede bericht", "Minister bezoekt Kinshasa"]
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]  # type: ignore[union-attr]
    assert links[1] == f"{web.url}/releases/{first}/nl"
    channel = ET.fromstring(rss.content).find("channel")
    assert [i.findtext("title") for i in channel.findall("item")] == ["Le ministre visite Kinshasa"]  # type: ignore[union-attr]


def subscribe(client, email: str, lists: list[str], **extra: str):  # type: ignore[no-untyped-def]
    page = client.get("/subscribe?lang=nl")
    data = {"csrf_token": csrf_of(page.text), "email": email, "lists": lists, "language": "nl", **extra}
    return client.post("/subscribe", data=data)


def test_subscribe_confirm_preferences_and_unsubscribe(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl")
        create_list(s, "diplomats", "Diplomaten", visibility="private")
    with web.browser() as client:
        form = client.get("/subscribe?lang=fr")
        assert "Journalisten" in form.text and "Diplomaten" not in form.text
        done = subscribe(client, "Jan@Example.org", ["journalists"], name="Jan")
        assert done.status_code == 200 and "bevestig" in done.text
        assert subscribe(client, "bad address", ["journalists"]).status_code == 422
        assert subscribe(client, "x@example.org", []).status_code == 422
        assert subscribe(client, "x@example.org", ["diplomats"]).status_code == 422  # private: not offered
        with session_scope() as s:
            subscription = s.exec(select(Subscription)).one()
            request = confirmation_request(s, subscription.id or 0)
        assert request is not None and request.confirm_url is not None
        path = request.confirm_url.removeprefix(web.url)
        question = client.get(path)
        assert question.status_code == 200
        with session_scope() as s:
            assert s.exec(select(Subscription)).one().status is SubscriptionStatus.PENDING  # a GET changes nothing
        confirmed = client.post(path, data={"csrf_token": csrf_of(question.text)})
        assert confirmed.status_code == 200 and "Journalisten" in confirmed.text
        assert client.post("/subscriptions/confirm/forged", data={"csrf_token": csrf_of(question.text)}).status_code == 422
        forged = client.get("/subscriptions/confirm/forged")  # says so at once, with no button to press
        assert forged.status_code == 422 and 'id="confirm"' not in forged.text

        prefs_path = request.preferences_url.removeprefix(web.url)
        prefs = client.get(prefs_path)
        assert prefs.status_code == 200 and "j***@example.org" in prefs.text
        saved = client.post(prefs_path, data={"csrf_token": csrf_of(prefs.text), "name": "Jan P", "language": "fr",
                                              "frequency": "weekly", "lists": ["journalists"]})
        assert saved.status_code == 200 and 'id="message"' in saved.text

        with session_scope() as s:
            subscription = s.exec(select(Subscription)).one()
            from subscribers.models import Subscriber

            subscriber = s.get(Subscriber, subscription.subscriber_id)
            assert subscriber is not None
            token = unsubscribe_token(subscriber.id or 0, subscription.list_id, subscriber.email_hash)
        page = client.get(f"/subscriptions/unsubscribe/{token}")
        assert page.status_code == 200 and "j***@example.org" in page.text
        with session_scope() as s:
            assert s.exec(select(Subscription)).one().status is SubscriptionStatus.CONFIRMED
        assert client.post(f"/subscriptions/unsubscribe/{token}", data={}).status_code == 403  # no CSRF token
    # RFC 8058: a mail client's POST, no cookie, no CSRF token
    import httpx

    with httpx.Client(base_url=web.url) as mail_client:
        refused = mail_client.post(f"/subscriptions/unsubscribe/{token}", data={"List-Unsubscribe": "Yes"})
        assert refused.status_code == 422
        one_click = mail_client.post(f"/subscriptions/unsubscribe/{token}",
                                     data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200
        assert mail_client.post("/subscriptions/unsubscribe/forged", data={"List-Unsubscribe": "One-Click"}).status_code == 422
    with session_scope() as s:
        assert s.exec(select(Subscription)).one().status is SubscriptionStatus.UNSUBSCRIBED


def test_subscription_bombing_is_rate_limited(web: Web) -> None:
    override_settings(subscribe_limit_per_address=2, subscribe_limit_per_ip=4)
    with session_scope() as s:
        create_list(s, "public", "Public")
    with web.browser() as client:
        codes = [subscribe(client, "victim@example.org", ["public"]).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        response = subscribe(client, "victim@example.org", ["public"])
        assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
        assert subscribe(client, "other@example.org", ["public"]).status_code == 429  # the IP's 5th try


def test_preview_links_and_errors(web: Web) -> None:
    with web.browser() as client:
        assert client.get("/subscriptions/preview/unsubscribe").status_code == 200
        assert client.get("/subscriptions/unsubscribe/forged").status_code == 422
        assert client.get("/subscriptions/preferences/forged").status_code == 422
        missing = client.get("/no/such/page")
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


def test_health_and_metrics(web: Web) -> None:
    publish(web, lists=[])
    with web.browser() as client:
        health = client.get("/healthz")
        metrics = client.get("/metrics")
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok", "broker": "ok",
                                                         "rate_limiter": "ok", "dead_letters": 0}
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = metrics.text.splitlines()
    assert 'pressroom_releases{state="published"} 1' in lines
    assert 'pressroom_releases{state="draft"} 0' in lines
    assert 'pressroom_deliveries{status="sent"} 0' in lines
    assert any(line.startswith("pressroom_send_rate_per_second ") for line in lines)
    assert "pressroom_rate_limiter_up 1" in lines


def test_metrics_are_not_public(web: Web) -> None:
    """The counts would tell that an embargoed release exists: only this machine or a scraper
    with the token reads them."""
    from starlette.requests import Request

    from web.ops import _may_read_metrics

    def asked_from(host: str, authorization: str = "") -> bool:
        headers = [(b"authorization", authorization.encode())] if authorization else []
        return _may_read_metrics(Request({"type": "http", "client": (host, 40000), "headers": headers}))

    assert asked_from("127.0.0.1") and asked_from("::1")
    assert not asked_from("203.0.113.9") and not asked_from("10.1.2.3")
    override_settings(metrics_token="s3cret-scraper")
    assert asked_from("203.0.113.9", "Bearer s3cret-scraper")
    with web.browser() as client:  # once a token is set, this machine needs it too
        refused = client.get("/metrics")
        assert refused.status_code == 403 and "PRESSROOM_METRICS_TOKEN" in refused.json()["message"]
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper"})
        assert allowed.status_code == 200 and "pressroom_releases" in allowed.text


def test_health_reports_a_broken_database(web: Web) -> None:
    override_settings(database_url="sqlite:////nonexistent/dir/x.db")
    with web.browser() as client:
        health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["database"].startswith("down")
