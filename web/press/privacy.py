"""The privacy notice page of the press office (admins): the public notice's text per language,
one form per language; an empty text brings back the default."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from core.errors import InvalidInput
from core.settings import get_settings
from subscribers.privacy_notice import MAX_LENGTH, privacy_notice, set_privacy_notice
from web.auth import PressUser
from web.deps import acting, reading
from web.errors import PageNotFound
from web.i18n import translate, ui_language
from web.pages import flash, organisation_in, redirect, render
from workflow.guards import require_role
from workflow.organisation import CHANGE_ACTION

router = APIRouter()
LanguageCode = Annotated[str, Path(min_length=2, max_length=5, pattern=r"^[a-z]{2}$")]
# The notice is part of what the organisation tells the public: who may change its identity may
# change this (admins).
EDIT_ACTION = CHANGE_ACTION


def _page(request: Request, language: str | None, text: str | None = None,
          error: InvalidInput | None = None, status: int = 200) -> Response:
    languages = get_settings().languages
    editing = language if language in languages else get_settings().default_language
    with reading() as session:
        notice = privacy_notice(session, editing, organisation_in(editing).name)
    return render(request, "press/privacy.html", {
        "notice": notice, "editing": editing, "text": notice.text if text is None else text,
        "error": error, "max_length": MAX_LENGTH,
    }, status=status)


@router.get("/privacy")
def privacy_page(request: Request, user: PressUser,
                 language: Annotated[str | None, Query(max_length=5)] = None) -> Response:
    require_role(user, EDIT_ACTION)
    return _page(request, language)


@router.post("/privacy/{language}")
def save_privacy(request: Request, user: PressUser, language: LanguageCode,
                 text: Annotated[str, Form(max_length=MAX_LENGTH + 2000)] = "") -> Response:
    """Save the notice in one language; a refused text shows the form again, as typed. A language
    the newsroom does not have is no page (its form would post to another language's notice)."""
    require_role(user, EDIT_ACTION)
    if language not in get_settings().languages:
        raise PageNotFound("language")
    try:
        with acting() as session:
            changed = set_privacy_notice(session, language, text, user.email)
    except InvalidInput as error:
        return _page(request, language, text, error, status=422)
    lang = ui_language(user.language)
    flash(request, translate("privacy_saved", lang, lang_name=translate(f"language_{language}", lang))
          if changed else translate("unchanged", lang))
    return redirect(f"/press/privacy?language={language}")
