"""The one place where errors become HTTP responses.

    core.errors.PressroomError      → its status below; JSON under /api, a page elsewhere
    ├── Unauthenticated (web)       401 (API: WWW-Authenticate: Bearer; pages: to sign-in)
    ├── NotAllowed                  403 (CsrfRejected is one; pages: EnrolmentRequired goes to
    │                               the two-step enrolment page)
    ├── NotFound                    404 (PageNotFound: a public page, one message for every id)
    ├── Conflict                    409, with `allowed_actions` or `current_version` when known
    ├── InvalidInput                422, with `field`
    ├── RateLimited (web)           429, with Retry-After
    ├── LimiterUnavailable (web)    503, with Retry-After
    └── ConfigurationError          503
    RequestValidationError          422, with every field error
    sqlalchemy OperationalError     503 (database unreachable or locked for too long)
    HTTPException (routing)         its own status, in the same shapes
    any other exception (a bug)     500, plain text, with the security headers (web.headers)

Handlers and routes never build error responses themselves: they raise, and this maps. The API
answers with the English `message`; a page says the same in the reader's language
(web.error_text).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    PressroomError,
)
from workflow.access_errors import EnrolmentRequired
from workflow.errors import IllegalTransition, OrganisationChanged, StaleVersion

log = logging.getLogger(__name__)


class Unauthenticated(PressroomError):
    """No valid credentials: a missing, unknown or revoked API token, or no sign-in."""


class CsrfRejected(NotAllowed):
    """A form was posted without the CSRF token of the session that showed it."""

    def __init__(self) -> None:
        super().__init__(
            "the form's security token is missing or does not match your session; "
            "reload the page and try again"
        )


class PageNotFound(NotFound):
    """A public page that is not there, or not public yet. Its message names no id, so that
    the 404 of a release under embargo is byte for byte the 404 of an id that never existed."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind, "")
        self.message = f"there is no {kind} at this address"
        self.args = (self.message,)


def page_must_exist(page: int, pages: int) -> None:
    """A page number past the last (an old bookmark, a hand-edited URL) is no page: 404, rather
    than "nothing found" over a list that has releases."""
    if page > pages:
        raise PageNotFound("page")


class RateLimited(PressroomError):
    """Too many attempts from one address or for one e-mail address; `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LimiterUnavailable(PressroomError):
    """A rate limit that fails closed (sign-in) could not be counted: Redis is unreachable or
    refused the script."""

    retry_after = 30

    def __init__(self) -> None:
        super().__init__("sign-in is unavailable for a moment: the rate limiter cannot work "
                         "(its Redis does not answer or refuses the counter); try again shortly")


class FieldError(BaseModel):
    """One refused field of a request."""

    field: str
    message: str


class ErrorOut(BaseModel):
    """The body of every API error response."""

    error: str
    message: str
    field: str | None = None
    state: str | None = None
    allowed_actions: list[str] | None = None
    current_version: int | None = None
    expected_version: int | None = None
    errors: list[FieldError] | None = None


# (error class, HTTP status, machine-readable code); first match wins.
STATUSES: list[tuple[type[PressroomError], int, str]] = [
    (Unauthenticated, 401, "unauthenticated"),
    (NotAllowed, 403, "not_allowed"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (InvalidInput, 422, "invalid_input"),
    (RateLimited, 429, "rate_limited"),
    (LimiterUnavailable, 503, "unavailable"),
    (ConfigurationError, 503, "unavailable"),
    (PressroomError, 400, "refused"),
]

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "not_allowed", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 422: "invalid_input", 429: "rate_limited"}


def status_of(error: PressroomError) -> tuple[int, str]:
    return next((status, code) for kind, status, code in STATUSES if isinstance(error, kind))


def error_body(error: PressroomError) -> ErrorOut:
    """The JSON body for a domain error, with what the caller needs to recover."""
    _, code = status_of(error)
    body = ErrorOut(error=code, message=error.message)
    if isinstance(error, InvalidInput):
        body.field = error.field or None
    if isinstance(error, IllegalTransition):
        body.state = error.state.value
        body.allowed_actions = [action.value for action in error.allowed]
    if isinstance(error, (StaleVersion, OrganisationChanged)):
        body.current_version = error.actual
        body.expected_version = error.expected
    return body


def is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _json(status: int, body: ErrorOut, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def _page(request: Request, status: int, body: ErrorOut, headers: dict[str, str] | None,
          error: Exception) -> Response:
    from web.pages import render_error

    return render_error(request, status, body, headers, error)


def _respond(request: Request, status: int, body: ErrorOut, headers: dict[str, str] | None,
             error: Exception) -> Response:
    return _json(status, body, headers) if is_api(request) else _page(request, status, body, headers, error)


async def pressroom_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, PressroomError)
    status, _ = status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, Unauthenticated):
        if not is_api(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/press/sign-in?next={quote(target, safe='')}", status_code=303)
        headers["WWW-Authenticate"] = 'Bearer realm="pressroom"'
    if isinstance(error, EnrolmentRequired) and not is_api(request):
        return RedirectResponse("/press/account/two-factor", status_code=303)
    if isinstance(error, (RateLimited, LimiterUnavailable)):
        headers["Retry-After"] = str(error.retry_after)
    if status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, error.message)
    return _respond(request, status, error_body(error), headers, error)


async def validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    fields = [
        FieldError(
            field=".".join(str(part) for part in item.get("loc", ()) if part != "body") or "request",
            message=str(item.get("msg", "invalid")).removeprefix("Value error, "),
        )
        for item in error.errors()
    ]
    first = fields[0] if fields else FieldError(field="request", message="invalid request")
    body = ErrorOut(error="invalid_input", message=f"{first.field}: {first.message}",
                    field=first.field, errors=fields)
    return _respond(request, 422, body, None, error)


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    message = error.detail if isinstance(error.detail, str) else "request refused"
    if status == 400:  # a body that cannot be parsed at all (bad encoding, broken multipart)
        status = 422
    body = ErrorOut(error=HTTP_CODES.get(status, "error"), message=message)
    return _respond(request, status, body, dict(error.headers or {}), error)


async def database_error(request: Request, error: Exception) -> Response:
    log.error("%s %s: database unavailable: %s", request.method, request.url.path, error)
    body = ErrorOut(error="unavailable", message="the database is unavailable; try again shortly")
    return _respond(request, 503, body, {"Retry-After": "5"}, error)


async def internal_error(request: Request, error: Exception) -> Response:
    """A bug: the plain 500 Starlette would give, with the security headers. Starlette answers
    it outside every middleware, so the one in `web.app` never sees it."""
    from web import headers

    response = PlainTextResponse("Internal Server Error", status_code=500)
    headers.apply(request, response)
    return response


def install(app: FastAPI) -> None:
    """Register the handlers above on `app`."""
    from sqlalchemy.exc import OperationalError

    app.add_exception_handler(PressroomError, pressroom_error)
    app.add_exception_handler(OperationalError, database_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)


def api_responses(*statuses: int, json_body: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of the error responses an operation may give. `json_body` for operations
    whose success is not JSON (their errors still are)."""
    text = {401: "No valid API token", 403: "Not allowed (role, authorship, four-eyes)",
            404: "Not found", 409: "Illegal transition, stale version or duplicate",
            422: "Invalid input", 429: "Too many requests", 503: "A service is unavailable"}
    if json_body:
        schema = {"$ref": "#/components/schemas/ErrorOut"}
        return {status: {"description": text[status], "content": {"application/json": {"schema": schema}}}
                for status in statuses}
    return {status: {"model": ErrorOut, "description": text[status]} for status in statuses}
