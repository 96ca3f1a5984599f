"""The public newsroom as an attacker and a careless user try it, against the real server.

Each test states what goes wrong and what the correct behaviour is; they fail until it is fixed.
Ordered from the most to the least harmful.
"""

from __future__ import annotations

import re
from typing import Any

import feedparser
import httpx
import pytest

from core.catalogue import WEB, lookup
from core.db import session_scope
from subscribers import create_list
from tests.web.conftest import (
    Web,
    csrf_of,
    post,
    publish_through_api,
    signed_in,
)
from tests.web.test_public_pages import publish
from tests.web.test_search import _apply_events
from workflow.models import Contact

pytestmark = pytest.mark.postgres




def _text(key: str, language: str, **values: Any) -> str:
    text = lookup(WEB, key, language)
    assert text is not None, key
    return text.format(**values) if values else text


def _searchable(web: Web, title: str = "Jaarverslag 2026") -> int:
    """A public Dutch and French release, in the search index."""
    release_id = publish(web, translations={"nl": {"title": title, "lead": "De cijfers.", "body": "De begroting."},
                                            "fr": {"title": "Rapport annuel", "lead": "Les chiffres.",
                                                   "body": "Le budget."}})
    _apply_events()
    return release_id


def _get(web: Web, path: str, **params: str) -> httpx.Response:
    """One request on a fresh connection (after a 500 the server drops the kept-alive one)."""
    with web.browser() as client:
        return client.get(path, params=params or None)


# --- 1. feeds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("lead", "Eerste regel\x0btweede regel"),  # Word's manual line break (Shift+Enter), pasted
    ("body", "Eerste alinea.\x0c\nTweede alinea."),  # a form feed from a converted document
    ("title", "Jaarverslag 2026 \uffff"),  # a non-character that the title's checks let through
])
def test_one_release_with_a_character_xml_cannot_hold_does_not_break_every_feed(
        web: Web, field: str, value: str) -> None:
    """WRONG: a release's title, lead or body may hold characters that XML 1.0 cannot carry (C0
    controls such as the vertical tab Word puts in for Shift+Enter, or U+FFFE/U+FFFF): the
    release API, the editor and the review accept them (only NUL is refused for lead and body;
    the title refuses controls but not non-characters), the release page shows fine, but
    feedgen/lxml raises "All strings must be XML compatible" and /feeds/{lang}.atom|.rss, the
    topic feeds and the kind feeds answer 500 for everyone, for as long as the release is among
    the 50 newest (web/public.py `_feed_of`, entry.title/summary/content).

    RIGHT: either the text is refused where it comes in (422 naming the field, as for NUL), or
    the feeds leave out what XML cannot carry; in any case the feeds stay well-formed. Both are
    wise: releases stored before a new input rule would still break the feeds."""
    texts = {"nl": {"title": "Jaarverslag 2026", "lead": "De cijfers.", "body": "De begroting."}}
    texts["nl"][field] = value
    from tests.web.conftest import release_body

    with web.api(web.spokesperson) as api:
        created = api.post("/releases", json=release_body(translations=texts, topics=["annual-report"]))
    if created.status_code == 422:  # refused where it comes in, naming where: also right
        assert field in (created.json().get("field") or ""), created.text
        return
    assert created.status_code == 201, created.text
    with web.api(web.spokesperson) as api:
        assert api.post(f"/releases/{created.json()['id']}/submit").status_code == 200
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{created.json()['id']}/approve").status_code == 200
        assert api.post(f"/releases/{created.json()['id']}/publish").status_code == 200
    for path in ("/feeds/nl.atom", "/feeds/nl.rss", "/feeds/nl/topics/annual-report.atom",
                 "/feeds/nl/kinds/press_release.rss"):
        answer = _get(web, path)
        assert answer.status_code == 200, f"{path}: {answer.status_code}"
        parsed = feedparser.parse(answer.content)
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert len(parsed.entries) == 1


