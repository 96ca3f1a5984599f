"""`pressroom web`: serve the web app (API, press UI, public pages) with uvicorn."""

from __future__ import annotations

import os

import click

from core.datadir import record_web_address
from core.settings import get_settings


def local_url(host: str, port: int) -> str:
    """The address of a server listening on `host`:`port`, as a browser on this machine opens it."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def adopt_web_address(host: str, port: int) -> str:
    """Record where the web app of this data directory listens and, when PRESSROOM_BASE_URL is
    unset, make that the links' base for this process and the processes it starts; returns the
    base. Workers and commands started on their own read the record (core/datadir.py)."""
    address = local_url(host, port)
    try:
        record_web_address(get_settings().data_dir, address)
    except OSError as exc:
        click.echo(f"warning: cannot record the web address in the data directory ({exc})", err=True)
    if not os.environ.get("PRESSROOM_BASE_URL", "").strip():
        os.environ["PRESSROOM_BASE_URL"] = address
        get_settings.cache_clear()
    return get_settings().base_url


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (rate limits and sessions are shared through Redis and cookies).")
@click.option("--reload", is_flag=True, help="Restart on code changes (development only).")
def web(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the API (/api), the press office (/press) and the public newsroom."""
    import uvicorn

    base_url = adopt_web_address(host, port)
    settings = get_settings()
    click.echo(f"Pressroom web on http://{host}:{port} (public address {base_url})", err=True)
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
