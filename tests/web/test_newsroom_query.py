"""The newsroom's query on both databases: language, embargo, order, count and paging."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from core.db import session_scope, utcnow
from tests import factories
from web.queries import newsroom
from workflow import service
from workflow.models import Release


def _published(title: str, languages: tuple[str, ...] = ("nl", "fr")) -> int:
    texts = {lang: {"title": f"{title} ({lang})", "lead": "Lead.", "body": "Body."} for lang in languages}
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author, translations=texts).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
    return release_id


def test_newsroom_filters_by_language_hides_embargoes_and_pages_in_order(db: str) -> None:
    first = _published("One")
    dutch_only = _published("Two", ("nl",))
    third = _published("Three")
    embargoed = _published("Four")
    fifth = _published("Five")
    with session_scope() as s:  # published, but its embargo has not lifted yet
        s.execute(update(Release).where(Release.id == embargoed).values(embargo_until=utcnow() + timedelta(days=1)))
    with session_scope() as s:
        french = newsroom(s, "fr", page=1, per_page=2)
        second_page = newsroom(s, "fr", page=2, per_page=2)
        dutch = newsroom(s, "nl", page=1, per_page=10)
        german = newsroom(s, "de")
        beyond = newsroom(s, "fr", page=9, per_page=2)
    assert french.total == 3 and [r.id for r in french.items] == [fifth, third]
    assert [r.id for r in second_page.items] == [first] and second_page.items[0].title == "One (fr)"
    assert dutch.total == 4 and [r.id for r in dutch.items] == [fifth, third, dutch_only, first]
    assert german.total == 0 and german.items == []
    assert beyond.total == 3 and beyond.items == []
