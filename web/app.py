"""The FastAPI application: `create_app()` is what `pressroom web` (and `pressroom serve`) run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from web import errors, headers
from web.auth import write_cookie
from web.body_limit import BodyLimit
from web.pages import HERE

DESCRIPTION = """\
The HTTP API of Pressroom: releases and their workflow (submit, approve, request changes,
publish, withdraw), the audit log, mail previews, mailing lists and subscribers (with CSV
import), and distributions.

**Media**: `POST /api/releases/{id}/media` uploads an image or a document (multipart: `file`,
`role`, `texts` as JSON per language) and attaches it as a new revision; a refused file answers
422 naming it and why, with nothing stored. Processing runs off the request: poll
`GET /api/media/{id}` until `status` is `ready`.

**Authentication**: `Authorization: Bearer <token>` with a token from `pressroom users add` or
`pressroom users token`. The press office's session cookie is not accepted here.

**Errors** have one shape (`error`, `message`, and where relevant `field`, `state`,
`allowed_actions`, `current_version`): 401 no valid token, 403 not allowed (role, authorship,
four-eyes), 404 not found, 409 illegal transition, stale version or duplicate, 422 invalid input.

**Optimistic locking**: actions and updates take `expected_version`; a release changed in the
meantime answers 409 with `current_version`.
"""



def create_app() -> FastAPI:
    """The whole web app: /api, /press, the public pages, /healthz and /metrics."""
    from web import press
    from web.api import router as api_router
    from web.discovery import router as discovery_router
    from web.media import router as media_router
    from web.ops import router as ops_router
    from web.public import one_click
    from web.public import router as public_router
    from web.search import router as search_router
    from web.topic_pages import router as topic_router
    from web.tracking import install_log_filter
    from web.tracking import router as tracking_router

    app = FastAPI(
        title="Pressroom API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    errors.install(app)

    @app.middleware("http")
    async def session_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        write_cookie(request, response)
        headers.apply(request, response)
        return response

    app.add_middleware(BodyLimit)  # outermost of ours: nothing reads a body over the limit

    app.include_router(api_router)
    press.include(app)
    app.include_router(one_click)
    app.include_router(tracking_router)
    install_log_filter()
    app.include_router(public_router)
    app.include_router(search_router)

    app.include_router(topic_router)
    app.include_router(media_router)
    app.include_router(discovery_router)
    app.include_router(ops_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
