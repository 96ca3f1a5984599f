"""Media tasks: make a file's renditions off the request; ids in, a domain function called."""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from media.errors import UnusableMediaStore
from media.processing import process
from tasks.app import app

# A file that takes longer than this to process is failed (the soft limit) or its worker process
# replaced (the hard one): no upload may hold a worker indefinitely.
SOFT_LIMIT = 300


@app.task(name="media.process", autoretry_for=(OperationalError, UnusableMediaStore), retry_backoff=True,
          max_retries=8, soft_time_limit=SOFT_LIMIT, time_limit=SOFT_LIMIT + 60)
def process_media(media_id: int) -> str:
    """Renditions of one uploaded file; safe to run twice (a ready file is left alone). The
    store or the database out of reach: tried again later, the file kept."""
    return process(media_id, too_long=(SoftTimeLimitExceeded,)).value
