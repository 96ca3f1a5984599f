"""Approval chains: per release kind, the ordered steps a release passes before it is approved.

A step has a name per language ("Hoofd communicatie", "Kabinet"), a group of people who may sign
it off and how many of them must. A group is either a role ("approver": approvers and admins, as
a single step always had; "admin": admins only) or a list of named users, each an approver or an
admin. A kind without a chain has the default: one step of PRESSROOM_REQUIRED_APPROVALS people
with the approver role.

The chain is copied onto the release when it is submitted (`Release.chain`), so changing a chain
applies to releases submitted afterwards. Where a release stands is never stored: it is read from
the sign-offs of its current revision (`progress`), so an edit, which makes a new revision, sends
the release back to step 1 by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import UTCDateTime, enum_type, utcnow
from core.errors import InvalidInput, NotFound
from core.outbox import emit
from core.settings import get_settings
from workflow.content import printed_line
from workflow.models import Approval, Release, ReleaseKind, Revision, Role, User

CHANGE_ACTION = "change approval chains"
MAX_STEPS = 10
MAX_REQUIRED = 5
NAME_LENGTH = 100
# The roles a step's group may name, and the roles of the people each one holds.
ROLE_GROUPS: dict[str, tuple[Role, ...]] = {
    Role.APPROVER.value: (Role.APPROVER, Role.ADMIN),
    Role.ADMIN.value: (Role.ADMIN,),
}


class ChainStep(BaseModel):
    """One step: its name per language, who may sign it (a role, or user ids), how many must."""

    model_config = ConfigDict(frozen=True)

    names: dict[str, str] = PydanticField(default_factory=dict)
    role: str | None = Role.APPROVER.value  # None: the step names its people in `members`
    members: tuple[int, ...] = ()
    required: int = 1


class Chain(BaseModel):
    """The steps in order; `allow_same_approver` lets one person sign several steps of a revision."""

    model_config = ConfigDict(frozen=True)

    steps: tuple[ChainStep, ...]
    allow_same_approver: bool = False


class ApprovalChain(SQLModel, table=True):
    """The chain of one release kind as admins set it; a kind without a row has the default."""

    __tablename__ = "approval_chain"

    kind: ReleaseKind = Field(primary_key=True, sa_type=enum_type(ReleaseKind))
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    allow_same_approver: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_by: str = Field(default="", max_length=254)


def default_chain() -> Chain:
    """What a kind without a chain gets: one unnamed step of the approver role."""
    return Chain(steps=(ChainStep(required=get_settings().required_approvals),))


def chain_for_kind(session: Session, kind: ReleaseKind | str) -> Chain | None:
    """The chain admins set for `kind`, or None when it has none (the default applies)."""
    row = session.get(ApprovalChain, ReleaseKind(kind))
    if row is None:
        return None
    return Chain(steps=tuple(ChainStep.model_validate(step) for step in row.steps),
                 allow_same_approver=row.allow_same_approver)


def snapshot(session: Session, kind: ReleaseKind | str) -> dict[str, Any] | None:
    """The chain to copy onto a release submitted now (None: the default, read when needed)."""
    chain = chain_for_kind(session, kind)
    return chain.model_dump(mode="json") if chain is not None else None


def release_chain(release: Release) -> Chain:
    """The chain the release was submitted under."""
    return Chain.model_validate(release.chain) if release.chain else default_chain()


# --- where a release stands ---------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Where the current revision stands in its chain; `position` is 1-based, and one past the
    last step once every step is signed off."""

    chain: Chain
    position: int
    signed: int  # sign-offs that count at the current step
    signers: dict[int, frozenset[int]]  # step -> who signed it, on the current revision

    @property
    def total(self) -> int:
        return len(self.chain.steps)

    @property
    def complete(self) -> bool:
        return self.position > self.total

    @property
    def step(self) -> ChainStep | None:
        return None if self.complete else self.chain.steps[self.position - 1]

    @property
    def required(self) -> int:
        return self.step.required if self.step else 0


def revision_authors(session: Session, release: Release) -> set[int]:
    """Ids of everyone who wrote a revision of the release."""
    rows = session.exec(select(Revision.author_id).where(Revision.release_id == release.id)).all()
    return set(rows)


