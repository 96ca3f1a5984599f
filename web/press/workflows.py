"""The approval chains page (admins): each release kind's steps, who signs each and how many
must, with a form per kind that stores them (workflow.chains)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from core.errors import InvalidInput
from core.settings import get_settings
from web.auth import PressUser, SubmittedForm
from web.deps import acting, attach, reading
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from workflow.chains import CHANGE_ACTION, MAX_STEPS, chains_view, clear_chain, set_chain
from workflow.guards import require_role
from workflow.models import ReleaseKind

router = APIRouter()
Kind = Annotated[ReleaseKind, Path()]
BLANK_ROWS = 2  # empty step rows under the existing ones, to add steps


def _form_of(row: dict[str, Any]) -> dict[str, Any]:
    """A chain as the form's rows: names per language, approvers as typed, required."""
    steps = [] if row["default"] else row["steps"]
    rows = [{"names": dict(step["names"]), "required": str(step["required"]),
             "approvers": step["approvers"] if isinstance(step["approvers"], str) else ", ".join(step["approvers"])}
            for step in steps]
    return {"steps": rows, "allow_same_approver": row["allow_same_approver"]}


def _page(request: Request, kind: ReleaseKind | None, form: dict[str, Any] | None = None,
          error: InvalidInput | None = None, status: int = 200) -> Response:
    with reading() as session:
        rows = chains_view(session)
    current = next((row for row in rows if kind is not None and row["kind"] == kind.value), None)
    if current is not None and form is None:
        form = _form_of(current)
    if form is not None:
        blank = {"names": {}, "approvers": "", "required": "1"}
        form = {**form, "steps": (form["steps"] + [blank] * BLANK_ROWS)[:MAX_STEPS]}
    return render(request, "press/workflows.html", {"rows": rows, "kind": kind, "form": form, "error": error,
                                                    "has_chain": current is not None and not current["default"]},
                  status=status)


@router.get("/workflows")
def workflows_page(request: Request, user: PressUser) -> Response:
    require_role(user, CHANGE_ACTION)
    return _page(request, None)


@router.get("/workflows/{kind}")
def workflow_form(request: Request, user: PressUser, kind: Kind) -> Response:
    """The page with the form filled in with one kind's chain."""
    require_role(user, CHANGE_ACTION)
    return _page(request, kind)


def _read(form: SubmittedForm) -> dict[str, Any]:
    """The step rows as submitted; a row with no name and no approvers is left out."""
    steps = []
    for index in range(MAX_STEPS):
        names = {code: str(form.get(f"name_{index}_{code}") or "")[:200] for code in get_settings().languages}
        approvers = str(form.get(f"approvers_{index}") or "")[:2000].strip()
        required = str(form.get(f"required_{index}") or "1")[:3]
        if any(names.values()) or approvers:
            steps.append({"names": names, "approvers": approvers or "approver", "required": required})
    return {"steps": steps, "allow_same_approver": form.get("allow_same_approver") == "true"}


@router.post("/workflows/{kind}")
def save_workflow(request: Request, user: PressUser, kind: Kind, form: SubmittedForm) -> Response:
    """Store the chain as the form has it; it applies to releases submitted from now on."""
    require_role(user, CHANGE_ACTION)
    values = _read(form)
    try:
        with acting() as session:
            set_chain(session, attach(session, user), kind.value, values["steps"], values["allow_same_approver"])
    except InvalidInput as error:
        return _page(request, kind, values, error, status=422)
    language = ui_language(user.language)
    flash(request, translate("chain_saved", language, kind=translate(f"kind_{kind.value}", language)))
    return redirect(f"/press/workflows#chain-{kind.value}")


@router.post("/workflows/{kind}/default")
def reset_workflow(request: Request, user: PressUser, kind: Kind) -> Response:
    """Remove the kind's chain: releases submitted from now on get the default."""
    require_role(user, CHANGE_ACTION)
    with acting() as session:
        clear_chain(session, attach(session, user), kind.value)
    language = ui_language(user.language)
    flash(request, translate("chain_cleared", language, kind=translate(f"kind_{kind.value}", language)))
    return redirect(f"/press/workflows#chain-{kind.value}")
