"""Topic pages, their feeds and the per-kind feeds, the press contacts page with a vCard per
contact, and the admins' topics page: as a journalist and an admin would use them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import feedparser
import pytest

from core.db import session_scope, utcnow
from tests.cli.helpers import invoker, ok
from tests.schema_drift import schema_drift
from tests.web.conftest import Web, csrf_of, signed_in
from tests.web.test_public_pages import publish
from web.i18n import translate
from web.newsroom_lists import topic_names, topic_releases
from web.pages import organisation_in
from workflow.models import Contact
from workflow.topics import Topic, set_topic
from workflow.vcard import fold

ATOM = "{http://www.w3.org/2005/Atom}"
FR_FUNCTION = ("Porte-parole, Affaires étrangères; Europe \\ Afrique, coopération au développement et aide "
               "humanitaire d’urgence")
NAMES = {"nl": "Jaarverslag", "fr": "Rapport annuel", "en": "Annual report", "de": "Jahresbericht"}


def _texts(title: str) -> dict[str, Any]:
    return {"nl": {"title": title, "lead": "Een overzicht.", "body": "Het jaar."},
            "fr": {"title": f"{title} (fr)", "lead": "Un aperçu.", "body": "L’année."}}


def _seed(web: Web) -> dict[str, int]:
    """Two public releases on the annual report (one a statement), one on climate, one under
    embargo on a topic nobody may know yet, and three directory contacts."""
    with session_scope() as s:
        people = [Contact(email="anouk@example.be", name="Anouk Peeters-Dubois",
                          function={"nl": "Woordvoerder, Buitenlandse Zaken; Europa",
                                    "fr": FR_FUNCTION},
                          phone="+32 2 501 81 11", mobile="0475 12 34 56"),
                  Contact(email="intern@example.be", name="Intern Only", function={"nl": "Jurist"}),
                  Contact(email="embargo@example.be", name="Emma Bargo", function={"nl": "Woordvoerder"})]
        s.add_all(people)
        s.flush()
        ids = {c.email: c.id or 0 for c in people}
    seeded = {
        "report": publish(web, topics=["annual-report", "africa"], contacts=[ids["anouk@example.be"]],
                          translations=_texts("Jaarverslag 2026")),
        "statement": publish(web, kind="statement", topics=["annual-report"], translations=_texts("Verklaring")),
        "climate": publish(web, topics=["climate"], translations=_texts("Klimaatplan")),
        "secret": publish(web, topics=["secret-plan"], contacts=[ids["embargo@example.be"]],
                          embargo_until=utcnow() + timedelta(days=1), translations=_texts("Geheim plan")),
    }
    with session_scope() as s:
        set_topic(s, None, "annual-report", NAMES,
                  {"nl": "Het jaarverslag en alles wat erbij hoort.", "fr": "Le rapport annuel."})
    return {**seeded, **{f"contact:{k}": v for k, v in ids.items()}}


def _check_atom(body: bytes, title: str, entries: list[str]) -> None:
    """RFC 4287 essentials, and feedparser reads it as well-formed Atom 1.0."""
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    feed = ET.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{name}") or "").strip(), f"feed has no {name}"
    assert feed.findtext(f"{ATOM}title") == title
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    assert {link.get("rel") for link in feed.findall(f"{ATOM}link")} >= {"self", "alternate"}
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), f"entry has no {name}"
        assert entry.find(f"{ATOM}link").get("href", "").startswith("http")  # type: ignore[union-attr]
    assert [e.title for e in parsed.entries] == entries


def _check_rss(body: bytes, title: str, entries: list[str]) -> None:
    """RSS 2.0 structure: a channel with title, link and description; items with title, link, guid."""
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    root = ET.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), f"channel has no {name}"
    assert channel.findtext("title") == title
    for item in channel.findall("item"):
        assert item.findtext("title") and item.findtext("link") and item.findtext("guid")
    assert [e.title for e in parsed.entries] == entries


def test_topic_pages_in_every_language_with_their_feeds(web: Web) -> None:
    seeded = _seed(web)
    organisation = organisation_in("nl").name
    with web.browser() as client:
        for language, name in NAMES.items():
            page = client.get(f"/newsroom/{language}/topics/annual-report")
            assert page.status_code == 200, language
            assert f'<html lang="{language}"' in page.text
            assert re.search(rf"<h1>{name}</h1>", page.text), language
            assert (f'<link rel="alternate" type="application/atom+xml" '
                    f'href="/feeds/{language}/topics/annual-report.atom"') in page.text
        nl = client.get("/newsroom/nl/topics/annual-report").text
        assert nl.index("Verklaring") < nl.index("Jaarverslag 2026") and "Klimaatplan" not in nl
        assert "Het jaarverslag en alles wat erbij hoort." in nl
        fr = client.get("/newsroom/fr/topics/annual-report").text
        assert "Verklaring (fr)" in fr and "Le rapport annuel." in fr
        # English and German have no text of these releases: the page shows them in Dutch, marked
        # so (as the newsroom does); the topic's feeds stay in their own language.
        en = client.get("/newsroom/en/topics/annual-report").text
        assert "Verklaring" in en and "Language: Dutch" in en and 'hreflang="nl"' in en
        assert "Sprache: Niederländisch" in client.get("/newsroom/de/topics/annual-report").text
        assert "<entry>" not in client.get("/feeds/en/topics/annual-report.atom").text
        # A topic nobody named reads as words, not as a slug.
        assert "<h1>Climate</h1>" in client.get("/newsroom/nl/topics/climate").text
        # What only an embargoed release carries, and what nothing carries, is not there.
        for unknown in ("secret-plan", "nothing-here"):
            assert client.get(f"/newsroom/nl/topics/{unknown}").status_code == 404
            assert client.get(f"/feeds/nl/topics/{unknown}.atom").status_code == 404
        assert client.get("/newsroom/nl/topics/Not_A_Slug").status_code == 422
        assert client.get("/newsroom/xx/topics/climate").status_code == 404

        atom = client.get("/feeds/nl/topics/annual-report.atom")
        assert atom.headers["content-type"].startswith("application/atom+xml")
        _check_atom(atom.content, f"{organisation} — Jaarverslag", ["Verklaring", "Jaarverslag 2026"])
        rss = client.get("/feeds/fr/topics/annual-report.rss")
        assert rss.headers["content-type"].startswith("application/rss+xml")
        _check_rss(rss.content, f"{organisation_in('fr').name} — Rapport annuel",
                   ["Verklaring (fr)", "Jaarverslag 2026 (fr)"])
        assert ET.fromstring(rss.content).findtext("channel/description") == "Le rapport annuel."
        # An empty feed is still a valid one.
        _check_atom(client.get("/feeds/en/topics/annual-report.atom").content,
                    f"{organisation} — Annual report", [])

        statements = client.get("/feeds/nl/kinds/statement.atom")
        _check_atom(statements.content, f"{organisation} — {translate('kind_statement', 'nl')}", ["Verklaring"])
        for language in NAMES:
            kind = client.get(f"/feeds/{language}/kinds/press_release.rss").content
            expected = {"nl": ["Klimaatplan", "Jaarverslag 2026"],
                        "fr": ["Klimaatplan (fr)", "Jaarverslag 2026 (fr)"]}.get(language, [])
            _check_rss(kind, f"{organisation_in(language).name} — {translate('kind_press_release', language)}",
                       expected)
            assert translate("kind_press_release", language) in ET.fromstring(kind).findtext("channel/description", "")
        assert ET.fromstring(statements.content).findtext(f"{ATOM}id") == f"{web.url}/feeds/nl/kinds/statement"
        assert client.get("/feeds/nl/kinds/gossip.atom").status_code == 404
        assert client.get("/feeds/nl/kinds/statement.json").status_code == 422
    assert seeded["secret"]


def test_topic_lists_page_and_name_the_public_topics_only(web: Web) -> None:
    _seed(web)
    with session_scope() as s:
        assert topic_names(s, "fr") == {"africa": "Africa", "climate": "Climate", "annual-report": "Rapport annuel"}
        assert list(topic_names(s, "de")) == ["africa", "climate", "annual-report"]  # ordered by name
        first = topic_releases(s, "nl", "annual-report", page=1, per_page=1)
        second = topic_releases(s, "nl", "annual-report", page=2, per_page=1)
    assert (first.total, first.pages) == (2, 2)
    assert [i.title for i in first.items + second.items] == ["Verklaring", "Jaarverslag 2026"]


def _parse_vcard(text: str) -> list[tuple[str, dict[str, str], str]]:
    """A small RFC 6350 reader: unfold, split name;params:value, unescape text values."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    properties = []
    for line in unfolded.split("\r\n")[:-1]:
        # The value starts at the first colon outside a quoted parameter value.
        colon = next(i for i, char in enumerate(line) if char == ":" and line[:i].count('"') % 2 == 0)
        head, value = line[:colon], line[colon + 1:]
        name, *raw = head.split(";")
        params = dict(p.split("=", 1) for p in raw)
        value = re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
        properties.append((name.upper(), params, value))
    return properties


