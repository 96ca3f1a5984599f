"""Language fallback, the language switcher and discovery: a visitor whose language a release lacks
still finds it (marked with its own language), every public page switches language at the top,
shared links get a preview card, release pages carry JSON-LD, and search engines get a sitemap
(validated against the Sitemap 0.9 schema), robots.txt and a favicon."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from core.db import session_scope, utcnow
from core.settings import override_settings
from tests.web.conftest import Web
from tests.web.test_media_pages import meta, photo, tags, with_lead  # noqa: F401 (photo: a fixture)
from tests.web.test_public_pages import publish
from workflow import service
from workflow.users import get_user

SCHEMAS = Path(__file__).parent / "sitemap"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LOGO = "https://logo.example/mark.svg"
LOGO_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"><rect width="80" height="40"/></svg>'

DUTCH_FRENCH = {"nl": {"title": "Jaarverslag 2026", "lead": "Het jaar in cijfers.", "body": "Tekst."},
                "fr": {"title": "Rapport annuel 2026", "lead": "L'année en chiffres.", "body": "Texte."}}
FRENCH = {"fr": {"title": "Visite au Congo", "lead": "Une visite de travail.", "body": "Texte."}}
ENGLISH = {"nl": {"title": "Nieuwe ambassadeur", "lead": "Benoemd.", "body": "Tekst."},
           "en": {"title": "New ambassador", "lead": "Appointed.", "body": "Text."}}


def _releases(web: Web) -> dict[str, int]:
    """A Dutch and French release, a French-only one, one with English, and one under embargo."""
    return {
        "nl-fr": publish(web, translations=DUTCH_FRENCH),
        "fr": publish(web, translations=FRENCH, default_language="fr"),
        "en": publish(web, translations=ENGLISH),
        "embargoed": publish(web, translations={"nl": {"title": "Geheim", "body": "x"}},
                             embargo_until=utcnow() + timedelta(days=1)),
    }


def _csp_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text else None)
    return errors


def test_a_citizen_in_english_finds_dutch_and_french_releases_marked_and_switches_language(
        web: Web, chromium: Any) -> None:
    override_settings(logo_url=LOGO)
    ids = _releases(web)
    context = chromium.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"},
                                   viewport={"width": 390, "height": 844})
    context.route(f"{LOGO}*", lambda route: route.fulfill(body=LOGO_SVG, content_type="image/svg+xml"))
    page = context.new_page()
    csp = _csp_errors(page)
    page.goto(f"{web.url}/")
    assert page.url == f"{web.url}/newsroom/en"
    assert page.locator("html").get_attribute("lang") == "en"
    items = page.locator("#news .news-item")
    assert items.count() == 3  # the embargoed one is nobody's yet
    by_title = {items.nth(i).locator("h2").inner_text(): items.nth(i) for i in range(3)}
    assert set(by_title) == {"Jaarverslag 2026", "Visite au Congo", "New ambassador"}
    for title, language, label in (("Jaarverslag 2026", "nl", "Language: Dutch"),
                                   ("Visite au Congo", "fr", "Language: French")):
        item = by_title[title]
        assert item.locator("h2").get_attribute("lang") == language
        assert item.locator("h2 a").get_attribute("hreflang") == language
        assert item.locator(".in-language").inner_text() == label
        assert item.locator(f"p[lang={language}]").count() == 1  # the lead, in its own language
    english = by_title["New ambassador"]
    assert english.locator("h2").get_attribute("lang") == "en" and english.locator(".in-language").count() == 0

    # The switcher: each language named in itself, the current one marked, targets of 24 px and more.
    switch = page.locator("#language-switch a")
    assert switch.all_inner_texts() == ["Nederlands", "Français", "English", "Deutsch"]
    assert [switch.nth(i).get_attribute("hreflang") for i in range(4)] == ["nl", "fr", "en", "de"]
    assert [switch.nth(i).get_attribute("lang") for i in range(4)] == ["nl", "fr", "en", "de"]
    assert page.locator('#language-switch a[aria-current="page"]').inner_text() == "English"
    for i in range(4):
        box = switch.nth(i).bounding_box()
        assert box is not None and box["width"] >= 24 and box["height"] >= 24, box

    # The organisation's logo in the header, named by the organisation.
    logo = page.locator("header .brand img.logo")
    assert logo.get_attribute("src") == LOGO and logo.get_attribute("alt") == page.locator(
        'meta[property="og:site_name"]').get_attribute("content")

    # German: the chrome in German, each fallback item marked in its own language.
    page.locator("#language-switch a", has_text="Deutsch").click()
    page.wait_for_url(f"{web.url}/newsroom/de")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator('h2[lang="de"]').count() == 0
    assert page.locator(".in-language").all_inner_texts().count("Sprache: Niederländisch") == 2

    # A release page offers its own languages, and the newsroom in the languages it lacks; the
    # Dutch one switches to French.
    page.goto(f"{web.url}/releases/{ids['nl-fr']}/nl")
    switch = page.locator("#language-switch a")
    assert switch.all_inner_texts() == ["Nederlands", "Français", "English", "Deutsch"]
    assert [switch.nth(i).get_attribute("href") for i in (2, 3)] == ["/newsroom/en", "/newsroom/de"]
    assert page.locator('#language-switch a[aria-current="page"]').get_attribute("hreflang") == "nl"
    switch.nth(1).click()
    page.wait_for_url(f"{web.url}/releases/{ids['nl-fr']}/fr")
    assert page.locator("h1").inner_text() == "Rapport annuel 2026"
    assert csp == []
    context.close()


def test_link_previews_and_structured_data(web: Web, chromium: Any, photo: str) -> None:  # noqa: F811
    override_settings(logo_url=LOGO)
    release_id = publish(web, translations=DUTCH_FRENCH, **with_lead(photo))
    plain = publish(web, translations=FRENCH, default_language="fr")
    with web.browser() as client:
        newsroom = client.get("/newsroom/fr").text
        release = client.get(f"/releases/{release_id}/nl").text
        other = client.get(f"/releases/{plain}/fr").text
        subscribe = client.get("/subscribe?lang=de").text
    assert meta(newsroom, "description") == meta(newsroom, "og:description") == meta(newsroom, "twitter:description")
    assert meta(newsroom, "description").startswith("Communiqués de presse et actualités de ")
    assert meta(newsroom, "og:url") == f"{web.url}/newsroom/fr" and meta(newsroom, "og:type") == "website"
    assert meta(newsroom, "og:locale") == "fr_BE" and meta(newsroom, "twitter:card") == "summary"
    assert meta(newsroom, "og:image") == LOGO
    assert meta(release, "description") == "Het jaar in cijfers."
    assert meta(release, "og:locale") == "nl_BE" and meta(release, "og:locale:alternate") == "fr_BE"
    assert meta(release, "twitter:card") == "summary_large_image"
    assert meta(release, "article:published_time") and meta(other, "og:image") is None
    assert meta(subscribe, "description") == meta(newsroom, "description").replace(  # type: ignore[union-attr]
        "Communiqués de presse et actualités de ", "Pressemitteilungen und Nachrichten von ")
    assert [a["hreflang"] for a in tags(subscribe, "a", href="/subscribe?lang=fr")] == ["fr"]

    context = chromium.new_context()
    page = context.new_page()
    csp = _csp_errors(page)
    page.goto(f"{web.url}/releases/{release_id}/nl")
    article = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    with session_scope() as s:
        from workflow.models import Release

        stored_release = s.get(Release, release_id)
        assert stored_release is not None and stored_release.public_at is not None
        public_at = stored_release.public_at
    assert article["@context"] == "https://schema.org" and article["@type"] == "NewsArticle"
    assert article["headline"] == "Jaarverslag 2026" and article["description"] == "Het jaar in cijfers."
    assert article["inLanguage"] == "nl" and article["datePublished"] == public_at.isoformat()
    assert article["dateModified"] >= article["datePublished"]
    assert article["image"] == [f"{web.url}/media/{release_id}/{photo}/w1600.jpg"]
    assert article["publisher"]["@type"] == "Organization" and article["publisher"]["logo"]["url"] == LOGO
    assert article["publisher"]["name"] == meta(release, "og:site_name")
    assert csp == []  # JSON-LD is data, not script: the policy has nothing to refuse
    context.close()


def test_sitemap_validates_and_lists_only_public_pages_robots_and_favicon(web: Web) -> None:
    ids = _releases(web)
    withdrawn = publish(web, translations={"nl": {"title": "Ingetrokken", "body": "x"}})
    with session_scope() as s:
        service.withdraw(s, withdrawn, get_user(s, web.approver.email), "fout")
    with web.browser() as client:
        sitemap = client.get("/sitemap.xml")
        robots = client.get("/robots.txt")
        favicon = client.get("/static/favicon.svg")
        redirect = client.get("/favicon.ico")
        newsroom = client.get("/newsroom/nl").text
        english_feed = client.get("/feeds/en.atom").text
    assert "New ambassador" in english_feed and "Jaarverslag" not in english_feed  # feeds keep to their language
    assert sitemap.status_code == 200 and sitemap.headers["content-type"].startswith("application/xml")
    document = etree.fromstring(sitemap.content)
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "xhtml-link.xsd")))
    assert schema.validate(document), schema.error_log
    urls = {u.findtext(f"{SITEMAP}loc"): {link.get("hreflang"): link.get("href") for link in u.findall(f"{XHTML}link")}
            for u in document.findall(f"{SITEMAP}url")}
    release_urls = {loc for loc in urls if "/releases/" in (loc or "")}
    assert release_urls == {f"{web.url}/releases/{ids['nl-fr']}/nl", f"{web.url}/releases/{ids['nl-fr']}/fr",
                            f"{web.url}/releases/{ids['fr']}/fr",
                            f"{web.url}/releases/{ids['en']}/nl", f"{web.url}/releases/{ids['en']}/en"}
    assert urls[f"{web.url}/releases/{ids['nl-fr']}/fr"] == {
        "nl": f"{web.url}/releases/{ids['nl-fr']}/nl", "fr": f"{web.url}/releases/{ids['nl-fr']}/fr"}
    assert urls[f"{web.url}/newsroom/de"]["nl"] == f"{web.url}/newsroom/nl"
    assert not any(f"/releases/{n}/" in (loc or "") for n in (ids["embargoed"], withdrawn) for loc in urls)

    broken = etree.fromstring(sitemap.content.replace(b'hreflang="nl"', b'lang="nl"', 1))
    assert not schema.validate(broken)  # the schema does check the alternates

    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert "Allow: /" in lines and "Disallow: /press" in lines and "Disallow: /api" in lines
    assert f"Sitemap: {web.url}/sitemap.xml" in lines
    assert favicon.status_code == 200 and favicon.headers["content-type"].startswith("image/svg+xml")
    assert redirect.status_code == 301 and redirect.headers["location"] == "/static/favicon.svg"
    assert tags(newsroom, "link", rel="icon") == [{"rel": "icon", "href": "/static/favicon.svg",
                                                  "type": "image/svg+xml"}]
