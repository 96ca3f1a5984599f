"""What the webhook tests share: quick settings, a published release, the deliveries of an endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from core.db import session_scope
from core.settings import override_settings
from tests import factories
from webhooks.endpoints import add_endpoint
from webhooks.models import WebhookAttempt, WebhookDelivery
from workflow import service
from workflow.models import User


def quick(**more: Any) -> None:
    """Timeouts and backoff short enough for a test (the promise is the same)."""
    override_settings(webhook_timeout=0.5, webhook_retry_base=0.05, webhook_retry_max=1.5, **more)


def endpoint(actor: User, url: str, embargoed: bool = False, events: str = "release.published,release.withdrawn") -> tuple[int, str]:
    """(id, secret) of a new endpoint."""
    with session_scope() as s:
        made = add_endpoint(s, s.merge(actor), url, events, embargoed)
        return made.endpoint.id or 0, made.secret


def publish(author: User, approver: User, embargo_until: datetime | None = None) -> int:
    with session_scope() as s:
        release_id = factories.release(s, s.merge(author), embargo_until=embargo_until).id or 0
        service.submit(s, release_id, s.merge(author))
        service.approve(s, release_id, s.merge(approver))
        service.publish(s, release_id, s.merge(approver))
    return release_id


def deliveries(endpoint_id: int, event: str | None = None) -> list[WebhookDelivery]:
    with session_scope() as s:
        query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        if event:
            query = query.where(WebhookDelivery.event == event)
        rows = list(s.exec(query.order_by(col(WebhookDelivery.id))).all())
        for row in rows:
            s.expunge(row)
        return rows


def attempts(delivery_id: int) -> list[WebhookAttempt]:
    with session_scope() as s:
        rows = list(s.exec(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
                           .order_by(col(WebhookAttempt.number))).all())
        for row in rows:
            s.expunge(row)
        return rows


def people() -> tuple[User, User, User]:
    """(admin, author, approver), detached."""
    with session_scope() as s:
        found = factories.user(s, "admin"), factories.user(s), factories.user(s, "approver")
        s.flush()
        for person in found:
            s.refresh(person)
            s.expunge(person)
        return found
