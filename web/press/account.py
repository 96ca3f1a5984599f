"""The user's own account: their signed-in sessions (end one, or all but this one) and setting
up two-step sign-in with an authenticator app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from core.db import session_scope
from web import ratelimit
from web.auth import EnrollingUser, client_ip, sign_out, signed_in
from web.i18n import translate
from web.pages import flash, redirect, render
from web.press.session import code_limit
from workflow import second_factor, sessions
from workflow.access_errors import SecondFactorRefused
from workflow.models import User

router = APIRouter()

SessionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _current_id(request: Request) -> int:
    signed = signed_in(request)
    return signed.session_id if signed is not None else 0


@router.get("/account")
def account_page(request: Request, user: EnrollingUser) -> Response:
    with session_scope() as session:
        rows = sessions.live_sessions(session, user)
        enrolled = second_factor.has_second_factor(session, user.id or 0)
        codes_left = second_factor.unused_recovery_codes(session, user.id or 0)
    return render(request, "press/account.html", {
        "sessions": rows, "current_id": _current_id(request), "enrolled": enrolled,
        "codes_left": codes_left, "required": second_factor.required_for(user)})


@router.post("/account/sessions/{session_id}/end")
def end_one(request: Request, user: EnrollingUser, session_id: SessionId) -> Response:
    """End one of the user's sessions; ending this browser's own is signing out."""
    if session_id == _current_id(request):
        sign_out(request)
        return redirect("/press/sign-in")
    with session_scope() as session:
        sessions.end_session(session, user, session_id, client_ip(request))
    flash(request, translate("session_ended", user.language))
    return redirect("/press/account")


@router.post("/account/sessions/end-others")
def end_others(request: Request, user: EnrollingUser) -> Response:
    with session_scope() as session:
        count = sessions.end_other_sessions(session, user, _current_id(request), client_ip(request))
    flash(request, translate("sessions_ended", user.language, count=count))
    return redirect("/press/account")


def _enrolment_page(request: Request, user: User, refused: bool = False) -> Response:
    with session_scope() as session:
        secret = second_factor.start_enrolment(session, user)
    uri = second_factor.provisioning_uri(user, secret)
    return render(request, "press/two_factor.html", {
        "qr": second_factor.qr_svg(uri, translate("qr_title", user.language)),
        "secret": second_factor.grouped(secret), "refused": refused,
        "required": second_factor.required_for(user)}, status=422 if refused else 200)


@router.get("/account/two-factor")
def enrolment_page(request: Request, user: EnrollingUser) -> Response:
    """The QR code and the secret of a new authenticator, and the form to confirm it."""
    with session_scope() as session:
        if second_factor.has_second_factor(session, user.id or 0):
            return redirect("/press/account")
    return _enrolment_page(request, user)


@router.post("/account/two-factor")
def enrolment_submit(request: Request, user: EnrollingUser, code: Annotated[str, Form(max_length=40)]) -> Response:
    """Confirm the authenticator with a first code; the recovery codes are shown this once."""
    limit = code_limit()
    ratelimit.hit(limit, str(user.id), "too many codes tried; try again later")
    try:
        with session_scope() as session:
            codes = second_factor.confirm_enrolment(session, user, code, client_ip(request))
    except SecondFactorRefused:
        return _enrolment_page(request, user, refused=True)
    ratelimit.reset(limit, str(user.id))
    return render(request, "press/recovery_codes.html", {"codes": codes})
