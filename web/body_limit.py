"""No request body larger than the largest upload Pressroom accepts is read at all.

Without this, a multipart body is parsed (and spooled to disk) before a route or its sign-in
check ever runs, so anyone could make the server write gigabytes. A declared Content-Length
over the limit is answered 413 at once; a chunked body is counted as it arrives and cut off
at the limit with the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import get_settings

SLACK = 1024 * 1024  # room for a multipart envelope and the form's other fields


def body_limit() -> int:
    """The largest request body read: the largest file a release may carry, and some slack."""
    return get_settings().media_max_bytes + SLACK


class BodyLimit:
    """ASGI middleware refusing request bodies over `limit()` bytes with 413."""

    def __init__(self, app: ASGIApp, limit: Callable[[], int] = body_limit) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit()
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refusal(scope, limit)(scope, receive, send)
            return
        received = 0
        started = refused = False

        async def counted() -> Message:
            # Over the limit: the refusal is sent here and now, and the app is told the client
            # left (frameworks turn an error raised while parsing a form into their own 4xx).
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not started:
                    refused = True
                    await _refusal(scope, limit)(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 was the answer
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not refused:
                raise


def _refusal(scope: Scope, limit: int) -> Response:
    message = f"the request is larger than the {limit // (1024 * 1024)} MB Pressroom accepts"
    headers = {"Connection": "close"}
    if str(scope.get("path", "")).startswith("/api/"):
        body: dict[str, Any] = {"error": "too_large", "message": message}
        return JSONResponse(body, status_code=413, headers=headers)
    return PlainTextResponse(message, status_code=413, headers=headers)
