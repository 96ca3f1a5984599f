"""Server-side sessions: the cookie holds a random id whose hash is a row; the account page lists
the user's sessions and ends one or all others; deactivation, a role change and a new password
end sessions at their next request; sign-ins and sign-outs are in the account log."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from core.db import session_scope
from core.settings import get_settings
from tests.web.conftest import Web, csrf_of, sign_in
from web.passwords import hash_password
from workflow.account_log import events
from workflow.models import Role, SignInSession, User


def _sid(client: httpx.Client) -> str:
    cookie = client.cookies.get("pressroom_session") or ""
    data = URLSafeTimedSerializer(get_settings().secret_key, salt="pressroom.web.session").loads(cookie)
    assert set(data) == {"sid", "csrf"}  # no user id, no password fingerprint in the cookie
    return str(data["sid"])


def _rows(user_id: int) -> list[SignInSession]:
    with session_scope() as s:
        return list(s.exec(select(SignInSession).where(SignInSession.user_id == user_id)).all())


def test_the_cookie_holds_a_random_id_and_the_database_only_its_hash(web: Web) -> None:
    with web.browser() as client:
        assert sign_in(client, web.spokesperson.email).status_code == 303
        sid = _sid(client)
        [row] = _rows(web.spokesperson.id)
        assert row.token_hash == hashlib.sha256(sid.encode()).hexdigest() and sid not in row.token_hash
        assert row.ended_at is None and row.role is Role.SPOKESPERSON and row.method == "password"
        assert row.ip == "127.0.0.1" and row.user_agent.startswith("python-httpx")
        token = csrf_of(client.get("/press").text)
        client.post("/press/sign-out", data={"csrf_token": token})
        assert client.get("/press").status_code == 303
    [row] = _rows(web.spokesperson.id)
    assert row.ended_at is not None and row.end_reason == "signed out"
    with session_scope() as s:
        actions = [(e.action, e.ip) for e in events(s, web.spokesperson.id)]
    assert actions == [("signed_in", "127.0.0.1"), ("signed_out", "127.0.0.1")]


def test_a_failed_password_is_in_the_account_log(web: Web) -> None:
    with web.browser() as client:
        assert sign_in(client, web.approver.email, "wrong password!").status_code == 401
    with session_scope() as s:
        assert [(e.action, e.detail) for e in events(s, web.approver.id)] == [("sign_in_failed", "password")]


def test_last_use_is_written_at_most_once_a_minute(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.spokesperson.email)
        [row] = _rows(web.spokesperson.id)
        client.get("/press")
        [again] = _rows(web.spokesperson.id)
        assert again.last_used_at == row.last_used_at  # seconds later: not written
        with session_scope() as s:
            stored = s.get(SignInSession, row.id)
            assert stored is not None
            stored.last_used_at = stored.last_used_at - timedelta(minutes=2)
            stored.created_at = stored.created_at - timedelta(minutes=2)
            s.add(stored)
            old = stored.last_used_at
        client.get("/press")
        [touched] = _rows(web.spokesperson.id)
        assert touched.last_used_at > old + timedelta(minutes=1)


def test_end_all_other_sessions_from_the_account_page(web: Web) -> None:
    with web.browser() as laptop, web.browser() as phone, web.browser() as tablet:
        for client in (laptop, phone, tablet):
            assert sign_in(client, web.approver.email).status_code == 303
        page = laptop.get("/press/account")
        assert page.status_code == 200 and page.text.count("data-session=") == 3
        assert page.text.count('aria-current="true"') == 1
        ended = laptop.post("/press/account/sessions/end-others", data={"csrf_token": csrf_of(page.text)})
        assert ended.status_code == 303
        assert "2 other session(s) signed out" in laptop.get("/press/account").text
        assert phone.get("/press").status_code == 303 and tablet.get("/press").status_code == 303
        assert laptop.get("/press").status_code == 200
        assert laptop.get("/press/account").text.count("data-session=") == 1


def test_nobody_ends_another_users_session(web: Web) -> None:
    with web.browser() as mine, web.browser() as theirs:
        sign_in(mine, web.spokesperson.email)
        sign_in(theirs, web.spokesperson2.email)
        [their_row] = _rows(web.spokesperson2.id)
        token = csrf_of(mine.get("/press/account").text)
        response = mine.post(f"/press/account/sessions/{their_row.id}/end", data={"csrf_token": token})
        assert response.status_code == 404
        assert theirs.get("/press").status_code == 200


def test_ending_this_browsers_own_session_signs_it_out(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.spokesperson.email)
        [row] = _rows(web.spokesperson.id)
        token = csrf_of(client.get("/press/account").text)
        response = client.post(f"/press/account/sessions/{row.id}/end", data={"csrf_token": token})
        assert response.status_code == 303 and response.headers["location"] == "/press/sign-in"
        assert client.get("/press").status_code == 303


def _change(user_id: int, **values: object) -> None:
    with session_scope() as s:
        user = s.get(User, user_id)
        assert user is not None
        for key, value in values.items():
            setattr(user, key, value)
        s.add(user)


def test_deactivation_a_role_change_and_a_new_password_end_sessions(web: Web) -> None:
    changes = [(web.spokesperson, {"active": False}, "user deactivated"),
               (web.approver, {"role": Role.ADMIN}, "role changed"),
               (web.admin, {"password_hash": hash_password("another long password")}, "password changed")]
    for person, values, reason in changes:
        with web.browser() as client:
            sign_in(client, person.email)
            assert client.get("/press").status_code == 200
            _change(person.id, **values)
            assert client.get("/press").status_code == 303, reason
            [row] = _rows(person.id)
            assert row.end_reason == reason
    # Setting the role back does not revive the session: it was ended, not just refused.
    _change(web.approver.id, role=Role.APPROVER)
    [row] = _rows(web.approver.id)
    assert row.ended_at is not None


def test_an_expired_session_is_over(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.spokesperson.email)
        with session_scope() as s:
            [row] = s.exec(select(SignInSession)).all()
            row.created_at = row.created_at - timedelta(seconds=get_settings().session_max_age + 1)
            s.add(row)
        assert client.get("/press").status_code == 303
        [row] = _rows(web.spokesperson.id)
        assert row.end_reason == "expired"


def test_a_cookie_of_the_old_kind_signs_nobody_in(web: Web) -> None:
    """Before sessions were rows, the cookie named the user; such a cookie now opens nothing."""
    from workflow.sessions import fingerprint

    with session_scope() as s:
        user = s.get(User, web.admin.id)
        assert user is not None
        old = {"uid": user.id, "csrf": "t" * 43, "pw": fingerprint(user.password_hash)}
    cookie = URLSafeTimedSerializer(get_settings().secret_key, salt="pressroom.web.session").dumps(old)
    with web.browser() as client:
        client.cookies.set("pressroom_session", cookie, domain="127.0.0.1")
        assert client.get("/press").status_code == 303
