"""Embargoed news goes only to closed audiences. A list cannot be made public and embargoed
through the API or the press pages, and a private list cannot be joined through any public door
(the sign-up form, the preferences page, the API without a token), however its slug is spelt."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlmodel import col, select

from core.db import session_scope
from core.outbox import OutboxEvent
from subscribers import add_subscriber, create_list, preferences_link
from subscribers.models import MailingList, Subscriber, Subscription
from tests.web.conftest import Person, Web, csrf_of, sign_in
from web.i18n import translate


def _lists() -> dict[str, tuple[str, bool, str]]:
    with session_scope() as s:
        return {m.slug: (m.visibility.value, m.receives_embargoed, m.name)
                for m in s.exec(select(MailingList).order_by(col(MailingList.slug))).all()}


def _audience() -> tuple[list[object], ...]:
    """Subscribers (address, name), subscriptions (address, list, status) and events."""
    with session_scope() as s:
        people = s.exec(select(Subscriber.email, Subscriber.name).order_by(col(Subscriber.email))).all()
        subscriptions = s.exec(
            select(Subscriber.email, MailingList.slug, Subscription.status)
            .join(Subscriber, col(Subscriber.id) == col(Subscription.subscriber_id))
            .join(MailingList, col(MailingList.id) == col(Subscription.list_id))
            .order_by(col(Subscription.id))
        ).all()
        events = s.exec(select(OutboxEvent.id)).all()
    return [tuple(p) for p in people], [tuple(x) for x in subscriptions], list(events)


def test_the_api_refuses_public_embargo_lists_on_create_and_update(web: Web) -> None:
    with web.api(web.approver) as api:
        refused = api.post("/lists", json={"slug": "journalists", "name": "Journalists", "receives_embargoed": True})
        assert refused.status_code == 422, refused.text
        body = refused.json()
        assert body["error"] == "invalid_input" and body["field"] == "receives_embargoed"
        assert "(visibility)" in body["message"] and "'journalists'" in body["message"]
        assert _lists() == {}

        assert api.post("/lists", json={"slug": "journalists", "name": "Journalists", "visibility": "private",
                                        "receives_embargoed": True}).status_code == 201
        assert api.post("/lists", json={"slug": "public", "name": "Public"}).status_code == 201
        before = _lists()
        opened = api.patch("/lists/journalists", json={"name": "Everyone", "visibility": "public"})
        assert opened.status_code == 422 and opened.json()["field"] == "visibility"
        flagged = api.patch("/lists/public", json={"receives_embargoed": True})
        assert flagged.status_code == 422 and flagged.json()["field"] == "receives_embargoed"
        assert _lists() == before

        both = api.patch("/lists/journalists", json={"visibility": "public", "receives_embargoed": False})
        assert both.status_code == 200 and (both.json()["visibility"], both.json()["receives_embargoed"]) == ("public", False)


@contextmanager
def _signed_in(web: Web, person: Person, language: str) -> Iterator[httpx.Client]:
    """A browser signed in as `person`, who chose `language` for the interface."""
    with web.browser() as client:
        assert sign_in(client, person.email).status_code == 303
        token = csrf_of(client.get("/press").text)
        chosen = client.post("/press/language", data={"language": language, "next": "/press", "csrf_token": token})
        assert chosen.status_code == 303
        yield client


def test_the_press_form_explains_the_refusal_in_the_users_language(web: Web) -> None:
    for person, language in ((web.approver2, "nl"), (web.approver, "fr"), (web.admin, "en"), (web.approver2, "de")):
        with _signed_in(web, person, language) as client:
            form = client.get("/press/lists")
            assert translate("embargo_private_only", language) in html.unescape(form.text)
            refused = client.post("/press/lists", data={
                "csrf_token": csrf_of(form.text), "slug": "journalists", "name": "Journalisten", "default_language": "fr",
                "receives_embargoed": "true",
            })
            assert refused.status_code == 422
            page = html.unescape(refused.text)
            assert translate("embargo_needs_private", language) in page
            assert 'value="journalists"' in page and 'value="fr" selected' in page  # the form keeps what was typed
            assert _lists() == {}
    with _signed_in(web, web.approver, "en") as client:
        made = client.post("/press/lists", data={
            "csrf_token": csrf_of(client.get("/press/lists").text), "slug": "journalists", "name": "Journalisten",
            "private": "true", "receives_embargoed": "true",
        })
        assert made.status_code == 303
    assert _lists() == {"journalists": ("private", True, "Journalisten")}


def test_no_public_door_leads_into_a_private_embargo_list(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Accredited journalists", visibility="private", receives_embargoed=True)
        create_list(s, "public", "Public news")
        add_subscriber(s, "eva@example.org", "public", name="Eva", confirmed=True)
        eva = s.exec(select(Subscriber).where(Subscriber.email == "eva@example.org")).one()
        link = preferences_link(eva).removeprefix(web.url)
    before = _audience()

    with web.browser() as client:
        form = client.get("/subscribe?lang=en")
        assert "Public news" in form.text and "journalists" not in form.text.lower()
        for lists in (["journalists"], ["JOURNALISTS "], ["public", "journalists"]):
            attempt = client.post("/subscribe", data={"csrf_token": csrf_of(form.text), "email": "mole@example.org",
                                                      "name": "Mole", "language": "en", "lists": lists})
            # The same answer as a list that does not exist: the form again, the list not offered.
            assert attempt.status_code == 422, lists
            assert "Accredited" not in attempt.text and "is not offered here" in attempt.text
        assert _audience() == before

        prefs = client.get(link)
        assert prefs.status_code == 200 and "Accredited" not in prefs.text and "Public news" in prefs.text
        joined = client.post(link, data={"csrf_token": csrf_of(prefs.text), "name": "Eva Mole", "language": "en",
                                          "frequency": "immediate", "lists": ["public", "journalists"]})
        assert joined.status_code == 404
        assert _audience() == before  # nothing at all changed, not even the name

    with web.api() as anonymous:  # the API has no public door: every operation needs a token
        assert anonymous.post("/lists/journalists/subscribers", json={"email": "mole@example.org"}).status_code == 401
        assert anonymous.post("/lists/journalists/import", files={"file": ("x.csv", b"email\nmole@example.org\n")}
                              ).status_code == 401
    assert _audience() == before
