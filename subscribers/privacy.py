"""The data protection rights: access (everything held on a person) and erasure.

Erasure keeps what is needed to honour it and nothing that identifies the person: the
suppression entry (a SHA-256 of the address, so the address is never mailed again however it
is re-imported), and the subscriber and subscription rows stripped of every personal field, so
that list statistics still add up. Consent records go: they hold IP addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from core.db import utcnow
from core.outbox import emit
from subscribers.errors import SubscriberNotFound
from subscribers.models import (
    ConsentRecord,
    MailingList,
    Subscriber,
    SubscriberStatus,
    SubscriberTopic,
    Subscription,
    SubscriptionStatus,
    Suppression,
    SuppressionReason,
    id_of,
)
from subscribers.people import topics_of
from subscribers.validation import address_hash, normalise_email

ERASED_EVENT = "subscriber.erased"


def personal_data(session: Session, email: str) -> dict[str, Any]:
    """Everything held on the person with this address, as JSON-ready data.

    Raises SubscriberNotFound when nothing at all is held (neither a subscriber nor a
    suppression entry).
    """
    address = normalise_email(email, lookup=True)  # whatever was stored, even before today's rules
    key = address_hash(address)
    subscriber = session.exec(select(Subscriber).where(Subscriber.email == address)).first()
    suppression = session.get(Suppression, key)
    if subscriber is None and suppression is None:
        raise SubscriberNotFound(address)
    return {
        "email": address,
        "address_hash": key,
        "subscriber": None if subscriber is None else _subscriber_data(session, subscriber),
        "suppression": None if suppression is None else _suppression_data(suppression),
    }


def _subscriber_data(session: Session, subscriber: Subscriber) -> dict[str, Any]:
    subscriber_id = id_of(subscriber)
    rows = session.exec(
        select(Subscription, MailingList)
        .join(MailingList, col(MailingList.id) == col(Subscription.list_id))
        .where(Subscription.subscriber_id == subscriber_id)
        .order_by(col(MailingList.slug))
    ).all()
    consent: dict[int, list[dict[str, Any]]] = {}
    if rows:
        records = session.exec(
            select(ConsentRecord)
            .where(col(ConsentRecord.subscription_id).in_([id_of(s) for s, _ in rows]))
            .order_by(col(ConsentRecord.at), col(ConsentRecord.id))
        ).all()
        for record in records:
            consent.setdefault(record.subscription_id, []).append(
                {
                    "action": record.action.value,
                    "at": record.at.isoformat(),
                    "source": record.source,
                    "ip": record.ip,
                    "text_version": record.text_version,
                    "detail": record.detail,
                }
            )
    return {
        "id": subscriber_id,
        "email": subscriber.email,
        "name": subscriber.name,
        "language": subscriber.language,
        "organisation": subscriber.organisation,
        "frequency": subscriber.frequency.value,
        "status": subscriber.status.value,
        "topics": topics_of(session, subscriber_id),
        "created_at": subscriber.created_at.isoformat(),
        "updated_at": subscriber.updated_at.isoformat(),
        "subscriptions": [
            {
                "list": mailing_list.slug,
                "list_name": mailing_list.name,
                "status": subscription.status.value,
                "source": subscription.source,
                "created_at": subscription.created_at.isoformat(),
                "confirmed_at": _iso(subscription.confirmed_at),
                "unsubscribed_at": _iso(subscription.unsubscribed_at),
                "confirmation_sent_at": _iso(subscription.confirmation_sent_at),
                "consent": consent.get(id_of(subscription), []),
            }
            for subscription, mailing_list in rows
        ],
    }


def _suppression_data(entry: Suppression) -> dict[str, Any]:
    return {
        "reason": entry.reason.value,
        "detail": entry.detail,
        "since": entry.created_at.isoformat(),
        "by": entry.created_by,
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class ErasureResult:
    address_hash: str
    subscriber_id: int | None
    subscriptions_closed: int
    consent_records_deleted: int
    topics_deleted: int


def forget(session: Session, email: str, actor: str = "", now: datetime | None = None) -> ErasureResult:
    """Erase the person's data, keeping the suppression hash and anonymous counts.

    Emits `subscriber.erased` (subscriber id and address hash) so that other rooms erase
    their copies, e.g. delivery logs. Forgetting someone already forgotten changes nothing.
    Raises SubscriberNotFound when nothing is held on the address.
    """
    moment = now or utcnow()
    address = normalise_email(email, lookup=True)  # whatever was stored, even before today's rules
    key = address_hash(address)
    subscriber = session.exec(select(Subscriber).where(Subscriber.email == address)).first()
    suppression = session.get(Suppression, key)
    if subscriber is None and suppression is None:
        raise SubscriberNotFound(address)
    if suppression is None:
        session.add(Suppression(address_hash=key, reason=SuppressionReason.ERASED, created_by=actor[:254]))
    else:
        # A bounce message quotes the address; the hash alone must remain.
        suppression.email = None
        suppression.detail = ""
        session.add(suppression)
    if subscriber is None:
        session.flush()
        return ErasureResult(key, None, 0, 0, 0)
    subscriber_id = id_of(subscriber)
    mine = select(Subscription.id).where(Subscription.subscriber_id == subscriber_id)
    consent_count = session.exec(
        select(func.count()).select_from(ConsentRecord).where(col(ConsentRecord.subscription_id).in_(mine))
    ).one()
    session.execute(delete(ConsentRecord).where(col(ConsentRecord.subscription_id).in_(mine)))
    closed = session.execute(
        update(Subscription)
        .where(
            col(Subscription.subscriber_id) == subscriber_id,
            col(Subscription.status) != SubscriptionStatus.UNSUBSCRIBED,
        )
        .values(status=SubscriptionStatus.UNSUBSCRIBED, unsubscribed_at=moment, updated_at=moment)
    ).rowcount  # type: ignore[attr-defined]
    session.execute(
        update(Subscription)
        .where(col(Subscription.subscriber_id) == subscriber_id)
        .values(confirm_nonce=None)
    )
    topics = session.execute(
        delete(SubscriberTopic).where(col(SubscriberTopic.subscriber_id) == subscriber_id)
    ).rowcount  # type: ignore[attr-defined]
    subscriber.email = None
    subscriber.email_hash = None
    subscriber.name = ""
    subscriber.organisation = ""
    subscriber.status = SubscriberStatus.ERASED
    subscriber.erased_at = moment
    subscriber.updated_at = moment
    session.add(subscriber)
    emit(session, ERASED_EVENT, subject_id=subscriber_id, subscriber_id=subscriber_id, address_hash=key)
    session.flush()
    return ErasureResult(key, subscriber_id, int(closed), int(consent_count), int(topics))
