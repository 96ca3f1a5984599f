"""Search over the public releases: stemming per language on both databases, filters, paging,
highlighting that escapes what it quotes, the newsroom's rule applied when the search runs, the
index kept by the publish and withdraw events, and the page as a journalist uses it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from core.db import session_scope, utcnow
from core.outbox import OutboxEvent, handle_event
from tasks.events import HANDLERS
from tests import factories
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, publish_through_api
from web.queries import public_now
from workflow import search as index
from workflow import service
from workflow.models import Release
from workflow.search import Filters, only_common_words, search

pytestmark = pytest.mark.postgres

ONLY_SEARCH = {name: [index.follow_release] for name in ("release.published", "release.withdrawn")}


def _apply_events() -> None:
    """Run the index's handler for every event not yet handled, through the outbox."""
    with session_scope() as s:
        ids = s.execute(select(OutboxEvent.id).where(OutboxEvent.handled_at.is_(None))).scalars().all()  # type: ignore[attr-defined]
    for event_id in ids:
        handle_event(event_id, ONLY_SEARCH)


def _published(texts: dict[str, dict[str, str]], **content: Any) -> int:
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author, translations=texts, default_language=next(iter(texts)),
                                       **content).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
    _apply_events()
    return release_id


def _ids(query: str, language: str, filters: Filters | None = None, page: int = 1, per_page: int = 10) -> list[int]:
    with session_scope() as s:
        return [hit.id for hit in search(s, query, language, public_now(utcnow()), filters or Filters(), page=page, per_page=per_page).items]


def test_the_index_follows_publish_and_withdraw_events() -> None:
    assert index.follow_release in HANDLERS["release.published"]
    assert index.follow_release in HANDLERS["release.withdrawn"]
    assert index.follow_release in HANDLERS["release.archived"]


def test_words_are_found_by_their_stems_in_each_language(db: str) -> None:
    report = _published({"nl": {"title": "Het jaarverslag 2025", "lead": "Cijfers.", "body": "De begroting klopt."},
                         "fr": {"title": "Le rapport annuel", "lead": "Chiffres.", "body": "Le ministre présente."}})
    english = _published({"en": {"title": "Annual reports published", "lead": "", "body": "The minister is running late."},
                          "de": {"title": "Die Jahresberichte", "lead": "", "body": "Der Minister spricht."}})
    assert _ids("jaarverslagen", "nl") == [report]
    assert _ids("ministres", "fr") == [report]
    assert _ids("report", "en") == [english] and _ids("runs", "en") == [english]
    assert _ids("Jahresbericht", "de") == [english]
    assert _ids("jaarverslag onbestaand", "nl") == []  # every word must be there
    assert _ids("", "nl") == []
    with session_scope() as s:  # the title weighs more than the body
        ranked = search(s, "minister", "en", public_now(utcnow())).items
        assert [h.id for h in ranked] == [english]
        assert "<mark>minister</mark>" in ranked[0].snippet


def test_stop_words_are_left_out_alike_on_both_databases(db: str) -> None:
    """PostgreSQL's dictionaries drop "het", "le", "the" from a query; SQLite drops the same words,
    so a query finds the same releases on both, and one of only such words finds nothing."""
    report = _published({"nl": {"title": "Jaarverslag 2025", "lead": "", "body": "Cijfers van dit jaar."},
                         "fr": {"title": "Rapport annuel", "lead": "", "body": "Chiffres."}})
    assert _ids("het jaarverslag", "nl") == [report]  # the text has no "het"
    assert _ids("le rapport", "fr") == [report]
    assert _ids("het de van", "nl") == []
    assert only_common_words("het de", "nl") and only_common_words("The of", "en")
    assert not only_common_words("het jaarverslag", "nl") and not only_common_words("het de", "en")
    with session_scope() as s:  # a stop word is not highlighted either
        hit = search(s, "van jaarverslag", "nl", public_now(utcnow())).items[0]
        assert "<mark>Jaarverslag</mark>" in hit.title and "<mark>van</mark>" not in hit.snippet