def progress(session: Session, release: Release) -> Progress:
    """Count the sign-offs of the current revision step by step: a step is done once enough
    people who wrote no revision signed it; the first step that is not done is where it stands."""
    chain = release_chain(release)
    writers = revision_authors(session, release)
    rows = session.exec(
        select(Approval.step, Approval.approver_id).where(Approval.revision_id == release.current_revision_id)
    ).all()
    signers: dict[int, set[int]] = {}
    for number, approver in rows:
        if approver not in writers:
            signers.setdefault(number, set()).add(approver)
    frozen = {number: frozenset(people) for number, people in signers.items()}
    for position, step in enumerate(chain.steps, start=1):
        signed = len(frozen.get(position, ()))
        if signed < step.required:
            return Progress(chain, position, signed, frozen)
    return Progress(chain, len(chain.steps) + 1, 0, frozen)


def in_group(step: ChainStep, user: User) -> bool:
    """Whether `user` belongs to the group that signs `step`."""
    if step.role is not None:
        return user.role in ROLE_GROUPS.get(step.role, ())
    return user.id in step.members


def step_approvers(session: Session, release: Release, position: int | None = None) -> list[User]:
    """The people who may still sign step `position` (the current one by default) of the current
    revision: active, in its group, no writer of the text, and not already counted elsewhere."""
    now = progress(session, release)
    position = position or now.position
    if position > now.total:
        return []
    step = now.chain.steps[position - 1]
    writers = revision_authors(session, release)
    signed_here = now.signers.get(position, frozenset())
    signed_elsewhere = set().union(*(p for s, p in now.signers.items() if s != position))
    people = session.exec(select(User).where(User.active == True).order_by(col(User.id))).all()
    return [user for user in people
            if in_group(step, user) and user.id not in writers and user.id not in signed_here
            and (now.chain.allow_same_approver or user.id not in signed_elsewhere)]


def step_name(step: ChainStep | None, language: str) -> str:
    """The step's name in `language`, else in the default language, else any; "" if unnamed."""
    if step is None or not step.names:
        return ""
    names = step.names
    return names.get(language) or names.get(get_settings().default_language) or next(iter(names.values()))


def progress_view(session: Session, release: Release) -> dict[str, Any]:
    """Where the release stands, JSON-ready: for the CLI, the API and the release page."""
    now = progress(session, release)
    return {"position": now.position, "total": now.total, "names": dict(now.step.names) if now.step else {},
            "signed": now.signed, "required": now.required, "complete": now.complete}


def progress_line(view: Mapping[str, Any]) -> str:
    """A `progress_view` as the CLI prints it: "step 2 of 2: Kabinet, 0 of 1"."""
    if view["complete"]:
        return f"all {view['total']} steps signed off"
    names = view["names"]
    name = names.get(get_settings().default_language) or next(iter(names.values()), "approval")
    return f"step {view['position']} of {view['total']}: {name}, {view['signed']} of {view['required']}"


# --- admins edit chains ------------------------------------------------------------------------


def chain_view(session: Session, chain: Chain) -> dict[str, Any]:
    """A chain as `set_chain` takes it: members by address, so the output can be fed back."""
    emails = {user.id: user.email for user in session.exec(select(User)).all()}
    return {
        "steps": [{"names": dict(step.names),
                   "approvers": step.role if step.role is not None
                   else [emails.get(member, f"#{member}") for member in step.members],
                   "required": step.required} for step in chain.steps],
        "allow_same_approver": chain.allow_same_approver,
    }


def chains_view(session: Session) -> list[dict[str, Any]]:
    """Every kind with its chain, the default where none is set."""
    rows = []
    for kind in ReleaseKind:
        chain = chain_for_kind(session, kind)
        row = session.get(ApprovalChain, kind)
        rows.append({"kind": kind.value, "default": chain is None,
                     **chain_view(session, chain or default_chain()),
                     "updated_at": row.updated_at.isoformat() if row else None,
                     "updated_by": row.updated_by if row else None})
    return rows


def _kind(kind: str) -> ReleaseKind:
    try:
        return ReleaseKind(kind)
    except ValueError:
        raise InvalidInput("kind", f"{kind!r} is not a release kind "
                                   f"({', '.join(k.value for k in ReleaseKind)})") from None


