"""Single sign-on against a real OpenID provider on loopback (oidc-provider-mock, which is
Authlib's authorization server on Flask): the code flow with PKCE, state and nonce, the role
claim, and every refusal (unknown address, deactivated user, unverified address, a callback
that is not this browser's, not configured)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from core.db import session_scope
from tests.web.conftest import Provider, Web, enrol, enter_code, sign_in, totp_code
from workflow.account_log import events
from workflow.models import Role, SignInSession, User

# The provider (a test tool, in this process) still calls an Authlib API that Authlib deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")


def _start(client: httpx.Client) -> str:
    """Our sign-in sends the browser to the provider; returns the authorization URL."""
    start = client.get("/press/sign-in/sso", params={"next": "/press/releases"})
    assert start.status_code == 302, start.text
    return start.headers["location"]


def _authorize(authorization_url: str, sub: str) -> str:
    """The person picks `sub` on the provider's page; returns where the provider sends them."""
    answer = httpx.post(authorization_url, data={"sub": sub}, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def _flow(client: httpx.Client, sub: str) -> httpx.Response:
    return client.get(_authorize(_start(client), sub))


def test_the_authorization_request_uses_pkce_state_and_nonce(web: Web, provider: Provider) -> None:
    with web.browser() as client:
        query = parse_qs(urlsplit(_start(client)).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["pressroom"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and "openid" in query["scope"][0].split()
    assert query["redirect_uri"] == [f"{web.url}/press/sign-in/sso/callback"]


def test_a_known_verified_address_signs_in_and_the_claim_sets_the_role(web: Web, provider: Provider) -> None:
    provider.person("marc-sub", email="Marc@Example.be", email_verified=True, pressroom_role="admin")
    with web.browser() as client:
        signed = _flow(client, "marc-sub")
        assert signed.status_code == 303 and signed.headers["location"] == "/press/releases"
        assert client.get("/press").status_code == 200
    with session_scope() as s:
        user = s.get(User, web.approver.id)
        assert user is not None and user.role is Role.ADMIN
        [row] = s.exec(select(SignInSession)).all()
        assert row.method == "sso" and row.role is Role.ADMIN
        log = [(e.action, e.detail, e.before, e.after) for e in events(s, web.approver.id)]
    assert log == [("role_from_sso", "", {"role": "approver"}, {"role": "admin"}), ("signed_in", "sso", None, None)]


def test_a_claim_that_names_no_role_changes_nothing(web: Web, provider: Provider) -> None:
    provider.person("an-sub", email="an@example.be", email_verified=True, pressroom_role="superuser")
    with web.browser() as client:
        assert _flow(client, "an-sub").status_code == 303
    with session_scope() as s:
        user = s.get(User, web.spokesperson.id)
        assert user is not None and user.role is Role.SPOKESPERSON


def test_an_unknown_address_creates_nobody(web: Web, provider: Provider) -> None:
    provider.person("stranger", email="stranger@example.org", email_verified=True, pressroom_role="admin")
    with web.browser() as client:
        client.headers["Accept-Language"] = "en"
        refused = _flow(client, "stranger")
        assert refused.status_code == 403 and "Ask an admin for an invitation" in refused.text
        assert client.get("/press").status_code == 303
    with session_scope() as s:
        assert s.exec(select(User).where(User.email == "stranger@example.org")).first() is None
        assert not s.exec(select(SignInSession)).all()


def test_a_deactivated_user_is_refused(web: Web, provider: Provider) -> None:
    with session_scope() as s:
        user = s.get(User, web.spokesperson2.id)
        assert user is not None
        user.active = False
        s.add(user)
    provider.person("bert-sub", email="bert@example.be", email_verified=True)
    with web.browser() as client:
        client.headers["Accept-Language"] = "fr"
        refused = _flow(client, "bert-sub")
        assert refused.status_code == 403 and "Ce compte est désactivé" in refused.text
        assert client.get("/press").status_code == 303


def test_an_unverified_address_is_refused(web: Web, provider: Provider) -> None:
    provider.person("nina-sub", email="nina@example.be", email_verified=False)
    provider.person("nina-2", email="nina@example.be")  # no email_verified claim at all
    for sub in ("nina-sub", "nina-2"):
        with web.browser() as client:
            client.headers["Accept-Language"] = "en"
            refused = _flow(client, sub)
            assert refused.status_code == 403 and "does not confirm your e-mail address" in refused.text
            assert client.get("/press").status_code == 303


def test_a_callback_from_another_browser_is_refused(web: Web, provider: Provider) -> None:
    """Login CSRF: an attacker's authorization code, sent to a victim's browser, signs nobody in."""
    provider.person("marc-sub", email="marc@example.be", email_verified=True)
    with web.browser() as attacker, web.browser() as victim:
        callback = _authorize(_start(attacker), "marc-sub")
        victim.headers["Accept-Language"] = "en"
        refused = victim.get(callback)
        assert refused.status_code == 403 and "identity provider failed" in refused.text
        assert victim.get("/press").status_code == 303
        # The state is spent in the browser that started the flow only after it is used there.
        assert attacker.get(callback).status_code == 303


def test_a_provider_that_denies_signs_nobody_in(web: Web, provider: Provider) -> None:
    with web.browser() as client:
        denied = httpx.post(_start(client), data={"action": "deny"}, timeout=10)
        assert denied.status_code == 302 and "error=access_denied" in denied.headers["location"]
        assert client.get(denied.headers["location"]).status_code == 403
        assert client.get("/press").status_code == 303


def test_single_sign_on_still_asks_for_the_second_factor(web: Web, provider: Provider) -> None:
    with web.browser() as client:
        sign_in(client, web.admin.email)
        secret, _ = enrol(client)
    provider.person("root-sub", email="root@example.be", email_verified=True)
    with web.browser() as client:
        first = _flow(client, "root-sub")
        assert first.status_code == 303 and first.headers["location"] == "/press/sign-in/code"
        assert client.get("/press").status_code == 303
        done = enter_code(client, totp_code(secret, 1))
        assert done.status_code == 303 and done.headers["location"] == "/press/releases"
    with session_scope() as s:
        assert s.exec(select(SignInSession).where(SignInSession.method == "sso+totp")).first() is not None


def test_without_configuration_there_is_no_button_and_no_route(web: Web) -> None:
    with web.browser() as client:
        assert "Sign in with" not in client.get("/press/sign-in", headers={"Accept-Language": "en"}).text
        assert client.get("/press/sign-in/sso").status_code == 404
        assert client.get("/press/sign-in/sso/callback?code=x&state=y").status_code == 404


def test_the_button_names_the_provider(web: Web, provider: Provider) -> None:
    with web.browser() as client:
        page = client.get("/press/sign-in", headers={"Accept-Language": "en"})
    assert 'href="/press/sign-in/sso?next=%2Fpress"' in page.text and "Sign in with Test IdP" in page.text


def test_pressroom_check_reads_the_providers_discovery_document(web: Web, provider: Provider) -> None:
    from cli.check import check_single_sign_on
    from core.settings import get_settings, override_settings

    result = check_single_sign_on(get_settings())
    assert result.ok and result.detail.startswith(provider.url)
    override_settings(oidc_issuer=f"{provider.url}/nothing-here")
    assert "cannot read the discovery document" in check_single_sign_on(get_settings()).detail
    override_settings(oidc_issuer="", oidc_client_id="", oidc_client_secret="")
    assert check_single_sign_on(get_settings()).detail == "not configured (passwords only)"