def test_filters_paging_and_other_languages(db: str) -> None:
    old = _published({"nl": {"title": "Begroting oud", "lead": "", "body": "x"}}, topics=["economy"], kind="statement")
    with session_scope() as s:
        s.execute(update(Release).where(Release.id == old).values(public_at=utcnow() - timedelta(days=40)))
    newer = [_published({"nl": {"title": f"Begroting {n}", "lead": "", "body": "x"},
                         "fr": {"title": f"Budget {n}", "lead": "", "body": "x"}}, topics=["africa"])
             for n in range(3)]
    french_only = _published({"fr": {"title": "Budget seul", "lead": "", "body": "la somme"}})
    assert sorted(_ids("begroting", "nl")) == sorted([old, *newer])
    assert _ids("begroting", "nl", Filters(topic="economy")) == [old]
    assert _ids("begroting", "nl", Filters(kind="statement")) == [old]
    today = utcnow().date()
    assert old not in _ids("begroting", "nl", Filters(date_from=today - timedelta(days=1), date_to=today))
    assert _ids("begroting", "nl", Filters(date_to=today - timedelta(days=30))) == [old]
    pages = [_ids("begroting", "nl", page=n, per_page=2) for n in (1, 2, 3)]
    assert len(pages[0]) == 2 and len(pages[1]) == 2 and pages[2] == []
    assert sorted(pages[0] + pages[1]) == sorted([old, *newer])
    with session_scope() as s:
        found = search(s, "budget", "nl", public_now(utcnow()))  # the French-only release, marked, in its own language
        assert [(h.id, h.language, h.other_language) for h in found.items] == [(french_only, "fr", True)]
        assert found.total == 1
        assert search(s, "budget", "fr", public_now(utcnow())).total == 4


def test_highlighting_escapes_hostile_text(db: str) -> None:
    hostile = '<script>alert("x")</script> jaarverslag & <b>vet</b>'
    _published({"nl": {"title": "Jaarverslag <img src=x onerror=alert(1)>", "lead": hostile, "body": "tekst"}})
    with session_scope() as s:
        hit = search(s, "jaarverslagen", "nl", public_now(utcnow())).items[0]
    assert str(hit.title) == "<mark>Jaarverslag</mark> &lt;img src=x onerror=alert(1)&gt;"
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet and "<mark>jaarverslag</mark> &amp; &lt;b&gt;vet" in hit.snippet


def test_embargoed_scheduled_and_withdrawn_releases_never_show(db: str) -> None:
    shown = _published({"nl": {"title": "Jaarverslag open", "lead": "", "body": "x"}})
    embargoed = _published({"nl": {"title": "Jaarverslag embargo", "lead": "", "body": "x"}},
                           embargo_until=utcnow() + timedelta(days=1))
    withdrawn = _published({"nl": {"title": "Jaarverslag fout", "lead": "", "body": "x"}})
    with session_scope() as s:
        scheduled = factories.release(s, factories.user(s), translations={
            "nl": {"title": "Jaarverslag gepland", "lead": "", "body": "x"}}).id
    assert sorted(_ids("jaarverslag", "nl")) == sorted([shown, withdrawn])
    with session_scope() as s:  # the embargoed one is indexed, yet kept out by the rule at query time
        held = s.execute(text("SELECT count(*) FROM search_entry WHERE release_id = :id"), {"id": embargoed}).scalar()
        assert held == 1
        assert s.execute(text("SELECT count(*) FROM search_entry WHERE release_id = :id"),
                         {"id": scheduled}).scalar() == 0
        service.withdraw(s, withdrawn, factories.user(s, "admin"), "fout")
    _apply_events()
    _apply_events()  # a repeated event changes nothing
    assert _ids("jaarverslag", "nl") == [shown]
    with session_scope() as s:
        assert s.execute(text("SELECT count(*) FROM search_entry WHERE release_id = :id"),
                         {"id": withdrawn}).scalar() == 0
        index.index_release(s, withdrawn)  # the handler run again, late: still out
        assert s.execute(text("SELECT count(*) FROM search_entry WHERE release_id = :id"),
                         {"id": withdrawn}).scalar() == 0
        lifted = utcnow() - timedelta(seconds=1)  # the embargo lifts: found from then on, no event needed
        s.execute(update(Release).where(Release.id == embargoed).values(embargo_until=lifted, public_at=lifted))
    assert sorted(_ids("jaarverslag", "nl")) == sorted([shown, embargoed])


def test_reindex_all_backfills_published_releases(db: str) -> None:
    release_id = _published({"nl": {"title": "Jaarverslag", "lead": "", "body": "x"}})
    with session_scope() as s:
        index.remove_release(s, release_id)
    assert _ids("jaarverslag", "nl") == []
    with session_scope() as s:
        assert index.reindex_all(s) == 1
    assert _ids("jaarverslagen", "nl") == [release_id]


# --- the page -------------------------------------------------------------------------------------