def test_press_contacts_page_and_vcards(web: Web) -> None:
    seeded = _seed(web)
    anouk = seeded["contact:anouk@example.be"]
    with web.browser() as client:
        pages = {language: client.get(f"/newsroom/{language}/contacts").text for language in NAMES}
        assert "Porte-parole, Affaires étrangères; Europe" in pages["fr"]
        assert "Woordvoerder, Buitenlandse Zaken; Europa" in pages["en"]  # no English: the default language's
        for language, text in pages.items():
            assert "Anouk Peeters-Dubois" in text and 'href="mailto:anouk@example.be"' in text
            assert 'href="tel:+3225018111"' in text and 'href="tel:0475123456"' in text
            assert "Intern Only" not in text and "Emma Bargo" not in text, language
            assert f'href="/contacts/{anouk}.vcf?lang={language}"' in text
        assert "Contacts presse" in pages["fr"] and "Pressekontakte" in pages["de"]
        card = client.get(f"/contacts/{anouk}.vcf?lang=fr")
        assert card.status_code == 200 and card.headers["content-type"] == "text/vcard; charset=utf-8"
        assert card.headers["content-disposition"] == 'attachment; filename="anouk-peeters-dubois.vcf"'
        for hidden in ("intern@example.be", "embargo@example.be"):
            assert client.get(f"/contacts/{seeded['contact:' + hidden]}.vcf").status_code == 404
        assert client.get("/contacts/999999.vcf").status_code == 404
    properties = _parse_vcard(card.content.decode("utf-8"))
    values = {name: value for name, _, value in properties}
    assert properties[0] == ("BEGIN", {}, "VCARD") and properties[-1] == ("END", {}, "VCARD")
    assert values["VERSION"] == "4.0" and values["FN"] == "Anouk Peeters-Dubois"
    assert values["EMAIL"] == "anouk@example.be"
    titles = {params["LANGUAGE"]: (value, params.get("PREF")) for name, params, value in properties if name == "TITLE"}
    assert titles["fr"] == (FR_FUNCTION, "1")
    assert titles["nl"] == ("Woordvoerder, Buitenlandse Zaken; Europa", None)
    phones = [(params["TYPE"], value) for name, params, value in properties if name == "TEL"]
    assert phones == [('"work,voice"', "tel:+3225018111"), ('"cell,voice"', "tel:0475123456")]


