"""Counting a read of a public release page, from the request, without ever failing the page.

Only what `reports.readership` stores leaves the request: the day, the page's language, whether
a bot asked, the host of an external referrer, and whether the reader's daily hash was new. The
IP address and the User-Agent are used for the hash and the bot check and then dropped; no
cookie is read or set. Any failure (database, Redis) is logged and the page answers as always.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import Request

from core.broker import redis_client
from core.db import session_scope, utcnow
from core.settings import get_settings
from reports.bots import is_bot
from reports.readership import record_view, referrer_host
from reports.visitors import first_visit

log = logging.getLogger(__name__)


def _own_hosts(request: Request) -> set[str]:
    hosts = {(urlsplit(get_settings().base_url).hostname or "").lower()}
    if request.url.hostname:
        hosts.add(request.url.hostname.lower())
    return hosts - {""}


def count_read(request: Request, release_id: int, language: str) -> None:
    """Count one read of the public page of `release_id` in `language` (see the module)."""
    try:
        day = utcnow().date()
        agent = request.headers.get("user-agent", "")
        bot = is_bot(request.method, agent)
        new = False
        if not bot:
            try:
                ip = request.client.host if request.client else ""
                new = first_visit(redis_client(), day, release_id, language, ip, agent)
            except Exception as exc:  # noqa: BLE001 - the read still counts, as no new reader
                log.warning("readership: unique readers not counted (%s: %s)", type(exc).__name__, exc)
        referrer = referrer_host(request.headers.get("referer"), _own_hosts(request))
        with session_scope() as session:
            record_view(session, release_id, language, day, bot=bot, first_visit=new, referrer=referrer)
    except Exception as exc:  # noqa: BLE001 - a count is never worth a failed page
        log.warning("readership: read of release %s not counted (%s: %s)", release_id, type(exc).__name__, exc)
