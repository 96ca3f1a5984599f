"""Property test: random actions by random people never break the workflow's rules."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import select

from core.db import session_scope, utcnow
from core.errors import PressroomError
from core.settings import get_settings, override_settings
from tests import factories
from workflow import chains, service
from workflow.guards import revision_authors
from workflow.models import Approval, AuditEntry, Revision, User
from workflow.states import CLEARED, Action, State

ROLES = ("spokesperson", "spokesperson", "approver", "approver", "approver", "admin")
SIGNERS = [index for index, role in enumerate(ROLES) if role != "spokesperson"]

# One step of a random chain: who signs it (a role, or some of the signers) and how many must.
STEP = st.one_of(
    st.tuples(st.just("approver"), st.integers(1, 2)),
    st.tuples(st.just("admin"), st.just(1)),
    st.lists(st.sampled_from(SIGNERS), min_size=1, max_size=3, unique=True).flatmap(
        lambda members: st.tuples(st.just(members), st.integers(1, len(members)))),
)


class WorkflowMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        with session_scope() as s:
            self.people: list[User] = [factories.user(s, role) for role in ROLES]
            self.release_id = factories.release(s, self.people[0]).id or 0
        self.successes = 1  # the creation
        self.edits = 0
        self.current_chain: dict[str, object] | None = None  # the kind's chain as set now
        self.submitted_under: dict[str, object] | None = None  # as it was at the last submission

    @initialize(steps=st.lists(STEP, min_size=0, max_size=4), allow_same=st.booleans())
    def chain(self, steps: list[tuple[object, int]], allow_same: bool) -> None:
        """A chain of random length for the kind (none: the default), set before any submission."""
        self.rechain(steps, allow_same)

    @rule(steps=st.lists(STEP, min_size=0, max_size=4), allow_same=st.booleans())
    def rechain(self, steps: list[tuple[object, int]], allow_same: bool) -> None:
        """An admin changes the chain at any moment: only later submissions may follow it."""
        with session_scope() as s:
            if not steps:
                if chains.chain_for_kind(s, "press_release") is not None:
                    chains.clear_chain(s, None, "press_release")
                self.current_chain = None
                return
            given = [{"names": {"nl": f"Stap {n}"}, "required": required,
                      "approvers": group if isinstance(group, str) else [self.people[i].email for i in group]}
                     for n, (group, required) in enumerate(steps, start=1)]
            chain = chains.set_chain(s, None, "press_release", given, allow_same_approver=allow_same)
            self.current_chain = chain.model_dump(mode="json")

    @rule(who=st.integers(0, len(ROLES) - 1), action=st.sampled_from(list(Action)), later=st.booleans())
    def act(self, who: int, action: Action, later: bool) -> None:
        actor = self.people[who]
        try:
            with session_scope() as s:
                step = self._run(s, actor, action, later)
        except PressroomError:
            return
        if step is not None:
            self.successes += 1
            if action is Action.SUBMIT:
                self.submitted_under = self.current_chain

    @rule(pick=st.integers(0, 10))
    def sign_next_step(self, pick: int) -> None:
        """Someone the current step asks for signs it (or the author submits a draft): random
        walks would seldom get far into a chain otherwise."""
        with session_scope() as s:
            release = service.get_release(s, self.release_id)
            asked = {user.id for user in chains.step_approvers(s, release)}
            signers = [index for index, person in enumerate(self.people) if person.id in asked]
            if release.state is State.IN_REVIEW and signers:
                who, action = signers[pick % len(signers)], Action.APPROVE
            elif release.state is State.DRAFT:
                who, action = 0, Action.SUBMIT
            else:
                return
        self.act(who, action, False)

    def _run(self, s, actor: User, action: Action, later: bool):  # type: ignore[no-untyped-def]
        rid = self.release_id
        match action:
            case Action.EDIT:
                self.edits += 1
                return service.edit_release(s, rid, actor, factories.content(topics=[f"t{self.edits}"]))
            case Action.SUBMIT:
                return service.submit(s, rid, actor)
            case Action.APPROVE:
                return service.approve(s, rid, actor)
            case Action.REQUEST_CHANGES:
                return service.request_changes(s, rid, actor, "change it")
            case Action.SCHEDULE | Action.PUBLISH:
                return service.publish(s, rid, actor, utcnow() + timedelta(days=1) if later else None)
            case Action.UNSCHEDULE:
                return service.unschedule(s, rid, actor)
            case Action.WITHDRAW:
                return service.withdraw(s, rid, actor, "because")
            case Action.ARCHIVE:
                return service.archive(s, rid, actor)

    @invariant()
    def rules_hold(self) -> None:
        with session_scope() as s:
            release = service.get_release(s, self.release_id)
            state = State(release.state)
            writers = revision_authors(s, release)
            approvals = s.exec(select(Approval).where(Approval.release_id == release.id)).all()
            log = s.exec(
                select(AuditEntry).where(AuditEntry.release_id == release.id).order_by(AuditEntry.id)  # type: ignore[arg-type]
            ).all()
            hashes = set(s.exec(select(Revision.content_hash).where(Revision.release_id == release.id)).all())

            # approvals that count (those of the current revision) are by people who wrote none
            current = [a for a in approvals if a.revision_id == release.current_revision_id]
            assert not {a.approver_id for a in current} & writers
            # steps are signed in order, each by its own group, by one person once unless the
            # chain allows it; cleared states have every step signed on exactly the current revision
            assert release.chain == self.submitted_under  # the chain of its last submission
            chain = chains.release_chain(release)
            people = {user.id: user for user in self.people}
            for a in current:
                assert a.step <= len(chain.steps) and chains.in_group(chain.steps[a.step - 1], people[a.approver_id])
            by_step = [{a.approver_id for a in current if a.step == n} for n in range(1, len(chain.steps) + 1)]
            done = [len(signers) >= step.required for signers, step in zip(by_step, chain.steps, strict=True)]
            assert all(all(done[:n]) for n, signers in enumerate(by_step) if signers)
            if not chain.allow_same_approver:
                assert len(current) == len({a.approver_id for a in current})
            if state in CLEARED:
                assert all(done)
                if release.chain is None:
                    assert len(current) >= get_settings().required_approvals
            # every publication happened on an approved revision
            for entry in log:
                if entry.action == "publish":
                    approved_hashes = {
                        s.get(Revision, a.revision_id).content_hash for a in approvals  # type: ignore[union-attr]
                    }
                    assert entry.revision_hash in approved_hashes
            assert (release.published_at is not None) == (state in (State.PUBLISHED, State.WITHDRAWN))
            # the audit log is complete and consistent with the current state
            assert len(log) == self.successes
            assert log[-1].to_state == state.value
            assert all(entry.revision_hash in hashes for entry in log)
            for before, after in itertools.pairwise(log):
                assert after.from_state == before.to_state


@pytest.mark.parametrize("approvals", [1, 2])
def test_random_walks_keep_the_rules(sqlite_db: str, approvals: int) -> None:
    """Random actions, under the default chain or a random one of up to four steps."""
    override_settings(required_approvals=approvals)
    run_state_machine_as_test(
        WorkflowMachine,
        settings=settings(
            max_examples=30, stateful_step_count=20, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
