"""One attempt decided and bounded at the moment it is made (no Celery needed): an endpoint saved
while its address was allowed is refused when connecting once it is not; an answer far larger
than the cap is cut short, and the attempt keeps only its start."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from core.db import session_scope
from core.outbox import OutboxEvent
from core.settings import override_settings
from delivery.transports import memory_outbox
from tests.webhooks.helpers import attempts, deliveries, endpoint, people, publish, quick
from tests.webhooks.receiver import running_receiver
from webhooks import delivery, handlers, notices
from webhooks.endpoints import enable_endpoint, get_endpoint
from webhooks.errors import NotRedeliverable
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from workflow import service


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

    # An endpoint stored before ports were checked, naming the mail server's: refused when sent to.
    override_settings(environment="development")
    smtp, _secret = endpoint(admin, "http://127.0.0.1:8000/smtp")
    with session_scope() as s:
        s.execute(update(WebhookEndpoint).where(col(WebhookEndpoint.id) == smtp).values(url="http://127.0.0.1:25/smtp"))
    outcome = delivery.attempt(_ping(smtp))
    assert outcome.kind == "refused" and "port 25 belongs to another service" in outcome.error


def test_an_answer_with_a_retry_after_that_is_no_number_is_recorded_as_it_came(sqlite_db: str) -> None:
    """A superscript digit (`²`, latin-1 0xB2) passes `str.isdigit` but is no number: the
    attempt must still be recorded, not crash after the request went out (and go again forever)."""
    quick()
    admin, _author, _approver = people()
    with running_receiver() as rx:
        for path, status in (("/ok", 200), ("/busy", 429)):
            endpoint_id, secret = endpoint(admin, rx.url(path))
            rx.on(path, (status, {"Retry-After": "\u00b2"}, 0.0), secret=secret)
            outcome = delivery.attempt(_ping(endpoint_id))
            assert outcome.kind == ("delivered" if status == 200 else "failed")  # a test is tried once
            assert [a.status_code for a in attempts(deliveries(endpoint_id)[0].id or 0)] == [status]


def test_a_withdrawal_reaches_an_endpoint_disabled_since_it_received_the_release(db: str) -> None:
    """Disabled meanwhile, it is owed the withdrawal all the same: the delivery is made (and
    cancelled while the endpoint is off), so `enable` then `redeliver` sends it."""
    quick()
    admin, author, approver = people()
    with running_receiver() as rx:
        endpoint_id, secret = endpoint(admin, rx.url("/hook"), events="release.published")
        rx.on("/hook", secret=secret)
        release_id = publish(author, approver)
        _handle("release.published", release_id)
        (published,) = deliveries(endpoint_id)
        assert delivery.attempt(published.id or 0).kind == "delivered"
        with session_scope() as s:
            s.execute(update(WebhookEndpoint).where(col(WebhookEndpoint.id) == endpoint_id).values(active=False))
            service.withdraw(s, release_id, s.merge(approver), "wrong figures")
        _handle("release.withdrawn", release_id)
        (withdrawn,) = deliveries(endpoint_id, "release.withdrawn")
        assert delivery.attempt(withdrawn.id or 0).kind == "cancelled"
        with session_scope() as s:
            enable_endpoint(s, s.merge(admin), endpoint_id)
            delivery.redeliver(s, s.merge(admin), withdrawn.id or 0)
        assert delivery.attempt(withdrawn.id or 0).kind == "delivered"
        assert [r.event for r in rx.at("/hook")] == ["release.published", "release.withdrawn"]
        # The withdrawn release itself is not sent again, and `redeliver` says so instead of a
        # success that ends in a cancelled delivery.
        with session_scope() as s, pytest.raises(NotRedeliverable, match="release withdrawn"):
            delivery.redeliver(s, s.merge(admin), published.id or 0)
        assert deliveries(endpoint_id, "release.published")[0].status == WebhookStatus.DELIVERED


def _handle(name: str, release_id: int) -> None:
    """Run the webhooks room's handler of the release's event `name`, as the outbox would."""
    with session_scope() as s:
        event = s.exec(select(OutboxEvent).where(OutboxEvent.name == name, OutboxEvent.subject_id == release_id)).one()
        (handlers.release_published if name == "release.published" else handlers.release_withdrawn)(s, event)


def test_a_withdrawal_counts_a_delivery_claimed_while_the_handler_looked(postgresql_db: str) -> None:
    """The handler read the delivery untried; a worker claimed it (and sends it) before the
    handler cancelled it: that endpoint is owed the withdrawal, and the claim stands."""
    admin, author, approver = people()
    endpoint_id, _secret = endpoint(admin, "http://127.0.0.1:9999/hook", events="release.published")
    release_id = publish(author, approver)
    _handle("release.published", release_id)
    with session_scope() as s:
        service.withdraw(s, release_id, s.merge(approver), "wrong figures")
    with session_scope() as s:
        (seen,) = s.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)).all()
        with session_scope() as worker:  # the claim, committed after the handler's read
            worker.execute(update(WebhookDelivery).where(col(WebhookDelivery.id) == seen.id).values(attempts=1))
        event = s.exec(select(OutboxEvent).where(OutboxEvent.name == "release.withdrawn")).one()
        handlers.release_withdrawn(s, event)
    assert len(deliveries(endpoint_id, "release.withdrawn")) == 1
    assert deliveries(endpoint_id, "release.published")[0].status == WebhookStatus.PENDING


def test_an_answer_with_nul_bytes_is_kept_as_far_as_the_database_can(db: str) -> None:
    """PostgreSQL's text holds no NUL: the attempt of a 2xx answer carrying one must still be
    recorded (else the delivery, sent, is sent again by every sweep)."""
    quick()
    admin, _author, _approver = people()
    with running_receiver() as rx:
        endpoint_id, secret = endpoint(admin, rx.url("/nul"))
        rx.on("/nul", (200, {"body": "ok\x00\x00done"}, 0.0), secret=secret)
        assert delivery.attempt(_ping(endpoint_id)).kind == "delivered"
        (tried,) = attempts(deliveries(endpoint_id)[0].id or 0)
        assert tried.status_code == 200 and tried.response_excerpt.startswith("ok") and tried.response_excerpt.endswith("done")
        # The first try is number 1, on record and in the Pressroom-Attempt header.
        assert tried.number == 1 and [r.attempt for r in rx.at("/nul")] == [1]


def test_an_endpoint_that_answers_410_gone_is_disabled_at_once_and_its_admins_hear_why(db: str) -> None:
    quick(webhook_disable_after=15)
    outbox = memory_outbox("gone")
    outbox.clear()
    override_settings(mail_url="memory://gone")
    admin, author, approver = people()
    with running_receiver() as rx:
        gone, secret = endpoint(admin, rx.url("/gone"), events="release.published")
        rx.on("/gone", (410, {}, 0.0), secret=secret)
        release_id = publish(author, approver)
        _handle("release.published", release_id)
        (published,) = deliveries(gone, "release.published")
        outcome = delivery.attempt(published.id or 0)
        assert outcome.kind == "failed" and outcome.disabled  # the first 410: no fourteen more tries
        assert len(rx.at("/gone")) == 1
    with session_scope() as s:
        stored = get_endpoint(s, gone)
        assert not stored.active and (stored.disabled_reason or "").startswith("the receiver answered 410 Gone")
        event = s.exec(select(OutboxEvent).where(OutboxEvent.name == "webhook.endpoint_disabled")).one()
        notices.endpoint_disabled(s, event)
    [mail] = outbox.messages
    assert mail.recipients == (admin.email,)
    text = message_from_bytes(mail.message, policy=policy.default).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "410 Gone" in text and "failed tries in a row" not in text and "mislukte pogingen" not in text
