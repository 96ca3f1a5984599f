"""The newsroom under a rush, as a browser or a proxy in front sees it over HTTP: public pages
carry validators and a short shared-cache lifetime, a conditional GET is answered 304 without
making the page, and the validators change with a publication, a withdrawal and an embargo
lifting. Pages that are one person's (a form's CSRF token, a session, an access link) are
never publicly cacheable.

The app is served in this process (tests/web/conftest.py), so `web.pages.RENDERED` shows which
pages were rendered: the evidence that a 304 made none.
"""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
from sqlalchemy import func
from sqlmodel import select

from core.db import get_engine, session_scope, utcnow
from core.settings import override_settings
from reports.models import PageView
from subscribers import create_list
from tests.web.conftest import Web, signed_in
from tests.web.test_public_pages import publish
from web.newsroom_version import kept
from web.pages import RENDERED
from workflow import service
from workflow.models import Release
from workflow.users import get_user

PUBLIC = "public, max-age=60, stale-while-revalidate=300"


def _fresh(web: Web) -> httpx.Client:
    """A reader without cookies (a proxy's fetch, a first visit)."""
    return httpx.Client(base_url=web.url, headers={"User-Agent": "Mozilla/5.0 (test reader)"})


def _reads(release_id: int) -> int:
    with session_scope() as s:
        return int(s.exec(select(func.count()).select_from(PageView)
                          .where(PageView.release_id == release_id)).one())


def test_public_pages_carry_validators_and_a_conditional_get_renders_nothing(web: Web) -> None:
    release_id = publish(web, topics=["rush-hour"])
    pages = {"/newsroom/nl": "public/newsroom.html", f"/releases/{release_id}/nl": "public/release.html",
             "/newsroom/nl/topics/rush-hour": "public/topic.html", "/feeds/nl.atom": None,
             "/feeds/nl.rss": None, "/feeds/nl/topics/rush-hour.atom": None,
             "/feeds/nl/kinds/press_release.rss": None, "/sitemap.xml": None}
    with _fresh(web) as client:
        for path, template in pages.items():
            first = client.get(path)
            assert first.status_code == 200, path
            assert first.headers["cache-control"] == PUBLIC, path
            assert first.headers["etag"].startswith('W/"'), path
            assert first.headers["last-modified"].endswith(" GMT"), path
            assert "set-cookie" not in first.headers, path
            # An HTML page looks different to a signed-in editor: caches key it by the cookie too.
            assert (first.headers.get("vary") == "Cookie") == (template is not None), path
            rendered = sum(RENDERED.values())
            again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304 and again.content == b"", path
            assert again.headers["etag"] == first.headers["etag"]
            assert again.headers["cache-control"] == PUBLIC
            since = client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
            assert since.status_code == 304 and since.content == b"", path
            assert sum(RENDERED.values()) == rendered, f"{path} was rendered for a 304"
            other = client.get(path, headers={"If-None-Match": 'W/"someone-else"'})
            assert other.status_code == 200 and other.content == first.content, path
            if template is not None:
                assert RENDERED[template] > 0


def test_a_304_of_a_release_page_is_a_read(web: Web) -> None:
    release_id = publish(web)
    with _fresh(web) as client:
        etag = client.get(f"/releases/{release_id}/nl").headers["etag"]
        assert _reads(release_id) == 1
        assert client.get(f"/releases/{release_id}/nl", headers={"If-None-Match": etag}).status_code == 304
        assert _reads(release_id) == 2
        # A tag of another page never matches: an embargoed or unknown release stays a 404, unread.
        assert client.get(f"/releases/{release_id + 1}/nl", headers={"If-None-Match": etag}).status_code == 404
        assert client.get(f"/releases/{release_id + 1}/nl", headers={"If-None-Match": "*"}).status_code == 404
        assert _reads(release_id + 1) == 0


