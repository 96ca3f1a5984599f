"""Sending one delivery: decide, claim, post, record — at least once, never twice at a time.

`attempt()` is what the Celery task calls. It decides at the moment of sending whether the
delivery may still go (the endpoint active, the release not withdrawn, the embargo lifted unless
the endpoint receives embargoed releases), claims the row with a conditional update (a second
worker with the same task finds nothing to do), posts the stored document signed with the
endpoint's secrets through the checked client (`safety`), and records the attempt and its
outcome. Timeouts, connection errors, 429 (waiting at least its `Retry-After`) and 5xx are tried
again with exponential backoff and jitter, up to PRESSROOM_WEBHOOK_MAX_ATTEMPTS; a redirect and
every other 4xx are final. After PRESSROOM_WEBHOOK_DISABLE_AFTER failed tries in a row an
endpoint is disabled, with an event whose handler mails the admins.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from core.db import as_utc, insert_ignoring_duplicates, session_scope, utcnow
from core.errors import NotFound
from core.outbox import emit
from core.settings import get_settings
from webhooks.endpoints import DISABLED, signing_secrets
from webhooks.errors import NotRedeliverable
from webhooks.models import TEST, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookStatus
from webhooks.safety import UnsafeAddress, checked_client, port_refusal, scheme_allowed
from webhooks.signing import HEADER, signature_header
from workflow.guards import require_role
from workflow.models import Release, User
from workflow.states import State

READY = "webhook.deliveries_ready"  # subject: the release; its follow-up queues the deliveries
REDELIVERY = "webhook.redelivery_requested"  # subject: the delivery; its follow-up queues it
USER_AGENT = "Pressroom-Webhooks/1"
EXCERPT = 500
# A task may wait this long in the broker for its countdown; a later time is the sweep's to
# catch (Redis hands a message still unacknowledged after its visibility timeout to a second
# worker, tasks/app.py).
LONGEST_COUNTDOWN = 3000.0
# A due delivery that no task has claimed this long after its time lost its task: the sweep queues it.
SWEEP_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class Outcome:
    """What one call of `attempt` did; `retry_in`: seconds until the delivery is due again."""

    delivery_id: int
    kind: str  # delivered, retry, failed, refused, cancelled, held, skipped
    status_code: int | None = None
    error: str = ""
    retry_in: float | None = None
    disabled: bool = False  # this try disabled the endpoint (an event to relay)


def new_deliveries(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert delivery rows, skipping any whose idempotency key exists (a handler run twice)."""
    return insert_ignoring_duplicates(session, WebhookDelivery.__table__, rows)  # type: ignore[attr-defined]


def delivery_row(endpoint: WebhookEndpoint, event_id: str, event: str, release_id: int | None,
                 document: dict[str, Any], due: datetime) -> dict[str, Any]:
    """The row of one event for one endpoint; `document` already carries its idempotency key."""
    return {"endpoint_id": endpoint.id, "idempotency_key": idempotency_key(event_id, endpoint.id or 0),
            "event_id": event_id, "event": event, "release_id": release_id, "payload": document,
            "status": WebhookStatus.PENDING.value, "attempts": 0, "retries_from": 0, "next_attempt_at": due,
            "last_error": "", "created_at": utcnow()}


def idempotency_key(event_id: str, endpoint_id: int) -> str:
    return f"{event_id}.{endpoint_id}"


def queued(session: Session, release_id: int | None) -> list[tuple[int, float]]:
    """(delivery id, seconds until due) of the untried deliveries of a release (or of tests),
    for the tasks that send them."""
    now = utcnow()
    rows = session.exec(select(WebhookDelivery.id, WebhookDelivery.next_attempt_at).where(
        WebhookDelivery.release_id == release_id, WebhookDelivery.status == WebhookStatus.PENDING,
        WebhookDelivery.attempts == 0)).all()
    return [(i or 0, max(0.0, (as_utc(due) - now).total_seconds())) for i, due in rows]


def overdue(limit: int = 1000) -> list[int]:
    """Pending deliveries past their time by more than the grace and not being tried: their task
    was lost (a broker restart) or their time was too far off for a countdown."""
    now = utcnow()
    with session_scope() as session:
        return [i or 0 for i in session.exec(select(WebhookDelivery.id).where(
            WebhookDelivery.status == WebhookStatus.PENDING, col(WebhookDelivery.next_attempt_at) < now - SWEEP_GRACE,
            or_(col(WebhookDelivery.claimed_until).is_(None), col(WebhookDelivery.claimed_until) < now),
        ).order_by(col(WebhookDelivery.next_attempt_at)).limit(limit)).all()]


