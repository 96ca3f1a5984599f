"""Reading a mailing's tracked links back as a reader's browser ends up at them."""

from __future__ import annotations

import re

from core.db import session_scope
from reports.clicks import location
from reports.link_tables import Link
from subscribers.tokens import read_link_token

# A tracked link: its token (a signature never ends in "."), the recipient's token with
# per-recipient tracking, and the access query of a copy sent under embargo.
TRACKED = re.compile(r"https?://[^\s\"<>]+?/r/([A-Za-z0-9._-]*[A-Za-z0-9_-])(?:/[A-Za-z0-9._-]*[A-Za-z0-9_-])?"
                     r"(?:\?(access=[A-Za-z0-9._~=%-]*[A-Za-z0-9_~=%-]))?")


def destination(url: str) -> str:
    """Where the redirect sends whoever follows the tracked `url` (nothing is counted)."""
    match = TRACKED.fullmatch(url)
    assert match is not None, url
    with session_scope() as session:
        link = session.get(Link, read_link_token(match.group(1)))
        assert link is not None, url
        return location(link, match.group(2) or "")


def followed(text: str) -> str:
    """`text` (a mail's plain-text part) with each tracked link replaced by its destination."""
    return TRACKED.sub(lambda match: destination(match.group(0)), text)
