"""Every (state, action) pair of the transition table, walked on every backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session

from core.db import session_scope, utcnow
from tests import factories
from workflow import service
from workflow.errors import IllegalTransition
from workflow.models import User
from workflow.states import Action, State, allowed_actions, target

People = dict[str, User]
LATER = timedelta(days=2)


def _path_to(state: State) -> list[Callable[[Session, int, People], object]]:
    """The actions that lead a fresh draft to `state`."""
    submit = lambda s, r, p: service.submit(s, r, p["author"])
    approve = lambda s, r, p: service.approve(s, r, p["approver"])
    publish = lambda s, r, p: service.publish(s, r, p["approver"])
    paths: dict[State, list[Callable[[Session, int, People], object]]] = {
        State.DRAFT: [],
        State.IN_REVIEW: [submit],
        State.CHANGES_REQUESTED: [submit, lambda s, r, p: service.request_changes(s, r, p["approver"], "shorter")],
        State.APPROVED: [submit, approve],
        State.SCHEDULED: [submit, approve, lambda s, r, p: service.publish(s, r, p["approver"], utcnow() + LATER)],
        State.PUBLISHED: [submit, approve, publish],
        State.WITHDRAWN: [submit, approve, publish, lambda s, r, p: service.withdraw(s, r, p["approver"], "error")],
        State.ARCHIVED: [lambda s, r, p: service.archive(s, r, p["author"])],
    }
    return paths[state]


def _do(action: Action, session: Session, release_id: int, people: People) -> service.Step | None:
    author, approver = people["author"], people["second_approver"]
    match action:
        case Action.EDIT:
            new = factories.content(topics=["edited"])
            return service.edit_release(session, release_id, author, new)
        case Action.SUBMIT:
            return service.submit(session, release_id, author)
        case Action.APPROVE:
            return service.approve(session, release_id, approver)
        case Action.REQUEST_CHANGES:
            return service.request_changes(session, release_id, approver, "please cite the source")
        case Action.SCHEDULE:
            return service.publish(session, release_id, approver, utcnow() + 2 * LATER)
        case Action.UNSCHEDULE:
            return service.unschedule(session, release_id, approver)
        case Action.PUBLISH:
            return service.publish(session, release_id, approver)
        case Action.WITHDRAW:
            return service.withdraw(session, release_id, approver, "published by mistake")
        case Action.ARCHIVE:
            return service.archive(session, release_id, author)
    raise AssertionError(action)


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("state", list(State), ids=str)
def test_table_decides_every_pair(db: str, state: State, action: Action) -> None:
    with session_scope() as s:
        people = {
            "author": factories.user(s, "spokesperson"),
            "approver": factories.user(s, "approver"),
            "second_approver": factories.user(s, "approver"),
        }
        release_id = factories.release(s, people["author"]).id or 0
    for move in _path_to(state):
        with session_scope() as s:
            move(s, release_id, people)
    with session_scope() as s:
        assert service.get_release(s, release_id).state == state
        version_before = service.get_release(s, release_id).version

    expected = target(state, action)
    if expected is None:
        with pytest.raises(IllegalTransition) as caught, session_scope() as s:
            _do(action, s, release_id, people)
        assert caught.value.state is state
        assert caught.value.allowed == allowed_actions(state)
        assert state.value in str(caught.value)
        with session_scope() as s:  # nothing changed, nothing recorded
            release = service.get_release(s, release_id)
            assert (release.state, release.version) == (state, version_before)
        return
    with session_scope() as s:
        step = _do(action, s, release_id, people)
    assert step is not None
    assert step.to_state is expected
    with session_scope() as s:
        release = service.get_release(s, release_id)
        assert release.state == expected
        assert release.version == version_before + 1
        last = service.audit_log(s, release_id)[-1]
        assert (last.action, last.from_state, last.to_state) == (action.value, state.value, expected.value)


def test_every_state_but_final_ones_has_a_way_out() -> None:
    for state in State:
        assert bool(allowed_actions(state)) is (state not in (State.WITHDRAWN, State.ARCHIVED))
