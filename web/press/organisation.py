"""The organisation page (admins): the identity every mail prints, per language, its history,
and a form per language that saves a new version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from core.errors import InvalidInput
from core.settings import get_settings
from web.auth import PressUser
from web.deps import acting, attach, reading
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from web.schemas import MAX_ID
from workflow.guards import require_role
from workflow.organisation import (
    CHANGE_ACTION,
    FIELDS,
    change_organisation,
    identity_view,
    organisation_history,
    organisation_identity,
)

router = APIRouter()
LanguageCode = Annotated[str, Path(min_length=2, max_length=5, pattern=r"^[a-z]{2}$")]


def _page(request: Request, language: str | None, version: int | None = None,
          values: dict[str, str] | None = None, error: InvalidInput | None = None,
          expected_version: int | None = None, status: int = 200) -> Response:
    """The page with version `version` (default: the current one) shown, and the form for
    `language` filled with `values` (default: that language's own values in the current version).
    A form shown again keeps the version it was loaded from, so a change made meanwhile by someone
    else is still caught."""
    languages = get_settings().languages
    editing = language if language in languages else get_settings().default_language
    with reading() as session:
        current = identity_view(organisation_identity(session))
        shown = current if version is None else identity_view(organisation_identity(session, version))
        history = [identity_view(v) for v in organisation_history(session)]
    own = current["own"].get(editing, dict.fromkeys(FIELDS, ""))
    form = values or {**own, "email": current["email"]}
    return render(request, "press/organisation.html", {
        "current": current, "shown": shown, "history": history, "editing": editing, "form": form,
        "fields": FIELDS, "fallback": current["effective"][current["default_language"]], "error": error,
        "expected_version": expected_version or current["version"],
    }, status=status)


@router.get("/organisation")
def organisation_page(request: Request, user: PressUser,
                      language: Annotated[str | None, Query(max_length=5)] = None,
                      version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    require_role(user, CHANGE_ACTION)
    return _page(request, language, version)


@router.post("/organisation/{language}")
def save_organisation(
    request: Request, user: PressUser, language: LanguageCode,
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=500)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    website: Annotated[str, Form(max_length=300)] = "",
    logo_url: Annotated[str, Form(max_length=500)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    expected_version: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Save the form of one language as a new version; a refused field shows the form again,
    as typed, with the reason."""
    require_role(user, CHANGE_ACTION)
    values = {"name": name, "address": address, "phone": phone, "website": website, "logo_url": logo_url}
    try:
        with acting() as session:
            made = change_organisation(session, attach(session, user), language, values, email=email,
                                       expected_version=expected_version)
    except InvalidInput as error:
        return _page(request, language, values={**values, "email": email}, error=error,
                     expected_version=expected_version, status=422)
    lang = ui_language(user.language)
    flash(request, translate("unchanged", lang) if made is None
          else translate("organisation_saved", lang, version=made.number))
    return redirect(f"/press/organisation?language={language}")