def test_search_page_filters_and_pages_without_javascript(web: Web) -> None:
    for n in range(12):
        publish_through_api(web, translations={"nl": {"title": f"Jaarverslag {n}", "lead": "", "body": "x"}})
    publish_through_api(web, default_language="fr", translations={
        "fr": {"title": "Rapport annuel des douanes", "lead": "", "body": "x"}})
    _apply_events()
    with web.browser() as client:
        other = client.get("/newsroom/nl/search", params={"q": "douane"}).text
        assert "In het Frans" in other and 'hreflang="fr" lang="fr"' in other
        first = client.get("/newsroom/nl/search", params={"q": "jaarverslagen"})
        assert first.status_code == 200
        assert first.text.count('class="news-item"') == 10 and "Gevonden berichten: 12" in first.text
        assert 'href="?q=jaarverslagen&amp;page=2"' in first.text
        second = client.get("/newsroom/nl/search", params={"q": "jaarverslagen", "page": 2})
        assert second.text.count('class="news-item"') == 2
        hostile = client.get("/newsroom/nl/search", params={"q": '<script>x</script>'})
        assert "<script>x" not in hostile.text and "&lt;script&gt;x" in hostile.text
        bad = client.get("/newsroom/nl/search", params={"q": "jaarverslag", "from": "gisteren"})
        assert bad.status_code == 422 and "gisteren" in bad.text
        assert client.get("/newsroom/xx/search").status_code == 404
        common = client.get("/newsroom/fr/search", params={"q": "le de la"}).text
        assert "ne contient que des mots courants" in common and "Aucun communiqué" not in common
        home = client.get("/newsroom/fr").text
        assert 'action="/newsroom/fr/search"' in home and 'role="search"' in home


def test_a_journalist_searches_jaarverslag(web: Web, chromium: Any, worker: Any, sink: Sink) -> None:
    from tests.conftest import wait_until

    report = publish_through_api(web, translations={
        "nl": {"title": "Jaarverslag 2025 van de FOD", "lead": "De jaarverslagen van alle diensten.",
               "body": "Het **jaarverslag** toont de cijfers."},
        "fr": {"title": "Rapport annuel 2025", "lead": "Les rapports.", "body": "Le ministre présente."}})
    publish_through_api(web, translations={"nl": {"title": "Ander nieuws", "lead": "", "body": "Niets."}})
    wait_until(lambda: _ids("jaarverslag", "nl") == [report], what="the worker to index the release")
    page = chromium.new_context(locale="nl-BE").new_page()
    page.goto(f"{web.url}/newsroom/nl")
    page.fill("#search-box-q", "jaarverslag")
    page.click(".search-box button")
    page.wait_for_url("**/newsroom/nl/search?q=jaarverslag")
    results = page.locator("#results .news-item")
    assert results.count() == 1
    assert page.locator("#results mark").first.inner_text() == "Jaarverslag"
    assert page.locator("#search-count").inner_text() == "Gevonden berichten: 1"
    _axe_clean(page)
    page.select_option("#search-kind", "event")
    page.click("#search-submit")
    page.wait_for_selector("#no-results")
    page.select_option("#search-kind", "")
    page.click("#search-submit")
    page.click("#results h2 a")
    page.wait_for_url(f"**/releases/{report}/nl")
    assert "Jaarverslag 2025 van de FOD" in page.locator("h1").inner_text()


def _axe_clean(page: Any) -> None:
    """axe-core finds nothing against WCAG 2.1 AA, nor a target under 24 px, on the page shown
    (the crawl reaches the search page only with an empty query: this is the page with results)."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.web.crawler import WCAG_AA

    for only in ({"type": "tag", "values": WCAG_AA}, {"type": "rule", "values": ["target-size"]}):
        found = Axe().run(page, options={"runOnly": only, "resultTypes": ["violations"], "iframes": False})
        assert found.response["violations"] == [], found.response["violations"]


def test_migration_0011_indexes_releases_published_before_it_and_downgrades(db: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from core import migrate
    from core.db import dispose_engines, get_engine

    with session_scope() as s:  # published now, then the schema taken back to before the index
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author, translations={
            "nl": {"title": "Het jaarverslag", "lead": "", "body": "x"}}).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
    dispose_engines()
    try:
        command.downgrade(migrate.alembic_config(db), "0010")
        assert "search_entry" not in inspect(get_engine(db)).get_table_names()
        dispose_engines()
    finally:  # the session's PostgreSQL database is shared: never leave it behind the models
        migrate.upgrade(db)
        dispose_engines()
    assert _ids("jaarverslagen", "nl") == [release_id]