def test_folding_never_splits_a_character() -> None:
    line = "TITLE:" + "é" * 100
    folded = fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_only_admins_name_topics_with_the_csrf_token(web: Web) -> None:
    _seed(web)
    with signed_in(web, web.spokesperson) as client:
        assert client.get("/press/topics").status_code == 403
        assert 'href="/press/topics"' not in client.get("/press").text
        token = csrf_of(client.get("/press/contacts").text)
        assert client.post("/press/topics", data={"csrf_token": token, "slug": "climate",
                                                  "name_nl": "Klimaat"}).status_code == 403
    with signed_in(web, web.admin) as client:
        page = client.get("/press/topics")
        assert page.status_code == 200 and 'href="/press/topics"' in page.text
        assert "climate" in page.text and "Jaarverslag" in page.text and "secret-plan" not in page.text
        assert client.post("/press/topics", data={"slug": "climate", "name_nl": "Klimaat"}).status_code == 403
        token = csrf_of(page.text)
        refused = client.post("/press/topics", data={"csrf_token": token, "slug": "Climate Plan!"})
        assert refused.status_code == 422 and 'id="form-error"' in refused.text
        saved = client.post("/press/topics", data={"csrf_token": token, "slug": "climate", "name_nl": "Klimaat",
                                                   "name_fr": "Climat", "description_fr": "Le plan climat."})
        assert saved.status_code == 303
        assert 'value="Climat"' in client.get("/press/topics/climate").text
    with session_scope() as s:
        topic = s.get(Topic, "climate")
        assert topic is not None and topic.names == {"nl": "Klimaat", "fr": "Climat"}
        assert topic.updated_by == web.admin.email
    with web.browser() as client:
        assert "<h1>Climat</h1>" in client.get("/newsroom/fr/topics/climate").text
        assert "<h1>Klimaat</h1>" in client.get("/newsroom/en/topics/climate").text  # the default language's


