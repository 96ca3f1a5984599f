"""Signing in and out of the press-office UI, and the user's interface language.

Signing in has up to two steps: the password (or single sign-on, `web.press.sso`), then, for a
user with an authenticator, a code from it or a recovery code. Between them the browser holds
only the pending step (`web.auth.second_step`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from core.db import session_scope
from core.settings import get_settings
from web import ratelimit
from web.auth import (
    PressUser,
    begin_second_step,
    client_ip,
    second_step,
    session_user,
    sign_in,
    sign_out,
)
from web.deps import acting
from web.i18n import UI_LANGUAGES
from web.pages import redirect, render
from web.passwords import hash_password, needs_rehash, verify_password
from workflow.access_errors import SecondFactorRefused
from workflow.account_log import AccountAction, record
from workflow.models import User
from workflow.second_factor import has_second_factor, verify
from workflow.users import find_user

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) may follow a sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/press"



def code_limit() -> ratelimit.Limit:
    settings = get_settings()
    # Per user: six digits with three valid codes at a time would fall to a few thousand tries.
    return ratelimit.Limit("second-factor", settings.sign_in_limit, settings.sign_in_limit_window,
                           fail_closed=True)


def first_step_passed(request: Request, user: User, method: str, next_path: str) -> Response:
    """The password or the identity provider said who this is: sign in, or ask for the code
    when the user has a second factor."""
    with session_scope() as session:
        needs_code = has_second_factor(session, user.id or 0)
    if needs_code:
        begin_second_step(request, user, method, _safe_next(next_path))
        return redirect("/press/sign-in/code")
    sign_in(request, user, method)
    return redirect(_safe_next(next_path))


def _sign_in_page(request: Request, next_path: str, email: str = "", failed: bool = False) -> Response:
    return render(request, "press/sign_in.html", {"next": _safe_next(next_path), "failed": failed, "email": email},
                  status=401 if failed else 200)


@router.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    if session_user(request) is not None:
        return redirect(_safe_next(next))
    return _sign_in_page(request, next or "/press")


@router.post("/sign-in")
def sign_in_submit(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/press",
) -> Response:
    """Check the password (scrypt); failed attempts are limited per address and per IP."""
    by_address, by_ip = ratelimit.address_and_ip("sign-in")
    address = email.strip().lower()
    ip = client_ip(request)
    # Every attempt counts; a successful one clears the address's count.
    ratelimit.hit(by_address, address, "too many failed sign-ins for this address; try again later")
    ratelimit.hit(by_ip, ip, "too many sign-ins from your network; try again later")
    with session_scope() as session:
        user = find_user(session, address)
        stored = user.password_hash if user is not None else None
    ok = verify_password(password, stored) and user is not None and user.active
    if not ok:
        if user is not None:
            with session_scope() as session:
                record(session, user, AccountAction.SIGN_IN_FAILED, detail="password", ip=ip)
        return _sign_in_page(request, next, email, failed=True)
    assert user is not None
    ratelimit.reset(by_address, address)
    if stored and needs_rehash(stored):
        with session_scope() as session:
            row = session.get(User, user.id)
            if row is not None:
                row.password_hash = hash_password(password)
                session.add(row)
                user = row
    return first_step_passed(request, user, "password", next)


@router.get("/sign-in/code")
def code_page(request: Request) -> Response:
    if second_step(request) is None:
        return redirect("/press/sign-in")
    return render(request, "press/sign_in_code.html", {"refused": False})


@router.post("/sign-in/code")
def code_submit(request: Request, code: Annotated[str, Form(max_length=40)]) -> Response:
    """The second step: a code from the authenticator or a recovery code, limited per user."""
    pending = second_step(request)
    if pending is None:
        return redirect("/press/sign-in")
    limit = code_limit()
    ratelimit.hit(limit, str(pending.user.id), "too many codes tried; try again later")
    try:
        with session_scope() as session:
            kind = verify(session, pending.user, code, client_ip(request))
    except SecondFactorRefused:
        with session_scope() as session:
            record(session, pending.user, AccountAction.SIGN_IN_FAILED, detail="second factor",
                   ip=client_ip(request))
        return render(request, "press/sign_in_code.html", {"refused": True}, status=401)
    ratelimit.reset(limit, str(pending.user.id))
    sign_in(request, pending.user, f"{pending.method}+{kind}")
    return redirect(pending.next)


@router.post("/sign-out")
def sign_out_submit(request: Request) -> Response:
    sign_out(request)
    return redirect("/press/sign-in")


@router.post("/language")
def set_language(
    request: Request, user: PressUser,
    language: Annotated[str, Form(max_length=5)],
    next: Annotated[str, Form(max_length=2000)] = "/press",
) -> Response:
    """Remember the user's interface language (one of UI_LANGUAGES)."""
    if language in UI_LANGUAGES:
        with acting() as session:
            row = session.get(User, user.id)
            if row is not None:
                row.language = language
                session.add(row)
    return redirect(_safe_next(next))
