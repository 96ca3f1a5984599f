"""The redirect of tracked links (`/r/<token>`, `/r/<token>/<recipient>`) and the open pixel
(`/o/<token>`) of mailings; the counting is `reports.clicks`.

A token that does not verify answers 404 and leads nowhere: the Location of a 302 is only ever a
URL stored with a mailing's link, never anything a request carries (an embargo access query of
the mail is handed on, checked). The answers are never cached, so each click reaches the count,
and the redirect sends no Referer to the target (the site's `same-origin` policy). The web
server's access log writes no client address for these paths (`AnonymousTrackingLog`).
"""

from __future__ import annotations

import base64
import logging
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from core.db import session_scope
from reports.clicks import Click, UnknownLink, follow
from reports.link_tables import LinkKind
from web.errors import PageNotFound

router = APIRouter(include_in_schema=False)

Token = Annotated[str, Path(min_length=1, max_length=200)]
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1×1 transparent GIF
TRACKING_PATHS = ("/r/", "/o/")


def _click(request: Request, recipient: str = "") -> Click:
    return Click(
        method=request.method,
        user_agent=request.headers.get("user-agent", ""),
        client_ip=request.client.host if request.client else "",
        recipient=recipient,
        query=request.url.query,
    )


def _redirect(token: str, request: Request, recipient: str = "") -> Response:
    try:
        with session_scope() as session:
            target = follow(session, token, LinkKind.CLICK, _click(request, recipient))
    except UnknownLink:
        raise PageNotFound("link") from None
    return Response(status_code=302, headers={"Location": target, **NO_STORE})


@router.api_route("/r/{token}", methods=["GET", "HEAD"])
def redirect(token: Token, request: Request) -> Response:
    """A tracked link of a mailing: counted, then 302 to the original URL."""
    return _redirect(token, request)


@router.api_route("/r/{token}/{recipient}", methods=["GET", "HEAD"])
def redirect_per_recipient(token: Token, recipient: Token, request: Request) -> Response:
    """A tracked link of one recipient's copy (`PRESSROOM_TRACKING=per_recipient`)."""
    return _redirect(token, request, recipient)


@router.api_route("/o/{token}", methods=["GET", "HEAD"])
def open_pixel(token: Token, request: Request) -> Response:
    """The open pixel of one mailing's language: counted, a transparent 1×1 GIF."""
    try:
        with session_scope() as session:
            follow(session, token, LinkKind.OPEN, _click(request))
    except UnknownLink:
        raise PageNotFound("link") from None
    return Response(PIXEL, media_type="image/gif", headers=NO_STORE)


class AnonymousTrackingLog(logging.Filter):
    """Writes "-" for the client address of uvicorn's access-log lines of tracked links and open
    pixels: the path says which link was followed, the address would say from where."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and str(args[2]).startswith(TRACKING_PATHS):
            record.args = ("-", *args[1:])
        return True


def install_log_filter() -> None:
    """Put the filter on uvicorn's access logger once per process."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, AnonymousTrackingLog) for existing in logger.filters):
        logger.addFilter(AnonymousTrackingLog())


@router.api_route("/r/{rest:path}", methods=["GET", "HEAD"])
@router.api_route("/o/{rest:path}", methods=["GET", "HEAD"])
@router.api_route("/r", methods=["GET", "HEAD"])
@router.api_route("/o", methods=["GET", "HEAD"])
def not_a_link(rest: str = "") -> Response:
    """Anything else under the tracking paths is not found, and not redirected either (not even
    to the same address without a trailing slash)."""
    raise PageNotFound("link")
