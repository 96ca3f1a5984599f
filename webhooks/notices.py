"""Mail about webhooks: when an endpoint is disabled after failing again and again, every
active admin hears of it in their language, since receivers downstream now get nothing."""

from __future__ import annotations

from sqlmodel import Session, select

from core.outbox import OutboxEvent
from core.settings import get_settings
from delivery.notices import send_notice
from templates import WebhookDisabledInput
from webhooks.models import WebhookEndpoint
from workflow.models import Role, User


def endpoint_disabled(session: Session, event: OutboxEvent) -> None:
    """webhook.endpoint_disabled: mail every active admin; nothing if it was enabled again since."""
    endpoint = session.get(WebhookEndpoint, event.subject_id)
    if endpoint is None or endpoint.active or endpoint.removed:
        return
    admins = session.exec(select(User).where(User.role == Role.ADMIN, User.active == True)).all()
    for admin in admins:
        data = WebhookDisabledInput(key=f"webhook.{endpoint.id}.disabled.{event.id}", endpoint_id=endpoint.id or 0,
                                    url=endpoint.url, failures=int(event.payload.get("failures") or 0),
                                    last_error=str(event.payload.get("last_error") or ""),
                                    gone=bool(event.payload.get("gone")),
                                    url_of_deliveries=f"{get_settings().base_url.rstrip('/')}/press/webhooks/{endpoint.id}")
        send_notice(session, "webhook_disabled", admin.language, data, admin.email, admin.name)
