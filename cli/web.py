"""`pressroom web`: serve the web app (API, press UI, public pages) with uvicorn."""

from __future__ import annotations

import click

from core.settings import get_settings


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (rate limits and sessions are shared through Redis and cookies).")
@click.option("--reload", is_flag=True, help="Restart on code changes (development only).")
def web(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the API (/api), the press office (/press) and the public newsroom."""
    import uvicorn

    settings = get_settings()
    click.echo(f"Pressroom web on http://{host}:{port} (public address {settings.base_url})", err=True)
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        log_level="info",
        log_config=None,  # uvicorn's lines go through Pressroom's handler (JSON off a terminal)
    )
