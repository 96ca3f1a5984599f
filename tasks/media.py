"""Media tasks: make a file's renditions off the request; ids in, a domain function called."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from media.processing import process
from tasks.app import app


@app.task(name="media.process", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=8)
def process_media(media_id: int) -> str:
    """Renditions of one uploaded file; safe to run twice (a ready file is left alone)."""
    return process(media_id).value
