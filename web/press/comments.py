"""The staff's thread on a release (on the editor and the review page) and the editor's soft lock:
who has it open, its heartbeat, taking it over once it lapsed.

The thread and the lock are the workflow's (`workflow.comments`, `workflow.edit_locks`); these
routes call them in one transaction and send the reader back to the page they came from.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from core.errors import InvalidInput, NotFound
from core.settings import get_settings
from web.auth import PressUser
from web.deps import acting, attach, reading
from web.error_text import describe
from web.i18n import translate, ui_language
from web.pages import flash, redirect
from web.schemas import MAX_ID
from workflow import comments, edit_locks, service
from workflow.errors import EditLocked
from workflow.models import ReleaseComment, User

router = APIRouter()
ReleaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
CommentId = Annotated[int, Path(ge=1, le=MAX_ID)]
Back = Annotated[str, Form(pattern=r"^(edit|review)?$", max_length=6)]


# --- the thread -----------------------------------------------------------------------------------


def thread_context(session: Session, release_id: int, language: str,
                   draft: dict[str, str] | None = None) -> dict[str, Any]:
    """What the comments partial (`press/_comments.html`) shows: the thread, how many are open,
    the paragraphs a new comment may be about, and a refused draft with why (`draft`)."""
    content = service.current_content(session, service.get_release(session, release_id))
    options = []
    order = sorted(content.translations, key=lambda code: (code != content.default_language, code))
    for code in order:
        for number, block in enumerate(comments.paragraphs(content.translations[code].body), start=1):
            excerpt = " ".join(block.split())
            excerpt = excerpt if len(excerpt) <= 60 else excerpt[:59] + "…"
            options.append({"value": f"{code}:{number}", "label": translate(
                "comment_paragraph_option", language, code=code.upper(), number=number, excerpt=excerpt)})
    found = comments.thread(session, release_id)
    return {"comments": found, "open_comments": sum(1 for c in found if not c.resolved),
            "comment_paragraphs": options, "comment_draft": {"body": "", "about": "", "error": "", **(draft or {})}}


def _about(value: str) -> tuple[str | None, int | None]:
    """"nl:3" (the form's paragraph choice) as (language, paragraph); "" is the whole release."""
    if not value:
        return None, None
    language, _, number = value.partition(":")
    if not number.isdigit() or len(number) > 6:
        raise InvalidInput("paragraph", f"{value!r} is not a paragraph")
    return language, int(number)


@router.post("/releases/{release_id}/comments")
def post_comment(request: Request, user: PressUser, release_id: ReleaseId,
                 # A browser sends each line break of the textarea as two characters (CR LF).
                 body: Annotated[str, Form(max_length=2 * comments.MAX_LENGTH)] = "",
                 about: Annotated[str, Form(max_length=12)] = "", back: Back = "") -> Response:
    """Write in the release's thread; a refusal (an empty text, an unknown @name) shows the page
    again with the text as typed and why."""
    from web.press.releases import editor_for, review_for

    lang = ui_language(user.language)
    try:
        language, paragraph = _about(about)
        with acting() as session:
            comment = comments.add_comment(session, release_id, attach(session, user), body, language, paragraph)
            comment_id = comment.id
    except InvalidInput as error:
        draft = {"body": body, "about": about, "error": describe(error, lang)}
        if back == "edit":
            return editor_for(request, user, release_id, status=422, comment_draft=draft)
        return review_for(request, user, release_id, status=422, comment_draft=draft)
    flash(request, translate("comment_posted", lang))
    return redirect(f"/press/releases/{release_id}/{back or 'review'}#comment-{comment_id}")


@router.post("/releases/{release_id}/comments/{comment_id}/resolve")
def resolve_comment(request: Request, user: PressUser, release_id: ReleaseId, comment_id: CommentId,
                    back: Back = "") -> Response:
    with acting() as session:
        _in_release(session, release_id, comment_id)
        comments.resolve(session, comment_id, attach(session, user))
    flash(request, translate("comment_resolved_done", ui_language(user.language)))
    return redirect(f"/press/releases/{release_id}/{back or 'review'}#comment-{comment_id}")


@router.post("/releases/{release_id}/comments/{comment_id}/reopen")
def reopen_comment(request: Request, user: PressUser, release_id: ReleaseId, comment_id: CommentId,
                   back: Back = "") -> Response:
    with acting() as session:
        _in_release(session, release_id, comment_id)
        comments.reopen(session, comment_id, attach(session, user))
    flash(request, translate("comment_reopened_done", ui_language(user.language)))
    return redirect(f"/press/releases/{release_id}/{back or 'review'}#comment-{comment_id}")


def _in_release(session: Session, release_id: int, comment_id: int) -> None:
    """A comment is reached through its own release only."""
    comment = session.get(ReleaseComment, comment_id)
    if comment is None or comment.release_id != release_id:
        raise NotFound("comment", comment_id)


# --- the editor's lock --------------------------------------------------------------------------


def open_editor(user: User, release_id: int) -> None:
    """Opening the editor takes the lock when it is free, the user's own or lapsed; a colleague's
    live lock is left alone (the page then shows it, read-only)."""
    try:
        with acting() as session:
            edit_locks.take(session, release_id, attach(session, user))
    except EditLocked:
        pass


def lock_context(session: Session, release_id: int, user: User) -> dict[str, Any]:
    """The lock as the editor shows it: editable for its holder (or when nobody holds a live
    one), else who edits since when, and when "Take over" may be pressed."""
    settings = get_settings()
    view = edit_locks.current(session, release_id, user)
    mine = view is None or view.mine or view.lapsed
    return {
        "mine": mine, "name": view.name if view else "", "since": view.taken_at if view else None,
        "heartbeat": settings.edit_lock_heartbeat,
        "lapse_seconds": int(edit_locks.lapse().total_seconds()),
        "status_url": f"/press/releases/{release_id}/lock",
        "beat_url": f"/press/releases/{release_id}/lock/heartbeat",
    }


@router.get("/releases/{release_id}/lock")
def lock_status(user: PressUser, release_id: ReleaseId) -> Response:
    """The lock as the reader sees it (polled by a reader waiting to take over)."""
    with reading() as session:
        service.get_release(session, release_id)
        view = edit_locks.current(session, release_id, attach(session, user))
    return JSONResponse(view.as_json() if view else {"release_id": release_id, "held": False, "lapsed": True})


@router.post("/releases/{release_id}/lock/heartbeat")
def lock_heartbeat(user: PressUser, release_id: ReleaseId) -> Response:
    """The holder's editor is still open: keep its lock. `held` false tells the page that a
    colleague took over after it lapsed."""
    with acting() as session:
        service.get_release(session, release_id)
        actor = attach(session, user)
        view = edit_locks.heartbeat(session, release_id, actor)
        if view is None:  # never taken (a page opened before locks existed): take it now,
            # if the editor is the user's to open (a forged beat must not lock the author out).
            from web.press.releases import refuse_unless_editor

            refuse_unless_editor(session, release_id, actor)
            view = edit_locks.take(session, release_id, actor)
    return JSONResponse(view.as_json())


@router.post("/releases/{release_id}/lock")
def take_over(request: Request, user: PressUser, release_id: ReleaseId) -> Response:
    """"Take over": the editor becomes the user's once the colleague's lock has lapsed (audited);
    EditLocked (409, in the reader's language) while it is live."""
    from web.press.releases import refuse_unless_editor

    with reading() as session:
        refuse_unless_editor(session, release_id, user)
    with acting() as session:
        edit_locks.take(session, release_id, attach(session, user))
    flash(request, translate("lock_taken", ui_language(user.language)))
    return redirect(f"/press/releases/{release_id}/edit")