# --- one attempt --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    endpoint_id: int
    url: str
    body: bytes
    secrets: list[str]
    event: str
    key: str
    number: int
    final: bool  # the last try of this round
    test: bool


def attempt(delivery_id: int, client: httpx.Client | None = None) -> Outcome:
    """Try one delivery now if it is due and nobody else is trying it (see the module's text)."""
    decided = _decide_and_claim(delivery_id)
    if isinstance(decided, Outcome):
        return decided
    result = _post(decided, client or shared_client())
    return _record(delivery_id, decided, result)


def _decide_and_claim(delivery_id: int) -> _Request | Outcome:
    settings = get_settings()
    now = utcnow()
    with session_scope() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != WebhookStatus.PENDING:
            return Outcome(delivery_id, "skipped")
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None  # a foreign key
        stop = _why_not(session, delivery, endpoint)
        if stop:
            _finish(session, delivery, WebhookStatus.CANCELLED, stop)
            return Outcome(delivery_id, "cancelled", error=stop)
        lift = _lift_ahead(session, delivery, endpoint, now)
        if lift is not None:  # an endpoint that waits for the lift: not before
            delivery.next_attempt_at = lift
            session.add(delivery)
            return Outcome(delivery_id, "held", retry_in=(lift - now).total_seconds())
        if as_utc(delivery.next_attempt_at) > now + timedelta(seconds=1):
            return Outcome(delivery_id, "skipped", retry_in=(as_utc(delivery.next_attempt_at) - now).total_seconds())
        number = delivery.attempts + 1  # read before the claim, which updates `delivery` in the session too
        claimed = session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery_id, col(WebhookDelivery.status) == WebhookStatus.PENDING,
                   col(WebhookDelivery.attempts) == delivery.attempts,
                   or_(col(WebhookDelivery.claimed_until).is_(None), col(WebhookDelivery.claimed_until) < now))
            .values(attempts=number,
                    claimed_until=now + timedelta(seconds=2 * settings.webhook_timeout + 30))
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return Outcome(delivery_id, "skipped")
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
        return _Request(endpoint.id or 0, endpoint.url, body, signing_secrets(endpoint, now), delivery.event, delivery.idempotency_key,
                        number, number - delivery.retries_from >= settings.webhook_max_attempts,
                        delivery.event == TEST)


def _why_not(session: Session, delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> str:
    """Why a pending delivery must not go at all any more, or ""."""
    if endpoint.removed:
        return "endpoint removed"
    if not endpoint.active:
        return "endpoint disabled"
    if delivery.event != TEST and delivery.release_id is not None and delivery.event.endswith(".published"):
        release = session.get(Release, delivery.release_id)
        if release is None or release.state != State.PUBLISHED:
            return f"release {release.state if release else 'gone'}"
    return ""


def _lift_ahead(session: Session, delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: datetime) -> datetime | None:
    """The embargo's lift when it is still ahead and this endpoint does not receive embargoed releases."""
    if endpoint.embargoed or delivery.release_id is None:
        return None
    release = session.get(Release, delivery.release_id)
    if release is None or release.embargo_until is None:
        return None
    lift = as_utc(release.embargo_until)
    return lift if lift > now else None


@dataclass(frozen=True)
class _Result:
    status_code: int | None
    latency_ms: int
    error: str
    excerpt: str
    retry_after: float | None
    refused: bool = False


def _post(request: _Request, client: httpx.Client) -> _Result:
    settings = get_settings()
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT, "Pressroom-Event": request.event,
        "Idempotency-Key": request.key, "Pressroom-Delivery": request.key, "Pressroom-Attempt": str(request.number),
        HEADER: signature_header(request.secrets, request.body),
    }
    started = time.perf_counter()

    def took() -> int:
        return round((time.perf_counter() - started) * 1000)

    if not scheme_allowed(request.url, settings):
        return _Result(None, 0, "only https URLs are sent to in production", "", None, refused=True)
    refusal = port_refusal(request.url)
    if refusal:
        return _Result(None, 0, refusal, "", None, refused=True)
    try:
        with client.stream("POST", request.url, content=request.body, headers=headers) as response:
            excerpt = _read_capped(response, settings.webhook_max_response_bytes, started + settings.webhook_timeout)
            retry_after = _retry_after(response.headers.get("retry-after"))
            error = ""
            if 300 <= response.status_code < 400:
                error = f"redirect to {response.headers.get('location', '?')[:200]} not followed"
            return _Result(response.status_code, took(), error, excerpt, retry_after)
    except UnsafeAddress as error:
        return _Result(None, took(), str(error), "", None, refused=True)
    except httpx.TimeoutException:
        return _Result(None, took(), f"no answer within {settings.webhook_timeout:g} s", "", None)
    except httpx.HTTPError as error:
        return _Result(None, took(), f"{type(error).__name__}: {error}"[:EXCERPT], "", None)


