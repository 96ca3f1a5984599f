"""Named guard predicates: who may take which action on a release, and what it must hold first.

Each guard raises the specific error that says why (NotAllowed for who, InvalidInput for what);
`GUARDS` maps every action to the guards it needs, so the rules are read in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from core.errors import NotAllowed, PressroomError
from core.settings import get_settings
from workflow.chains import in_group, progress, revision_authors, step_name
from workflow.content import ReleaseContent
from workflow.errors import (
    AlreadyApproved,
    FourEyesViolation,
    MissingLanguages,
    NotAuthor,
    NotInStepGroup,
    RoleRequired,
    SignedOtherStep,
)
from workflow.models import Release, Revision, Role, User
from workflow.states import Action, State, allowed_actions


@dataclass(frozen=True)
class Context:
    """What a guard looks at: the session, the release as loaded, the actor and the action."""

    session: Session
    release: Release
    actor: User | None  # None: the scheduler acting on an approved schedule
    action: Action

    @property
    def label(self) -> str:
        return self.actor.email if self.actor else "scheduler"


Guard = Callable[[Context], None]


def is_author_or_admin(ctx: Context) -> None:
    """Only the author of the release, or an admin, edits or submits it."""
    actor = ctx.actor
    if actor is None or (actor.id != ctx.release.author_id and actor.role != Role.ADMIN):
        raise NotAuthor(ctx.release.id or 0, ctx.label, ctx.action)


def is_reviewer(ctx: Context) -> None:
    """Reviews need the approver or admin role."""
    if ctx.actor is None or ctx.actor.role not in (Role.APPROVER, Role.ADMIN):
        raise RoleRequired(ctx.label, ctx.action, [Role.APPROVER.value, Role.ADMIN.value])


def wrote_no_revision(ctx: Context) -> None:
    """Four-eyes: nobody who wrote any revision of the text reviews it."""
    if ctx.actor is not None and ctx.actor.id in revision_authors(ctx.session, ctx.release):
        raise FourEyesViolation(ctx.release.id or 0, ctx.label, ctx.action)


def signs_current_step(ctx: Context) -> None:
    """An approval counts at the step the release stands at: only that step's group signs it."""
    if ctx.actor is None:
        return
    now = progress(ctx.session, ctx.release)
    if now.step is not None and not in_group(now.step, ctx.actor):
        name = step_name(now.step, ctx.actor.language) or f"step {now.position}"
        raise NotInStepGroup(ctx.release.id or 0, ctx.label, name, now.position, now.total)


def approves_once(ctx: Context) -> None:
    """An approver's second sign-off of the same step would count twice; a sign-off of a second
    step of the same revision would let one person stand for two, unless the chain allows it."""
    if ctx.actor is None:
        return
    now = progress(ctx.session, ctx.release)
    if ctx.actor.id in now.signers.get(now.position, ()):
        raise AlreadyApproved(ctx.release.id or 0, ctx.label)
    earlier = [step for step, people in now.signers.items() if ctx.actor.id in people]
    if earlier and not now.chain.allow_same_approver:
        raise SignedOtherStep(ctx.release.id or 0, ctx.label, earlier[0])


def has_required_languages(ctx: Context) -> None:
    """Every language of PRESSROOM_REQUIRED_LANGUAGES has a title and a body: an office bound to
    publish in, say, both Dutch and French must not send one language out alone. Checked on
    submitting and again on approving, since an edit during review skips the submit step."""
    required = get_settings().required_languages
    if not required:
        return
    revision = ctx.session.get(Revision, ctx.release.current_revision_id)
    translations = ReleaseContent.model_validate(revision.content).translations if revision else {}
    missing: dict[str, list[str]] = {}
    for language in required:
        text = translations.get(language)
        parts = [part for part in ("title", "body") if not (text and getattr(text, part))]
        if parts:
            missing[language] = parts
    if missing:
        raise MissingLanguages(ctx.release.id or 0, ctx.action, missing)


