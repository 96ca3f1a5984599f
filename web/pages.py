"""Rendering the server-side pages: one Jinja2 environment (autoescaped) and its helpers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from core.db import session_scope
from core.errors import PressroomError
from core.settings import get_settings
from templates.i18n import language_name
from templates.markup import markdown_to_html
from web.auth import csrf_token, replace_session, session_data, session_user
from web.errors import ErrorOut
from web.i18n import (
    UI_LANGUAGES,
    action_name,
    field_name,
    format_time,
    negotiate,
    role_name,
    shown_value,
    translate,
    ui_language,
)
from workflow.guards import allows
from workflow.organisation import Identity, organisation_identity

HERE = Path(__file__).parent
FLASH = "flash"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = lambda text: Markup(markdown_to_html(text or "", mail=False))
    env.filters["urlquote"] = lambda text: quote(str(text), safe="")
    env.filters["local_input"] = local_input
    return env


def local_input(value: datetime | None) -> str:
    """A UTC time as the value of an <input type=datetime-local> in the mail time zone."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(get_settings().mail_timezone)).strftime("%Y-%m-%dT%H:%M")


# Pages rendered by this process, per template: what a 304 of the newsroom's caching saves
# (`web.newsroom_version`), visible to the tests that serve the app in their own process.
RENDERED: Counter[str] = Counter()


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    language: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render template `name` in `language` (default: the signed-in user's, else the browser's)."""
    lang = ui_language(language or _language(request))
    user = request.scope.get("state", {}).get("pressroom_user")
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "t": lambda key, **kw: translate(key, lang, **kw),
        "csrf_token": _LazyToken(request),
        "user": user,
        "may": lambda action: allows(user, action),
        "settings": get_settings(),
        "languages": get_settings().languages,
        "ui_languages": UI_LANGUAGES,
        "native": language_name,
        "when": lambda value: format_time(value, lang),
        "explain": lambda error, labelled=False: _explain(error, lang, labelled),
        "role_name": lambda role: role_name(role, lang),
        "action_name": lambda action: action_name(action, lang),
        "field_name": lambda field: field_name(field, lang),
        "shown": lambda field, value: shown_value(field, value, lang),
        "flash": take_flash(request),
        "page_language": None,
        # The language a form for a mailing presets: the browser's, not the page's (an English
        # reader may be on a Dutch release the English newsroom led them to).
        "visitor_language": negotiate(request.headers.get("accept-language")),
        "organisation_in": organisation_in,
    }
    values.update(context or {})
    RENDERED[name] += 1
    html = environment().get_template(name).render(values)
    return HTMLResponse(html, status_code=status, headers=headers)


def _explain(error: Exception, language: str, labelled: bool) -> str:
    from web.error_text import describe

    return describe(error, language, labelled=labelled)


def organisation_in(language: str) -> Identity:
    """The organisation's current identity in `language`, for the public pages' header and footer."""
    with session_scope() as session:
        return organisation_identity(session).in_language(language)


class _LazyToken:
    """The session's CSRF token, made only when a page prints it: pages without forms (the
    newsroom) set no cookie."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return csrf_token(self.request)

    def __html__(self) -> str:
        return str(self)


def _language(request: Request) -> str:
    user = request.scope.get("state", {}).get("pressroom_user")
    if user is not None:
        return str(user.language)
    return negotiate(request.headers.get("accept-language"), list(UI_LANGUAGES))


def _error_language(request: Request, error: Exception) -> str:
    """The language of an error page. A press-office request refused before its user was looked
    up (a bad CSRF token, an unknown route) still has a session: its user reads the page in their
    language. A database error leaves the database alone and speaks the browser's language."""
    if (request.url.path.startswith("/press") and request.scope.get("state", {}).get("pressroom_user") is None
            and not isinstance(error, SQLAlchemyError)):
        user = session_user(request)
        if user is not None:
            return str(user.language)
    return _language(request)


def flash(request: Request, message: str) -> None:
    """A one-line message shown on the next page (kept in the session cookie)."""
    data = dict(session_data(request))
    data[FLASH] = message[:500]
    replace_session(request, data)


def take_flash(request: Request) -> str | None:
    data = session_data(request)
    message = data.get(FLASH)
    if message is None:
        return None
    replace_session(request, {k: v for k, v in data.items() if k != FLASH})
    return str(message)


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: see the result with a GET (303)."""
    return RedirectResponse(url, status_code=303)


def render_error(request: Request, status: int, body: ErrorOut, headers: dict[str, str] | None,
                 error: Exception) -> HTMLResponse:
    """The error page: `error` said in the page's language (the English `body.message` is the API's)."""
    from web.error_text import describe, describe_field, describe_status

    language = ui_language(_error_language(request, error))
    if isinstance(error, PressroomError):
        message = describe(error, language)
    elif isinstance(error, RequestValidationError):
        message = describe_field(body.field or "", language)
    else:
        message = describe_status(status, language)
    template = "press/error.html" if request.url.path.startswith("/press") else "public/error.html"
    return render(request, template, {"status": status, "message": message}, language=language,
                  status=status, headers=headers)