class _TooSlow(httpx.ReadTimeout):
    pass


def _read_capped(response: httpx.Response, cap: int, deadline: float) -> str:
    """At most `cap` bytes of the answer, within the deadline: an answer trickled slowly or
    endlessly costs no more than the timeout."""
    kept = bytearray()
    for chunk in response.iter_raw(8192):
        kept += chunk[: cap - len(kept)]
        if len(kept) >= cap:
            break
        if time.perf_counter() > deadline:
            raise _TooSlow("answer too slow", request=response.request)
    return kept[:EXCERPT].decode("utf-8", "replace")


def _retry_after(value: str | None) -> float | None:
    """Seconds of a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    if value.strip().isascii() and value.strip().isdigit():  # "²" is a digit to isdigit, not to float
        return float(value.strip())
    try:
        return max(0.0, (as_utc(parsedate_to_datetime(value)) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def backoff(number: int, retry_after: float | None = None) -> float:
    """Seconds before try `number + 1`: base × 2^(number−1) with jitter (half to all of it),
    at most PRESSROOM_WEBHOOK_RETRY_MAX; at least a receiver's Retry-After (within that max)."""
    settings = get_settings()
    ceiling = min(settings.webhook_retry_max, settings.webhook_retry_base * 2 ** (number - 1))
    wait = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        wait = max(wait, min(retry_after, settings.webhook_retry_max))
    return wait


def _classify(request: _Request, result: _Result) -> tuple[str, float | None]:
    """(outcome, seconds to wait for a retry)."""
    code = result.status_code
    if code is not None and 200 <= code < 300:
        return "delivered", None
    if result.refused:
        return "refused", None
    transient = code is None or code == 429 or code >= 500
    if not transient or request.final or request.test:
        return "failed", None
    return "retry", backoff(request.number, result.retry_after if code == 429 else None)


def _record(delivery_id: int, request: _Request, result: _Result) -> Outcome:
    outcome, wait = _classify(request, result)
    now = utcnow()
    error = result.error or (f"HTTP {result.status_code}" if outcome != "delivered" else "")
    if outcome == "failed" and request.final and result.status_code != 200 and (
            result.status_code is None or result.status_code == 429 or result.status_code >= 500):
        error = f"{error}; gave up after {request.number} tries"
    with session_scope() as session:
        # A receiver's NUL bytes: PostgreSQL's text cannot hold them, and the attempt must be kept.
        error = error.replace("\x00", "\ufffd")
        session.add(WebhookAttempt(delivery_id=delivery_id, number=request.number, at=now,
                                   status_code=result.status_code, latency_ms=result.latency_ms, outcome=outcome,
                                   error=error[:EXCERPT], response_excerpt=result.excerpt.replace("\x00", "\ufffd")[:EXCERPT]))
        values: dict[str, Any] = {"claimed_until": None, "last_error": error[:EXCERPT]}
        if outcome == "retry":
            values["next_attempt_at"] = now + timedelta(seconds=wait or 0)
        else:
            values["status"] = WebhookStatus.DELIVERED if outcome == "delivered" else WebhookStatus.FAILED
            values["finished_at"] = now
        session.execute(update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id).values(**values))
        disabled = False if request.test else _count(session, request.endpoint_id, outcome == "delivered", error,
                                                     gone=result.status_code == 410)
    return Outcome(delivery_id, outcome, result.status_code, error, wait, disabled)


def _finish(session: Session, delivery: WebhookDelivery, status: WebhookStatus, error: str) -> None:
    delivery.status = status
    delivery.finished_at = utcnow()
    delivery.claimed_until = None
    delivery.last_error = error[:EXCERPT]
    session.add(delivery)


