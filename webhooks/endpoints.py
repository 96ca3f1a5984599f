"""Webhook endpoints as admins manage them: add (the secret shown once), list, remove, rotate the
secret with an overlap, enable again after a disable. Each change is an outbox event in the
same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from core.db import as_utc, utcnow
from core.errors import InvalidInput
from core.outbox import emit
from core.settings import get_settings
from core.text import refuse_hidden_characters
from webhooks.errors import EndpointNotFound
from webhooks.models import EVENTS, WebhookEndpoint
from webhooks.safety import check_url
from webhooks.signing import new_secret
from workflow.guards import require_role
from workflow.models import User

ADDED = "webhook.endpoint_added"
REMOVED = "webhook.endpoint_removed"
ROTATED = "webhook.secret_rotated"
DISABLED = "webhook.endpoint_disabled"
ENABLED = "webhook.endpoint_enabled"


@dataclass(frozen=True)
class NewSecret:
    """An endpoint and its secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str
    previous_expires_at: datetime | None = None


def parse_events(value: str | list[str], field: str = "events") -> list[str]:
    """Chosen event names, in the order of EVENTS; raises InvalidInput naming an unknown one."""
    names = [n.strip() for n in (value.split(",") if isinstance(value, str) else value) if n.strip()]
    unknown = [n for n in names if n not in EVENTS]
    if unknown or not names:
        raise InvalidInput(field, f"{'unknown event ' + ', '.join(unknown) if unknown else 'no event chosen'}; "
                           f"the events are {', '.join(EVENTS)}")
    return [n for n in EVENTS if n in names]


def _allowed(actor: User | None) -> None:
    if actor is not None:
        require_role(actor, "manage webhooks")


def add_endpoint(session: Session, actor: User | None, url: str, events: str | list[str], embargoed: bool = False,
                 description: str = "") -> NewSecret:
    """Store a new endpoint with a fresh secret; raises InvalidInput (URL, events) or RoleRequired."""
    _allowed(actor)
    checked = check_url(url)
    chosen = parse_events(events)
    description = description.strip()
    if len(description) > 200:
        raise InvalidInput("description", "at most 200 characters")
    refuse_hidden_characters(description, "description")
    secret = new_secret()
    endpoint = WebhookEndpoint(url=checked, events="," + ",".join(chosen) + ",", embargoed=embargoed,
                               description=description, secret=secret, created_by_id=actor.id if actor else None)
    session.add(endpoint)
    session.flush()
    emit(session, ADDED, endpoint.id, actor_id=actor.id if actor else None, url=checked, events=chosen,
         embargoed=embargoed)
    return NewSecret(endpoint, secret)


def get_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint (not removed); raises EndpointNotFound."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.removed:
        raise EndpointNotFound(endpoint_id)
    return endpoint


def list_endpoints(session: Session) -> list[WebhookEndpoint]:
    """Every endpoint not removed, oldest first."""
    return list(session.exec(select(WebhookEndpoint).where(WebhookEndpoint.removed == False)
                             .order_by(col(WebhookEndpoint.id))).all())


def remove_endpoint(session: Session, actor: User | None, endpoint_id: int) -> WebhookEndpoint:
    """Stop sending to an endpoint; its pending deliveries are cancelled when their turn comes,
    its history stays readable."""
    _allowed(actor)
    endpoint = get_endpoint(session, endpoint_id)
    endpoint.removed = True
    endpoint.active = False
    session.add(endpoint)
    emit(session, REMOVED, endpoint.id, actor_id=actor.id if actor else None, url=endpoint.url)
    return endpoint


def rotate_secret(session: Session, actor: User | None, endpoint_id: int, overlap: float | None = None) -> NewSecret:
    """A new secret; the old one keeps signing for `overlap` seconds (PRESSROOM_WEBHOOK_SECRET_OVERLAP
    by default), so requests carry both signatures until the receiver has switched."""
    _allowed(actor)
    endpoint = get_endpoint(session, endpoint_id)
    seconds = get_settings().webhook_secret_overlap if overlap is None else overlap
    if seconds < 0:
        raise InvalidInput("overlap", "must be 0 or more seconds")
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret if seconds > 0 else None
    endpoint.previous_expires_at = utcnow() + timedelta(seconds=seconds) if seconds > 0 else None
    endpoint.secret = secret
    session.add(endpoint)
    emit(session, ROTATED, endpoint.id, actor_id=actor.id if actor else None,
         previous_expires_at=endpoint.previous_expires_at.isoformat() if endpoint.previous_expires_at else None)
    return NewSecret(endpoint, secret, endpoint.previous_expires_at)


def enable_endpoint(session: Session, actor: User | None, endpoint_id: int) -> WebhookEndpoint:
    """Send to a disabled endpoint again (its failure count starts over)."""
    _allowed(actor)
    endpoint = get_endpoint(session, endpoint_id)
    endpoint.active = True
    endpoint.failures_in_a_row = 0
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    session.add(endpoint)
    emit(session, ENABLED, endpoint.id, actor_id=actor.id if actor else None)
    return endpoint


def signing_secrets(endpoint: WebhookEndpoint, now: datetime | None = None) -> list[str]:
    """The secrets that sign a request now: the current one, and the previous one during its overlap."""
    found = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_expires_at and as_utc(endpoint.previous_expires_at) > (now or utcnow()):
        found.append(endpoint.previous_secret)
    return found


def endpoint_view(endpoint: WebhookEndpoint) -> dict[str, object]:
    """The endpoint as lists show it: never its secret."""
    return {
        "id": endpoint.id, "url": endpoint.url, "events": endpoint.event_list, "embargoed": endpoint.embargoed,
        "description": endpoint.description, "active": endpoint.active, "failures_in_a_row": endpoint.failures_in_a_row,
        "disabled_at": endpoint.disabled_at.isoformat() if endpoint.disabled_at else None,
        "disabled_reason": endpoint.disabled_reason,
        "rotating_until": endpoint.previous_expires_at.isoformat()
        if endpoint.previous_secret and endpoint.previous_expires_at else None,
        "created_at": endpoint.created_at.isoformat(),
    }
