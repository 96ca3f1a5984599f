"""The newsroom as its two kinds of readers use it, end to end in a real Chromium.

A journalist reading Dutch goes from a release to its topic, reads the topic's Atom feed, takes a
spokesperson's vCard from the press contacts page and finds the preview tags a shared link shows.
A citizen reading English finds the Dutch releases marked as Dutch, subscribes, confirms from the
mail, is welcomed, reaches their preferences and chooses French; the next release reaches them
in French, and its unsubscribe link speaks French and stops the mail: the release after that
reaches the list but not them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import feedparser
from sqlmodel import select

from core.db import session_scope
from subscribers import add_subscriber, create_list, get_subscriber
from subscribers.models import Subscription, SubscriptionStatus
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, publish_through_api
from tests.web.test_browser import mails_to
from tests.web.test_contacts_topics import NAMES, _parse_vcard
from tests.web.test_subscriber_path import link_in, web_text
from workflow.models import Contact
from workflow.topics import set_topic

REPORT = {"nl": {"title": "Jaarverslag 2026 van Buitenlandse Zaken", "lead": "Een jaar diplomatie in cijfers.",
                 "body": "Het **jaarverslag** toont de cijfers."},
          "fr": {"title": "Rapport annuel 2026 des Affaires étrangères", "lead": "Une année de diplomatie.",
                 "body": "Le rapport présente les chiffres."}}


def _targets_at_least_24px(page: Any, selector: str) -> None:
    """Every link matched is a target of at least 24 × 24 CSS pixels (WCAG 2.2's minimum, which
    the switcher promises at phone width too)."""
    for index in range(page.locator(selector).count()):
        box = page.locator(selector).nth(index).bounding_box()
        assert box and box["width"] >= 24 and box["height"] >= 24, (selector, index, box)


def test_a_journalist_follows_a_topic_feed_takes_a_vcard_and_sees_the_share_preview(
    web: Web, chromium: Any
) -> None:
    with session_scope() as s:
        anouk = Contact(email="anouk@example.be", name="Anouk Peeters", function={"nl": "Woordvoerder"},
                        phone="+32 2 501 81 11", mobile="0475 12 34 56")
        s.add(anouk)
        s.flush()
        anouk_id = anouk.id or 0
        set_topic(s, None, "annual-report", NAMES, {"nl": "Het jaarverslag en wat erbij hoort."})
    report = publish_through_api(web, translations=REPORT, topics=["annual-report"], contacts=[anouk_id])
    other = publish_through_api(web, translations={"nl": {"title": "Ander nieuws", "lead": "", "body": "x"}},
                                topics=["africa"])
    context = chromium.new_context(locale="nl-BE", accept_downloads=True)
    page = context.new_page()

    page.goto(f"{web.url}/releases/{report}/nl")
    # What a shared link shows: the approved title and lead, the kind of card, the article's data.
    meta = {name: page.locator(f'meta[property="{name}"], meta[name="{name}"]').first.get_attribute("content")
            for name in ("description", "og:title", "og:description", "og:type", "og:locale", "twitter:card")}
    assert meta["og:title"] == REPORT["nl"]["title"] and meta["og:description"] == REPORT["nl"]["lead"]
    assert meta["description"] == REPORT["nl"]["lead"] and meta["og:type"] == "article"
    assert meta["og:locale"] == "nl_BE" and meta["twitter:card"] in {"summary", "summary_large_image"}
    article = json.loads(page.locator('script[type="application/ld+json"]').first.inner_text())
    assert article["@type"] == "NewsArticle" and article["headline"] == REPORT["nl"]["title"]
    assert article["inLanguage"] == "nl" and article["datePublished"] and article["dateModified"]

    # From the release to its topic, and the topic's feed, read as a feed reader reads it.
    page.locator("#topics").get_by_role("link", name="Jaarverslag").click()
    page.wait_for_url("**/newsroom/nl/topics/annual-report")
    assert page.locator("h1").inner_text().strip().startswith("Jaarverslag")
    feed_url = page.locator("#topic-atom").get_attribute("href")
    assert feed_url == "/feeds/nl/topics/annual-report.atom"
    feed = page.request.get(f"{web.url}{feed_url}")
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.body())
    assert not parsed.bozo and parsed.version == "atom10"
    assert [entry.title for entry in parsed.entries] == [REPORT["nl"]["title"]]
    assert parsed.entries[0].link == f"{web.url}/releases/{report}/nl"
    assert f"/releases/{other}/" not in feed.text()

    # The press contacts page, and the spokesperson's card downloaded as a file.
    page.get_by_role("navigation", name=web_text("main_menu", "nl")).get_by_role(
        "link", name=web_text("press_contacts_page", "nl")).click()
    page.wait_for_url("**/newsroom/nl/contacts")
    with page.expect_download() as download_info:
        page.locator(f'a[href="/contacts/{anouk_id}.vcf?lang=nl"]').click()
    download = download_info.value
    assert download.suggested_filename == "anouk-peeters.vcf"
    with open(download.path(), "rb") as card:  # bytes: the card's line ends are CRLF, as RFC 6350 wants
        values = {name: value for name, _, value in _parse_vcard(card.read().decode("utf-8"))}
    assert values["FN"] == "Anouk Peeters" and values["EMAIL"] == "anouk@example.be"
    assert values["TITLE"] == "Woordvoerder"
    context.close()


def test_a_citizen_reading_english_subscribes_is_welcomed_and_unsubscribes_in_french(
    web: Web, chromium: Any, worker: Any, sink: Sink
) -> None:
    from playwright.sync_api import expect

    with session_scope() as s:
        create_list(s, "nieuws", "News of the ministry")
        add_subscriber(s, "colleague@example.org", "nieuws", language="nl", confirmed=True)
    first = publish_through_api(web, translations=REPORT)
    context = chromium.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()

    # No release has English text: the newsroom in English shows them in Dutch, marked as such.
    page.goto(f"{web.url}/newsroom/en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    item = page.locator(f'#news .news-item:has(a[href="/releases/{first}/nl"])')
    expect(item.locator("h2")).to_have_attribute("lang", "nl")
    expect(item.locator("a")).to_have_attribute("hreflang", "nl")
    expect(item.locator(".in-language")).to_have_text(web_text("written_in", "en", name="Dutch"))
    expect(page.locator("#language-switch a[lang=fr]")).to_have_text("Français")
    _targets_at_least_24px(page, "#language-switch a")
    # The release itself is in Dutch; its switcher still leads back to the English newsroom.
    item.locator("a").click()
    page.wait_for_url(f"**/releases/{first}/nl")
    expect(page.locator("#language-switch a[lang=en]")).to_have_attribute("href", "/newsroom/en")
    expect(page.locator("#language-switch a[lang=fr]")).to_have_attribute("href", f"/releases/{first}/fr")
    page.go_back()

    # Subscribe from the header's link, in English.
    page.get_by_role("navigation", name=web_text("main_menu", "en")).get_by_role(
        "link", name=web_text("subscribe", "en")).click()
    page.get_by_label("E-mail").fill("citizen@example.org")
    page.get_by_label("News of the ministry").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("#message")).to_have_text(web_text("check_inbox", "en"))

    confirm = link_in(sink, "citizen@example.org", rf"{re.escape(web.url)}/subscriptions/confirm/\S+", "Confirm")
    page.goto(confirm)
    page.locator("#confirm").click()
    expect(page.locator("#message")).to_contain_text("is confirmed")

    # The welcome mail leads to the preferences, where the citizen chooses French.
    preferences = link_in(sink, "citizen@example.org", rf"{re.escape(web.url)}/subscriptions/preferences/\S+",
                          "Welcome")
    page.goto(preferences)
    expect(page.get_by_label("News of the ministry")).to_be_checked()
    page.get_by_label(web_text("mail_language", "en")).select_option("fr")
    page.get_by_role("button", name=web_text("save", "en")).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#message")).to_have_text(web_text("preferences_saved", "fr"))

    # The next release reaches them in French; its unsubscribe link speaks French.
    second = publish_through_api(web, translations={
        "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.", "body": "De minister reist af."},
        "fr": {"title": "Le ministre visite Kinshasa", "lead": "Une visite.", "body": "Le ministre se rend."}},
        lists=["nieuws"])
    unsubscribe = link_in(sink, "citizen@example.org",
                          rf"{re.escape(web.url)}/subscriptions/unsubscribe/\S+", "Le ministre visite Kinshasa")
    page.goto(unsubscribe)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(web_text("unsubscribe", "fr"))
    page.locator("#unsubscribe").click()
    expect(page.locator("#message")).to_have_text(web_text("unsubscribed", "fr"))
    page.locator("#preferences-link").click()
    expect(page.get_by_label("News of the ministry")).not_to_be_checked()
    with session_scope() as s:
        person = get_subscriber(s, "citizen@example.org")
        statuses = list(s.exec(select(Subscription.status).where(Subscription.subscriber_id == person.id)))
    assert statuses == [SubscriptionStatus.UNSUBSCRIBED]

    # The release after that reaches the list, but not them.
    publish_through_api(web, translations={
        "nl": {"title": "Derde bericht", "lead": "", "body": "x"},
        "fr": {"title": "Troisième communiqué", "lead": "", "body": "x"}}, lists=["nieuws"])
    wait_until(lambda: [m for m in mails_to(sink, "colleague@example.org") if "Derde bericht" in str(m["Subject"])],
               timeout=60, what="the third release to reach the list")
    citizen_mail = [str(m["Subject"]) for m in mails_to(sink, "citizen@example.org")]
    assert not any("Troisième" in subject or "Derde" in subject for subject in citizen_mail), citizen_mail
    assert any("Le ministre visite Kinshasa" in subject for subject in citizen_mail) and second
    context.close()