def may_release(ctx: Context) -> None:
    """Publishing, scheduling and withdrawing: the author, an approver, an admin or the scheduler."""
    actor = ctx.actor
    if actor is None:
        if ctx.action is not Action.PUBLISH:
            raise RoleRequired(ctx.label, ctx.action, [Role.APPROVER.value, Role.ADMIN.value])
        return
    if actor.id != ctx.release.author_id and actor.role not in (Role.APPROVER, Role.ADMIN):
        raise RoleRequired(ctx.label, ctx.action, ["author", Role.APPROVER.value, Role.ADMIN.value])


def is_cleared(ctx: Context) -> None:
    """Belt and braces for publishing: every step of the chain signed off, by people who wrote
    no revision, on the current revision."""
    if not progress(ctx.session, ctx.release).complete:
        raise FourEyesViolation(ctx.release.id or 0, ctx.label, ctx.action)


GUARDS: dict[Action, tuple[Guard, ...]] = {
    Action.EDIT: (is_author_or_admin,),
    Action.SUBMIT: (is_author_or_admin, has_required_languages),
    Action.ARCHIVE: (is_author_or_admin,),
    Action.APPROVE: (is_reviewer, wrote_no_revision, signs_current_step, approves_once, has_required_languages),
    Action.REQUEST_CHANGES: (is_reviewer, wrote_no_revision),
    Action.SCHEDULE: (may_release, is_cleared),
    Action.UNSCHEDULE: (may_release,),
    Action.PUBLISH: (may_release, is_cleared),
    Action.WITHDRAW: (may_release,),
}


def check(ctx: Context) -> None:
    """Run every guard of the action; the first that objects raises."""
    for guard in GUARDS[ctx.action]:
        guard(ctx)


def permitted_actions(session: Session, release: Release, actor: User) -> list[str]:
    """The actions the release's state allows that this person may take: pages show only these.
    A refusal about the content (a missing language) still shows the action, so that clicking it
    explains what is missing; a refusal about the person (not the author, four-eyes) hides it."""
    permitted = []
    for action in allowed_actions(State(release.state)):
        try:
            check(Context(session, release, actor, action))
        except NotAllowed:
            continue
        except PressroomError:
            pass
        permitted.append(action.value)
    return permitted


def count_valid_approvals(session: Session, release: Release) -> int:
    """Sign-offs of the current revision by people who wrote no revision, all steps together."""
    return sum(len(people) for people in progress(session, release).signers.values())


# Beyond releases: what only some roles may do to mailings and audiences. Adding, removing and
# importing people is everyday press office work, open to every role; these are not.
OFFICE_ACTIONS: dict[str, tuple[Role, ...]] = {
    # Pausing, cancelling or re-sending a mailing weighs like approving it.
    "control distributions": (Role.APPROVER, Role.ADMIN),
    # A list's settings decide who gets embargoed news, and which lists the public can join.
    "change list settings": (Role.APPROVER, Role.ADMIN),
    # Erasure cannot be undone.
    "erase subscribers": (Role.ADMIN,),
    # The name, address and phone every mail says it comes from.
    "change the organisation": (Role.ADMIN,),
    # The names and descriptions topics go by on the public pages and feeds.
    "change topics": (Role.ADMIN,),
    # Who may sign in, and with which powers.
    "manage users": (Role.ADMIN,),
    # Where released content is posted to, under embargo too, and with which secrets.
    "manage webhooks": (Role.ADMIN,),
    # Events whose handlers failed too often (`pressroom failures`): retrying re-runs the effect.
    "handle failed events": (Role.ADMIN,),
    # Who signs off which kind of release, in which order (workflow.chains).
    "change approval chains": (Role.ADMIN,),
}


def allows(actor: User | None, action: str) -> bool:
    """Whether `actor` has a role that `OFFICE_ACTIONS[action]` allows (pages hide the rest)."""
    return actor is not None and actor.role in OFFICE_ACTIONS[action]


def require_role(actor: User, action: str) -> None:
    """Raise RoleRequired unless `actor` may take `action`."""
    if not allows(actor, action):
        raise RoleRequired(actor.email, action, [role.value for role in OFFICE_ACTIONS[action]])
