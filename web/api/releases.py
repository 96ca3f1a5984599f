"""/api/releases: create, read, update and list releases; the workflow actions; audit log,
revisions, mail preview and the release's distribution.

Every handler calls the workflow service and lets its errors reach the one exception handler:
role, authorship and four-eyes rules live in the workflow guards, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Response
from sqlmodel import Session

from delivery.audience import audience_view
from delivery.preview import preview_release
from media.urls import preview_media_link
from reports.mailing import release_report
from web.api.common import Pagination, page_of
from web.attachments import keep_media
from web.auth import ApiUser
from web.deps import acting, attach, reading
from web.errors import api_responses
from web.queries import (
    approvers_by_revision,
    distribution_for_release,
    releases_page,
    revisions,
    user_emails,
)
from web.schemas import (
    MAX_ID,
    ActionIn,
    ApproveIn,
    AuditOut,
    DistributionOut,
    Page,
    PublishIn,
    ReleaseCreate,
    ReleasePublic,
    ReleaseReportOut,
    ReleaseUpdate,
    RequestChangesIn,
    RevisionOut,
    TransitionOut,
    WithdrawIn,
)
from workflow import service, views
from workflow.content import parse_content
from workflow.models import ReleaseKind, User
from workflow.service import Step
from workflow.states import State

router = APIRouter(prefix="/releases", tags=["releases"])
ReleaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="release id")]


def release_out(session: Session, release_id: int, full: bool = True) -> ReleasePublic:
    release = service.get_release(session, release_id)
    view = views.release_view(session, release, full=full)
    if full:  # who it reaches, as the reviewers see it
        view["audience"] = audience_view(session, service.current_content(session, release))
    return ReleasePublic.model_validate(view)


@router.get("", response_model=Page[ReleasePublic], responses=api_responses(401, 422))
def list_releases(
    user: ApiUser,
    paging: Pagination,
    state: Annotated[list[State] | None, Query(description="one or more states")] = None,
    kind: ReleaseKind | None = None,
    author: Annotated[str | None, Query(max_length=254, description="author e-mail")] = None,
) -> Page[ReleasePublic]:
    """Releases, newest first, filtered by state, kind and author; paged."""
    with reading() as session:
        found = releases_page(session, states=state, kind=kind, author=author,
                              page=paging.page, per_page=paging.per_page)
        return page_of(found, [ReleasePublic.model_validate(views.release_view(session, r)) for r in found.items])


@router.post("", status_code=201, response_model=ReleasePublic, responses=api_responses(401, 422))
def create_release(user: ApiUser, body: ReleaseCreate) -> ReleasePublic:
    """Start a draft; any signed-in role may write. The caller becomes its author."""
    content = parse_content(body.content_data())
    with acting() as session:
        release = service.create_release(session, attach(session, user), content)
        result = release_out(session, release.id or 0)
    return result


@router.get("/{release_id}", response_model=ReleasePublic, responses=api_responses(401, 404, 422))
def get_release(user: ApiUser, release_id: ReleaseId) -> ReleasePublic:
    """A release with its whole current content."""
    with reading() as session:
        return release_out(session, release_id)


@router.put("/{release_id}", response_model=ReleasePublic, responses=api_responses(401, 403, 404, 409, 422))
def update_release(user: ApiUser, release_id: ReleaseId, body: ReleaseUpdate) -> ReleasePublic:
    """Replace the content as a new revision (author or admin). Editing approved text voids
    its approvals and sends it back to review; identical content changes nothing. The release's
    files stay as they are: they are changed under /api/releases/{id}/media."""
    content = parse_content(body.content_data())
    with acting() as session:
        stored = service.current_content(session, service.get_release(session, release_id))
        content = keep_media(content, stored.media)
        service.edit_release(session, release_id, attach(session, user), content,
                             body.expected_version, body.comment)
        result = release_out(session, release_id)
    return result


def _act(user: User, release_id: int, run: Callable[[Session, User], Step]) -> TransitionOut:
    with acting() as session:
        step = run(session, attach(session, user))
        result = TransitionOut(
            action=step.action.value, from_state=step.from_state, to_state=step.to_state,
            event=step.event_name, release=release_out(session, release_id),
        )
    return result


ACTION_ERRORS = api_responses(401, 403, 404, 409, 422)


@router.post("/{release_id}/submit", response_model=TransitionOut, responses=ACTION_ERRORS)
def submit(user: ApiUser, release_id: ReleaseId,
           body: Annotated[ActionIn | None, Body()] = None) -> TransitionOut:
    """Send a draft to review (author or admin)."""
    version = body.expected_version if body else None
    return _act(user, release_id, lambda s, u: service.submit(s, release_id, u, version))


@router.post("/{release_id}/approve", response_model=TransitionOut, responses=ACTION_ERRORS)
def approve(user: ApiUser, release_id: ReleaseId,
            body: Annotated[ApproveIn | None, Body()] = None) -> TransitionOut:
    """Approve the current revision (an approver or admin who wrote none of it)."""
    body = body or ApproveIn()
    return _act(user, release_id, lambda s, u: service.approve(s, release_id, u, body.comment, body.expected_version))


@router.post("/{release_id}/request-changes", response_model=TransitionOut, responses=ACTION_ERRORS)
def request_changes(user: ApiUser, release_id: ReleaseId, body: RequestChangesIn) -> TransitionOut:
    """Send a release in review back to its author with a comment (required)."""
    return _act(user, release_id,
                lambda s, u: service.request_changes(s, release_id, u, body.comment, body.expected_version))


@router.post("/{release_id}/publish", response_model=TransitionOut, responses=ACTION_ERRORS)
def publish(user: ApiUser, release_id: ReleaseId,
            body: Annotated[PublishIn | None, Body()] = None) -> TransitionOut:
    """Publish an approved release now, or schedule it with `at` (author, approver or admin)."""
    body = body or PublishIn()
    return _act(user, release_id, lambda s, u: service.publish(s, release_id, u, body.at, body.expected_version))


@router.post("/{release_id}/unschedule", response_model=TransitionOut, responses=ACTION_ERRORS)
def unschedule(user: ApiUser, release_id: ReleaseId,
               body: Annotated[ActionIn | None, Body()] = None) -> TransitionOut:
    """Take a scheduled release off the schedule; it stays approved."""
    version = body.expected_version if body else None
    return _act(user, release_id, lambda s, u: service.unschedule(s, release_id, u, version))


@router.post("/{release_id}/withdraw", response_model=TransitionOut, responses=ACTION_ERRORS)
def withdraw(user: ApiUser, release_id: ReleaseId, body: WithdrawIn) -> TransitionOut:
    """Take a published release down; the reason is kept in the audit log (and shown on its page
    with `publish_reason`); `corrected_by` names the release its page links to."""
    return _act(user, release_id, lambda s, u: service.withdraw(
        s, release_id, u, body.reason, body.expected_version, body.notify,
        publish_reason=body.publish_reason, corrected_by=body.corrected_by))


@router.post("/{release_id}/archive", response_model=TransitionOut, responses=ACTION_ERRORS)
def archive(user: ApiUser, release_id: ReleaseId,
            body: Annotated[ActionIn | None, Body()] = None) -> TransitionOut:
    """Shelve a draft that will not be published (author or admin)."""
    version = body.expected_version if body else None
    return _act(user, release_id, lambda s, u: service.archive(s, release_id, u, version))


@router.get("/{release_id}/audit", response_model=list[AuditOut], responses=api_responses(401, 404, 422))
def audit(user: ApiUser, release_id: ReleaseId) -> list[AuditOut]:
    """Every recorded step of the release, oldest first."""
    with reading() as session:
        numbers = views.revision_numbers(session, release_id)
        return [
            AuditOut(at=e.at, actor=e.actor_label, action=e.action, from_state=e.from_state,
                     to_state=e.to_state, revision=numbers.get(e.revision_hash or ""),
                     revision_hash=e.revision_hash, comment=e.comment)
            for e in service.audit_log(session, release_id)
        ]


@router.get("/{release_id}/revisions", response_model=list[RevisionOut], responses=api_responses(401, 404, 422))
def list_revisions(user: ApiUser, release_id: ReleaseId) -> list[RevisionOut]:
    """The release's revisions, oldest first, with who approved each."""
    with reading() as session:
        service.get_release(session, release_id)
        rows = revisions(session, release_id)
        approved = approvers_by_revision(session, release_id)
        authors = user_emails(session, {r.author_id for r in rows})
        return [
            RevisionOut(number=r.number, content_hash=r.content_hash, author=authors.get(r.author_id),
                        created_at=r.created_at, approved_by=approved.get(r.id or 0, []))
            for r in rows
        ]


