"""Sign-in, the session cookie and CSRF: forms without the session's token are refused, and a
session cookie never authenticates the API."""

from __future__ import annotations

import httpx

from core.settings import override_settings
from tests.web.conftest import PASSWORD, Web, csrf_of, release_body, sign_in


def test_sign_in_sets_a_hardened_cookie_and_sign_out_ends_it(web: Web) -> None:
    with web.browser() as client:
        response = sign_in(client, web.spokesperson.email)
        assert response.status_code == 303 and response.headers["location"] == "/press"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        dashboard = client.get("/press")
        assert dashboard.status_code == 200 and "An Peeters" in dashboard.text
        token = csrf_of(dashboard.text)
        assert client.post("/press/sign-out", data={"csrf_token": token}).status_code == 303
        assert client.get("/press").status_code == 303


def test_secure_cookie_when_the_site_is_https(web: Web) -> None:
    override_settings(base_url="https://press.example.be")
    with web.browser() as client:
        cookie = client.get("/press/sign-in").headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_wrong_password_unknown_user_and_no_password(web: Web) -> None:
    with web.browser() as client:
        assert sign_in(client, web.spokesperson.email, "wrong password!").status_code == 401
        assert sign_in(client, "nobody@example.be").status_code == 401
        assert client.get("/press").status_code == 303


def test_failed_sign_ins_are_rate_limited(web: Web) -> None:
    override_settings(sign_in_limit=3)
    with web.browser() as client:
        codes = [sign_in(client, web.approver.email, "wrong password!").status_code for _ in range(5)]
        assert codes == [401, 401, 401, 429, 429]
        assert sign_in(client, web.approver.email).status_code == 429  # even the right one, for now


def test_pages_redirect_to_sign_in_with_next(web: Web) -> None:
    with web.browser() as client:
        response = client.get("/press/releases/3/edit")
        assert response.status_code == 303
        assert response.headers["location"] == "/press/sign-in?next=%2Fpress%2Freleases%2F3%2Fedit"
        page = client.get(response.headers["location"])
        token = csrf_of(page.text)
        signed = client.post("/press/sign-in", data={"email": web.spokesperson.email, "password": PASSWORD,
                                                     "csrf_token": token, "next": "//evil.example/x"})
        assert signed.headers["location"] == "/press"


def test_form_post_without_or_with_a_wrong_csrf_token_is_refused(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.spokesperson.email)
        form = {"kind": "press_release", "default_language": "nl", "title_nl": "Zonder token", "body_nl": "x"}
        missing = client.post("/press/releases/new", data=form)
        wrong = client.post("/press/releases/new", data={**form, "csrf_token": "forged"})
        assert missing.status_code == 403 and wrong.status_code == 403
        assert "Dit formulier is verlopen" in missing.text  # said in the user's language (nl)
        token = csrf_of(client.get("/press").text)
        made = client.post("/press/releases/new", data={**form, "csrf_token": token})
        assert made.status_code == 303
    with web.api(web.spokesperson) as api:
        assert api.get("/releases").json()["total"] == 1


def test_another_sessions_token_does_not_work(web: Web) -> None:
    with web.browser() as mine, web.browser() as theirs:
        sign_in(mine, web.spokesperson.email)
        sign_in(theirs, web.spokesperson2.email)
        their_token = csrf_of(theirs.get("/press").text)
        response = mine.post("/press/releases/new", data={"title_nl": "x", "body_nl": "y", "csrf_token": their_token})
        assert response.status_code == 403


def test_public_forms_need_the_token_too(web: Web) -> None:
    with web.browser() as client:
        response = client.post("/subscribe", data={"email": "a@example.org", "lists": "public"})
        assert response.status_code == 403


def test_a_session_cookie_is_not_api_authentication(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.admin.email)
        token = csrf_of(client.get("/press").text)
        cookies = client.cookies
        with httpx.Client(base_url=f"{web.url}/api", cookies=cookies) as api:
            assert api.get("/releases").status_code == 401
            assert api.post("/releases", json=release_body()).status_code == 401
            with_csrf = api.post("/releases", json=release_body(), headers={"X-CSRF-Token": token})
            assert with_csrf.status_code == 401


def test_changing_the_password_ends_existing_sessions(web: Web) -> None:
    from core.db import session_scope
    from web.passwords import hash_password
    from workflow.models import User

    with web.browser() as client:
        sign_in(client, web.spokesperson.email)
        assert client.get("/press").status_code == 200
        with session_scope() as s:
            user = s.get(User, web.spokesperson.id)
            user.password_hash = hash_password("another long password")  # type: ignore[union-attr]
            s.add(user)
        assert client.get("/press").status_code == 303


def test_a_tampered_cookie_is_ignored(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.spokesperson.email)
        value = client.cookies.get("pressroom_session") or ""
        client.cookies.clear()
        client.cookies.set("pressroom_session", value[:-3] + "abc", domain="127.0.0.1")
        assert client.get("/press").status_code == 303


def test_unknown_api_query_parameters_are_refused(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        response = api.get("/releases", params={"stat": "draft"})
    assert response.status_code == 422 and response.json()["field"] == "query.stat"
