"""Invitations and password resets from end to end: the served app, a real Celery worker on the
real broker, and an SMTP sink. The links are taken from the mails as they arrived."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
from sqlmodel import select

from core.db import session_scope
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, csrf_of, sign_in
from workflow.models import AccountEvent


def _mails(sink: Sink, address: str) -> list[EmailMessage]:
    return [message_from_bytes(r.content, policy=policy.default)  # type: ignore[misc]
            for r in sink.received if address in r.rcpt_tos]


def _link(mail: EmailMessage, kind: str) -> str:
    """The path of the one-time link in the mail's text part, and the same link in its HTML."""
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    [url] = re.findall(rf"https?://\S+/press/{kind}/[A-Za-z0-9_.-]+", text)
    assert f'href="{url}"' in html
    return "/press/" + url.split("/press/", 1)[1]


def _choose(client: httpx.Client, path: str, password: str) -> httpx.Response:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"password": password, "repeat": password, "csrf_token": csrf_of(page.text)})


def _post(client: httpx.Client, url: str, data: dict[str, str], page: str) -> httpx.Response:
    return client.post(url, data={**data, "csrf_token": csrf_of(client.get(page).text)})


def test_an_invited_colleague_chooses_a_password_and_signs_in(web: Web, worker: Any, sink: Sink) -> None:
    with web.browser() as admin:
        assert sign_in(admin, web.admin.email).status_code == 303
        invited = _post(admin, "/press/users/invite", {"name": "Chloé Lambert", "email": "chloe@example.be",
                                                       "role": "spokesperson", "language": "fr"}, "/press/users")
        assert invited.status_code == 303
    wait_until(lambda: _mails(sink, "chloe@example.be"), 60, "the invitation")
    [mail] = _mails(sink, "chloe@example.be")
    assert str(mail["Subject"]).startswith("Votre invitation au service de presse de")
    assert "reste valable 7 jours" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    path = _link(mail, "invitation")

    with web.browser() as chloe:
        assert "Bienvenue au service de presse" in chloe.get(path).text  # in her language, not the browser's
        assert _choose(chloe, path, "un mot de passe solide").status_code == 303
        assert sign_in(chloe, "chloe@example.be", "un mot de passe solide").status_code == 303
        assert chloe.get("/press").status_code == 200
        assert chloe.get(path).status_code == 404  # used up


def test_a_reset_by_mail_sets_a_new_password_and_ends_the_old_sessions(web: Web, worker: Any, sink: Sink) -> None:
    with web.browser() as laptop, web.browser() as phone:
        assert sign_in(laptop, web.approver.email).status_code == 303
        asked = _post(phone, "/press/forgot-password", {"email": web.approver.email}, "/press/forgot-password")
        assert asked.status_code == 200
        _post(phone, "/press/forgot-password", {"email": "nobody@example.be"}, "/press/forgot-password")
        wait_until(lambda: _mails(sink, web.approver.email), 60, "the reset mail")
        [mail] = _mails(sink, web.approver.email)
        assert str(mail["Subject"]).startswith("New password for the press office of")
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "stays valid for one hour" in text and "your password stays the same" in text
        path = _link(mail, "password-reset")

        assert laptop.get("/press").status_code == 200  # asking changes nothing yet
        assert _choose(phone, path, "another good password").status_code == 303
        assert laptop.get("/press").status_code == 303  # the old session is over
        assert sign_in(phone, web.approver.email).status_code == 401  # the old password too
        assert sign_in(phone, web.approver.email, "another good password").status_code == 303
        assert phone.get(path).status_code == 404
    assert [r.rcpt_tos for r in sink.received] == [[web.approver.email]]  # nobody@ got nothing
    with session_scope() as session:
        requests = session.exec(select(AccountEvent).where(AccountEvent.action == "password_reset_requested")).all()
        assert [(c.user_id, c.actor_label) for c in requests] == [(web.approver.id, "password reset form")]
