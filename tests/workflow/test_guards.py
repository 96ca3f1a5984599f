"""Who may do what: authorship, roles, four-eyes, required comments, approvals per revision."""

from __future__ import annotations

import pytest

from core.db import session_scope
from core.errors import InvalidInput
from core.settings import override_settings
from tests import factories
from workflow import service
from workflow.errors import (
    AlreadyApproved,
    FourEyesViolation,
    IllegalTransition,
    NotAuthor,
    NotSubmittable,
    RoleRequired,
    StaleVersion,
)
from workflow.guards import count_valid_approvals
from workflow.states import State


def _setup(roles: tuple[str, ...] = ("spokesperson", "approver", "approver", "spokesperson", "admin")):
    with session_scope() as s:
        people = [factories.user(s, role) for role in roles]
        release_id = factories.release(s, people[0]).id or 0
    return release_id, people


def test_only_author_or_admin_edits_and_submits(db: str) -> None:
    release_id, (_author, approver, _, colleague, admin) = _setup()
    for actor in (colleague, approver):
        with pytest.raises(NotAuthor, match="only its author or an admin"), session_scope() as s:
            service.submit(s, release_id, actor)
        with pytest.raises(NotAuthor), session_scope() as s:
            service.edit_release(s, release_id, actor, factories.content(topics=["x"]))
    with session_scope() as s:
        assert service.edit_release(s, release_id, admin, factories.content(topics=["y"])) is not None
        assert service.submit(s, release_id, admin).to_state is State.IN_REVIEW


def test_author_may_not_approve_even_as_approver(db: str) -> None:
    with session_scope() as s:
        writing_approver = factories.user(s, "approver")
        release_id = factories.release(s, writing_approver).id or 0
        service.submit(s, release_id, writing_approver)
    with pytest.raises(FourEyesViolation, match="four-eyes"), session_scope() as s:
        service.approve(s, release_id, writing_approver)
    with session_scope() as s:
        assert service.get_release(s, release_id).state == State.IN_REVIEW


def test_approver_who_wrote_a_revision_may_not_approve(db: str) -> None:
    release_id, (author, approver, _second, _, admin) = _setup()
    with session_scope() as s:
        # the admin edits (admins may), then becomes ineligible to review
        service.edit_release(s, release_id, admin, factories.content(topics=["rewritten"]))
        service.submit(s, release_id, author)
    with pytest.raises(FourEyesViolation), session_scope() as s:
        service.approve(s, release_id, admin)
    with pytest.raises(FourEyesViolation), session_scope() as s:
        service.request_changes(s, release_id, admin, "no")
    with session_scope() as s:
        assert service.approve(s, release_id, approver).to_state is State.APPROVED


def test_spokesperson_may_not_review(db: str) -> None:
    release_id, (author, _, _, colleague, _) = _setup()
    with session_scope() as s:
        service.submit(s, release_id, author)
    with pytest.raises(RoleRequired, match="approver or admin"), session_scope() as s:
        service.approve(s, release_id, colleague)


def test_spokesperson_other_than_author_may_not_publish(db: str) -> None:
    release_id, (author, approver, _, colleague, _) = _setup()
    with session_scope() as s:
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
    with pytest.raises(RoleRequired), session_scope() as s:
        service.publish(s, release_id, colleague)
    with session_scope() as s:  # the author may press publish once approved
        assert service.publish(s, release_id, author).to_state is State.PUBLISHED


def test_two_approvals_needed_when_configured(db: str) -> None:
    override_settings(required_approvals=2)
    release_id, (author, first, second, _, _) = _setup()
    with session_scope() as s:
        service.submit(s, release_id, author)
        step = service.approve(s, release_id, first)
    assert (step.to_state, step.event_name) == (State.IN_REVIEW, "release.approval_recorded")
    with pytest.raises(AlreadyApproved), session_scope() as s:  # the same approver counts once
        service.approve(s, release_id, first)
    with session_scope() as s:
        assert service.approve(s, release_id, second).to_state is State.APPROVED


