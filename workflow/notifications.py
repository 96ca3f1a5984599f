"""Event handlers of the workflow: tell the right people what happened to a release.

Each handler records `Notification` rows (unique per event and user) and logs a line; later
rooms add e-mail on top. Handlers run inside `core.outbox.handle_event`, once per event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session

from core.outbox import OutboxEvent
from workflow.chains import ChainStep, progress, step_approvers
from workflow.models import Notification, Release, ReleaseComment, User
from workflow.service import current_content
from workflow.states import State

log = logging.getLogger(__name__)


def _notify(session: Session, event: OutboxEvent, users: list[User], kind: str, message: str,
            release_id: int | None = None) -> None:
    """Note `message` for each of `users`; the release is the event's subject unless named."""
    for user in users:
        session.add(
            Notification(
                event_id=event.id,
                user_id=user.id or 0,
                release_id=release_id or event.subject_id or 0,
                kind=kind,
                message=message,
            )
        )
        log.info("notify %s: %s", user.email, message)


def _title(session: Session, release: Release) -> str:
    content = current_content(session, release)
    return content.translations[content.default_language].title or f"release {release.id}"


@dataclass(frozen=True)
class ReviewAsk:
    """A release at step `position` of its chain, and the people who may sign that step."""

    release: Release
    position: int
    step: ChainStep
    total: int
    approvers: list[User]


def reviewers_to_ask(session: Session, event: OutboxEvent) -> ReviewAsk | None:
    """The release an event brought to a step of its chain (submitted: step 1; a step signed
    off: the next; signed text edited: step 1 again), and who may sign that step. None when the
    event brought it to no step, or the release has moved on since: a later event asks those."""
    release = session.get(Release, event.subject_id)
    # Events recorded before chains existed carry no step: a submission is always step 1.
    position = event.payload.get("step", 1 if event.name == "release.submitted" else None)
    if release is None or position is None:
        return None
    now = progress(session, release)
    if (release.state is State.IN_REVIEW and now.position != position) or position > now.total:
        return None
    return ReviewAsk(release, int(position), now.chain.steps[int(position) - 1], now.total,
                     step_approvers(session, release, int(position)))


def review_requested(session: Session, event: OutboxEvent) -> None:
    """A release reached a step of its chain: everyone who may sign that step is asked."""
    asked = reviewers_to_ask(session, event)
    if asked is not None:
        _notify(session, event, asked.approvers, "review_request", f"please review: {_title(session, asked.release)}")


def _tell_author(kind: str, verb: str):  # type: ignore[no-untyped-def]
    def handler(session: Session, event: OutboxEvent) -> None:
        release = session.get(Release, event.subject_id)
        if release is None:
            return
        author = session.get(User, release.author_id)
        comment = event.payload.get("comment") or ""
        message = f"{_title(session, release)} {verb}" + (f": {comment}" if comment else "")
        _notify(session, event, [author] if author else [], kind, message)

    handler.__name__ = handler.__qualname__ = kind
    return handler


changes_requested = _tell_author("changes_requested", "needs changes")
approved = _tell_author("approved", "was approved")
published_receipt = _tell_author("published_receipt", "was published")
withdrawn = _tell_author("withdrawn", "was withdrawn")


def mentioned(session: Session, event: OutboxEvent) -> None:
    """comment.mentioned: the colleague named in a comment finds it among their notifications."""
    comment = session.get(ReleaseComment, event.subject_id)
    person = session.get(User, event.payload.get("user_id"))
    release = session.get(Release, comment.release_id) if comment else None
    if comment is None or release is None or person is None or not person.active:
        return
    _notify(session, event, [person], "mentioned", f"mentioned in a comment on {_title(session, release)}",
            release_id=release.id)
