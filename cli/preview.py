"""`pressroom preview`: a release's mail as a subscriber would receive it."""

from __future__ import annotations

from pathlib import Path

import click

from core.db import session_scope
from delivery.preview import preview_release
from media.urls import preview_media_link


@click.command("preview")
@click.argument("release_id", type=int)
@click.option("--language", default=None,
              help="Show the copy subscribers of this language get (default: the release's own language); "
                   "a language the release lacks shows the fallback copy they really receive.")
@click.option(
    "--format", "fmt", type=click.Choice(["eml", "html", "text"]), default="eml", show_default=True,
    help="The whole MIME message, or only its HTML or text part.",
)
@click.option(
    "--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Write to FILE instead of standard output.",
)
def preview(release_id: int, language: str | None, fmt: str, out: Path | None) -> None:
    """Render the current revision of RELEASE_ID as a subscriber's mail."""
    with session_scope() as session:
        result = preview_release(session, release_id, language, media_link=preview_media_link)
    if result.fallback_note:
        click.echo(f"note: {result.fallback_note}", err=True)
    data = result.part(fmt)
    if out is None:
        click.echo(data, nl=False)
        return
    out.write_bytes(data)
    click.echo(
        f"release {release_id} ({result.compiled.language}, {result.compiled.template}): "
        f"{len(data)} bytes written to {out}",
        err=True,
    )