def _count(session: Session, endpoint_id: int, delivered: bool, error: str, gone: bool = False) -> bool:
    """Failures in a row per endpoint, counted in the database (workers try in parallel); at the
    threshold the endpoint is disabled, once, with an event: True then. A 410 Gone disables it at
    once: the receiver says it wants nothing more, and every further try would be one more."""
    endpoint = col(WebhookEndpoint.id) == endpoint_id
    if delivered:
        session.execute(update(WebhookEndpoint).where(endpoint, col(WebhookEndpoint.failures_in_a_row) > 0)
                        .values(failures_in_a_row=0))
        return False
    failures = session.execute(update(WebhookEndpoint).where(endpoint)
                               .values(failures_in_a_row=WebhookEndpoint.failures_in_a_row + 1)
                               .returning(col(WebhookEndpoint.failures_in_a_row))).scalar_one()
    if failures < get_settings().webhook_disable_after and not gone:
        return False
    reason = ("the receiver answered 410 Gone" if gone else f"{failures} failed tries in a row") + f"; the last: {error}"
    disabled = session.execute(update(WebhookEndpoint).where(endpoint, col(WebhookEndpoint.active) == True)
                               .values(active=False, disabled_at=utcnow(), disabled_reason=reason[:500]))
    if disabled.rowcount != 1:  # type: ignore[attr-defined]
        return False
    emit(session, DISABLED, endpoint_id, failures=failures, last_error=error[:EXCERPT], gone=gone)
    return True


_clients: dict[float, httpx.Client] = {}
_clients_lock = threading.Lock()


def shared_client() -> httpx.Client:
    """One checked client per process (and timeout): connections to a receiver are kept alive
    between deliveries."""
    timeout = get_settings().webhook_timeout
    with _clients_lock:
        client = _clients.get(timeout)
        if client is None:
            client = _clients[timeout] = checked_client(timeout)
        return client


def close_clients() -> None:
    """Close the shared clients and their kept-alive connections (a worker's or a test's end)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


# --- by hand ------------------------------------------------------------------------------------


def redeliver(session: Session, actor: User | None, delivery_id: int) -> WebhookDelivery:
    """Send a delivered, failed or cancelled delivery again, with the same idempotency key and a
    new round of tries; it is decided again when it goes (a withdrawn release stays unsent).
    Raises NotFound, NotRedeliverable (still pending, or it would not go: release withdrawn,
    endpoint disabled or removed) or RoleRequired."""
    if actor is not None:
        require_role(actor, "manage webhooks")
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound("webhook delivery", delivery_id)
    if delivery.status == WebhookStatus.PENDING:
        raise NotRedeliverable(delivery_id, delivery.status.value)
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    stop = _why_not(session, delivery, endpoint) if endpoint is not None else ""
    if stop:  # it would only be cancelled when its turn came: a success with no effect
        raise NotRedeliverable(delivery_id, delivery.status.value, stop)
    delivery.status = WebhookStatus.PENDING
    delivery.retries_from = delivery.attempts
    delivery.next_attempt_at = utcnow()
    delivery.finished_at = None
    session.add(delivery)
    emit(session, REDELIVERY, delivery_id, actor_id=actor.id if actor else None, endpoint_id=delivery.endpoint_id)
    return delivery


def ping(session: Session, endpoint: WebhookEndpoint) -> int:
    """A `webhook.test` delivery for `endpoint`, sent by `attempt` once (no retries, and its
    failure does not count towards disabling the endpoint); returns its id."""
    from uuid import uuid4

    from webhooks.payloads import payload

    event_id = uuid4().hex
    key = idempotency_key(event_id, endpoint.id or 0)
    document = payload(event_id, TEST, key, utcnow(), None)
    new_deliveries(session, [delivery_row(endpoint, event_id, TEST, None, document, utcnow())])
    found = session.exec(select(WebhookDelivery.id).where(WebhookDelivery.idempotency_key == key)).one()
    return found or 0


def history(session: Session, endpoint_id: int, limit: int = 50) -> list[tuple[WebhookDelivery, list[WebhookAttempt]]]:
    """An endpoint's latest deliveries, newest first, each with its attempts in order."""
    deliveries = session.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
                              .order_by(col(WebhookDelivery.id).desc()).limit(limit)).all()
    attempts = session.exec(select(WebhookAttempt).where(
        col(WebhookAttempt.delivery_id).in_([d.id for d in deliveries])).order_by(col(WebhookAttempt.number))).all()
    by_delivery: dict[int, list[WebhookAttempt]] = {}
    for item in attempts:
        by_delivery.setdefault(item.delivery_id, []).append(item)
    return [(d, by_delivery.get(d.id or 0, [])) for d in deliveries]
