"""Helpers for the subscribers tests: lists and confirmed subscribers in one call."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from cli.main import cli
from core.db import session_scope
from core.outbox import OutboxEvent
from subscribers import add_subscriber, create_list
from subscribers.models import Subscriber, Subscription


@pytest.fixture
def run(broker: str, db: str):  # type: ignore[no-untyped-def]
    """The `pressroom` CLI in this process, on a fresh database: `run("subscribers", "add", …,
    code=0)` asserts the exit code and returns the result."""
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return invoke


@pytest.fixture
def lists(db: str) -> dict[str, int]:
    """Three lists on a fresh database: journalists (nl), diplomats (fr, private), public (en)."""
    with session_scope() as s:
        made = [
            create_list(s, "journalists", "Journalists", default_language="nl"),
            create_list(s, "diplomats", "Diplomatic corps", default_language="fr", visibility="private"),
            create_list(s, "public", "Public", default_language="en"),
        ]
        return {m.slug: m.id for m in made}  # type: ignore[misc]


def confirmed(
    email: str,
    on: Iterable[str],
    *,
    language: str | None = None,
    topics: Iterable[str] | None = None,
    frequency: str | None = None,
    name: str | None = None,
) -> int:
    """A subscriber confirmed on each list; returns the subscriber id."""
    subscriber_id = 0
    with session_scope() as s:
        for slug in on:
            result = add_subscriber(
                s, email, slug, name=name, language=language, topics=topics,
                frequency=frequency, confirmed=True,
            )
            subscriber_id = result.subscriber_id or 0
    return subscriber_id


def events(session: Session, name: str) -> list[OutboxEvent]:
    return list(session.exec(select(OutboxEvent).where(OutboxEvent.name == name)).all())


def subscription(session: Session, subscription_id: int | None) -> Subscription:
    found = session.get(Subscription, subscription_id)
    assert found is not None
    return found


def email_hash_of(subscriber_id: int) -> str:
    """The address hash a subscriber's tokens are bound to."""
    with session_scope() as s:
        subscriber = s.get(Subscriber, subscriber_id)
        assert subscriber is not None and subscriber.email_hash is not None
        return subscriber.email_hash
