"""The mailing lists a release is aimed at, checked against the lists that exist.

Lists belong to the subscribers room, which the workflow does not import: the check reads the
`mailing_list` table's slugs through a bare table reference, the one thing it needs to know.
A release is checked when it is stored, submitted and published, so a mistyped slug is refused
with the known slugs listed instead of publishing to nobody.
"""

from __future__ import annotations

from sqlalchemy import column, select, table
from sqlmodel import Session

from workflow.content import ReleaseContent
from workflow.errors import NoAudience, UnknownLists

_mailing_list = table("mailing_list", column("slug"))


def known_lists(session: Session) -> list[str]:
    """Every mailing list's slug, sorted."""
    return sorted(session.execute(select(_mailing_list.c.slug)).scalars())


def check_lists(session: Session, content: ReleaseContent) -> None:
    """Refuse target lists that do not exist (UnknownLists names them and the known ones)."""
    if not content.lists:
        return
    known = known_lists(session)
    unknown = [slug for slug in content.lists if slug not in known]
    if unknown:
        field = f"lists.{content.lists.index(unknown[0])}"
        raise UnknownLists(field, unknown, known)


def check_audience(session: Session, content: ReleaseContent) -> None:
    """Before review and publication: the lists exist, and a release without any says it is
    web-only (NoAudience otherwise)."""
    check_lists(session, content)
    if not content.lists and not content.web_only:
        raise NoAudience()
