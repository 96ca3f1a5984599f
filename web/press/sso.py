"""Single sign-on with OpenID Connect, beside passwords: the authorization code flow with PKCE,
state and nonce, through Authlib's Starlette client.

Offered only when PRESSROOM_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET are set. Authlib keeps
the flow's state, nonce and PKCE verifier in `request.session`; here that is the signed
session cookie, so the callback only completes in the browser that started the flow. Who the
identity is, and what it may change, is `workflow.sso`'s to say.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Annotated, Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from core.db import session_scope
from core.errors import NotFound
from core.settings import get_settings
from web.auth import client_ip, replace_session, session_data
from web.press.session import first_step_passed
from workflow.access_errors import SingleSignOnFailed
from workflow.models import User
from workflow.sso import user_for_claims

with warnings.catch_warnings():
    # Authlib 1.9 warns when it uses httpx instead of its successor httpx2; httpx is what the
    # lock pins, and the client works the same on it.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App

router = APIRouter()
_NEXT = "sso_next"
CALLBACK = "/press/sign-in/sso/callback"


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str) -> StarletteOAuth2App:
    oauth = OAuth()
    client = oauth.register(
        "pressroom", client_id=client_id, client_secret=client_secret,
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256", "timeout": 10},
    )
    assert isinstance(client, StarletteOAuth2App)
    return client


def oidc_client() -> StarletteOAuth2App:
    """The configured provider's client; raises NotFound when single sign-on is not configured."""
    settings = get_settings()
    if not settings.oidc_enabled:
        raise NotFound("page", "single sign-on")
    return _client(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret)


def _lend_session(request: Request) -> dict[str, Any]:
    """Authlib reads and writes `request.session`: give it a copy of the signed cookie's data."""
    borrowed = dict(session_data(request))
    request.scope["session"] = borrowed
    return borrowed


@router.get("/sign-in/sso")
async def sso_start(request: Request, next: Annotated[str, Query(max_length=2000)] = "/press") -> Response:
    """Send the browser to the provider."""
    client = oidc_client()
    borrowed = _lend_session(request)
    try:
        response = await client.authorize_redirect(request, f"{get_settings().base_url.rstrip('/')}{CALLBACK}")
    except (OAuthError, httpx.HTTPError, ValueError) as exc:
        raise SingleSignOnFailed(f"the provider's configuration cannot be read: {exc}") from None
    replace_session(request, {**borrowed, _NEXT: next})
    return response


def _sign_in_as(request: Request, claims: dict[str, Any], next_path: str) -> Response:
    with session_scope() as session:
        user = user_for_claims(session, claims, client_ip(request))
        row = session.get(User, user.id)
    assert row is not None
    return first_step_passed(request, row, "sso", next_path)


@router.get("/sign-in/sso/callback")
async def sso_callback(request: Request) -> Response:
    """The provider's answer: check state, exchange the code (with the PKCE verifier), verify
    the ID token and its nonce, then sign in the user its verified address names."""
    client = oidc_client()
    borrowed = _lend_session(request)
    next_path = str(borrowed.pop(_NEXT, "/press"))
    try:
        token = await client.authorize_access_token(request)
    except (OAuthError, httpx.HTTPError, ValueError) as exc:
        raise SingleSignOnFailed(str(exc) or type(exc).__name__) from None
    finally:
        replace_session(request, dict(borrowed))
    claims = token.get("userinfo")
    if not isinstance(claims, dict):
        raise SingleSignOnFailed("the provider sent no ID token")
    return await run_in_threadpool(_sign_in_as, request, dict(claims), next_path)