def test_publishing_and_withdrawing_change_the_validators(web: Web) -> None:
    publish(web)
    with _fresh(web) as client:
        before = client.get("/newsroom/nl")
        feed = client.get("/feeds/nl.atom")
        newest = publish(web, translations={"nl": {"title": "Een drukke ochtend", "body": "Tekst."}})
        after = client.get("/newsroom/nl", headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and "Een drukke ochtend" in after.text
        assert after.headers["etag"] != before.headers["etag"]
        new_feed = client.get("/feeds/nl.atom", headers={"If-None-Match": feed.headers["etag"]})
        assert new_feed.status_code == 200 and "Een drukke ochtend" in new_feed.text
        page = client.get(f"/releases/{newest}/nl")
        with session_scope() as s:
            service.withdraw(s, newest, get_user(s, web.approver.email), "fout")
        gone = client.get("/newsroom/nl", headers={"If-None-Match": after.headers["etag"]})
        assert gone.status_code == 200 and "Een drukke ochtend" not in gone.text
        withdrawn = client.get(f"/releases/{newest}/nl", headers={"If-None-Match": page.headers["etag"]})
        assert withdrawn.status_code == 410 and "etag" not in withdrawn.headers


def test_an_embargo_lifting_changes_the_validators_and_no_cache_keeps_a_page_past_it(web: Web) -> None:
    publish(web)
    lift = utcnow() + timedelta(seconds=4)
    hidden = publish(web, embargo_until=lift, translations={"nl": {"title": "Na het embargo", "body": "Tekst."}})
    with _fresh(web) as client:
        before = client.get("/newsroom/nl")
        assert "Na het embargo" not in before.text
        # A shared cache may keep the page until the lift at most, never past it.
        assert int(before.headers["cache-control"].split("max-age=")[1].split(",")[0]) <= 4
        time.sleep(max(0.0, (lift - utcnow()).total_seconds()) + 0.5)
        after = client.get("/newsroom/nl", headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and "Na het embargo" in after.text
        assert after.headers["cache-control"] == PUBLIC
        assert client.get(f"/releases/{hidden}/nl").status_code == 200


def test_pages_of_one_person_are_never_publicly_cacheable(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "rush-readers", "Rush readers")
    release_id = publish(web)
    with _fresh(web) as client:
        # The subscribe box holds this visitor's CSRF token: nobody else may get this copy.
        boxed = client.get(f"/releases/{release_id}/nl")
        assert boxed.status_code == 200 and 'name="csrf_token"' in boxed.text
        assert boxed.headers["cache-control"] == "private, no-store"
        assert "etag" not in boxed.headers and "set-cookie" in boxed.headers
        # With the session cookie every page is made for that person and stored nowhere.
        newsroom = client.get("/newsroom/nl")
        assert newsroom.headers["cache-control"] == "private, no-store" and "etag" not in newsroom.headers
    with _fresh(web) as client:
        etag = client.get("/newsroom/nl").headers["etag"]
        client.cookies.set("pressroom_session", "anything")
        assert client.get("/newsroom/nl", headers={"If-None-Match": etag}).status_code == 200
    with _fresh(web) as client:
        subscribe = client.get("/subscribe?lang=nl")
        assert subscribe.headers["cache-control"] == "private, no-store"
        access = client.get(f"/releases/{release_id}/nl?access=whatever")
        assert access.headers["cache-control"].startswith("private")
    with signed_in(web, web.spokesperson) as staff:
        assert "public" not in staff.get("/newsroom/nl").headers["cache-control"]


def test_the_home_redirect_varies_by_language_and_the_lists_follow_a_publication(web: Web) -> None:
    with _fresh(web) as client:
        home = client.get("/", headers={"Accept-Language": "fr"})
        assert home.status_code == 303 and home.headers["vary"] == "Accept-Language"
        publish(web, topics=["first-topic"])
        assert "first-topic" in client.get("/newsroom/nl/search").text
        # The topic lists are kept per newsroom version in the web process: a publication is seen.
        publish(web, topics=["second-topic"])
        assert "second-topic" in client.get("/newsroom/nl/search").text


def test_the_kept_lists_are_walked_once_per_newsroom_version(web: Web) -> None:
    publish(web)
    walks: list[int] = []

    def walk() -> int:
        walks.append(1)
        return len(walks)

    with session_scope() as s:
        assert kept(s, "test-walk", walk) == kept(s, "test-walk", walk) == 1
    publish(web)
    with session_scope() as s:
        assert kept(s, "test-walk", walk) == 2


def _written_elsewhere(release_id: int) -> None:
    """An edit of a published release as another process commits it: on a connection of its
    own, past this process's sessions (a worker, another web process)."""
    raw = get_engine().raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"UPDATE {Release.__tablename__} SET updated_at = ? WHERE id = ?"
                       if get_engine().dialect.name == "sqlite" else
                       f"UPDATE {Release.__tablename__} SET updated_at = %s WHERE id = %s",
                       (utcnow().replace(tzinfo=None) + timedelta(seconds=5), release_id))
        raw.commit()
    finally:
        raw.close()


def test_the_version_is_reused_for_its_seconds_and_forgotten_by_a_commit_here(web: Web) -> None:
    """A 304 asks the database nothing while the version is fresh; a change another process
    commits shows once `PRESSROOM_NEWSROOM_VERSION_SECONDS` pass, one committed here at once."""
    first = publish(web)
    override_settings(newsroom_version_seconds=0.8)
    with _fresh(web) as client:
        before = client.get("/newsroom/nl").headers["etag"]
        _written_elsewhere(first)
        assert client.get("/newsroom/nl", headers={"If-None-Match": before}).status_code == 304
        time.sleep(0.9)
        moved = client.get("/newsroom/nl", headers={"If-None-Match": before})
        assert moved.status_code == 200 and moved.headers["etag"] != before
        publish(web, translations={"nl": {"title": "Meteen zichtbaar", "body": "Tekst."}})
        seen = client.get("/newsroom/nl", headers={"If-None-Match": moved.headers["etag"]})
        assert seen.status_code == 200 and "Meteen zichtbaar" in seen.text
    override_settings(newsroom_version_seconds=0)
    with _fresh(web) as client:
        now = client.get("/newsroom/nl").headers["etag"]
        _written_elsewhere(first)
        assert client.get("/newsroom/nl", headers={"If-None-Match": now}).status_code == 200