def test_a_control_character_in_a_lead_does_not_break_the_releases_mail(web: Web) -> None:
    """WRONG (same root cause as the feeds, outside the newsroom): a lead holding a vertical tab
    (Word's Shift+Enter) is accepted by the API and the editor, and then the release's mail cannot
    be made: GET /api/releases/{id}/preview answers 500 for html, text and eml ("MJML of template
    'press_release' does not compile: unable to parse next template in root template"), so the
    editor's preview, test mails and, presumably, the mailing itself fail on text that the
    reviewers saw and approved (workflow/content.py `Translation._text` refuses only NUL in lead
    and body).

    RIGHT: C0 control characters other than tab and line feed (and U+FFFE/U+FFFF) are refused in
    lead and body where they come in, 422 naming the field (as NUL is); or every renderer copes.
    This is why the feeds test above should not be satisfied by cleaning the feeds alone."""
    from tests.web.conftest import release_body

    texts = {"nl": {"title": "Jaarverslag 2026", "lead": "Eerste regel\x0btweede regel", "body": "De begroting."}}
    with web.api(web.spokesperson) as api:
        created = api.post("/releases", json=release_body(translations=texts))
    if created.status_code == 422:  # refused where it comes in, naming where
        assert "lead" in (created.json().get("field") or ""), created.text
        return
    assert created.status_code == 201, created.text
    for form in ("html", "text", "eml"):
        with web.api(web.spokesperson) as api:  # a new connection: after a 500 the server drops it
            preview = api.get(f"/releases/{created.json()['id']}/preview", params={"language": "nl", "format": form})
        assert preview.status_code == 200, f"{form}: {preview.status_code}"


# --- 2. search: server errors on input anyone can type --------------------------------------------


def test_a_search_with_a_nul_character_is_not_a_server_error(web_both: Web, db: str) -> None:
    """WRONG (PostgreSQL): /newsroom/{lang}/search?q=jaarverslag%00 answers 500: the raw query
    goes to plainto_tsquery, and PostgreSQL text cannot hold NUL (psycopg.DataError). Anyone can
    send it (workflow/search.py `_ranked_postgres`, bindparam("q", query); web/search.py takes `q`
    as a plain str). On SQLite only the stemmed words reach FTS5, so it works there.

    RIGHT: the same on both databases, no 500: either NUL counts as a word separator (the words
    are what is searched) or the page says the words cannot be read (422, form kept)."""
    release_id = _searchable(web_both)
    answer = _get(web_both, "/newsroom/nl/search", q="jaarverslag\x00 2026")
    assert answer.status_code in (200, 422), answer.status_code
    assert 'id="search-form"' in answer.text
    if answer.status_code == 200:
        assert f"/releases/{release_id}/nl" in answer.text


@pytest.mark.parametrize("params", [{"to": "9999-12-31"}, {"from": "0001-01-01"}])
def test_search_dates_at_the_ends_of_the_calendar_are_not_a_server_error(
        web_both: Web, db: str, params: dict[str, str]) -> None:
    """WRONG: a date filter that Python reads but cannot shift answers 500 on both databases:
    `to=9999-12-31` overflows at `filters.date_to + timedelta(days=1)` and `from=0001-01-01`
    overflows when the local midnight is turned into UTC (workflow/search.py `search` and
    `_day_start`; `parse_day` accepts any ISO date). A date input lets a person type year 9999.

    RIGHT: a date outside what the newsroom can compare (say before 1900 or after 9998) is refused
    like an unreadable one: 422, the form kept, the field named in the reader's language (or the
    filter is clamped and the search runs). Never 500."""
    _searchable(web_both)
    answer = _get(web_both, "/newsroom/nl/search", q="jaarverslag", **params)
    assert answer.status_code in (200, 422), answer.status_code
    assert 'id="search-form"' in answer.text
    if answer.status_code == 422:
        assert 'role="alert"' in answer.text
        assert next(iter(params.values())) in answer.text  # what was typed is kept


def test_a_forged_list_slug_with_a_nul_on_the_sign_up_form_is_not_a_server_error(web_both: Web, db: str) -> None:
    """WRONG (PostgreSQL): POST /subscribe with lists=nie%00uws answers 500: the slug goes
    unchecked into the list lookup (web/public.py `subscribe_submit` → subscribers `subscribe` →
    `get_list`), and PostgreSQL cannot compare text holding NUL. The form is anonymous: anyone
    can send it. SQLite answers the 404 of an unknown list.

    RIGHT: the answer of any unknown list (better: the sign-up form again, 422, saying which list
    is not offered, with what was typed kept), on both databases."""
    with session_scope() as s:
        create_list(s, "nieuws", "Nieuws")
    with web_both.browser() as client:
        token = csrf_of(client.get("/subscribe?lang=nl").text)
        answer = client.post("/subscribe", data={"csrf_token": token, "email": "els@example.org",
                                                 "lists": ["nie\x00uws"], "language": "nl"})
    assert answer.status_code in (404, 422), answer.status_code


# --- 3. what was approved is what goes out ----------------------------------------------------------