def test_editing_approved_text_voids_the_approval(db: str) -> None:
    release_id, (author, approver, second, _, _) = _setup()
    with session_scope() as s:
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        release = service.get_release(s, release_id)
        assert count_valid_approvals(s, release) == 1
    with session_scope() as s:
        step = service.edit_release(s, release_id, author, factories.content(topics=["changed"]))
    assert step is not None and step.to_state is State.IN_REVIEW
    with session_scope() as s:
        release = service.get_release(s, release_id)
        assert count_valid_approvals(s, release) == 0
        assert "voided" in service.audit_log(s, release_id)[-1].comment
    with pytest.raises(IllegalTransition), session_scope() as s:  # cannot publish unapproved text
        service.publish(s, release_id, approver)
    with session_scope() as s:  # the new revision needs a fresh approval, which binds to it
        service.approve(s, release_id, second)
        release = service.get_release(s, release_id)
        assert release.state == State.APPROVED


def test_identical_edit_records_nothing(db: str) -> None:
    release_id, (author, *_rest) = _setup()
    with session_scope() as s:
        assert service.edit_release(s, release_id, author, factories.content()) is None
        assert len(service.audit_log(s, release_id)) == 1


def test_changes_requested_needs_a_comment_and_edit_reopens(db: str) -> None:
    release_id, (author, approver, *_rest) = _setup()
    with session_scope() as s:
        service.submit(s, release_id, author)
    with pytest.raises(InvalidInput, match="comment is required"), session_scope() as s:
        service.request_changes(s, release_id, approver, "   ")
    with session_scope() as s:
        service.request_changes(s, release_id, approver, "Add the figures for 2024.")
    with session_scope() as s:
        step = service.edit_release(s, release_id, author, factories.content(topics=["figures"]))
        assert step is not None and step.to_state is State.DRAFT


def test_withdraw_needs_a_reason(db: str) -> None:
    release_id, (author, approver, *_rest) = _setup()
    with session_scope() as s:
        service.submit(s, release_id, author)
        service.approve(s, release_id, approver)
        service.publish(s, release_id, approver)
    with pytest.raises(InvalidInput, match="reason is required"), session_scope() as s:
        service.withdraw(s, release_id, approver, "")
    with session_scope() as s:
        service.withdraw(s, release_id, approver, "Wrong figures")
        assert service.audit_log(s, release_id)[-1].comment == "Wrong figures"


def test_submit_needs_a_translation_with_title_and_body(db: str) -> None:
    with session_scope() as s:
        author = factories.user(s)
        release_id = factories.release(
            s, author, translations={"nl": {"title": "Alleen een titel"}, "fr": {"body": "Sans titre"}}
        ).id or 0
    with pytest.raises(NotSubmittable, match="title and a body"), session_scope() as s:
        service.submit(s, release_id, author)
    with session_scope() as s:
        assert service.get_release(s, release_id).state == State.DRAFT


def test_stale_version_is_refused(db: str) -> None:
    release_id, (author, approver, *_rest) = _setup()
    with session_scope() as s:
        version = service.get_release(s, release_id).version
        service.submit(s, release_id, author, expected_version=version)
    with pytest.raises(StaleVersion) as caught, session_scope() as s:
        service.approve(s, release_id, approver, expected_version=version)
    assert (caught.value.expected, caught.value.actual) == (version, version + 1)


def test_scheduler_may_only_publish(db: str) -> None:
    release_id, (author, *_rest) = _setup()
    with session_scope() as s:
        service.submit(s, release_id, author)
        service.approve(s, release_id, _rest[0])
        service.publish(s, release_id, None)  # the scheduler may publish an approved release
    with pytest.raises(RoleRequired), session_scope() as s:
        service.withdraw(s, release_id, None, "x")  # type: ignore[arg-type]
