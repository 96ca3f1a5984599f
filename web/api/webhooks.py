"""/api/webhooks: the endpoints that receive signed release events, for admins; and the
document a webhook carries, whose schema this API's OpenAPI describes (`WebhookPayload`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from core.db import utcnow
from web.auth import ApiUser
from web.deps import acting, attach, reading
from web.errors import api_responses
from web.schemas import MAX_ID, Str200, Strict
from webhooks import delivery, endpoints
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.payloads import WebhookPayload, payload, release_document
from workflow.guards import require_role
from workflow.service import get_release

router = APIRouter(tags=["webhooks"])
EndpointId = Annotated[int, Path(ge=1, le=MAX_ID, description="webhook endpoint id")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID, description="webhook delivery id")]
ReleaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="release id")]
Event = Literal["release.published", "release.withdrawn"]


class EndpointIn(Strict):
    url: Annotated[str, Field(min_length=1, max_length=2000, description="https (http outside production)")]
    events: list[Event] = Field(min_length=1, max_length=2)
    embargoed: bool = Field(False, description="receives releases before their embargo lifts")
    description: Str200 = ""


class EndpointOut(BaseModel):
    id: int
    url: str
    events: list[str]
    embargoed: bool
    description: str
    active: bool
    failures_in_a_row: int
    disabled_at: datetime | None
    disabled_reason: str
    rotating_until: datetime | None = Field(description="the previous secret signs too until then")
    created_at: datetime


class SecretOut(BaseModel):
    """An endpoint with its signing secret: shown in this answer only."""

    endpoint: EndpointOut
    secret: str


class RotateIn(Strict):
    overlap_seconds: float | None = Field(None, ge=0, le=30 * 86400,
                                          description="how long the old secret still signs (default: the setting)")


class AttemptOut(BaseModel):
    number: int
    at: datetime
    status_code: int | None
    latency_ms: int
    outcome: str
    error: str
    response_excerpt: str


class DeliveryOut(BaseModel):
    id: int
    event: str
    release_id: int | None
    idempotency_key: str
    status: str
    next_attempt_at: datetime
    last_error: str
    attempts: list[AttemptOut]


def _delivery_out(row: WebhookDelivery, tries: list[WebhookAttempt]) -> DeliveryOut:
    return DeliveryOut(id=row.id or 0, event=row.event, release_id=row.release_id, idempotency_key=row.idempotency_key,
                       status=row.status.value, next_attempt_at=row.next_attempt_at, last_error=row.last_error,
                       attempts=[AttemptOut.model_validate(a, from_attributes=True) for a in tries])


@router.get("/webhooks", response_model=list[EndpointOut], responses=api_responses(401, 403))
def list_webhooks(user: ApiUser) -> list[EndpointOut]:
    """Every endpoint (admins); never a secret."""
    require_role(user, "manage webhooks")
    with reading() as session:
        return [EndpointOut.model_validate(endpoints.endpoint_view(e)) for e in endpoints.list_endpoints(session)]


@router.post("/webhooks", status_code=201, response_model=SecretOut, responses=api_responses(401, 403, 422))
def add_webhook(user: ApiUser, body: EndpointIn) -> SecretOut:
    """Add an endpoint (admins); the answer carries its signing secret, shown this once."""
    with acting() as session:
        made = endpoints.add_endpoint(session, attach(session, user), body.url, list(body.events), body.embargoed,
                                      body.description)
        return SecretOut(endpoint=EndpointOut.model_validate(endpoints.endpoint_view(made.endpoint)), secret=made.secret)


@router.delete("/webhooks/{endpoint_id}", response_model=EndpointOut, responses=api_responses(401, 403, 404, 422))
def remove_webhook(user: ApiUser, endpoint_id: EndpointId) -> EndpointOut:
    """Stop sending to an endpoint (admins); its history stays readable."""
    with acting() as session:
        return EndpointOut.model_validate(endpoints.endpoint_view(
            endpoints.remove_endpoint(session, attach(session, user), endpoint_id)))


@router.post("/webhooks/{endpoint_id}/rotate", response_model=SecretOut, responses=api_responses(401, 403, 404, 422))
def rotate_webhook_secret(user: ApiUser, endpoint_id: EndpointId, body: RotateIn) -> SecretOut:
    """A new signing secret, shown this once; the old one signs too during the overlap."""
    with acting() as session:
        made = endpoints.rotate_secret(session, attach(session, user), endpoint_id, body.overlap_seconds)
        return SecretOut(endpoint=EndpointOut.model_validate(endpoints.endpoint_view(made.endpoint)), secret=made.secret)


@router.get("/webhooks/{endpoint_id}/deliveries", response_model=list[DeliveryOut],
            responses=api_responses(401, 403, 404, 422))
def webhook_deliveries(user: ApiUser, endpoint_id: EndpointId) -> list[DeliveryOut]:
    """The endpoint's latest 50 deliveries, each with every attempt (status, latency, the answer's start)."""
    require_role(user, "manage webhooks")
    with reading() as session:
        endpoints.get_endpoint(session, endpoint_id)
        return [_delivery_out(row, tries) for row, tries in delivery.history(session, endpoint_id)]


@router.post("/webhooks/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut,
             responses=api_responses(401, 403, 404, 409, 422))
def redeliver_webhook(user: ApiUser, delivery_id: DeliveryId) -> DeliveryOut:
    """Send a delivered, failed or cancelled delivery again (same idempotency key); 409 while pending."""
    with acting() as session:
        row = delivery.redeliver(session, attach(session, user), delivery_id)
        return _delivery_out(row, [])


@router.get("/releases/{release_id}/webhook-payload", response_model=WebhookPayload,
            responses=api_responses(401, 404, 422))
def webhook_payload(user: ApiUser, release_id: ReleaseId) -> WebhookPayload:
    """The document a `release.published` webhook carries, of the release's current revision (ids
    are examples): its schema is the one every webhook request follows."""
    with reading() as session:
        release = get_release(session, release_id)
        document = release_document(session, release)
        return WebhookPayload.model_validate(payload("0" * 32, "release.published", "0" * 32 + ".0", utcnow(), document))
