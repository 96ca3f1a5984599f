"""Choosing a password through a link sent by mail: an invitation's, or a reset's asked for on
the "Forgot password?" page.

The request page answers the same whatever the address, so it tells nobody who has an account;
it is rate-limited per address and per network and, like sign-in, refuses (503) when the limiter
cannot count. A link's page only shows the form: the password is set, and the link used up, by
the POST, so a mail scanner that opens links uses up nothing. Setting the password ends every
session made with the old one (the session cookie carries its fingerprint).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from web import ratelimit
from web.deps import acting, reading
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from web.passwords import MAX_LENGTH, MIN_LENGTH, check_strength, hash_password
from workflow import accounts

router = APIRouter()
Token = Annotated[str, Path(min_length=10, max_length=300, pattern=r"^[A-Za-z0-9_.-]+$")]
# The token is in the address: no other site is told it through a Referer.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}
PURPOSES = {"invitation": accounts.INVITATION, "password-reset": accounts.PASSWORD_RESET}



@router.get("/forgot-password")
def forgot_page(request: Request) -> Response:
    return render(request, "press/forgot_password.html", {"sent": False})


@router.post("/forgot-password")
def forgot_submit(request: Request, email: Annotated[str, Form(max_length=254)]) -> Response:
    """Mail a reset link if an active account has this address; the answer is the same either way."""
    by_address, by_ip = ratelimit.address_and_ip("password-reset")
    ip = request.client.host if request.client else "unknown"
    ratelimit.hit(by_address, email.strip().lower(), "too many password reset requests for this address; "
                  "try again later")
    ratelimit.hit(by_ip, ip, "too many password reset requests from your network; try again later")
    with acting() as session:
        accounts.request_password_reset(session, email)
    return render(request, "press/forgot_password.html", {"sent": True})


def _form(request: Request, kind: str, token: str, error: str = "", status: int = 200) -> Response:
    with reading() as session:
        user = accounts.user_for_link(session, PURPOSES[kind], token)
        email, language = user.email, user.language
    return render(request, "press/set_password.html",
                  {"kind": kind, "token": token, "email": email, "error": error,
                   "min_length": MIN_LENGTH, "max_length": MAX_LENGTH},
                  language=language, status=status, headers=NO_REFERRER)


@router.get("/invitation/{token}")
def invitation_page(request: Request, token: Token) -> Response:
    """The form to choose a first password; 404 for a link that is used, forged or expired."""
    return _form(request, "invitation", token)


@router.get("/password-reset/{token}")
def reset_page(request: Request, token: Token) -> Response:
    return _form(request, "password-reset", token)


def _set(request: Request, kind: str, token: str, password: str, repeat: str) -> Response:
    with reading() as session:
        language = ui_language(accounts.user_for_link(session, PURPOSES[kind], token).language)
    problem = ""
    try:
        check_strength(password)
    except ValueError:
        problem = translate("password_too_weak", language, min=MIN_LENGTH, max=MAX_LENGTH)
    if not problem and password != repeat:
        problem = translate("passwords_differ", language)
    if problem:
        return _form(request, kind, token, problem, status=422)
    with acting() as session:
        accounts.set_password_by_link(session, PURPOSES[kind], token, hash_password(password))
    flash(request, translate("password_set", language))
    return redirect("/press/sign-in")


@router.post("/invitation/{token}")
def accept_invitation(request: Request, token: Token, password: Annotated[str, Form(max_length=MAX_LENGTH)],
                      repeat: Annotated[str, Form(max_length=MAX_LENGTH)]) -> Response:
    """Set the first password; the link is used up, and the new user signs in."""
    return _set(request, "invitation", token, password, repeat)


@router.post("/password-reset/{token}")
def reset_password(request: Request, token: Token, password: Annotated[str, Form(max_length=MAX_LENGTH)],
                   repeat: Annotated[str, Form(max_length=MAX_LENGTH)]) -> Response:
    """Set the new password; the link and every session made with the old password are ended."""
    return _set(request, "password-reset", token, password, repeat)
