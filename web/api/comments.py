"""/api/releases/{id}/comments: the staff's thread on a release; write, resolve and reopen.

Any active member of staff may comment; `@name` mentions are mailed (`workflow.comments`). The
thread is never part of a release's public page or mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from core.errors import NotFound
from web.auth import ApiUser
from web.deps import acting, attach, reading
from web.errors import api_responses
from web.schemas import MAX_ID, Strict
from workflow import comments
from workflow.models import ReleaseComment

router = APIRouter(prefix="/releases", tags=["comments"])
ReleaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="release id")]
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="comment id")]


class CommentIn(Strict):
    body: Annotated[str, Field(min_length=1, max_length=comments.MAX_LENGTH)]
    language: Annotated[str | None, Field(default=None, pattern=r"^[a-z]{2}$")] = None
    paragraph: Annotated[int | None, Field(default=None, ge=1, le=100_000,
                                           description="from 1, of the body in `language`")] = None


class CommentOut(BaseModel):
    id: int
    release_id: int
    author: str
    author_name: str
    body: str
    revision: int
    language: str | None
    paragraph: int | None
    excerpt: str
    mentions: list[str]
    created_at: datetime
    resolved: bool
    resolved_at: datetime | None
    resolved_by: str | None


def _one(release_id: int, comment_id: int) -> CommentOut:
    with reading() as session:
        found = [c for c in comments.thread(session, release_id) if c.id == comment_id]
    if not found:
        raise NotFound("comment", comment_id)
    return CommentOut.model_validate(found[0].__dict__)


def _check(release_id: int, comment_id: int) -> None:
    with reading() as session:
        row = session.get(ReleaseComment, comment_id)
        if row is None or row.release_id != release_id:
            raise NotFound("comment", comment_id)


@router.get("/{release_id}/comments", response_model=list[CommentOut], responses=api_responses(401, 404, 422))
def list_comments(user: ApiUser, release_id: ReleaseId) -> list[CommentOut]:
    """The release's comments, oldest first, resolved or not."""
    with reading() as session:
        return [CommentOut.model_validate(c.__dict__) for c in comments.thread(session, release_id)]


@router.post("/{release_id}/comments", status_code=201, response_model=CommentOut,
             responses=api_responses(401, 404, 422))
def add_comment(user: ApiUser, release_id: ReleaseId, body: CommentIn) -> CommentOut:
    """Comment on the current revision (about one paragraph when `language` and `paragraph` are
    given); each `@name` must be an active colleague, who is mailed (422 names an unknown one)."""
    with acting() as session:
        comment = comments.add_comment(session, release_id, attach(session, user), body.body,
                                       body.language, body.paragraph)
        comment_id = comment.id or 0
    return _one(release_id, comment_id)


@router.post("/{release_id}/comments/{comment_id}/resolve", response_model=CommentOut,
             responses=api_responses(401, 404, 409, 422))
def resolve(user: ApiUser, release_id: ReleaseId, comment_id: CommentId) -> CommentOut:
    """Mark the comment resolved (409 if it is)."""
    _check(release_id, comment_id)
    with acting() as session:
        comments.resolve(session, comment_id, attach(session, user))
    return _one(release_id, comment_id)


@router.post("/{release_id}/comments/{comment_id}/reopen", response_model=CommentOut,
             responses=api_responses(401, 404, 409, 422))
def reopen(user: ApiUser, release_id: ReleaseId, comment_id: CommentId) -> CommentOut:
    """Open a resolved comment again (409 if it is open)."""
    _check(release_id, comment_id)
    with acting() as session:
        comments.reopen(session, comment_id, attach(session, user))
    return _one(release_id, comment_id)
