"""Who is asking: API bearer tokens, the press office's session cookie, and CSRF tokens.

- The API (/api) accepts only `Authorization: Bearer <token>` (tokens from `pressroom users
  add` or `pressroom users token`). A session cookie never authenticates an API call, so a
  page on another site cannot make a signed-in browser call the API.
- The press UI signs in with e-mail and password (or single sign-on), then a code when the user
  has a second factor, and keeps a signed cookie (itsdangerous, keyed with PRESSROOM_SECRET_KEY)
  holding a random session id and a CSRF token; it is HttpOnly, SameSite=Lax, and Secure when
  PRESSROOM_BASE_URL is https. The session itself is a database row (`workflow.sessions`),
  checked against the user on every request. Between the password and the code the cookie holds
  only the pending step, which opens nothing but the code form.
- Every form (press UI and public pages) carries the session's CSRF token; `csrf_protect`
  refuses a POST without it. Visitors who are not signed in get an anonymous session for this.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData
from starlette.responses import Response

from core.db import session_scope
from core.settings import get_settings
from web.errors import CsrfRejected, Unauthenticated
from workflow import sessions
from workflow.access_errors import EnrolmentRequired
from workflow.models import User
from workflow.second_factor import has_second_factor, required_for
from workflow.users import user_for_token

COOKIE = "pressroom_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_STATE = "pressroom_session"
_DIRTY = "pressroom_session_dirty"
_SIGNED_IN = "pressroom_signed_in"
_SECOND = "second_step"


# --- API: bearer tokens -------------------------------------------------------------------------

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from `pressroom users add` or `pressroom users token`.",
)


def api_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    """The active user whose API token came with the request; raises Unauthenticated."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("an API token is required: send Authorization: Bearer <token>")
    if len(credentials.credentials) > 200:
        raise Unauthenticated("the API token is unknown or revoked")
    with session_scope() as session:
        user = user_for_token(session, credentials.credentials)
        if user is None:
            raise Unauthenticated("the API token is unknown or revoked")
    return user


ApiUser = Annotated[User, Depends(api_user)]


# --- the session cookie -------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="pressroom.web.session")


def _load_cookie(request: Request) -> dict[str, Any]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw, max_age=get_settings().session_max_age)
    except (BadSignature, ValueError, UnicodeError):
        return {}
    return data if isinstance(data, dict) else {}


def session_data(request: Request) -> dict[str, Any]:
    """This request's session (read once from the cookie); empty when there is none."""
    state = request.scope.setdefault("state", {})
    if _STATE not in state:
        state[_STATE] = _load_cookie(request)
    return state[_STATE]  # type: ignore[no-any-return]


def replace_session(request: Request, data: dict[str, Any]) -> None:
    """Replace the session's contents; the cookie is rewritten with the response."""
    state = request.scope.setdefault("state", {})
    state[_STATE] = data
    state[_DIRTY] = True


def csrf_token(request: Request) -> str:
    """The session's CSRF token, creating an anonymous session if there is none yet."""
    data = session_data(request)
    token = data.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        replace_session(request, {**data, "csrf": token})
    return token


def session_changed(request: Request) -> bool:
    """Whether the request wrote to the session (a CSRF token made for a form): its response
    then carries that person's cookie and no shared cache may keep it."""
    return bool(request.scope.get("state", {}).get(_DIRTY))


def write_cookie(request: Request, response: Response) -> None:
    """Set the session cookie on the response if the session changed during the request."""
    state = request.scope.get("state", {})
    if not state.get(_DIRTY):
        return
    settings = get_settings()
    response.set_cookie(
        COOKIE,
        _serializer().dumps(state[_STATE]),
        max_age=settings.session_max_age,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.lower().startswith("https://"),
        path="/",
    )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def sign_in(request: Request, user: User, method: str = "password") -> None:
    """Start a signed-in session (a new database row); a fresh CSRF token, so nothing from
    before carries over."""
    with session_scope() as session:
        token = sessions.open_session(session, user, method=method, ip=client_ip(request),
                                      user_agent=request.headers.get("user-agent", ""))
    replace_session(request, {"sid": token, "csrf": secrets.token_urlsafe(32)})


def sign_out(request: Request) -> None:
    """End this browser's session (logged) and leave it an anonymous one."""
    token = session_data(request).get("sid")
    if isinstance(token, str):
        with session_scope() as session:
            sessions.sign_out(session, token, client_ip(request))
    replace_session(request, {"csrf": secrets.token_urlsafe(32)})


