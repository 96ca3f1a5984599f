"""Signing in and out of the press-office UI, and the user's interface language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import select

from core.db import session_scope
from core.settings import get_settings
from web import ratelimit
from web.auth import PressUser, session_user, sign_in, sign_out
from web.deps import acting
from web.i18n import UI_LANGUAGES
from web.pages import redirect, render
from web.passwords import hash_password, needs_rehash, verify_password
from workflow.models import User

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) may follow a sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/press"


def _limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    settings = get_settings()
    # Fail closed: without a working limit, sign-in would be an unlimited password oracle.
    return (ratelimit.Limit("sign-in-address", settings.sign_in_limit, settings.sign_in_limit_window,
                            fail_closed=True),
            ratelimit.Limit("sign-in-ip", settings.sign_in_limit * 10, settings.sign_in_limit_window,
                            fail_closed=True))


@router.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    if session_user(request) is not None:
        return redirect(_safe_next(next))
    return render(request, "press/sign_in.html", {"next": _safe_next(next), "failed": False, "email": ""})


@router.post("/sign-in")
def sign_in_submit(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/press",
) -> Response:
    """Check the password (scrypt); failed attempts are limited per address and per IP."""
    by_address, by_ip = _limits()
    address = email.strip().lower()
    ip = request.client.host if request.client else "unknown"
    # Every attempt counts; a successful one clears the address's count.
    ratelimit.hit(by_address, address, "too many failed sign-ins for this address; try again later")
    ratelimit.hit(by_ip, ip, "too many sign-ins from your network; try again later")
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == address)).first()
        stored = user.password_hash if user is not None else None
    ok = verify_password(password, stored) and user is not None and user.active
    if not ok:
        return render(request, "press/sign_in.html",
                      {"next": _safe_next(next), "failed": True, "email": email}, status=401)
    assert user is not None
    ratelimit.reset(by_address, address)
    if stored and needs_rehash(stored):
        with session_scope() as session:
            row = session.get(User, user.id)
            if row is not None:
                row.password_hash = hash_password(password)
                session.add(row)
                user = row
    sign_in(request, user)
    return redirect(_safe_next(next))


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
