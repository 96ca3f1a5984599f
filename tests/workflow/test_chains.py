"""Approval chains per release kind, in the domain: steps in order, each signed by its own group,
four-eyes at every step, edits back to step 1, and a chain change reaching later submissions."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from core.db import session_scope
from core.errors import InvalidInput, NotAllowed
from core.outbox import OutboxEvent
from tests import factories
from workflow import chains, notifications, service
from workflow.errors import AlreadyApproved, FourEyesViolation, NotInStepGroup, SignedOtherStep
from workflow.guards import permitted_actions
from workflow.models import Notification, User
from workflow.states import State


def _people(s: Session) -> dict[str, User]:
    return {"author": factories.user(s), "head": factories.user(s, "approver"),
            "deputy": factories.user(s, "approver"), "cabinet": factories.user(s, "approver"),
            "admin": factories.user(s, "admin")}


def _two_steps(s: Session, p: dict[str, User], allow_same: bool = False) -> None:
    chains.set_chain(s, p["admin"], "press_release", [
        {"names": {"nl": "Hoofd communicatie", "en": "Head of communications"},
         "approvers": [p["head"].email, p["deputy"].email], "required": 1},
        {"names": {"nl": "Kabinet", "fr": "Cabinet"}, "approvers": [p["cabinet"].email, p["head"].email],
         "required": 1},
    ], allow_same_approver=allow_same)


def _submitted(s: Session, author: User) -> int:
    release_id = factories.release(s, author).id or 0
    service.submit(s, release_id, author)
    return release_id


def _where(s: Session, release_id: int) -> tuple[str, int, int, int, int]:
    release = service.get_release(s, release_id)
    now = chains.progress(s, release)
    return release.state.value, now.position, now.total, now.signed, now.required


def _asked(s: Session, event_name: str, release_id: int) -> set[int]:
    """Who the last `event_name` event of the release asks to review (the handler, run here)."""
    event = s.exec(select(OutboxEvent).where(OutboxEvent.name == event_name, OutboxEvent.subject_id == release_id)
                   .order_by(col(OutboxEvent.created_at).desc())).first()
    assert event is not None
    notifications.review_requested(s, event)
    s.flush()
    return set(s.exec(select(Notification.user_id).where(Notification.event_id == event.id)).all())


def test_two_steps_each_signed_by_its_group_in_order(sqlite_db: str) -> None:
    with session_scope() as s:
        p = _people(s)
        _two_steps(s, p)
        release_id = _submitted(s, p["author"])
        assert _where(s, release_id) == ("in_review", 1, 2, 0, 1)
        assert _asked(s, "release.submitted", release_id) == {p["head"].id, p["deputy"].id}
        with pytest.raises(NotInStepGroup, match="step 1 of 2"):
            service.approve(s, release_id, p["cabinet"])
        assert "approve" not in permitted_actions(s, service.get_release(s, release_id), p["cabinet"])
        step = service.approve(s, release_id, p["head"])
        assert (step.to_state, step.event_name) == (State.IN_REVIEW, "release.step_reached")
        assert _where(s, release_id) == ("in_review", 2, 2, 0, 1)
        assert _asked(s, "release.step_reached", release_id) == {p["cabinet"].id}  # head signed step 1
        with pytest.raises(SignedOtherStep):  # one person, one step of a revision
            service.approve(s, release_id, p["head"])
        assert service.approve(s, release_id, p["cabinet"]).to_state is State.APPROVED


def test_three_steps_with_a_role_step_and_two_signatures(sqlite_db: str) -> None:
    with session_scope() as s:
        p = _people(s)
        chains.set_chain(s, None, "statement", [
            {"names": {"nl": "Redactie"}, "approvers": "approver", "required": 2},
            {"names": {"nl": "Hoofd communicatie"}, "approvers": p["head"].email},
            {"names": {"nl": "Kabinet"}, "approvers": "admin"},
        ])
        writer = factories.user(s, "approver")
        release_id = factories.release(s, writer, kind="statement").id or 0
        service.submit(s, release_id, writer)
        with pytest.raises(FourEyesViolation):  # four-eyes at every step: the writer signs none
            service.approve(s, release_id, writer)
        assert service.approve(s, release_id, p["cabinet"]).event_name == "release.approval_recorded"
        with pytest.raises(AlreadyApproved):
            service.approve(s, release_id, p["cabinet"])
        assert _where(s, release_id) == ("in_review", 1, 3, 1, 2)
        service.approve(s, release_id, p["deputy"])
        assert _where(s, release_id) == ("in_review", 2, 3, 0, 1)
        service.approve(s, release_id, p["head"])
        with pytest.raises(NotInStepGroup):
            service.approve(s, release_id, p["deputy"])
        with pytest.raises(FourEyesViolation):
            service.approve(s, release_id, writer)
        assert service.approve(s, release_id, p["admin"]).to_state is State.APPROVED
        assert service.publish(s, release_id, writer).to_state is State.PUBLISHED


def test_the_same_person_signs_two_steps_only_where_the_chain_allows_it(sqlite_db: str) -> None:
    with session_scope() as s:
        p = _people(s)
        _two_steps(s, p, allow_same=True)
        release_id = _submitted(s, p["author"])
        service.approve(s, release_id, p["head"])
        assert service.approve(s, release_id, p["head"]).to_state is State.APPROVED


def test_an_edit_after_a_sign_off_sends_the_release_back_to_step_1(sqlite_db: str) -> None:
    with session_scope() as s:
        p = _people(s)
        _two_steps(s, p)
        release_id = _submitted(s, p["author"])
        service.approve(s, release_id, p["head"])
        step = service.edit_release(s, release_id, p["author"], factories.content(topics=["changed"]))
        assert step is not None and "(earlier approvals voided)" in service.audit_log(s, release_id)[-1].comment
        assert _where(s, release_id) == ("in_review", 1, 2, 0, 1)
        assert _asked(s, "release.edited", release_id) == {p["head"].id, p["deputy"].id}
        service.approve(s, release_id, p["deputy"])
        service.approve(s, release_id, p["cabinet"])  # approved: an edit now sends it to review
        service.edit_release(s, release_id, p["author"], factories.content(topics=["again"]))
        assert _where(s, release_id) == ("in_review", 1, 2, 0, 1)


def test_a_chain_change_reaches_releases_submitted_afterwards(sqlite_db: str) -> None:
    with session_scope() as s:
        p = _people(s)
        before = _submitted(s, p["author"])  # no chain: the default, one approver
        _two_steps(s, p)
        after = _submitted(s, p["author"])
        assert _where(s, before)[1:3] == (1, 1) and _where(s, after)[1:3] == (1, 2)
        assert service.approve(s, before, p["cabinet"]).to_state is State.APPROVED
        chains.clear_chain(s, p["admin"], "press_release")
        assert service.approve(s, after, p["head"]).to_state is State.IN_REVIEW  # kept its chain
        changes = s.exec(select(OutboxEvent).where(OutboxEvent.name == "workflow.chain_changed")).all()
        assert [e.payload["after"] is None for e in changes] == [False, True]


def test_bad_chains_are_refused_naming_the_step_and_field(sqlite_db: str) -> None:
    with session_scope() as s:
        p = _people(s)
        with pytest.raises(NotAllowed):
            chains.set_chain(s, p["head"], "event", [{"names": {"nl": "X"}}])
        cases = [
            ([{"names": {"nl": "A"}, "approvers": [p["author"].email]}], "steps.1.approvers"),
            ([{"names": {"nl": "A"}}, {"names": {}}], "steps.2.names"),
            ([{"names": {"nl": "A"}, "approvers": [p["head"].email], "required": 2}], "steps.1.required"),
            ([{"names": {"xx": "A"}}], "steps.1.names.xx"),
            ([], "steps"),
        ]
        for steps, field in cases:
            with pytest.raises(InvalidInput) as refused:
                chains.set_chain(s, None, "event", steps)
            assert refused.value.field == field
        assert chains.chain_for_kind(s, "event") is None
