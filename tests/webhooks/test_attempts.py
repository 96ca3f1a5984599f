"""One attempt decided and bounded at the moment it is made (no Celery needed): an endpoint saved
while its address was allowed is refused when connecting once it is not; an answer far larger
than the cap is cut short, and the attempt keeps only its start."""

from __future__ import annotations

from core.db import session_scope
from core.settings import override_settings
from tests.webhooks.helpers import attempts, deliveries, endpoint, people, quick
from tests.webhooks.receiver import running_receiver
from webhooks import delivery
from webhooks.endpoints import get_endpoint
from webhooks.models import WebhookStatus


def _ping(endpoint_id: int) -> int:
    with session_scope() as s:
        return delivery.ping(s, get_endpoint(s, endpoint_id))


def test_an_address_is_decided_when_connecting_and_an_answer_is_capped(sqlite_db: str) -> None:
    quick(webhook_max_response_bytes=4096)
    admin, _author, _approver = people()
    with running_receiver() as rx:
        huge, secret = endpoint(admin, rx.url("/huge"))
        rx.on("/huge", (200, {"body-bytes": str(50_000_000)}, 0.0), secret=secret)
        outcome = delivery.attempt(_ping(huge))
        assert outcome.kind == "delivered"
        (tried,) = attempts(deliveries(huge)[0].id or 0)
        assert tried.response_excerpt == "x" * 500 and tried.latency_ms < 2000

        inward, secret = endpoint(admin, rx.url("/inward").replace("http:", "https:"))  # saved in development
        rx.on("/inward", secret=secret)
        plain, _secret = endpoint(admin, rx.url("/plain"))
        override_settings(environment="production", secret_key="s" * 40)
        outcome = delivery.attempt(_ping(plain))
        assert outcome.kind == "refused" and "only https" in outcome.error
        outcome = delivery.attempt(_ping(inward))
        assert outcome.kind == "refused" and "127.0.0.1" in outcome.error and "ALLOWED_NETWORKS" in outcome.error
        assert rx.requests == [r for r in rx.requests if r.path == "/huge"]  # nothing else reached it
        (refused,) = deliveries(inward)
        assert refused.status == WebhookStatus.FAILED and refused.attempts == 1