def _step(session: Session, index: int, given: Mapping[str, Any]) -> ChainStep:
    """One step as the admin gave it, checked; `index` is 1-based, for the field in errors."""
    where = f"steps.{index}"
    unknown = set(given) - {"names", "approvers", "required"}
    if unknown:
        raise InvalidInput(where, f"unknown fields {', '.join(sorted(unknown))} (names, approvers, required)")
    languages = get_settings().languages
    names: dict[str, str] = {}
    for language, value in dict(given.get("names") or {}).items():
        if language not in languages:
            raise InvalidInput(f"{where}.names.{language}",
                               f"language {language!r} is not configured ({', '.join(languages)})")
        try:
            text = printed_line(str(value).strip(), "step name")
        except ValueError as error:
            raise InvalidInput(f"{where}.names.{language}", str(error)) from None
        if len(text) > NAME_LENGTH:
            raise InvalidInput(f"{where}.names.{language}", f"at most {NAME_LENGTH} characters (got {len(text)})")
        if text:
            names[language] = text
    if not names:
        raise InvalidInput(f"{where}.names", "give the step a name in at least one language")
    try:
        required = int(given.get("required", 1))
    except (TypeError, ValueError):
        raise InvalidInput(f"{where}.required", f"{given.get('required')!r} is not a number") from None
    if not 1 <= required <= MAX_REQUIRED:
        raise InvalidInput(f"{where}.required", f"between 1 and {MAX_REQUIRED} (got {required})")
    approvers = given.get("approvers", Role.APPROVER.value)
    if isinstance(approvers, str) and approvers.strip().lower() in ROLE_GROUPS:
        role = approvers.strip().lower()
        eligible = session.exec(
            select(User).where(col(User.role).in_(ROLE_GROUPS[role]), User.active == True)
        ).all()
        if len(eligible) < required:
            raise InvalidInput(f"{where}.required", f"fewer active users have the {role} role "
                                                    f"({len(eligible)}) than must sign it ({required})")
        return ChainStep(names=names, role=role, required=required)
    emails = [part.strip() for part in approvers.split(",")] if isinstance(approvers, str) else list(approvers)
    emails = [email for email in emails if email]
    if not emails:
        raise InvalidInput(f"{where}.approvers", "name a role (approver, admin) or the users who sign this step")
    members: list[int] = []
    for email in emails:
        user = session.exec(select(User).where(User.email == str(email).strip().lower())).first()
        if user is None:
            raise InvalidInput(f"{where}.approvers", f"no user {email}")
        if not user.active or user.role not in ROLE_GROUPS[Role.APPROVER.value]:
            raise InvalidInput(f"{where}.approvers", f"{user.email} cannot sign off releases: "
                                                     "only active approvers and admins can")
        if user.id not in members:
            members.append(user.id or 0)
    if len(members) < required:
        raise InvalidInput(f"{where}.required", f"the step names fewer people ({len(members)}) "
                                                f"than must sign it ({required})")
    return ChainStep(names=names, role=None, members=tuple(members), required=required)


def set_chain(session: Session, actor: User | None, kind: str, steps: Sequence[Mapping[str, Any]],
              allow_same_approver: bool = False) -> Chain:
    """Store the chain of `kind` (admins only; no actor: the machine's operator). Each step is
    {"names": {lang: name}, "approvers": "approver" | "admin" | [emails], "required": n}.
    Raises InvalidInput naming the step and field at fault; releases already submitted keep
    the chain they were submitted under."""
    from workflow.guards import require_role  # guards read chains: import at the moment of use

    if actor is not None:
        require_role(actor, CHANGE_ACTION)
    key = _kind(kind)
    if not steps:
        raise InvalidInput("steps", "a chain has at least one step (clear it to use the default)")
    if len(steps) > MAX_STEPS:
        raise InvalidInput("steps", f"at most {MAX_STEPS} steps (got {len(steps)})")
    chain = Chain(steps=tuple(_step(session, index, step) for index, step in enumerate(steps, start=1)),
                  allow_same_approver=allow_same_approver)
    row = session.get(ApprovalChain, key) or ApprovalChain(kind=key)
    before = {"steps": row.steps, "allow_same_approver": row.allow_same_approver} if row.steps else None
    row.steps = [step.model_dump(mode="json") for step in chain.steps]
    row.allow_same_approver = allow_same_approver
    row.updated_at = utcnow()
    row.updated_by = actor.email if actor is not None else "pressroom"
    session.add(row)
    emit(session, "workflow.chain_changed", None, kind=key.value, actor_id=actor.id if actor else None,
         before=before, after=chain.model_dump(mode="json"))
    session.flush()
    return chain


def clear_chain(session: Session, actor: User | None, kind: str) -> None:
    """Remove the chain of `kind`, so later submissions get the default; NotFound if none is set."""
    from workflow.guards import require_role

    if actor is not None:
        require_role(actor, CHANGE_ACTION)
    key = _kind(kind)
    row = session.get(ApprovalChain, key)
    if row is None:
        raise NotFound("approval chain", key.value)
    before = {"steps": row.steps, "allow_same_approver": row.allow_same_approver}
    session.delete(row)
    emit(session, "workflow.chain_changed", None, kind=key.value, actor_id=actor.id if actor else None,
         before=before, after=None)
    session.flush()
