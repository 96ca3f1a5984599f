"""Outbox handlers of the webhooks room: a published release becomes one delivery per endpoint
that chose the event (due now for endpoints that receive embargoed releases, or when there is
no embargo; at the lift for the rest), and a withdrawal becomes a `release.withdrawn` delivery
for every endpoint that received the release. Each runs inside `core.outbox.handle_event`, so a
redelivered event inserts nothing twice (and the idempotency key is unique besides)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.db import as_utc, utcnow
from core.outbox import OutboxEvent, emit
from webhooks.delivery import READY, delivery_row, idempotency_key, new_deliveries
from webhooks.models import PUBLISHED, WITHDRAWN, WebhookDelivery, WebhookEndpoint, WebhookStatus
from webhooks.payloads import payload, release_document
from workflow.models import Release, Revision
from workflow.service import current_revision
from workflow.states import State
from workflow.withdrawals import public_withdrawal


def _endpoints(session: Session, event: str) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).where(
        WebhookEndpoint.active == True, WebhookEndpoint.removed == False,
        col(WebhookEndpoint.events).contains(f",{event},")).order_by(col(WebhookEndpoint.id))).all())


def _revision(session: Session, release: Release, event: OutboxEvent) -> Revision:
    """The revision the event names (the one published), else the current one."""
    wanted = event.payload.get("revision_hash")
    if wanted:
        found = session.exec(select(Revision).where(Revision.release_id == release.id,
                                                    Revision.content_hash == wanted)).first()
        if found is not None:
            return found
    return current_revision(session, release)


def _lift(release: Release, now: datetime) -> datetime | None:
    lift = as_utc(release.embargo_until) if release.embargo_until else None
    return lift if lift is not None and lift > now else None


def release_published(session: Session, event: OutboxEvent) -> None:
    """release.published: a delivery per endpoint that chose it; embargo decides when."""
    release = session.get(Release, event.subject_id)
    if release is None or release.state != State.PUBLISHED:  # withdrawn before it was handled
        return
    endpoints = _endpoints(session, PUBLISHED)
    if not endpoints:
        return
    now = utcnow()
    lift = _lift(release, now)
    revision = _revision(session, release, event)
    documents: dict[bool, dict[str, Any]] = {}
    rows = []
    for endpoint in endpoints:
        early = lift is not None and endpoint.embargoed
        if early not in documents:
            documents[early] = release_document(session, release, revision, now, early=early)
        key = idempotency_key(event.id, endpoint.id or 0)
        body = payload(event.id, PUBLISHED, key, event.created_at, documents[early])
        rows.append(delivery_row(endpoint, event.id, PUBLISHED, release.id, body,
                                 now if lift is None or endpoint.embargoed else lift))
    if new_deliveries(session, rows):
        emit(session, READY, release.id, event_id=event.id)


def release_withdrawn(session: Session, event: OutboxEvent) -> None:
    """release.withdrawn: unsent deliveries of the release are cancelled; every endpoint that
    was sent it (one try is enough: a timed-out request may have arrived) gets the withdrawal,
    and so does an active endpoint that chose `release.withdrawn` and could have read it."""
    release = session.get(Release, event.subject_id)
    if release is None:
        return
    now = utcnow()
    sent = session.exec(select(WebhookDelivery).where(
        WebhookDelivery.release_id == release.id, WebhookDelivery.event == PUBLISHED)).all()
    received = set()
    for delivery in sent:
        if delivery.attempts > 0:
            received.add(delivery.endpoint_id)
        if delivery.status == WebhookStatus.PENDING:
            # Only as seen: a worker that claimed it since (attempts went up) is sending it now.
            cancelled = session.execute(update(WebhookDelivery).where(
                col(WebhookDelivery.id) == delivery.id, col(WebhookDelivery.status) == WebhookStatus.PENDING,
                col(WebhookDelivery.attempts) == delivery.attempts,
            ).values(status=WebhookStatus.CANCELLED, finished_at=now, last_error="release withdrawn")
                .execution_options(synchronize_session=False))
            if cancelled.rowcount != 1:  # type: ignore[attr-defined]
                received.add(delivery.endpoint_id)
    lift = _lift(release, now)
    wanted = [e for e in _endpoints(session, WITHDRAWN) if lift is None or e.embargoed]
    targets = {e.id: e for e in wanted}
    for endpoint_id in received - set(targets):
        # A disabled endpoint is owed it too: its delivery is cancelled while it is off, and
        # `redeliver` sends it once the endpoint is enabled again.
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        if endpoint is not None and not endpoint.removed:
            targets[endpoint_id] = endpoint
    if not targets:
        return
    revision = current_revision(session, release)
    notice = public_withdrawal(session, release.id or 0)
    rows = []
    for endpoint in sorted(targets.values(), key=lambda e: e.id or 0):
        document = release_document(session, release, revision, now, early=lift is not None)
        document["withdrawn_at"] = (notice.withdrawn_at if notice else event.created_at).isoformat()
        document["withdrawal_reason"] = notice.reason if notice and notice.reason else None
        key = idempotency_key(event.id, endpoint.id or 0)
        rows.append(delivery_row(endpoint, event.id, WITHDRAWN, release.id,
                                 payload(event.id, WITHDRAWN, key, event.created_at, document), now))
    if new_deliveries(session, rows):
        emit(session, READY, release.id, event_id=event.id)
