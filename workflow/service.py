"""The release workflow: every action has one shape, inside the caller's transaction.

    load → check version → check the table → run the guards → bump the version (conditional
    UPDATE) → change → append an audit row → emit the outbox event

The caller owns the transaction (`core.db.session_scope`), so the change, its audit row and its
event commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from core.db import as_utc, utcnow
from core.errors import InvalidInput, NotFound, TooLong
from core.outbox import emit
from core.settings import get_settings
from media.readiness import check_known, check_ready
from workflow.chains import progress, snapshot
from workflow.content import ReleaseContent
from workflow.edit_locks import check_may_save
from workflow.errors import (
    EmbargoLiftsFirst,
    IllegalTransition,
    MissingAltText,
    NotSubmittable,
    PublicationInPast,
    StaleVersion,
)
from workflow.guards import Context, check
from workflow.models import Approval, AuditEntry, Release, Revision, User
from workflow.organisation import current_organisation_version
from workflow.states import Action, State, allowed_actions, target
from workflow.targets import check_audience, check_lists
from workflow.users import snapshot_contacts
from workflow.withdrawals import WithdrawalNotice

EVENT_NAMES: dict[Action, str] = {
    Action.EDIT: "release.edited",
    Action.SUBMIT: "release.submitted",
    Action.APPROVE: "release.approved",
    Action.REQUEST_CHANGES: "release.changes_requested",
    Action.SCHEDULE: "release.scheduled",
    Action.UNSCHEDULE: "release.unscheduled",
    Action.PUBLISH: "release.published",
    Action.WITHDRAW: "release.withdrawn",
    Action.ARCHIVE: "release.archived",
}


@dataclass(frozen=True)
class Decided:
    """What a change decided beyond the table: the state it leads to, and the event that says
    so when it is not the action's own (approve: a step reached, or one more sign-off)."""

    state: State
    event_name: str | None = None
    payload: dict[str, Any] | None = None


@dataclass
class Step:
    """What a transition did, for the caller to print or return."""

    release: Release
    action: Action
    from_state: State
    to_state: State
    event_name: str


def get_release(session: Session, release_id: int) -> Release:
    """The release with this id; raises NotFound."""
    release = session.get(Release, release_id)
    if release is None:
        raise NotFound("release", release_id)
    return release


def current_revision(session: Session, release: Release) -> Revision:
    """The revision the release shows now."""
    revision = session.get(Revision, release.current_revision_id)
    if revision is None:  # only possible if the database was edited by hand
        raise NotFound("revision", release.current_revision_id)
    return revision


def current_content(session: Session, release: Release) -> ReleaseContent:
    """The validated content of the current revision."""
    return ReleaseContent.model_validate(current_revision(session, release).content)


def _mirror(release: Release, content: ReleaseContent) -> None:
    """Copy what queries filter on from the new current revision onto the release row."""
    release.kind = content.kind
    release.default_language = content.default_language
    release.embargo_until = content.embargo_until
    release.publish_at = content.publish_at
    release.languages = content.titled_languages()


def create_release(session: Session, author: User, content: ReleaseContent) -> Release:
    """Start a draft with its first revision; any role may write."""
    if not author.active:
        raise InvalidInput("author", f"{author.email} is deactivated")
    content = _reviewable(session, content)
    release = Release(author_id=author.id or 0, kind=content.kind, default_language=content.default_language)
    _mirror(release, content)
    session.add(release)
    session.flush()
    revision = _add_revision(session, release, author, content)
    _record(session, release, author, "create", None, State.DRAFT, revision.content_hash, "")
    emit(session, "release.created", release.id, actor_id=author.id, revision_hash=revision.content_hash)
    session.flush()
    return release


