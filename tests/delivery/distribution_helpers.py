"""Setting up a published release with an audience, for the distribution tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import select

from core.db import session_scope
from core.outbox import OutboxEvent, handle_event
from delivery.handlers import prepare_release_distribution, prepare_remaining_deliveries
from delivery.models import Distribution
from subscribers import add_subscriber, create_list
from tests import factories
from workflow import service


def make_lists(embargo_lists: Iterable[str] = ("journalists",)) -> None:
    with session_scope() as s:
        for slug, language in (("journalists", "nl"), ("diplomats", "fr"), ("public", "en")):
            embargoed = slug in embargo_lists  # embargoed news only reaches a closed audience
            create_list(s, slug, slug.title(), default_language=language,
                        visibility="private" if embargoed else "public", receives_embargoed=embargoed)


def add_people(count: int, lists: tuple[str, ...] = ("journalists",), language: str = "nl",
               prefix: str = "p") -> list[str]:
    """`count` confirmed subscribers on each of `lists`; returns their addresses."""
    emails = [f"{prefix}{i}@example.org" for i in range(count)]
    with session_scope() as s:
        for email in emails:
            for slug in lists:
                add_subscriber(s, email, slug, language=language, confirmed=True)
    return emails


def publish_release(**content: Any) -> int:
    """A bilingual release approved and published; returns its id (the event is not handled)."""
    content.setdefault("lists", ["journalists", "diplomats", "public"])
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author, **content).id or 0
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
    return release_id


PREPARING = {"release.published": [prepare_release_distribution],
             "distribution.preparing": [prepare_remaining_deliveries]}


def prepare(release_id: int) -> int:
    """Run the handlers that prepare a release's mailing as the worker would (release.published,
    then the distribution.preparing it emits); returns the distribution id."""
    with session_scope() as s:
        event_id = s.exec(
            select(OutboxEvent.id).where(OutboxEvent.name == "release.published", OutboxEvent.subject_id == release_id)
        ).one()
    handle_event(event_id, PREPARING)
    with session_scope() as s:
        distribution_id = s.exec(select(Distribution.id).where(Distribution.release_id == release_id)).one() or 0
        follow_up = s.exec(select(OutboxEvent.id).where(OutboxEvent.name == "distribution.preparing",
                                                        OutboxEvent.subject_id == distribution_id)).first()
    if follow_up is not None:
        handle_event(follow_up, PREPARING)
    return distribution_id
