"""Mail sent by event handlers through the real worker: double opt-in and review requests."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from urllib.parse import unquote

from core.db import session_scope
from core.outbox import relay_pending
from core.settings import override_settings
from subscribers import SubscriptionStatus, confirm_by_token, create_list, subscribe
from subscribers.models import Subscription
from tasks.events import send_event
from tests import factories
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink, smtp_server
from workflow import service


def _text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode("utf-8")
    raise AssertionError("no text part")


def test_double_opt_in_round_trip(db: str, worker) -> None:  # type: ignore[no-untyped-def]
    sink = Sink()
    with smtp_server(sink) as server:
        override_settings(mail_url=f"smtp://127.0.0.1:{server.port}")
        with session_scope() as s:
            create_list(s, "journalists", "Journalisten", default_language="nl")
            result = subscribe(s, "Els.Jansen@Example.org", "journalists", name="Els Jansen", language="fr")
        relay_pending(send_event)
        wait_until(lambda: sink.received, 30, "the confirmation mail")
    mail = message_from_bytes(sink.received[0].content)
    assert sink.received[0].rcpt_tos == ["els.jansen@example.org"]
    assert mail["Content-Language"] == "fr"
    link = re.search(r"https?://\S+/subscriptions/confirm/(\S+)", _text(mail))
    assert link is not None
    with session_scope() as s:
        assert s.get(Subscription, result.subscription_id).status == SubscriptionStatus.PENDING  # type: ignore[union-attr]
        confirmed = confirm_by_token(s, unquote(link.group(1)))
        assert confirmed.subscription_id == result.subscription_id
    with session_scope() as s:
        assert s.get(Subscription, result.subscription_id).status == SubscriptionStatus.CONFIRMED  # type: ignore[union-attr]
    assert len(sink.received) == 1


def test_approvers_get_a_review_request_mail(db: str, worker) -> None:  # type: ignore[no-untyped-def]
    sink = Sink()
    with smtp_server(sink) as server:
        override_settings(mail_url=f"smtp://127.0.0.1:{server.port}")
        with session_scope() as s:
            author = factories.user(s, name="An Peeters")
            approver = factories.user(s, "approver")
            release_id = factories.release(s, author).id or 0
            service.submit(s, release_id, author)
        relay_pending(send_event)
        wait_until(lambda: sink.received, 30, "the review request")
    mail = message_from_bytes(sink.received[0].content)
    assert sink.received[0].rcpt_tos == [approver.email]
    assert f"/press/releases/{release_id}/review" in _text(mail)
    assert "Minister bezoekt Kinshasa" in _text(mail)