def edit_release(
    session: Session,
    release_id: int,
    actor: User,
    content: ReleaseContent,
    expected_version: int | None = None,
    comment: str = "",
) -> Step | None:
    """Store a new revision. Editing approved or scheduled text voids its approvals and sends it
    back to review. Returns None when the content is unchanged (nothing is recorded). Raises
    EditLocked while a colleague has the release open in the editor (`workflow.edit_locks`)."""
    release = get_release(session, release_id)
    check_may_save(session, release_id, actor)
    content = _reviewable(session, content)
    if content.content_hash() == current_revision(session, release).content_hash and (
        expected_version is None or expected_version == release.version
    ):
        return None

    def change(release: Release) -> None:
        _add_revision(session, release, actor, content)
        _mirror(release, content)

    note = comment
    signed = release.state in (State.APPROVED, State.SCHEDULED) or (
        release.state is State.IN_REVIEW and bool(progress(session, release).signers))
    if signed:
        # The new revision has no sign-offs: the release is back at step 1 of its chain.
        note = (comment + " " if comment else "") + "(earlier approvals voided)"
        return _transition(session, release, actor, Action.EDIT, expected_version, note, change, step=1)
    return _transition(session, release, actor, Action.EDIT, expected_version, note, change)


def submit(session: Session, release_id: int, actor: User, expected_version: int | None = None) -> Step:
    """Send a draft to review, at step 1 of its kind's approval chain as it stands now (a later
    change of the chain does not reach it); it needs one translation with a title and a body."""
    release = get_release(session, release_id)

    def change(release: Release) -> None:
        content = current_content(session, release)
        if not content.submittable_languages():
            raise NotSubmittable(release.id or 0)
        check_audience(session, content)
        check_media(session, content)
        release.chain = snapshot(session, release.kind)

    return _transition(session, release, actor, Action.SUBMIT, expected_version, "", change, step=1)


def approve(
    session: Session,
    release_id: int,
    actor: User,
    comment: str = "",
    expected_version: int | None = None,
) -> Step:
    """Sign off the current revision at the step of the chain it stands at; the release moves
    to the next step once enough of that step's group have, and is approved after the last."""
    release = get_release(session, release_id)

    def change(release: Release) -> Decided:
        before = progress(session, release)
        session.add(
            Approval(
                release_id=release.id or 0,
                revision_id=release.current_revision_id or 0,
                step=before.position,
                approver_id=actor.id or 0,
                comment=comment,
            )
        )
        session.flush()
        after = progress(session, release)
        if after.complete:
            return Decided(State.APPROVED, payload={"step": before.position, "of": after.total})
        if after.position != before.position:
            return Decided(State.IN_REVIEW, "release.step_reached", {"step": after.position, "of": after.total})
        return Decided(State.IN_REVIEW, "release.approval_recorded", {"step": after.position, "of": after.total})

    return _transition(session, release, actor, Action.APPROVE, expected_version, comment, change)


def request_changes(
    session: Session,
    release_id: int,
    actor: User,
    comment: str,
    expected_version: int | None = None,
) -> Step:
    """Send the release back to its author with a comment saying what to change.

    Line breaks are stored as one character each, as the form's text box counts them (a
    browser sends each as two), and the length is checked on that: REVIEW_COMMENT_LENGTH."""
    text = comment.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("comment", "say what should change: a comment is required")
    if len(text) > REVIEW_COMMENT_LENGTH:
        raise TooLong("comment", REVIEW_COMMENT_LENGTH, len(text), "comment")
    release = get_release(session, release_id)
    return _transition(session, release, actor, Action.REQUEST_CHANGES, expected_version, text)


