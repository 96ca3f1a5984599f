"""The release state machine: states, actions and the one transition table.

Guards (who may act) live in `workflow.guards`; this file says only which action moves a release
from which state to which. `allowed_actions()` is what an illegal-transition error reports.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"
    ARCHIVE = "archive"


# (state, action) -> state after the action. APPROVE stays in review until enough approvals
# are in; `workflow.service.approve` decides between the two targets listed for it here.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.EDIT): State.DRAFT,
    (State.DRAFT, Action.SUBMIT): State.IN_REVIEW,
    (State.DRAFT, Action.ARCHIVE): State.ARCHIVED,
    (State.IN_REVIEW, Action.EDIT): State.IN_REVIEW,
    (State.IN_REVIEW, Action.APPROVE): State.APPROVED,
    (State.IN_REVIEW, Action.REQUEST_CHANGES): State.CHANGES_REQUESTED,
    (State.CHANGES_REQUESTED, Action.EDIT): State.DRAFT,
    (State.APPROVED, Action.EDIT): State.IN_REVIEW,
    (State.APPROVED, Action.SCHEDULE): State.SCHEDULED,
    (State.APPROVED, Action.PUBLISH): State.PUBLISHED,
    (State.SCHEDULED, Action.EDIT): State.IN_REVIEW,
    (State.SCHEDULED, Action.SCHEDULE): State.SCHEDULED,  # a new time
    (State.SCHEDULED, Action.UNSCHEDULE): State.APPROVED,
    (State.SCHEDULED, Action.PUBLISH): State.PUBLISHED,
    (State.PUBLISHED, Action.WITHDRAW): State.WITHDRAWN,
}

# States in which a release has been cleared for the public by enough approvers.
CLEARED = frozenset({State.APPROVED, State.SCHEDULED, State.PUBLISHED})
FINAL = frozenset({State.WITHDRAWN, State.ARCHIVED})


def allowed_actions(state: State) -> list[Action]:
    """The actions the table allows from `state`, in table order."""
    return [action for (source, action) in TRANSITIONS if source == state]


def target(state: State, action: Action) -> State | None:
    """The state `action` leads to from `state`, or None when the table forbids it."""
    return TRANSITIONS.get((state, action))
