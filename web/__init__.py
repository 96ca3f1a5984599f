"""The web face of Pressroom: the JSON API (/api), the press-office UI (/press), the public
newsroom and subscription pages, and the operations endpoints (/healthz, /metrics).

`web.app.create_app()` builds the FastAPI application; `pressroom web` serves it with uvicorn.
The web room calls the domain rooms and never the other way round; see web/README.md.
"""

__all__ = ["create_app"]


def create_app():  # type: ignore[no-untyped-def]
    """The FastAPI application (imported lazily: the package docstring should not cost a load)."""
    from web.app import create_app as build

    return build()
