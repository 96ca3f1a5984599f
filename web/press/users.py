"""The users page (admins): who works in the press office, with which role and language, and when
they last signed in; invite someone by mail, change a role, deactivate or reactivate. Every change
is in the account log, whose latest changes the page lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from core.errors import Conflict, InvalidInput, NotFound, PressroomError
from core.settings import get_settings
from web.auth import PressUser
from web.deps import acting, attach, reading
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from web.schemas import MAX_ID
from workflow import accounts
from workflow.account_log import differences, recent_changes
from workflow.guards import require_role
from workflow.models import Role, User

router = APIRouter()
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]
INVITE_FIELDS = ("name", "email", "role", "language")
# The STRINGS key that names each field a change shows before → after. Being active is left out:
# the action (deactivated, reactivated) says it.
FIELD_LABELS = {"name": "name", "email": "email", "role": "role", "language": "interface_language"}


def _page(request: Request, form: dict[str, str] | None = None, error: PressroomError | None = None,
          status: int = 200) -> Response:
    """The list, the invitation form (with `form` as typed and `error` beside its field), the
    latest changes to accounts from the account log."""
    with reading() as session:
        rows = accounts.staff_view(session)
        names = {row["id"]: row["email"] for row in rows}
        history = [{"at": e.at, "actor": e.actor_label, "user": names.get(e.user_id, ""), "action": e.action,
                    "changes": [(FIELD_LABELS[field], field, old, new) for field, old, new
                                in differences(e.before, e.after) if field in FIELD_LABELS]}
                   for e in recent_changes(session)]
    field = ""
    if isinstance(error, InvalidInput):
        field = error.field.split(".")[-1]
    elif error is not None:
        field = "email"  # a taken address
    return render(request, "press/users.html", {
        "rows": rows, "history": history, "roles": [r.value for r in Role],
        "form": form or {"name": "", "email": "", "role": Role.SPOKESPERSON.value,
                         "language": get_settings().default_language},
        "error": error, "error_input": field if field in INVITE_FIELDS else "email",
    }, status=status)


def _target(session: Session, user_id: int) -> User:
    target = session.get(User, user_id)
    if target is None:
        raise NotFound("user", user_id)
    return target


def _done(request: Request, user: User, key: str, **values: object) -> Response:
    flash(request, translate(key, ui_language(user.language), **values))
    return redirect("/press/users")


@router.get("/users")
def users_page(request: Request, user: PressUser) -> Response:
    require_role(user, accounts.MANAGE_USERS)
    return _page(request)


@router.post("/users/invite")
def invite(
    request: Request, user: PressUser,
    name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    language: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Create the user without a password and mail them the link to choose one."""
    require_role(user, accounts.MANAGE_USERS)
    form = {"name": name, "email": email, "role": role, "language": language}
    try:
        with acting() as session:
            made = accounts.invite(session, attach(session, user), email, name, role, language or None)
            address = made.email
    except InvalidInput as error:
        return _page(request, form, error, status=422)
    except Conflict as error:
        return _page(request, form, error, status=409)
    return _done(request, user, "user_invited", email=address)


@router.post("/users/{user_id}/invite")
def resend(request: Request, user: PressUser, user_id: UserId) -> Response:
    """Mail a new invitation link to someone who has not chosen a password yet."""
    with acting() as session:
        target = _target(session, user_id)
        accounts.resend_invitation(session, attach(session, user), target)
        address = target.email
    return _done(request, user, "user_invited", email=address)


@router.post("/users/{user_id}/role")
def change_role(request: Request, user: PressUser, user_id: UserId,
                role: Annotated[str, Form(max_length=20)]) -> Response:
    with acting() as session:
        target = accounts.change_role(session, attach(session, user), _target(session, user_id), role)
        address, new = target.email, target.role.value
    return _done(request, user, "user_role_changed", email=address,
                 role=translate(f"role_{new}", ui_language(user.language)))


@router.post("/users/{user_id}/deactivate")
def deactivate(request: Request, user: PressUser, user_id: UserId) -> Response:
    """Deactivate: the person's sessions, API tokens and password links stop working at once."""
    with acting() as session:
        address = accounts.set_active(session, attach(session, user), _target(session, user_id), False).email
    return _done(request, user, "user_deactivated", email=address)


@router.post("/users/{user_id}/reactivate")
def reactivate(request: Request, user: PressUser, user_id: UserId) -> Response:
    with acting() as session:
        address = accounts.set_active(session, attach(session, user), _target(session, user_id), True).email
    return _done(request, user, "user_reactivated", email=address)
