"""Plain-dict views of workflow objects, shared by the CLI's --json output and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from workflow.chains import progress_view
from workflow.guards import count_valid_approvals
from workflow.models import AuditEntry, Release, Revision, User
from workflow.service import current_content, current_revision
from workflow.states import State, allowed_actions


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def release_view(session: Session, release: Release, full: bool = False) -> dict[str, Any]:
    """The release as a JSON-ready dict; `full` adds the whole current content."""
    revision = current_revision(session, release)
    content = current_content(session, release)
    author = session.get(User, release.author_id)
    view: dict[str, Any] = {
        "id": release.id,
        "kind": release.kind,
        "state": release.state,
        "version": release.version,
        "author": author.email if author else None,
        "title": content.translations[content.default_language].title,
        "languages": sorted(content.translations),
        "default_language": content.default_language,
        "revision": revision.number,
        "revision_hash": revision.content_hash,
        "approvals": count_valid_approvals(session, release),
        # Where it stands in its approval chain (meaningful in review): position, total, the
        # step's names per language, sign-offs counted and required there.
        "approval_step": progress_view(session, release),
        "allowed_actions": [a.value for a in allowed_actions(State(release.state))],
        "embargo_until": _iso(release.embargo_until),
        "publish_at": _iso(release.publish_at),
        "published_at": _iso(release.published_at),
        "created_at": _iso(release.created_at),
        "updated_at": _iso(release.updated_at),
    }
    if full:
        view["content"] = content.model_dump(mode="json")
    return view


def list_releases(session: Session, state: str | None = None, limit: int = 100) -> list[Release]:
    """Releases, newest first, optionally in one state."""
    query = select(Release).order_by(col(Release.id).desc()).limit(limit)
    if state:
        query = query.where(Release.state == State(state))
    return list(session.exec(query).all())


def audit_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": _iso(entry.at),
        "actor": entry.actor_label,
        "action": entry.action,
        "from": entry.from_state,
        "to": entry.to_state,
        "revision_hash": entry.revision_hash,
        "comment": entry.comment,
    }


def revision_numbers(session: Session, release_id: int) -> dict[str, int]:
    """Revision hash -> number, to print short references in the audit log."""
    rows = session.exec(select(Revision.content_hash, Revision.number).where(Revision.release_id == release_id)).all()
    return {content_hash: number for content_hash, number in rows}


def review_notes(session: Session, release_id: int) -> dict[str, Any]:
    """What the two sides of a review said to each other, read from the audit log: the reviewer's
    request for changes (until the author submits again) for the editor, and the author's edit
    comments since the reviewer last acted for the review page."""
    entries = list(session.exec(
        select(AuditEntry).where(AuditEntry.release_id == release_id).order_by(col(AuditEntry.id))
    ).all())
    request: dict[str, Any] | None = None
    edits: list[dict[str, Any]] = []
    for entry in entries:
        if entry.action == "request_changes":
            request = audit_view(entry)
            edits = []
        elif entry.action == "submit":
            request = None
        elif entry.action == "approve":
            edits = []
        elif entry.action == "edit" and entry.comment:
            edits.append(audit_view(entry))
    return {"requested_changes": request, "edit_comments": edits}
