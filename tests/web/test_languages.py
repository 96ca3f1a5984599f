"""Pages speak one language: a representative set of press pages (signed in, with data), public
pages and error pages (403, 404, 409, 422, 429), rendered in each interface language, contain no
catalogue text that belongs to another language. German browsers get German pages."""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from core.catalogue import WEB, entries
from tests.delivery.distribution_helpers import prepare
from tests.web.conftest import Web, csrf_of, publish_through_api, release_body, sign_in
from web.i18n import UI_LANGUAGES, translate

MIN_LENGTH = 12  # shorter texts ("Status", "Version", "Total") are shared between languages


def _literal_parts(text: str) -> list[str]:
    """The fixed pieces of a catalogue text between its placeholders."""
    return [literal.strip() for literal, _, _, _ in string.Formatter().parse(text) if literal.strip()]


def foreign_texts(language: str) -> dict[str, str]:
    """Distinctive catalogue text of the other languages → where it comes from ("fr:key").

    A piece counts when it is long enough to be unmistakable and appears nowhere in the web
    strings of `language` itself (so "Feed (Atom)", the same in several languages, does not)."""
    own = entries(language)
    own_text = "\n".join(text for (context, _), text in own.items() if context == WEB)
    found: dict[str, str] = {}
    for other in UI_LANGUAGES:
        if other == language:
            continue
        for (context, key), text in entries(other).items():
            if context != WEB or own.get((context, key)) == text:
                continue
            for piece in _literal_parts(text):
                if len(piece) >= MIN_LENGTH and piece not in own_text:
                    found[piece] = f"{other}:{key}"
    return found


SHOWN_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|placeholder|alt|data-confirm)="([^"]*)"')


def visible(page: httpx.Response) -> str:
    """What a reader sees or hears: the text between tags and the attributes that are shown or
    read out (titles, labels, confirmations), entities decoded; not values, names or URLs."""
    shown = " ".join(SHOWN_ATTRIBUTES.findall(page.text))
    text = re.sub(r"(?s)<script.*?</script>|<style.*?</style>|<[^>]*>", "\n", page.text)
    return html.unescape(f"{text}\n{shown}")


def test_every_other_language_has_distinctive_text_to_look_for() -> None:
    # Without these the page checks below would pass whatever the pages printed.
    for language in UI_LANGUAGES:
        assert len(foreign_texts(language)) > 150, language


@contextmanager
def _admin_in(web: Web, language: str) -> Iterator[httpx.Client]:
    with web.browser() as client:
        assert sign_in(client, web.admin.email).status_code == 303
        chosen = client.post("/press/language", data={"language": language, "next": "/press",
                                                      "csrf_token": csrf_of(client.get("/press").text)})
        assert chosen.status_code == 303
        yield client


def _data(web: Web) -> tuple[int, int, int, int]:
    """A published release in every language with a mailing, a draft and an approved release:
    (release, mailing, draft, approved)."""
    with web.api(web.admin) as api:
        assert api.post("/lists", json={"slug": "journalists", "name": "Journalists"}).status_code == 201
        api.post("/lists/journalists/subscribers", json={"email": "p1@example.org", "confirmed": True})
    texts = {lang: {"title": f"Titel {lang}", "lead": "", "body": f"Tekst {lang}."} for lang in UI_LANGUAGES}
    published = publish_through_api(web, lists=["journalists"], web_only=False, translations=texts)
    mailing = prepare(published)
    with web.api(web.spokesperson) as api:
        draft = api.post("/releases", json=release_body()).json()["id"]
        approved = api.post("/releases", json=release_body()).json()["id"]
        assert api.post(f"/releases/{approved}/submit").status_code == 200
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{approved}/approve").status_code == 200
    return published, mailing, draft, approved