def publish(
    session: Session,
    release_id: int,
    actor: User | None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Step:
    """Publish an approved release now, or schedule it when `at` (or its publish_at) is ahead.

    `actor` None is the scheduler publishing a scheduled release that is due.
    """
    release = get_release(session, release_id)
    content = current_content(session, release)
    check_lists(session, content)  # a list may have gone since review
    check_media(session, content)
    now = utcnow()
    when = as_utc(at) if at is not None else None
    if actor is not None:  # a person deciding; the scheduler publishes what was decided
        _check_times(content, when, now)
    if when is None and release.state is State.APPROVED and release.publish_at and release.publish_at > now:
        when = release.publish_at
    if when is not None and when > now:

        def set_time(release: Release) -> None:
            release.publish_at = when

        return _transition(
            session, release, actor, Action.SCHEDULE, expected_version,
            f"publish at {when.isoformat()}", set_time,
        )

    def set_published(release: Release) -> None:
        release.published_at = now
        lift = as_utc(release.embargo_until) if release.embargo_until else None
        release.public_at = lift if lift is not None and lift > now else now

    return _transition(session, release, actor, Action.PUBLISH, expected_version, "", set_published)


REVIEW_COMMENT_LENGTH = 4000  # what must change, in a request for changes
PAST_TOLERANCE = timedelta(minutes=1)  # a time typed a moment ago is "now", not a mistake


def _check_times(content: ReleaseContent, at: datetime | None, now: datetime) -> None:
    """A publication time in the past, or an embargo that lifts before the release goes out (so
    it would hold nothing back), is a mistake to point out, not to carry out at once."""
    if at is not None and at < now - PAST_TOLERANCE:
        raise PublicationInPast(at, local_time(at))
    goes_out = at if at is not None and at > now else now
    lift = as_utc(content.embargo_until) if content.embargo_until else None
    if lift is not None and lift <= goes_out:
        raise EmbargoLiftsFirst(lift, goes_out, local_time(lift), local_time(goes_out))


def local_time(moment: datetime) -> str:
    """A time as the office reads it, its zone named: for messages people act on."""
    zone = get_settings().mail_timezone
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def unschedule(session: Session, release_id: int, actor: User, expected_version: int | None = None) -> Step:
    """Take a scheduled release off the schedule; it stays approved, with no publication time."""
    release = get_release(session, release_id)

    def clear_time(release: Release) -> None:
        release.publish_at = None

    return _transition(session, release, actor, Action.UNSCHEDULE, expected_version, "", clear_time)


def withdraw(
    session: Session, release_id: int, actor: User, reason: str, expected_version: int | None = None,
    notify: bool = False, publish_reason: bool = False, corrected_by: int | None = None,
) -> Step:
    """Take a published release down; a reason is required and kept in the audit log.

    Its mailing stops (the delivery room reacts to the event, and every batch checks that the
    release still stands before it sends). With `notify`, everyone who already received it gets
    a short withdrawal notice. Its public page then says it was withdrawn, with the reason when
    `publish_reason`, and links to `corrected_by` (another release's id; InvalidInput otherwise)
    once that release is public.
    """
    if not reason.strip():
        raise InvalidInput("reason", "say why the release is withdrawn: a reason is required")
    if corrected_by is not None and (corrected_by == release_id or session.get(Release, corrected_by) is None):
        raise InvalidInput("corrected_by", f"release {corrected_by} cannot correct release {release_id}: "
                                           "name another release that exists")
    release = get_release(session, release_id)
    step = _transition(session, release, actor, Action.WITHDRAW, expected_version, reason.strip(),
                       notify=notify, publish_reason=publish_reason, corrected_by=corrected_by)
    notice = session.get(WithdrawalNotice, release_id) or WithdrawalNotice(release_id=release_id)
    notice.publish_reason, notice.corrected_by_id, notice.at = publish_reason, corrected_by, utcnow()
    session.add(notice)
    session.flush()
    return step


def archive(session: Session, release_id: int, actor: User, expected_version: int | None = None) -> Step:
    """Shelve a draft that will not be published."""
    release = get_release(session, release_id)
    return _transition(session, release, actor, Action.ARCHIVE, expected_version, "")


def due_for_publication(session: Session, now: datetime | None = None) -> list[int]:
    """Ids of scheduled releases whose time has come."""
    moment = now or utcnow()
    rows = session.exec(
        select(col(Release.id))
        .where(col(Release.state) == State.SCHEDULED, col(Release.publish_at) <= moment)
        .order_by(col(Release.publish_at))
    ).all()
    return [release_id for release_id in rows if release_id is not None]


def audit_log(session: Session, release_id: int) -> list[AuditEntry]:
    """Every recorded step of the release, oldest first."""
    get_release(session, release_id)
    return list(
        session.exec(
            select(AuditEntry).where(AuditEntry.release_id == release_id).order_by(col(AuditEntry.id))
        ).all()
    )


# --- the one shape of every transition ---------------------------------------------------------


def _transition(
    session: Session,
    release: Release,
    actor: User | None,
    action: Action,
    expected_version: int | None,
    comment: str,
    change: Any = None,
    **payload: Any,
) -> Step:
    version = release.version
    if expected_version is not None and expected_version != version:
        raise StaleVersion(release.id or 0, expected_version, version)
    _lock(session, release, version)
    source = State(release.state)
    to_state = target(source, action)
    if to_state is None:
        raise IllegalTransition(release.id or 0, source, action, allowed_actions(source))
    if actor is not None and not actor.active:
        raise InvalidInput("actor", f"{actor.email} is deactivated")
    check(Context(session, release, actor, action))
    _bump(session, release, version)
    outcome = change(release) if change is not None else None
    event_name = EVENT_NAMES[action]
    if isinstance(outcome, Decided):  # approve: stays in review until the last step is signed
        to_state = outcome.state
        event_name = outcome.event_name or event_name
        payload = {**payload, **(outcome.payload or {})}
    revision_hash = current_revision(session, release).content_hash
    release.state = to_state
    release.updated_at = utcnow()
    session.add(release)
    _record(session, release, actor, action.value, source, to_state, revision_hash, comment)
    emit(
        session,
        event_name,
        release.id,
        actor_id=actor.id if actor else None,
        from_state=source.value,
        to_state=to_state.value,
        revision_hash=revision_hash,
        comment=comment,
        **payload,
    )
    session.flush()
    return Step(release, action, source, to_state, event_name)


def record_note(session: Session, release_id: int, action: str, comment: str, actor: User | None = None) -> None:
    """An audit entry for something that happened to a release without changing its state (its
    mailing stopped, a test mail was asked for), by `actor` or else the system; the release's
    state is recorded as both ends."""
    release = get_release(session, release_id)
    state = State(release.state)
    revision_hash = current_revision(session, release).content_hash if release.current_revision_id else None
    _record(session, release, actor, action, state, state, revision_hash, comment, system="pressroom")


def check_media(session: Session, content: ReleaseContent) -> None:
    """Every image has an alt text in each language the release goes out in, and every file
    has been processed: a release does not go to review, nor out, with a file still in the works
    or one that failed."""
    check_ready(session, ((item.sha256, item.filename) for item in content.media))
    missing = content.missing_alt_texts(content.submittable_languages())
    if missing:
        raise MissingAltText(missing)


def _reviewable(session: Session, content: ReleaseContent) -> ReleaseContent:
    """Content as a revision stores it: its target lists exist, and the contacts' details and
    the organisation's identity version are part of it (so the hash, the diff and the approval
    cover them, and mail prints what was approved)."""
    check_lists(session, content)
    check_known(session, ((item.sha256, item.filename, item.role.value) for item in content.media))
    content = snapshot_contacts(session, content)
    return content.model_copy(update={"organisation_version": current_organisation_version(session)})


def _lock(session: Session, release: Release, version: int) -> None:
    """Hold the release's row (PostgreSQL: FOR UPDATE; SQLite has one writer at a time) before
    the guards read its sign-offs, so they read what the change will build on: of two people
    acting on the same version, the second waits for the first and is then told it is stale,
    instead of being judged on a state it never saw."""
    session.refresh(release, with_for_update=True)
    if release.version != version:
        raise StaleVersion(release.id or 0, version, release.version)


def _bump(session: Session, release: Release, version: int) -> None:
    """Optimistic lock: move the version on only if nobody else has."""
    result = session.execute(
        update(Release)
        .where(col(Release.id) == release.id, col(Release.version) == version)
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        actual = session.exec(select(Release.version).where(Release.id == release.id)).one()
        raise StaleVersion(release.id or 0, version, actual)
    release.version = version + 1


def _add_revision(session: Session, release: Release, author: User, content: ReleaseContent) -> Revision:
    number = session.exec(
        select(func.coalesce(func.max(Revision.number), 0)).where(Revision.release_id == release.id)
    ).one()
    revision = Revision(
        release_id=release.id or 0,
        number=number + 1,
        author_id=author.id or 0,
        content=content.model_dump(mode="json"),
        content_hash=content.content_hash(),
    )
    session.add(revision)
    session.flush()
    release.current_revision_id = revision.id
    return revision


def _record(
    session: Session,
    release: Release,
    actor: User | None,
    action: str,
    from_state: State | None,
    to_state: State,
    revision_hash: str | None,
    comment: str,
    system: str = "scheduler",
) -> None:
    session.add(
        AuditEntry(
            release_id=release.id or 0,
            actor_id=actor.id if actor else None,
            actor_label=actor.email if actor else system,
            action=action,
            from_state=from_state.value if from_state else None,
            to_state=to_state.value,
            revision_hash=revision_hash,
            comment=comment,
        )
    )