def test_cli_names_topics(web: Web) -> None:
    run = invoker()
    done = ok(run("topics", "set", "annual-report", "--name-nl", "Jaarverslag", "--name-fr", "Rapport annuel"))
    assert done.output.strip() == "topic annual-report: nl: Jaarverslag, fr: Rapport annuel"
    ok(run("topics", "set", "annual-report", "--name-de", "Jahresbericht", "--name-fr", ""))
    listed = ok(run("topics", "list")).output
    assert "Jaarverslag" in listed and "Jahresbericht" in listed and "Rapport annuel" not in listed
    refused = run("topics", "set", "Bad Slug", "--name-nl", "x")
    assert refused.exit_code == 2 and "not a slug" in refused.stderr
    refused = run("topics", "set", "climate", "--name-nl", "x", "--as", web.spokesperson.email)
    assert refused.exit_code == 4


def test_the_topic_table_matches_its_migration(web: Web, sqlite_db: str) -> None:
    assert schema_drift(sqlite_db, {"topic"}) == []


@pytest.mark.usefixtures("web")
def test_a_journalist_follows_a_topic_feed_and_takes_a_vcard(web: Web, chromium: Any) -> None:
    seeded = _seed(web)
    context = chromium.new_context(locale="fr-BE", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{web.url}/releases/{seeded['report']}/fr")
    page.goto(f"{web.url}/newsroom/fr/topics/annual-report")
    assert page.locator("h1").inner_text() == "Rapport annuel"
    href = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    assert href == page.locator("#topic-atom").get_attribute("href") == "/feeds/fr/topics/annual-report.atom"
    feed = page.request.get(f"{web.url}{href}")
    assert feed.ok
    parsed = feedparser.parse(feed.body())
    assert not parsed.bozo and [e.title for e in parsed.entries] == ["Verklaring (fr)", "Jaarverslag 2026 (fr)"]
    page.get_by_role("link", name="Contacts presse").click()
    page.wait_for_url(f"{web.url}/newsroom/fr/contacts")
    with page.expect_download() as info:
        page.get_by_role("link", name="Ajouter Anouk Peeters-Dubois à vos contacts (vCard)").click()
    download = info.value
    assert download.suggested_filename == "anouk-peeters-dubois.vcf"
    with open(download.path(), encoding="utf-8", newline="") as card:
        properties = _parse_vcard(card.read())
    assert ("FN", {}, "Anouk Peeters-Dubois") in properties
    context.close()


def test_a_release_page_links_its_topics_by_name(web: Web) -> None:
    seeded = _seed(web)
    with web.browser() as client:
        fr = client.get(f"/releases/{seeded['report']}/fr").text
        embargoed = client.get(f"/releases/{seeded['secret']}/nl")
    assert ('<a href="/newsroom/fr/topics/annual-report">Rapport annuel</a>, '
            '<a href="/newsroom/fr/topics/africa">Africa</a>') in fr
    assert embargoed.status_code == 404


def test_the_subscribe_and_search_forms_offer_topics_by_name_not_slug(web: Web) -> None:
    _seed(web)
    with web.browser() as client:
        subscribe = client.get("/subscribe?lang=fr").text
        search = client.get("/newsroom/fr/search").text
    assert '<input type="checkbox" name="topics" value="annual-report" > Rapport annuel</label>' in subscribe
    assert "> Climate</label>" in subscribe and "secret-plan" not in subscribe  # only an embargoed release has it
    assert '<option value="annual-report" >Rapport annuel</option>' in search