def _press_pages(client: httpx.Client, published: int, mailing: int, draft: int,
                 approved: int) -> dict[str, httpx.Response]:
    pages = {url: client.get(url) for url in (
        "/press", "/press/releases", f"/press/releases/{published}", f"/press/releases/{draft}",
        f"/press/releases/{draft}/edit", f"/press/releases/{published}/review", "/press/lists",
        "/press/lists/journalists", "/press/distributions", f"/press/distributions/{mailing}",
        "/press/organisation", "/press/releases/new", f"/press/releases/{approved}/publish", "/press/account",
        "/press/account/two-factor", "/press/users", "/press/contacts",
        "/press/invitation/forged", "/press/releases/99999")}
    token = csrf_of(pages["/press"].text)
    pages["409"] = client.post(f"/press/releases/{draft}/approve", data={"csrf_token": token})
    pages["422"] = client.post("/press/lists/journalists/subscribers", data={"csrf_token": token, "email": "x"})
    pages["403"] = client.post("/press/releases/new", data={"title_nl": "Zonder token"})
    pages["flash"] = client.get(client.post(f"/press/distributions/{mailing}/pause",
                                            data={"csrf_token": token}).headers["location"])
    return pages


def _public_pages(web: Web, language: str, published: int) -> dict[str, httpx.Response]:
    with httpx.Client(base_url=web.url, timeout=30, headers={"accept-language": language}) as client:
        pages = {url: client.get(url) for url in (
            f"/newsroom/{language}", f"/releases/{published}/{language}", f"/subscribe?lang={language}",
            "/releases/99999/nl", "/no-such-page", "/subscriptions/unsubscribe/forged", "/press/forgot-password")}
        pages["public 403"] = client.post("/subscribe", data={"email": "x@example.org"})
        for _ in range(100):
            refused = client.post("/press/sign-in", data={
                "email": "nobody@example.be", "password": "wrong",
                "csrf_token": csrf_of(client.get("/press/sign-in").text)})
            if refused.status_code == 429:
                break
        pages["429"] = refused
    return pages


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_pages_in_one_language_hold_no_other_languages_text(web: Web, language: str) -> None:
    published, mailing, draft, approved = _data(web)
    with _admin_in(web, language) as client:
        pages = _press_pages(client, published, mailing, draft, approved)
    pages.update(_public_pages(web, language, published))

    statuses = {name: page.status_code for name, page in pages.items()}
    assert statuses["/press/releases/99999"] == statuses["/releases/99999/nl"] == statuses["/no-such-page"] == 404
    assert statuses["/press/invitation/forged"] == 422
    assert (statuses["403"], statuses["public 403"], statuses["409"], statuses["422"], statuses["429"]) == \
        (403, 403, 409, 422, 429)
    assert all(status == 200 for name, status in statuses.items() if name.startswith("/") and "99999" not in name
               and name not in ("/no-such-page", "/subscriptions/unsubscribe/forged", "/press/invitation/forged")), statuses

    foreign = foreign_texts(language)
    leaks = {name: sorted(f"{piece!r} ({origin})" for piece, origin in foreign.items() if piece in visible(page))
             for name, page in pages.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    # And each page did speak the language asked for.
    for name, page in pages.items():
        words = translate(_own_words(name, page.status_code), language)
        assert words in visible(page), (name, words)


def _own_words(name: str, status: int) -> str:
    """A key every page of its kind shows: error pages their heading, signed-in pages the sign-out
    button, public pages the sign-up link."""
    if status >= 400:
        return "error_page"
    if name == "/press/forgot-password":
        return "forgot_password"
    return "sign_out" if name.startswith(("/press", "flash")) else "subscribe"


@pytest.mark.parametrize(("url", "key"), [("/press/sign-in", "sign_in"), ("/subscribe", "subscribe_intro"),
                                          ("/no-such-page", "error_no_page")])
def test_a_german_browser_gets_german_pages(web: Web, url: str, key: str) -> None:
    with httpx.Client(base_url=web.url, timeout=30, headers={"accept-language": "de-BE,de;q=0.9,en;q=0.5"}) as client:
        page = client.get(url)
    assert '<html lang="de">' in page.text
    assert translate(key, "de") in visible(page) and translate(key, "de") != translate(key, "en")


def test_the_language_switch_offers_deutsch_and_german_sticks(web: Web) -> None:
    with _admin_in(web, "de") as client:
        page = client.get("/press/lists")
    assert re.search(r'<option value="de" lang="de" selected>Deutsch</option>', page.text)
    assert "Verteilerlisten" in page.text and "Administrator" in page.text  # the role, in German