def test_the_contacts_page_and_vcard_show_the_details_that_were_approved(web: Web) -> None:
    """WRONG: the press contacts page and the vCards print the directory's live row
    (web/newsroom_lists.py `public_contacts` → web/topic_pages.py `contacts_page`/`contact_card`),
    while the release page prints the details the approver signed off (`contact_details` of the
    revision). A contact may change their own entry without any review (`may_change_contact`: the
    contact themselves, or an admin): a spokesperson named under a public release renames her
    function "Minister" and changes the number, and the public page and every vCard downloaded
    from then on say so at once, unreviewed, and disagree with the release page.

    RIGHT: what the public reads of a contact is what was approved: the contacts page and the
    vCard take a contact's details from the `contact_details` printed under the newest public
    release that names them (the directory only says who is named), so a change reaches the
    public with the next approved release."""
    with session_scope() as s:
        contact = Contact(email="an@example.be", name="An Peeters", function={"nl": "Woordvoerder"},
                          phone="+32 2 501 81 11")
        s.add(contact)
        s.flush()
        contact_id = contact.id or 0
    release_id = publish_through_api(web, contacts=[contact_id])
    with web.api(web.spokesperson) as api:  # An changes her own entry: nobody reviews it
        changed = api.post("/contacts", json={"email": "an@example.be", "name": "An Peeters", "function": {"nl": "Minister"},
                                 "phone": "+32 9 999 99 99"})
        assert changed.status_code in (200, 201), changed.text
    release_page = _get(web, f"/releases/{release_id}/nl").text
    assert "Woordvoerder" in release_page and "+32 2 501 81 11" in release_page  # as approved
    contacts_page = _get(web, "/newsroom/nl/contacts").text
    card = _get(web, f"/contacts/{contact_id}.vcf").text
    assert "Minister" not in contacts_page and "+32 9 999 99 99" not in contacts_page
    assert "Woordvoerder" in contacts_page and "+32 2 501 81 11" in contacts_page
    assert "Minister" not in card and "+3299999999" not in card
    assert "TITLE;ALTID=1;LANGUAGE=nl;PREF=1:Woordvoerder" in card and "tel:+3225018111" in card


# --- 4. language fallback --------------------------------------------------------------------------


def test_a_topic_page_in_english_falls_back_to_the_offices_languages(web: Web) -> None:
    """WRONG: /newsroom/en lists the Dutch/French releases (marked with their language), but a
    topic page keeps to the page's language: /newsroom/en/topics/africa answers 404 ("there is no
    topic") for a topic of public releases that exist in Dutch and French only; with a stored
    topic name it is an empty page (web/newsroom_lists.py `topic_releases` filters by
    `_visible(language)` and builds items with `_public(…, language)`; web/topic_pages.py
    `topic_view`). The issue's fallback ("a visitor whose language has no translation sees the
    releases in the office's languages") stops at the topic pages, and the shared release list
    already prints the language label for items in another language.

    RIGHT: like the newsroom (`newsroom(…, fallback=True)`): every public release of the topic,
    in the page's language when it has one, else in its main language, marked with `lang`,
    `hreflang` and "Language: Dutch". (The topic's feeds may keep to their language, like the
    newsroom's feeds.)"""
    release_id = publish(web, topics=["africa"])  # Dutch and French only
    newsroom = _get(web, "/newsroom/en")
    assert f"/releases/{release_id}/nl" in newsroom.text  # the newsroom falls back
    topic = _get(web, "/newsroom/en/topics/africa")
    assert topic.status_code == 200, topic.status_code
    assert f'<a href="/releases/{release_id}/nl" hreflang="nl">' in topic.text
    assert _text("written_in", "en", name=_text("language_nl", "en")) in topic.text


@pytest.mark.parametrize(("header", "expected"), [
    ("fr;q=0.1, en;q=0.9", "en"),  # English preferred, French barely acceptable
    ("de-CH;q=0.2, en-US", "en"),  # en-US has q=1
    ("nl;q=0, fr", "fr"),  # q=0 means "not acceptable" (RFC 9110 §12.4.2)
])
def test_the_browsers_language_preferences_are_weighed(web: Web, header: str, expected: str) -> None:
    """WRONG: `/` (and every page that negotiates: /subscribe, error pages, subscriber pages
    without a language) takes the first configured language named in Accept-Language, in the
    order written, ignoring the q weights: "fr;q=0.1, en;q=0.9" lands on French, and "nl;q=0"
    (Dutch explicitly refused) lands on Dutch (web/i18n.py `negotiate`).

    RIGHT: the configured language with the highest q (ties in written order; q=0 never), else
    the default language."""
    with web.browser() as client:
        home = client.get("/", headers={"Accept-Language": header})
    assert home.status_code == 303
    assert home.headers["location"] == f"/newsroom/{expected}"


