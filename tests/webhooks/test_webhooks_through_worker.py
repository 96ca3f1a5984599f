"""Webhooks end to end: a release published, lifted and withdrawn in the workflow reaches a real
receiver on loopback through the outbox, a real Celery worker and the real broker, on each
database — each event once per endpoint after 5xx, 429 with Retry-After and a hang; embargoed
content only to the endpoints marked for it before the lift; a redirect never followed; an
endpoint that keeps failing disabled, sent nothing more, and its admins mailed; sent again by
hand once it is mended."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message

from sqlalchemy import update
from sqlmodel import col

from core.db import session_scope, utcnow
from core.outbox import relay_pending
from core.settings import override_settings
from tasks.events import send_event
from tasks.webhooks import sweep
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink, smtp_server
from tests.webhooks.helpers import attempts, deliveries, endpoint, people, publish, quick
from tests.webhooks.receiver import OK, running_receiver
from webhooks.delivery import redeliver
from webhooks.endpoints import enable_endpoint
from webhooks.models import WebhookDelivery, WebhookStatus
from workflow import service
from workflow.models import Release


def _subject(mail: Message) -> str:
    return str(make_header(decode_header(str(mail["Subject"]))))


def _webhook_mail(sink: Sink) -> list[tuple[list[str], Message]]:
    found = [(m.rcpt_tos, message_from_bytes(m.content)) for m in list(sink.received)]
    return [(to, mail) for to, mail in found if _subject(mail).startswith("Webhook")]


def _settled(endpoint_ids: list[int], event: str) -> bool:
    rows = [d for e in endpoint_ids for d in deliveries(e, event)]
    return len(rows) == len(endpoint_ids) and all(d.status != WebhookStatus.PENDING for d in rows)


def test_each_event_reaches_each_endpoint_once_embargoed_ones_first_and_the_withdrawal_follows(  # type: ignore[no-untyped-def]
        db: str, worker) -> None:
    quick()
    admin, author, approver = people()
    with running_receiver() as rx:
        scripts = {  # path: (answers in turn, receives embargoed releases)
            "/press": ([OK], True),
            "/flaky": ([(500, {}, 0.0), (502, {}, 0.0), OK], True),
            "/busy": ([(429, {"Retry-After": "1"}, 0.0), OK], True),
            "/slow": ([(200, {}, 1.5), OK], True),  # answers only after the sender gave up
            "/moved": ([(302, {"Location": "http://10.20.30.40/"}, 0.0)], True),
            "/public": ([OK], False),
        }
        ids = {}
        for path, (answers, embargoed) in scripts.items():
            ids[path], secret = endpoint(admin, rx.url(path), embargoed)
            rx.on(path, *answers, secret=secret)
        lift = utcnow() + timedelta(hours=1)
        release_id = publish(author, approver, embargo_until=lift)
        relay_pending(send_event)
        early = [ids[p] for p, (_, embargoed) in scripts.items() if embargoed]
        wait_until(lambda: _settled(early, "release.published"), 60, "the embargoed endpoints' deliveries")

        # Before the lift: every endpoint marked for embargoed releases has it, once, signed, saying so.
        for path in ("/press", "/flaky", "/busy", "/slow"):
            accepted = [r for r in rx.at(path) if r.signed and r.answered == 200]
            assert len({r.key for r in accepted}) == 1, path
            assert accepted[0].event == "release.published" and accepted[0].body["embargoed"] is True
            assert accepted[0].body["release"]["embargo"]["under_embargo"] is True
            assert accepted[0].body["release"]["translations"]["fr"]["title"] == "Le ministre visite Kinshasa"
        assert [r.answered for r in rx.at("/flaky")] == [500, 502, 200]
        busy = rx.at("/busy")
        assert [r.answered for r in busy] == [429, 200] and busy[1].at - busy[0].at >= 1.0  # Retry-After honoured
        slow = rx.at("/slow")
        assert len(slow) == 2 and slow[0].key == slow[1].key  # sent again after the timeout: same key
        assert [a.outcome for a in attempts(deliveries(ids["/slow"])[0].id or 0)] == ["retry", "delivered"]
        assert "no answer within 0.5 s" in attempts(deliveries(ids["/slow"])[0].id or 0)[0].error
        moved = deliveries(ids["/moved"])[0]
        assert len(rx.at("/moved")) == 1 and moved.status == WebhookStatus.FAILED  # never retried, never followed
        assert "redirect to http://10.20.30.40/ not followed" in moved.last_error
        assert rx.at("/public") == []  # not marked for embargoed releases: nothing yet
        waiting = deliveries(ids["/public"])[0]
        assert waiting.status == WebhookStatus.PENDING and abs((waiting.next_attempt_at - lift).total_seconds()) < 1

        # The lift: an hour passes (moved into the past instead of waited for); the sweep sends it.
        past = utcnow() - timedelta(minutes=2)
        with session_scope() as s:
            s.execute(update(Release).where(col(Release.id) == release_id).values(embargo_until=past, public_at=past))
            s.execute(update(WebhookDelivery).where(col(WebhookDelivery.id) == waiting.id).values(next_attempt_at=past))
        sweep.delay()
        wait_until(lambda: _settled([ids["/public"]], "release.published"), 30, "the delivery at the lift")
        public = rx.at("/public")
        assert len(public) == 1 and public[0].signed and public[0].body["embargoed"] is False

        # A withdrawal goes to every endpoint that was sent the release, once each.
        with session_scope() as s:
            service.withdraw(s, release_id, s.merge(approver), "Wrong figures")
        relay_pending(send_event)
        wait_until(lambda: _settled(list(ids.values()), "release.withdrawn"), 30, "the withdrawals")
        for path in ("/press", "/flaky", "/busy", "/slow", "/public"):
            withdrawn = [r for r in rx.at(path) if r.event == "release.withdrawn"]
            assert len(withdrawn) == 1 and withdrawn[0].signed and withdrawn[0].answered == 200, path
            assert withdrawn[0].body["release"]["withdrawn_at"]
    # In the receiver's records, by idempotency key: each event once per endpoint. Only the
    # receiver that answered after the timeout saw one twice, with the same key, as it should.
    for path in ("/press", "/flaky", "/busy", "/slow", "/public"):
        by_key = {key: seen for (where, key), seen in rx.processed.items() if where == path}
        assert sorted(seen[0].event for seen in by_key.values()) == ["release.published", "release.withdrawn"]
        assert sorted(len(seen) for seen in by_key.values()) == ([1, 2] if path == "/slow" else [1, 1]), path


def test_an_endpoint_that_keeps_failing_is_disabled_gets_nothing_more_and_its_admins_are_mailed(  # type: ignore[no-untyped-def]
        db: str, worker) -> None:
    quick(webhook_disable_after=3, webhook_max_attempts=5)
    admin, author, approver = people()
    sink = Sink()
    with running_receiver() as rx, smtp_server(sink) as server:
        override_settings(mail_url=f"smtp://127.0.0.1:{server.port}")
        down, secret = endpoint(admin, rx.url("/down"))
        rx.on("/down", (500, {}, 0.0), secret=secret)
        fine, secret = endpoint(admin, rx.url("/fine"))
        rx.on("/fine", OK, secret=secret)
        publish(author, approver)
        relay_pending(send_event)
        wait_until(lambda: _settled([down, fine], "release.published"), 30, "the first release's deliveries")
        first = deliveries(down)[0]
        assert first.status == WebhookStatus.CANCELLED and first.last_error == "endpoint disabled"
        assert len(rx.at("/down")) == 3  # disabled at the third failure in a row: no fourth try
        wait_until(lambda: _webhook_mail(sink), 30, "the admins' mail")
        publish(author, approver)
        relay_pending(send_event)
        wait_until(lambda: [d.status for d in deliveries(fine)] == [WebhookStatus.DELIVERED] * 2, 30, "the second")
        assert len(rx.at("/down")) == 3 and len(deliveries(down)) == 1  # nothing more for the disabled endpoint
        assert len(rx.at("/fine")) == 2
        # Mended and enabled by an admin, it gets what it missed when the admin sends it again.
        rx.on("/down", OK)
        with session_scope() as s:
            enable_endpoint(s, s.merge(admin), down)
            redeliver(s, s.merge(admin), first.id or 0)
        relay_pending(send_event)
        wait_until(lambda: deliveries(down)[0].status == WebhookStatus.DELIVERED, 30, "the redelivery")
        resent = rx.at("/down")[-1]
        assert len(rx.at("/down")) == 4 and resent.signed and resent.key == first.idempotency_key
    mails = _webhook_mail(sink)
    assert [to for to, _ in mails] == [[admin.email]]  # the one admin, once
    mail = mails[0][1]
    assert _subject(mail) == f"Webhook uitgeschakeld: {rx.url('/down')}"
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert b"3 mislukte pogingen op rij" in text and b"HTTP 500" in text  # type: ignore[operator]