class MailPreview(Response):
    media_type = "text/html"


PREVIEW_TYPES = {"html": "text/html; charset=utf-8", "text": "text/plain; charset=utf-8",
                 "eml": "message/rfc822"}


@router.get(
    "/{release_id}/preview",
    response_class=MailPreview,
    responses={
        200: {"description": "The mail as a subscriber gets it", "content": {
            "text/html": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
            "message/rfc822": {"schema": {"type": "string"}},
        }},
        **api_responses(401, 404, 422, json_body=True),
    },
)
def preview(
    user: ApiUser,
    release_id: ReleaseId,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
    format: Literal["html", "text", "eml"] = "html",
) -> Response:
    """The current revision as a subscriber's mail: HTML part, text part or the whole message."""
    with reading() as session:
        result = preview_release(session, release_id, language, media_link=preview_media_link)
    headers = {"X-Pressroom-Language": result.compiled.language}
    if result.fallback_note:  # the copy that language's subscribers really get
        headers["X-Pressroom-Fallback"] = result.fallback_note
    return Response(result.part(format), media_type=PREVIEW_TYPES[format], headers=headers)


@router.get("/{release_id}/report", response_model=ReleaseReportOut, responses=api_responses(401, 404, 422))
def report_of_release(user: ApiUser, release_id: ReleaseId) -> ReleaseReportOut:
    """The report of every mailing of the release (its mailing, a withdrawal notice) and their
    sums, per list and per language; see `GET /api/distributions/{id}/report`."""
    with reading() as session:
        return ReleaseReportOut.model_validate(release_report(session, release_id).as_dict())


@router.get("/{release_id}/distribution", response_model=DistributionOut, responses=api_responses(401, 404, 422))
def release_distribution(user: ApiUser, release_id: ReleaseId) -> DistributionOut:
    """The mailing of a published release: status and counts."""
    from core.errors import NotFound
    from delivery.progress import distribution_view

    with reading() as session:
        service.get_release(session, release_id)
        distribution = distribution_for_release(session, release_id)
        if distribution is None:
            raise NotFound("distribution of release", release_id)
    return DistributionOut.model_validate(distribution_view(distribution.id or 0))
