"""The mails a sign-up causes: a confirmation link, or, for an address already on the list, a
notice with its preferences link; none once the sign-up's mail no longer fits."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import col, select

from cli.main import cli
from core.db import session_scope, utcnow
from core.outbox import OutboxEvent, handle_event, relay_pending
from core.settings import get_settings, override_settings
from delivery.transports import memory_outbox
from subscribers import SubscribeOutcome, confirm_by_token, create_list, subscribe, tokens
from subscribers.models import Subscriber, Subscription
from subscribers.subscriptions import unsubscribe
from tasks.events import HANDLERS


def _handle_all() -> None:
    ids: list[str] = []
    relay_pending(lambda event: ids.append(event.id))
    for event_id in ids:
        handle_event(event_id, HANDLERS)


def _text(raw: bytes) -> str:
    for part in message_from_bytes(raw).walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode("utf-8")
    raise AssertionError("no text part")


def _outbox(name: str):  # type: ignore[no-untyped-def]
    outbox = memory_outbox(name)
    outbox.clear()
    override_settings(mail_url=f"memory://{name}")
    return outbox


def test_signing_up_again_mails_an_already_subscribed_notice(db: str) -> None:
    outbox = _outbox("already")
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl")
        first = subscribe(s, "els@example.org", "journalists", name="Els", language="fr")
    _handle_all()
    token = re.search(r"/subscriptions/confirm/(\S+)", _text(outbox.messages[0].message))
    assert token is not None
    with session_scope() as s:
        confirm_by_token(s, token.group(1))
        before = s.get(Subscription, first.subscription_id)
        assert before is not None
        confirmed_at = before.confirmed_at
    _handle_all()  # the welcome mail
    outbox.clear()

    later = utcnow() + timedelta(seconds=get_settings().resubscribe_cooldown + 60)  # past the cool-down
    with session_scope() as s:
        again = subscribe(s, "Els@Example.org", "journalists", name="Els", now=later)
    assert again.outcome is SubscribeOutcome.NOTICE_QUEUED
    _handle_all()
    [sent] = outbox.messages
    assert sent.recipients == ("els@example.org",)
    mail = message_from_bytes(sent.message, policy=default)
    assert mail["Content-Language"] == "fr" and "déjà inscrit" in str(mail["Subject"])
    text = _text(sent.message)
    assert "/subscriptions/confirm/" not in text  # no new consent is asked
    link = re.search(r"/subscriptions/preferences/(\S+)", text)
    assert link is not None and tokens.read_preferences_token(link.group(1)).subscriber_id == again.subscriber_id
    with session_scope() as s:  # the subscription itself is as it was
        after = s.get(Subscription, first.subscription_id)
        assert after is not None and after.confirmed_at == confirmed_at


def test_a_confirmation_that_is_no_longer_needed_is_not_sent(db: str) -> None:
    outbox = _outbox("late")
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl")
        result = subscribe(s, "jan@example.org", "journalists")
        pending = s.get(Subscription, result.subscription_id)
        assert pending is not None and pending.confirm_nonce is not None
        request_token = tokens.confirm_token(result.subscription_id or 0, pending.confirm_nonce)
    with session_scope() as s:  # confirmed before the worker got to the event
        confirm_by_token(s, request_token)
    _handle_all()
    # Neither the confirmation nor an "already subscribed" notice: only the welcome.
    [welcome] = outbox.messages
    assert "/subscriptions/confirm/" not in _text(welcome.message)
    assert "Welkom" in str(message_from_bytes(welcome.message, policy=default)["Subject"])


def test_a_confirmation_is_welcomed_once_in_the_subscribers_language(db: str) -> None:
    outbox = _outbox("welcome")
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl")
        result = subscribe(s, "claire@example.org", "journalists", language="fr")
        pending = s.get(Subscription, result.subscription_id)
        assert pending is not None and pending.confirm_nonce is not None
        token = tokens.confirm_token(result.subscription_id or 0, pending.confirm_nonce)
    with session_scope() as s:
        confirm_by_token(s, token)
    with session_scope() as s:
        confirm_by_token(s, token)  # the same link again: already confirmed, no new event
    ids: list[str] = []
    relay_pending(lambda event: ids.append(event.id))
    for event_id in ids + ids:  # every event delivered twice
        handle_event(event_id, HANDLERS)
    welcomes = [m for m in outbox.messages if "Bienvenue" in str(message_from_bytes(m.message, policy=default)["Subject"])]
    assert len(welcomes) == 1 and welcomes[0].recipients == ("claire@example.org",)
    text = _text(welcomes[0].message)
    link = re.search(r"/subscriptions/preferences/(\S+)", text)
    assert link is not None and tokens.read_preferences_token(link.group(1)).subscriber_id == result.subscriber_id
    assert "/newsroom/fr" in text and "/privacy/fr" in text


def test_no_welcome_once_the_subscriber_left(db: str) -> None:
    outbox = _outbox("left")
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl")
        result = subscribe(s, "jan@example.org", "journalists")
        pending = s.get(Subscription, result.subscription_id)
        assert pending is not None and pending.confirm_nonce is not None
        token = tokens.confirm_token(result.subscription_id or 0, pending.confirm_nonce)
    _handle_all()
    outbox.clear()
    with session_scope() as s:
        confirm_by_token(s, token)
        subscriber = s.get(Subscriber, result.subscriber_id)
        assert subscriber is not None
        unsubscribe(s, subscriber, source="link")  # left before the worker got to the event
    _handle_all()
    assert outbox.messages == []


def test_each_mail_says_how_the_address_came_onto_the_list(broker: str, sqlite_db: str, tmp_path: Path) -> None:
    """Typed on the website, added by the press office (`pressroom subscribers add`), or on an
    imported list (`pressroom subscribers import`): the confirmation says which, and so does the
    welcome that follows it."""
    outbox = _outbox("origin")
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (result.stdout, result.stderr)

    with session_scope() as s:
        create_list(s, "news", "News", default_language="en")
        subscribe(s, "els@example.org", "news")
    run("subscribers", "add", "piet@example.org", "--list", "news")
    (tmp_path / "people.csv").write_text("email\nmarie@example.org\n")
    run("subscribers", "import", str(tmp_path / "people.csv"), "--list", "news")
    with session_scope() as s:  # the CLI handed its events to the broker: handle them here
        ids = s.exec(select(OutboxEvent.id).where(col(OutboxEvent.handled_at).is_(None))).all()
    for event_id in ids:
        handle_event(event_id, HANDLERS)
    texts = {m.recipients[0]: " ".join(_text(m.message).split()) for m in outbox.messages}
    assert "els@example.org was entered on the website of" in texts["els@example.org"]
    assert "added piet@example.org to its mailing lists" in texts["piet@example.org"]
    assert "marie@example.org was on an address list that the press office of" in texts["marie@example.org"]
    assert not [who for who in texts if who != "els@example.org" and "website of" in texts[who]]

    token = re.search(r"/subscriptions/confirm/(\S+)", _text(outbox.messages[1].message))
    assert token is not None
    outbox.clear()
    with session_scope() as s:
        confirm_by_token(s, token.group(1))
    _handle_all()
    [welcome] = outbox.messages
    assert "added piet@example.org to its mailing lists" in " ".join(_text(welcome.message).split())
