"""The contact directory: the spokesperson blocks releases print. Everyone may read it and add a
contact; an entry is changed only by an admin or by that person (`may_change_contact`), and
every change is recorded. Revisions keep the details they were approved with: a change here
feeds new revisions only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlmodel import col, select

from core.errors import InvalidInput, NotFound
from core.settings import get_settings
from web.auth import PressUser, SubmittedForm
from web.deps import acting, attach, reading
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from web.schemas import MAX_ID
from workflow.errors import NotContactOwner
from workflow.models import Contact
from workflow.users import may_change_contact, save_contact

router = APIRouter()
ContactId = Annotated[int, Path(ge=1, le=MAX_ID)]
FIELDS = ("name", "email", "phone", "mobile")


def _values(form: Any) -> dict[str, str]:
    """The form as typed: name, email, phone, mobile and function_<language>."""
    names = [*FIELDS, *(f"function_{code}" for code in get_settings().languages)]
    return {name: str(form.get(name) or "")[:254] for name in names}


def _data(values: dict[str, str], every_language: bool) -> dict[str, Any]:
    """What `save_contact` takes; a new contact leaves out the languages left empty."""
    functions = {code: values[f"function_{code}"].strip() for code in get_settings().languages}
    return {"email": values["email"].strip(), "name": values["name"], "phone": values["phone"],
            "mobile": values["mobile"],
            "function": functions if every_language else {k: v for k, v in functions.items() if v}}


def _error_input(error: InvalidInput) -> str:
    """The form input of a refused field such as "contacts.function.fr" or "contacts.email"."""
    parts = error.field.split(".")
    if "function" in parts and parts[-1] != "function":
        return f"function_{parts[-1]}"
    return parts[-1] if parts[-1] in FIELDS else "email"


def _values_of(contact: Contact) -> dict[str, str]:
    values = {name: str(getattr(contact, name)) for name in FIELDS}
    for code in get_settings().languages:
        values[f"function_{code}"] = (contact.function or {}).get(code, "")
    return values


@router.get("/contacts")
def contacts_page(request: Request, user: PressUser) -> Response:
    return _list(request, user)


def _list(request: Request, user: Any, form: dict[str, str] | None = None,
          error: InvalidInput | None = None, status: int = 200) -> Response:
    with reading() as session:
        rows = [{"id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "mobile": c.mobile,
                 "function": dict(c.function or {}), "may_change": may_change_contact(user, c.email)}
                for c in session.exec(select(Contact).order_by(col(Contact.name), col(Contact.id))).all()]
    return render(request, "press/contacts.html", {
        "rows": rows, "form": form or dict.fromkeys(_values({}), ""), "error": error,
        "error_input": _error_input(error) if error else "",
    }, status=status)


@router.post("/contacts")
def add_contact(request: Request, user: PressUser, form: SubmittedForm) -> Response:
    """Add a contact (keyed by e-mail address: an existing entry is changed, if one may)."""
    values = _values(form)
    try:
        with acting() as session:
            contact = save_contact(session, attach(session, user), _data(values, every_language=False))
            name = contact.name
    except InvalidInput as error:
        return _list(request, user, values, error, status=422)
    flash(request, translate("contact_saved", ui_language(user.language), name=name))
    return redirect("/press/contacts")


def _contact(session: Any, contact_id: int, user: Any) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    if not may_change_contact(user, contact.email):
        raise NotContactOwner(user.email, contact.email)
    return contact  # type: ignore[no-any-return]


def _edit(request: Request, contact_id: int, values: dict[str, str], error: InvalidInput | None = None,
          status: int = 200) -> Response:
    return render(request, "press/contact.html", {
        "contact_id": contact_id, "form": values, "error": error,
        "error_input": _error_input(error) if error else "",
    }, status=status)


@router.get("/contacts/{contact_id}")
def contact_page(request: Request, user: PressUser, contact_id: ContactId) -> Response:
    """The form to change one entry; 403 for anyone but an admin or that contact."""
    with reading() as session:
        values = _values_of(_contact(session, contact_id, user))
    return _edit(request, contact_id, values)


@router.post("/contacts/{contact_id}")
def change_contact(request: Request, user: PressUser, contact_id: ContactId, form: SubmittedForm) -> Response:
    values = _values(form)
    try:
        with acting() as session:
            contact = _contact(session, contact_id, user)
            values["email"] = contact.email  # the key of the entry: changed by adding a new one
            name = save_contact(session, attach(session, user), _data(values, every_language=True)).name
    except InvalidInput as error:
        return _edit(request, contact_id, values, error, status=422)
    flash(request, translate("contact_saved", ui_language(user.language), name=name))
    return redirect("/press/contacts")
