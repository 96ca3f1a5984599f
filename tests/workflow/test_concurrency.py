"""Two approvers acting on the same version at once: exactly one wins."""

from __future__ import annotations

import threading

from sqlmodel import select

from core.db import session_scope
from core.errors import PressroomError
from tests import factories
from workflow import service
from workflow.errors import StaleVersion
from workflow.models import Approval, AuditEntry
from workflow.states import State


def _race(release_id: int, version: int, approvers: list) -> list[object]:  # type: ignore[type-arg]
    barrier = threading.Barrier(len(approvers))
    outcomes: list[object] = [None] * len(approvers)

    def approve(index: int) -> None:
        barrier.wait()
        try:
            with session_scope() as s:
                outcomes[index] = service.approve(s, release_id, approvers[index], expected_version=version)
        except PressroomError as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(len(approvers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_simultaneous_approvals_one_wins_one_conflicts(db: str) -> None:
    for _round in range(5):
        with session_scope() as s:
            author = factories.user(s)
            approvers = [factories.user(s, "approver"), factories.user(s, "approver")]
            release_id = factories.release(s, author).id or 0
            service.submit(s, release_id, author)
            version = service.get_release(s, release_id).version

        outcomes = _race(release_id, version, approvers)

        wins = [o for o in outcomes if isinstance(o, service.Step)]
        conflicts = [o for o in outcomes if isinstance(o, StaleVersion)]
        assert len(wins) == 1 and len(conflicts) == 1, outcomes
        assert "changed since you loaded it" in str(conflicts[0])
        with session_scope() as s:
            release = service.get_release(s, release_id)
            assert (release.state, release.version) == (State.APPROVED, version + 1)
            approvals = s.exec(select(Approval).where(Approval.release_id == release_id)).all()
            assert len(approvals) == 1  # the loser's approval was rolled back with its transaction
            approve_rows = s.exec(
                select(AuditEntry).where(AuditEntry.release_id == release_id, AuditEntry.action == "approve")
            ).all()
            assert len(approve_rows) == 1


def test_two_sign_offs_racing_for_the_last_place_of_a_step_advance_it_once(postgresql_db: str) -> None:
    """Step 1 needs one of two people, and both sign the version they saw at once: one sign-off
    counts, the release moves to step 2 once, and the other is told to reload."""
    from core.outbox import OutboxEvent
    from workflow import chains

    with session_scope() as s:
        author, admin = factories.user(s), factories.user(s, "admin")
        first = [factories.user(s, "approver"), factories.user(s, "approver")]
        chains.set_chain(s, admin, "press_release", [
            {"names": {"nl": "Hoofd communicatie"}, "approvers": [u.email for u in first]},
            {"names": {"nl": "Kabinet"}, "approvers": [admin.email]},
        ])
    for _round in range(3):
        with session_scope() as s:
            release_id = factories.release(s, author).id or 0
            version = service.submit(s, release_id, author).release.version

        outcomes = _race(release_id, version, first)

        assert sorted(type(o).__name__ for o in outcomes) == ["StaleVersion", "Step"], outcomes
        with session_scope() as s:
            release = service.get_release(s, release_id)
            now = chains.progress(s, release)
            assert (release.state, now.position, now.total) == (State.IN_REVIEW, 2, 2)
            assert len(s.exec(select(Approval).where(Approval.release_id == release_id)).all()) == 1
            reached = s.exec(select(OutboxEvent).where(OutboxEvent.name == "release.step_reached",
                                                       OutboxEvent.subject_id == release_id)).all()
            assert len(reached) == 1
