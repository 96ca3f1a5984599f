"""Publishing scheduled releases when their time comes."""

from __future__ import annotations

import logging
from datetime import datetime

from core.db import session_scope
from core.errors import Conflict
from workflow import service

log = logging.getLogger(__name__)


def publish_due(now: datetime | None = None) -> list[int]:
    """Publish every scheduled release that is due, each in its own transaction.

    Safe to run concurrently and repeatedly: a release another run published first raises a
    Conflict here (stale version or no longer scheduled) and is skipped.
    """
    with session_scope() as session:
        due = service.due_for_publication(session, now)
    published = []
    for release_id in due:
        try:
            with session_scope() as session:
                service.publish(session, release_id, actor=None)
        except Conflict as exc:
            log.info("release %s not published by the scheduler: %s", release_id, exc)
            continue
        published.append(release_id)
        log.info("release %s published on schedule", release_id)
    return published
