"""Who a release will reach, as reviewers need to see it before they sign it off: its lists,
how many people in which language, and how many wait for the embargo to lift.

One view-model for the CLI (`releases show`, approve, publish), the API and the review page
and mail, so all of them say the same. Counted with the same audience resolution the
distribution inserts (`subscribers.audience.AudienceRule`), counted by the database, so the numbers
are the ones that will be mailed (at the moment of asking) at any list size.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.db import as_utc, utcnow
from subscribers.audience import AudienceRule, audience_rule
from subscribers.lists import embargo_list_ids
from subscribers.models import MailingList
from workflow.content import ReleaseContent


def audience_view(session: Session, content: ReleaseContent, now: datetime | None = None) -> dict[str, Any]:
    """The audience of this content as JSON-ready data (see the module docstring).

    `lists`: each target list with the recipients counted under it (a person on several lists is
    counted once, under the first of the release's lists they are on); `languages`: recipients
    per language of the copy they get; `embargo`: while one holds, how many get it now and how
    many are held until when.
    """
    moment = now or utcnow()
    found = {m.slug: m for m in session.exec(select(MailingList).where(col(MailingList.slug).in_(content.lists)))}
    targets = [found[slug] for slug in content.lists if slug in found]
    by_list: Counter[int] = Counter()
    by_language: Counter[str] = Counter()
    if targets:
        # Counted by the database from the rule the distribution inserts: a list of a million
        # costs this page one grouped count, not a million rows.
        people = _rule(session, content, [m.slug for m in targets]).select().subquery()
        for list_id, language, count in session.execute(
                sa_select(people.c.list_id, people.c.language, func.count()).group_by(people.c.list_id,
                                                                                     people.c.language)):
            by_list[list_id] += count
            by_language[language] += count
    total = sum(by_list.values())
    embargo: dict[str, Any] | None = None
    lift = as_utc(content.embargo_until) if content.embargo_until else None
    if lift is not None and lift > moment:
        early_ids = embargo_list_ids([m.id or 0 for m in targets], session)
        slugs = [m.slug for m in targets if m.id in early_ids]
        early = 0
        if slugs:
            early_people = _rule(session, content, slugs).select().subquery()
            early = int(session.execute(sa_select(func.count()).select_from(early_people)).scalar_one())
        # Whoever is on an early list is in the audience: the rest is held.
        embargo = {"until": lift.isoformat(), "now": early, "held": total - early, "early_lists": slugs}
    return {
        "web_only": content.web_only,
        "total": total,
        "lists": [{"slug": m.slug, "name": m.name, "recipients": by_list[m.id or 0]} for m in targets],
        "missing_lists": [slug for slug in content.lists if slug not in found],
        "languages": dict(sorted(by_language.items())),
        "embargo": embargo,
    }


def _rule(session: Session, content: ReleaseContent, slugs: list[str]) -> AudienceRule:
    return audience_rule(session, slugs, content.topics, list(content.translations), content.default_language)


def audience_lines(view: dict[str, Any]) -> list[str]:
    """The audience in a few plain lines (CLI output, the review-request mail)."""
    if view["web_only"] and not view["lists"]:
        return ["web only: published on the newsroom, mailed to nobody"]
    lines = [f"{view['total']} recipients: " + ", ".join(f"{item['slug']} {item['recipients']}" for item in view["lists"])]
    if view["languages"]:
        lines.append("by language: " + ", ".join(f"{lang} {n}" for lang, n in view["languages"].items()))
    if view["missing_lists"]:
        lines.append("unknown lists: " + ", ".join(view["missing_lists"]))
    if view["embargo"]:
        embargo = view["embargo"]
        lines.append(f"embargo until {embargo['until']}: {embargo['now']} now "
                     f"({', '.join(embargo['early_lists']) or 'no list receives embargoed releases'}), "
                     f"{embargo['held']} held until the lift")
    if not view["total"] and view["lists"]:
        lines.append("nobody would receive it now: the lists have no confirmed subscriber it matches")
    return lines