def test_a_refused_name_on_the_preferences_page_shows_the_form_again_in_the_subscribers_language(web: Web) -> None:
    """WRONG: on /subscriptions/preferences/{token}, a name pasted with an invisible character
    (a zero-width space copied from a web page or a signature) is refused, rightly, but the
    answer is the generic error page: in the browser's language instead of the subscriber's
    (a French subscriber reads Dutch), saying "enter a name on one line" although the name is on
    one line, and without the form: every other choice made on the page (frequency, lists,
    topics) is lost (web/public.py `preferences_submit` does not catch InvalidInput, unlike
    `subscribe_submit`).

    RIGHT: like the sign-up form: 422 with the preferences form again, in the subscriber's
    language, the refused field named with the reason, what was typed and chosen kept; nothing
    changed."""
    from subscribers import add_subscriber, get_subscriber
    from subscribers.tokens import preferences_token

    with session_scope() as s:
        create_list(s, "nieuws", "Nieuws")
        add_subscriber(s, "claire@example.org", "nieuws", language="fr", confirmed=True, name="Claire")
        person = get_subscriber(s, "claire@example.org")
        token = preferences_token(person.id or 0, person.email_hash)
    with web.browser() as client:
        page = client.get(f"/subscriptions/preferences/{token}", headers={"Accept-Language": "nl-BE"})
        assert '<html lang="fr">' in page.text
        answer = client.post(f"/subscriptions/preferences/{token}", headers={"Accept-Language": "nl-BE"},
                             data={"csrf_token": csrf_of(page.text), "name": "Claire\u200bDupont",
                                   "language": "fr", "frequency": "weekly", "lists": ["nieuws"]})
    assert answer.status_code == 422
    assert '<html lang="fr">' in answer.text, "the answer is not in the subscriber's language"
    assert 'name="frequency"' in answer.text, "the form is gone"
    assert '<option value="weekly" selected>' in answer.text, "the choices made are lost"
    with session_scope() as s:
        assert get_subscriber(s, "claire@example.org").frequency.value != "weekly"  # nothing changed


def test_the_subscribe_box_under_a_fallback_release_keeps_the_visitors_language(web: Web) -> None:
    """WRONG: an English citizen follows the English newsroom's fallback to a Dutch-only release
    (/releases/{id}/nl) and subscribes in the box under it: the box posts its page's language as
    a hidden field (templates public/_subscribe_box.html `language` = page_language), so the
    citizen is stored as a Dutch reader: the confirmation, the welcome mail and every release
    that exists in English reach them in Dutch, with no language choice in the box to see or
    change it.

    RIGHT: the box signs up in the visitor's language when the office has it (the browser's
    negotiated language, as /subscribe does), or shows the language as a choice, preset so."""
    from subscribers import get_subscriber

    with session_scope() as s:
        create_list(s, "nieuws", "Nieuws")
    release_id = publish(web, lists=["nieuws"], translations={"nl": {"title": "Alleen in het Nederlands",
                                                                     "lead": "x", "body": "y"}})
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    with web.browser() as client:
        assert f"/releases/{release_id}/nl" in client.get("/newsroom/en", headers=english).text
        page = client.get(f"/releases/{release_id}/nl", headers=english)
        box = page.text[page.text.index('id="subscribe-box"'):]
        language = re.search(r'name="language"[^>]*value="([a-z]{2})"|<option value="([a-z]{2})" selected', box)
        assert language is not None
        answer = client.post("/subscribe", headers=english, data={
            "csrf_token": csrf_of(page.text), "email": "citizen@example.org", "lists": ["nieuws"],
            "language": language.group(1) or language.group(2)})
    assert answer.status_code == 200
    with session_scope() as s:
        assert get_subscriber(s, "citizen@example.org").language == "en"


# --- 5. admins' input ------------------------------------------------------------------------------


