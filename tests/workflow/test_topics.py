"""Topic names per language on both backends: stored by admins only, falling back to the default
language and then to a readable slug; and the topic listing that reads the revisions' JSON."""

from __future__ import annotations

import pytest

from core.db import session_scope
from core.errors import InvalidInput
from tests import factories
from web.newsroom_lists import public_contacts, topic_releases
from workflow import service
from workflow.errors import RoleRequired
from workflow.models import Contact
from workflow.topics import names_for, names_of, readable_slug, set_topic


def test_names_fall_back_and_only_admins_set_them(db: str) -> None:
    with session_scope() as s:
        admin, writer = factories.user(s, "admin"), factories.user(s, "spokesperson")
        with pytest.raises(RoleRequired, match="may not change topics: needs role admin"):
            set_topic(s, writer, "annual-report", {"nl": "Jaarverslag"})
        set_topic(s, admin, "annual-report", {"nl": "Jaarverslag", "fr": "Rapport annuel"})
        set_topic(s, admin, "annual-report", {"fr": ""}, {"de": "Der Bericht."})
        for bad, field in ((("Annual Report", {}), "topic.slug"), (("x", {"xx": "?"}), "topic.names.xx"),
                           (("x", {"nl": "a\nb"}), "topic.names.nl"), (("x", {"nl": "a" * 101}), "topic.names.nl")):
            with pytest.raises(InvalidInput) as refused:
                set_topic(s, admin, bad[0], bad[1])
            assert refused.value.field == field
    with session_scope() as s:
        assert names_of(s, ["annual-report", "climate-plan"], "fr") == [
            ("annual-report", "Jaarverslag"), ("climate-plan", "Climate plan")]
        assert names_for(s, ["climate-plan"], "de") == {"climate-plan": "Climate plan", "annual-report": "Jaarverslag"}
    assert readable_slug("covid-19") == "Covid 19"


def test_topic_releases_and_contacts_read_public_revisions_only(db: str) -> None:
    with session_scope() as s:
        author, approver = factories.user(s, "spokesperson"), factories.user(s, "approver")
        contact = Contact(email="woord@example.be", name="Woord Voerder")
        s.add(contact)
        s.flush()
        ids = []
        # "climate" as a list name and in a title must not make a release a climate release.
        for topics, title in ((["climate"], "Klimaat"), (["energy"], "climate"), (["climate", "energy"], "Beide")):
            release = factories.release(s, author, topics=topics, contacts=[contact.id],
                                        translations={"nl": {"title": title, "body": "x"}})
            ids.append(release.id or 0)
            service.submit(s, ids[-1], author)
            service.approve(s, ids[-1], approver)
            service.publish(s, ids[-1], approver)
        draft = factories.release(s, author, topics=["climate"], translations={"nl": {"title": "Klad", "body": "x"}})
    with session_scope() as s:
        found = topic_releases(s, "nl", "climate")
        assert [i.title for i in found.items] == ["Beide", "Klimaat"] and found.total == 2
        assert topic_releases(s, "fr", "climate").total == 0
        assert [c.details.email for c in public_contacts(s)] == ["woord@example.be"]
    assert draft.id not in ids
