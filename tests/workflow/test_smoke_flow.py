"""The happy path end to end through the service layer, on every backend."""

from __future__ import annotations

from core.db import session_scope
from tests import factories
from workflow import service
from workflow.states import State


def test_draft_to_published_records_every_step(db: str) -> None:
    with session_scope() as s:
        author = factories.user(s, "spokesperson")
        approver = factories.user(s, "approver")
        release_id = factories.release(s, author).id
    with session_scope() as s:
        service.submit(s, release_id, author)
    with session_scope() as s:
        step = service.approve(s, release_id, approver)
        assert step.to_state is State.APPROVED
    with session_scope() as s:
        service.publish(s, release_id, approver)
    with session_scope() as s:
        release = service.get_release(s, release_id)
        assert release.state == State.PUBLISHED
        assert release.published_at is not None and release.published_at.tzinfo is not None
        actions = [(e.action, e.from_state, e.to_state) for e in service.audit_log(s, release_id)]
    assert actions == [
        ("create", None, "draft"),
        ("submit", "draft", "in_review"),
        ("approve", "in_review", "approved"),
        ("publish", "approved", "published"),
    ]