@dataclass(frozen=True)
class SignedIn:
    """Who this request is signed in as, with which session, and whether they have a second factor."""

    user: User
    session_id: int
    has_second_factor: bool


def signed_in(request: Request) -> SignedIn | None:
    """The request's live session (looked up once per request), or None."""
    state = request.scope.setdefault("state", {})
    if _SIGNED_IN not in state:
        state[_SIGNED_IN] = None
        token = session_data(request).get("sid")
        if isinstance(token, str):
            with session_scope() as session:
                live = sessions.live_session(session, token)
                if live is not None:
                    state[_SIGNED_IN] = SignedIn(live.user, live.row.id or 0,
                                                 has_second_factor(session, live.user.id or 0))
    return state[_SIGNED_IN]  # type: ignore[no-any-return]


def session_user(request: Request) -> User | None:
    """The signed-in, active user of the session, or None."""
    signed = signed_in(request)
    return signed.user if signed is not None else None


def enrolling_user(request: Request) -> User:
    """The signed-in user, even one who still has to set up a second factor (the enrolment and
    account pages); raises Unauthenticated."""
    user = session_user(request)
    if user is None:
        raise Unauthenticated("please sign in")
    request.scope.setdefault("state", {})["pressroom_user"] = user
    return user


def press_user(request: Request) -> User:
    """The signed-in press-office user; raises Unauthenticated (pages redirect to sign-in) and
    EnrolmentRequired when PRESSROOM_REQUIRE_2FA names their role and they have no second factor."""
    user = enrolling_user(request)
    signed = signed_in(request)
    if signed is not None and not signed.has_second_factor and required_for(user):
        raise EnrolmentRequired(user.email, user.role.value)
    return user


PressUser = Annotated[User, Depends(press_user)]
EnrollingUser = Annotated[User, Depends(enrolling_user)]


# --- between the password and the code -----------------------------------------------------------

SECOND_STEP_SECONDS = 300  # the code must follow the password within five minutes


@dataclass(frozen=True)
class SecondStep:
    """A sign-in that passed its first step and waits for a code."""

    user: User
    method: str
    next: str


def begin_second_step(request: Request, user: User, method: str, next_path: str) -> None:
    """Remember (in the signed cookie) that `user` passed the first step: this grants nothing but
    the code form, for a few minutes."""
    replace_session(request, {"csrf": secrets.token_urlsafe(32), _SECOND: {
        "uid": user.id, "pw": sessions.fingerprint(user.password_hash), "method": method,
        "at": int(time.time()), "next": next_path}})


def second_step(request: Request) -> SecondStep | None:
    """The pending sign-in of this browser, if it is recent and its user unchanged."""
    pending = session_data(request).get(_SECOND)
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return None
    if not isinstance(pending.get("at"), int) or time.time() - pending["at"] > SECOND_STEP_SECONDS:
        return None
    with session_scope() as session:
        user = session.get(User, pending["uid"])
    if user is None or not user.active or pending.get("pw") != sessions.fingerprint(user.password_hash):
        return None
    return SecondStep(user, str(pending.get("method", "password")), str(pending.get("next", "/press")))


# --- CSRF ---------------------------------------------------------------------------------------


def check_csrf(request: Request, submitted: object) -> None:
    """Raise CsrfRejected unless `submitted` is this session's CSRF token."""
    expected = session_data(request).get("csrf")
    if (
        not isinstance(expected, str)
        or not isinstance(submitted, str)
        or not expected
        or not hmac.compare_digest(expected.encode(), submitted.encode())
    ):
        raise CsrfRejected()


async def submitted_token(request: Request) -> object:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return (await request.form()).get(CSRF_FIELD)
    return None


async def csrf_protect(request: Request) -> None:
    """Router dependency: every state-changing request must carry the session's CSRF token."""
    if request.method in UNSAFE_METHODS:
        try:
            check_csrf(request, await submitted_token(request))
        except CsrfRejected:
            await request.close()  # an upload's spooled files: no handler will read (and close) them
            raise


async def submitted_form(request: Request) -> FormData:
    """The request's form (parsed once), for handlers that read many or repeated fields."""
    return await request.form()


SubmittedForm = Annotated[FormData, Depends(submitted_form)]