def test_the_privacy_notice_refuses_a_nul_with_a_clear_error(web_both: Web, db: str) -> None:
    """WRONG: the privacy notice form takes any text (subscribers/privacy_notice.py
    `set_privacy_notice` checks only the length; web/press/privacy.py takes a plain Form str): a
    NUL (pasted from a PDF converter) answers 500 on PostgreSQL, the text lost; on SQLite it is
    stored and web_both on /privacy/{lang} as a NUL in the HTML.

    RIGHT: refused like every other text of the office (the API's `_clean_text`, the catalogue's
    control-character rule): 422 on the admin's form saying what is wrong, the text kept in the
    textarea, nothing stored; on both databases."""
    with signed_in(web_both, web_both.admin) as client:
        answer = post(client, "/press/privacy/nl", {"text": "Wat we bewaren.\x00\n\nHoe lang."}, page="/press/privacy")
        assert answer.status_code == 422, answer.status_code
        assert 'id="form-error"' in answer.text and "Hoe lang." in answer.text
    public = _get(web_both, "/privacy/nl")
    assert public.status_code == 200 and "Wat we bewaren." not in public.text and "\x00" not in public.text


# --- 6. careless use of the search and list pages --------------------------------------------------


def test_a_date_range_the_wrong_way_round_is_said(web: Web) -> None:
    """WRONG: from=2027-01-01&to=2026-01-01 quietly answers "Releases found: 0", although
    `InvalidSearch` promises to refuse "a range the wrong way" (workflow/search.py): a journalist
    who swapped the two dates believes nothing was published.

    RIGHT: 422 with the form kept and a message that the start date comes after the end date
    (or the two dates swapped and the search run)."""
    release_id = _searchable(web)
    answer = _get(web, "/newsroom/nl/search", q="jaarverslag", **{"from": "2099-01-01", "to": "2000-01-01"})
    swapped = f"/releases/{release_id}/nl" in answer.text
    assert swapped or (answer.status_code == 422 and 'role="alert"' in answer.text), answer.status_code


def test_a_page_past_the_last_does_not_say_there_is_nothing(web: Web) -> None:
    """WRONG: a page number past the last (an old bookmark, a hand-edited URL) says the opposite
    of the truth: /newsroom/nl?page=99 says "No releases yet." with no way back (the pager is
    hidden when there is one page), and /newsroom/nl/search?q=…&page=3 says "Releases found: 1"
    and "No release matches these words and filters." at once (templates
    public/_release_list.html, public/newsroom.html, public/search.html).

    RIGHT: 404 for a page that does not exist, or a page that says it is past the last and
    links to the first; never "nothing found" when there is."""
    _searchable(web)
    wrong = []
    newsroom = _get(web, "/newsroom/nl", page="99")
    if newsroom.status_code != 404 and (_text("no_releases", "nl") in newsroom.text
                                        or 'href="?page=1"' not in newsroom.text):
        wrong.append("/newsroom/nl?page=99 says there are no releases, with no way back")
    search = _get(web, "/newsroom/nl/search", q="jaarverslag", page="3")
    if search.status_code != 404 and 'id="no-results"' in search.text:
        wrong.append("search page 3 of 1 says nothing matches while counting one")
    assert not wrong, wrong


def test_the_short_address_of_a_withdrawn_release_leads_to_its_notice(web: Web) -> None:
    """WRONG: /releases/{id} (the language-less address the README lists among the public pages,
    and the one the withdrawn notice itself links when the correction lacks the page's language)
    answers "there is no release at this address" (404) once the release is withdrawn, although
    /releases/{id}/{lang} keeps its 410 notice (web/public.py `release_default` asks
    `public_default_language`, which only knows releases readable now).

    RIGHT: a withdrawn release that had been public keeps every address: /releases/{id} leads to
    the notice (a redirect to /releases/{id}/{main language}, which answers 410), while one
    withdrawn under embargo stays the 404 of an unknown id."""
    from workflow import service
    from workflow.users import get_user

    release_id = publish(web)
    with session_scope() as s:
        service.withdraw(s, release_id, get_user(s, web.approver.email), "Een fout in de cijfers")
    assert _get(web, f"/releases/{release_id}/nl").status_code == 410
    short = _get(web, f"/releases/{release_id}")
    assert short.status_code in (303, 307, 410), short.status_code
    if short.status_code != 410:
        assert short.headers["location"] == f"/releases/{release_id}/nl"


def test_the_review_tests_speak_to_the_real_server(web: Web) -> None:
    """Sanity of this file's helpers: a searchable release is found through the page."""
    release_id = _searchable(web)
    found = _get(web, "/newsroom/nl/search", q="jaarverslagen")
    assert found.status_code == 200 and f"/releases/{release_id}/nl" in found.text
    assert re.search(r'id="search-count"[^>]*>[^<]*1', found.text)
