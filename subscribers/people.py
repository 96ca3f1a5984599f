"""Subscribers as people: finding them by address, creating them, their topics and frequency."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.db import utcnow
from core.errors import InvalidInput
from subscribers.errors import SubscriberNotFound
from subscribers.models import Frequency, Subscriber, SubscriberStatus, SubscriberTopic, id_of
from subscribers.validation import address_hash, normalise_email


def check_frequency(value: str | Frequency) -> Frequency:
    try:
        return Frequency(value)
    except ValueError:
        choices = ", ".join(f.value for f in Frequency)
        raise InvalidInput("frequency", f"{value!r} is not one of {choices}") from None


def find_subscriber(session: Session, email: str) -> Subscriber | None:
    """The subscriber with any spelling of this address, or None; raises InvalidAddress."""
    address = normalise_email(email, lookup=True)
    return session.exec(select(Subscriber).where(Subscriber.email == address)).first()


def get_subscriber(session: Session, email: str) -> Subscriber:
    """The subscriber with this address; raises SubscriberNotFound."""
    subscriber = find_subscriber(session, email)
    if subscriber is None:
        raise SubscriberNotFound(email)
    return subscriber


def get_or_create_subscriber(
    session: Session,
    address: str,
    name: str,
    language: str,
    organisation: str = "",
    topics: Iterable[str] = (),
    frequency: Frequency = Frequency.IMMEDIATE,
) -> tuple[Subscriber, bool]:
    """The subscriber with this normalised address, created with these details if new.

    Returns (subscriber, created). Safe against a concurrent creation of the same address:
    the insert runs in a savepoint and a unique violation falls back to reading the winner.
    """
    existing = session.exec(select(Subscriber).where(Subscriber.email == address)).first()
    if existing is not None:
        return existing, False
    subscriber = Subscriber(
        email=address,
        email_hash=address_hash(address),
        name=name,
        language=language,
        organisation=organisation,
        frequency=frequency,
    )
    try:
        with session.begin_nested():
            session.add(subscriber)
            session.flush()
    except IntegrityError:
        winner = session.exec(select(Subscriber).where(Subscriber.email == address)).first()
        if winner is None:
            raise
        return winner, False
    set_topics(session, subscriber, topics)
    return subscriber, True


def topics_of(session: Session, subscriber_id: int) -> list[str]:
    return list(
        session.exec(
            select(SubscriberTopic.topic)
            .where(SubscriberTopic.subscriber_id == subscriber_id)
            .order_by(col(SubscriberTopic.topic))
        ).all()
    )


def set_topics(session: Session, subscriber: Subscriber, topics: Iterable[str]) -> None:
    """Replace the subscriber's topics (already validated slugs); none means every topic."""
    subscriber_id = id_of(subscriber)
    session.execute(delete(SubscriberTopic).where(col(SubscriberTopic.subscriber_id) == subscriber_id))
    for topic in sorted(set(topics)):
        session.add(SubscriberTopic(subscriber_id=subscriber_id, topic=topic))
    session.flush()


def touch(subscriber: Subscriber) -> None:
    """Record that the subscriber's details changed."""
    subscriber.updated_at = utcnow()


def is_active(subscriber: Subscriber) -> bool:
    return subscriber.status is SubscriberStatus.ACTIVE and subscriber.email is not None
