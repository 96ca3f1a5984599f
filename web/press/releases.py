"""The press-office pages for releases: dashboard, list, editor with live preview, the release
page with its actions and audit log, and the review page with the diff.

Actions call the workflow service in one transaction and relay its events after commit; any
refusal (role, four-eyes, stale version, illegal move) goes to the one exception handler.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from core.catalogue import WEB, lookup
from core.db import utcnow
from core.errors import InvalidInput, NotFound
from core.outbox import dead_letter_count
from core.settings import get_settings
from delivery.audience import audience_view
from delivery.preview import preview_release
from delivery.progress import status_label
from media.urls import preview_media_link
from reports.dashboard import last_30_days
from reports.readership import readership_of
from subscribers import all_lists
from web import ratelimit
from web.attachments import keep_media
from web.auth import PressUser, SubmittedForm
from web.deps import acting, attach, reading
from web.diff import compare, compare_media
from web.error_text import describe
from web.forms import (
    EditorForm,
    ErrorPlace,
    blank_form,
    conflicts,
    error_place,
    form_from_content,
    parse_local_time,
    read_form,
    to_content,
)
from web.i18n import action_name, format_time, translate, ui_language
from web.pages import flash, local_input, redirect, render
from web.press.comments import lock_context, open_editor, thread_context
from web.previews import safe_preview
from web.queries import (
    awaiting_review,
    delivery_figures,
    distribution_for_release,
    in_state,
    mailing_problems,
    my_drafts,
    releases_page,
    review_baseline,
    user_emails,
)
from web.schemas import MAX_ID
from workflow import proofs, service, views
from workflow.content import ReleaseContent
from workflow.errors import (
    EditLocked,
    EmbargoLiftsFirst,
    IllegalTransition,
    PublicationInPast,
    StaleVersion,
)
from workflow.guards import Context, allows, check, permitted_actions
from workflow.models import Contact, Notification, Release, ReleaseKind, User
from workflow.service import Step
from workflow.states import Action, State, allowed_actions

router = APIRouter()
ReleaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; frame-ancestors 'self'"


def _summaries(session: Session, releases: list[Release]) -> list[dict[str, Any]]:
    rows = []
    for release in releases:
        view = views.release_view(session, release)
        # Every row has the keys the table reads, whatever its state: a draft has no mailing.
        view["delivery"] = (delivery_figures(session, release.id or 0)
                            if release.state in (State.PUBLISHED, State.WITHDRAWN) else None)
        view["publish_at_time"] = release.publish_at
        rows.append(view)
    return rows


@router.get("")
def dashboard(request: Request, user: PressUser) -> Response:
    """My drafts, what awaits my review, what is scheduled, what went out recently."""
    with reading() as session:
        context = {
            "drafts": _summaries(session, my_drafts(session, user)),
            "review": _summaries(session, awaiting_review(session, user)),
            "scheduled": _summaries(session, in_state(session, State.SCHEDULED, newest="publish_at")),
            "published": _summaries(session, in_state(session, State.PUBLISHED, limit=10, newest="published_at")),
            "problems": mailing_problems(session),
            # Events whose handlers gave up wait for an admin (`/press/failures`): admins see how many.
            "dead_letters": dead_letter_count(session) if allows(user, "handle failed events") else 0,
            "last_30_days": last_30_days(session, utcnow()),
            "notifications": [_notification(session, note, ui_language(user.language)) for note in session.exec(
                select(Notification).where(Notification.user_id == user.id)
                .order_by(col(Notification.id).desc()).limit(8)
            ).all()],
        }
    return render(request, "press/dashboard.html", context)


def _notification(session: Session, note: Notification, language: str) -> dict[str, Any]:
    """A notification said in the reader's language from its kind and the release's current
    title; the stored English `message` is for logs, and a kind the catalogue lacks."""
    release = session.get(Release, note.release_id)
    key = f"notification_{note.kind}"
    text = note.message
    if release is not None and lookup(WEB, key, language) is not None:
        content = service.current_content(session, release)
        translation = content.translations.get(content.default_language)
        text = translate(key, language, title=translation.title if translation else f"#{release.id}")
    return {"release_id": note.release_id, "text": text, "created_at": note.created_at}


@router.get("/releases")
def release_list(
    request: Request, user: PressUser,
    state: State | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    with reading() as session:
        found = releases_page(session, states=[state] if state else None, page=page, per_page=25)
        rows = _summaries(session, found.items)
    return render(request, "press/releases.html", {"rows": rows, "found": found, "state": state,
                                                   "states": list(State)})


# --- the editor ---------------------------------------------------------------------------------


def _editor(request: Request, editor: EditorForm, release: dict[str, Any] | None,
            error: InvalidInput | None = None, status: int = 200,
            conflict: dict[str, Any] | None = None, media_error: str = "",
            import_error: str = "", import_notes: list[str] | None = None,
            comment_draft: dict[str, str] | None = None, lock_refusal: str = "") -> Response:
    """The editor page; `conflict` (who saved meanwhile, and the fields that differ) shows a
    colleague's newer text beside the user's, whose form is kept; `media_error` says why a file
    was refused; `import_error` why a document to import was, and `import_notes` what an import
    could not carry over into this draft. A stored release's page has its comments and its
    lock: read-only while a colleague edits (`comment_draft`: a refused comment, as typed)."""
    from web.press.media import media_rows

    me = request.scope.get("state", {}).get("pressroom_user")
    lang = ui_language(getattr(me, "language", None))
    extra: dict[str, Any] = {"lock": None, "lock_refusal": lock_refusal}
    with reading() as session:
        if release and me is not None:
            extra.update(thread_context(session, release["id"], lang, comment_draft))
            extra["lock"] = lock_context(session, release["id"], attach(session, me))
        contacts = list(session.exec(select(Contact).order_by(col(Contact.name))).all())
        lists = all_lists(session)
        notes = views.review_notes(session, release["id"]) if release else {"requested_changes": None}
        test_mail = _test_mail_form(session, request, release["id"]) if release else None
        media = media_rows(session, release["id"], lang) if release else []
    where = error_place(error.field) if error is not None else ErrorPlace()
    if conflict and conflict["fields"]:
        where = ErrorPlace(language=next((f.language for f in conflict["fields"] if f.language), ""))
    return render(request, "press/editor.html", {
        "form": editor, "release": release, "error": error, "contacts": contacts, "lists": lists,
        "kinds": [k.value for k in ReleaseKind], "zone": get_settings().mail_timezone,
        "requested_changes": _timed(notes["requested_changes"]), "where": where, "conflict": conflict,
        "test_mail": test_mail, "media": media, "media_error": media_error,
        "import_error": import_error, "import_notes": import_notes, **extra,
    }, status=status)


def _timed(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """An audit view with its time as a datetime, for `when` (the reader's language and zone)."""
    return None if entry is None else {**entry, "at": datetime.fromisoformat(entry["at"])}


@router.get("/releases/new")
def new_release(request: Request, user: PressUser) -> Response:
    return new_release_page(request, user)


def new_release_page(request: Request, user: User, import_error: str = "", status: int = 200) -> Response:
    """The empty editor, with its import form; `import_error` says why a document was refused."""
    return _editor(request, blank_form(user.language if user.language in get_settings().languages
                                       else get_settings().default_language), None,
                   import_error=import_error, status=status)


@router.post("/releases/new")
def create_release(request: Request, user: PressUser, form: SubmittedForm) -> Response:
    editor = read_form(form)
    try:
        with acting() as session:
            author = attach(session, user)
            content = to_content(session, editor, author)
            release = service.create_release(session, author, content)
            release_id = release.id or 0
    except InvalidInput as error:
        return _editor(request, editor, None, error, status=422)
    flash(request, translate("saved", ui_language(user.language), revision=1))
    return redirect(f"/press/releases/{release_id}/edit")


def _refuse_unless_permitted(session: Session, release: Release, user: User, action: Action) -> None:
    """A page for an action (the editor, the publish decision) opens only for who may take it:
    the role or four-eyes refusal if that is why, else the state's."""
    if action.value not in permitted_actions(session, release, attach(session, user)):
        check(Context(session, release, attach(session, user), action))
        raise IllegalTransition(release.id or 0, State(release.state), action, allowed_actions(State(release.state)))


@router.get("/releases/{release_id}/edit")
def edit_release(request: Request, user: PressUser, release_id: ReleaseId) -> Response:
    return editor_for(request, user, release_id)


def editor_for(request: Request, user: User, release_id: int, media_error: str = "", status: int = 200,
               import_notes: list[str] | None = None, comment_draft: dict[str, str] | None = None) -> Response:
    """The editor of a stored release, as stored, its lock taken if free or lapsed;
    `media_error` says why a file was refused, `import_notes` what the import that made it could
    not carry over, `comment_draft` a refused comment."""
    with reading() as session:
        release = refuse_unless_editor(session, release_id, user)
        view = views.release_view(session, release)
        editor = form_from_content(service.current_content(session, release), release.version)
    open_editor(user, release_id)
    return _editor(request, editor, view, media_error=media_error, status=status, import_notes=import_notes,
                   comment_draft=comment_draft)


def refuse_unless_editor(session: Session, release_id: int, user: User) -> Release:
    """The release, if `user` may edit it: not the editor for someone who could not save it."""
    release = service.get_release(session, release_id)
    _refuse_unless_permitted(session, release, user, Action.EDIT)
    return release


@router.post("/releases/{release_id}/edit")
def save_release(request: Request, user: PressUser, release_id: ReleaseId, form: SubmittedForm) -> Response:
    """Store the form as a new revision (only the author or an admin may: the guards say)."""
    editor = read_form(form)
    lang = ui_language(user.language)
    try:
        with acting() as session:
            actor = attach(session, user)
            # The files are changed in the media section, not by this form: they stay.
            stored = service.current_content(session, service.get_release(session, release_id))
            content = keep_media(to_content(session, editor, actor), stored.media)
            step = service.edit_release(session, release_id, actor, content,
                                        editor.version, editor.comment.strip())
            revision = views.release_view(session, service.get_release(session, release_id))["revision"]
    except InvalidInput as error:
        with reading() as session:
            view = views.release_view(session, service.get_release(session, release_id))
        # The form as typed: saving it may have added a contact that the rollback took back.
        return _editor(request, read_form(form), view, error, status=422)
    except StaleVersion as stale:
        return _merge(request, user, read_form(form), release_id, stale)
    except EditLocked as locked:
        # A colleague holds the editor: the text as typed comes back (and stays in the browser).
        with reading() as session:
            view = views.release_view(session, service.get_release(session, release_id))
        return _editor(request, read_form(form), view, status=409, lock_refusal=describe(locked, lang))
    flash(request, translate("unchanged", lang) if step is None else translate("saved", lang, revision=revision))
    return redirect(f"/press/releases/{release_id}/edit")


def _merge(request: Request, user: User, mine: EditorForm, release_id: int, stale: StaleVersion) -> Response:
    """Someone saved (or moved) the release since this form was loaded: the editor again, the
    user's text kept, the colleague's current text beside it per differing field, and the form
    based on the current version, so that the next save stores the merge. Whoever may no longer
    edit it (it moved on to a state they cannot edit in) gets the conflict itself."""
    with reading() as session:
        release = service.get_release(session, release_id)
        if "edit" not in permitted_actions(session, release, attach(session, user)):
            raise stale
        view = views.release_view(session, release)
        current = service.current_revision(session, release)
        theirs = form_from_content(ReleaseContent.model_validate(current.content), release.version)
        who = user_emails(session, {current.author_id}).get(current.author_id, "")
    mine.version = release.version
    conflict = {"who": who, "at": current.created_at, "number": current.number,
                "fields": conflicts(mine, theirs)}
    return _editor(request, mine, view, status=409, conflict=conflict)


@router.post("/preview")
def live_preview(request: Request, user: PressUser, form: SubmittedForm) -> Response:
    """The mail for the editor's unsaved text, for the preview frame beside the editor."""
    editor = read_form(form)
    language = form.get("preview_language")
    release_id = form.get("release_id")
    try:
        content = to_content(None, editor)
    except InvalidInput as error:
        body = f"<p style='font-family:sans-serif;color:#a00'>{_escape(describe(error, ui_language(user.language)))}</p>"
        return HTMLResponse(body, headers={"Content-Security-Policy": PREVIEW_CSP})
    if not isinstance(language, str) or language not in content.translations:
        language = content.default_language
    number = int(release_id) if isinstance(release_id, str) and release_id.isdigit() and len(release_id) < 10 else 0
    with reading() as session:
        release = session.get(Release, number) if number else None
        if release is not None:  # the text as typed, with the files the release carries
            content = keep_media(content, service.current_content(session, release).media, strict=False)
        result = safe_preview(session, content, language, number, reader=ui_language(user.language))
    return HTMLResponse(result.html, headers={"Content-Security-Policy": PREVIEW_CSP})


@router.get("/releases/{release_id}/preview/{language}")
def stored_preview(
    request: Request, user: PressUser, release_id: ReleaseId,
    language: Annotated[str, Path(pattern=r"^[a-z]{2}$")],
    format: str = "html",
) -> Response:
    """The stored revision's mail in one language (html, text or eml)."""
    with reading() as session:
        result = preview_release(session, release_id, language, media_link=preview_media_link)
    if format == "text":
        return Response(result.rendered.text, media_type="text/plain; charset=utf-8")
    if format == "eml":
        return Response(result.message, media_type="message/rfc822")
    html = result.rendered.html
    if result.fallback_note:  # said above the mail, not inside it
        note = translate("preview_fallback", ui_language(user.language), wanted=language,
                         shown=result.compiled.language)
        html = (f"<p id='fallback-note' style='font-family:sans-serif;background:#fff3cd;padding:8px'>"
                f"{_escape(note)}</p>{html}")
    return HTMLResponse(html, headers={"Content-Security-Policy": PREVIEW_CSP})


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


# --- the release page and its actions -----------------------------------------------------------


@router.get("/releases/{release_id}")
def release_page(request: Request, user: PressUser, release_id: ReleaseId) -> Response:
    with reading() as session:
        release = service.get_release(session, release_id)
        view = views.release_view(session, release, full=True)
        view["allowed_actions"] = permitted_actions(session, release, attach(session, user))
        numbers = views.revision_numbers(session, release_id)
        log = [{**views.audit_view(e), "revision": numbers.get(e.revision_hash or "")}
               for e in service.audit_log(session, release_id)]
        distribution = distribution_for_release(session, release_id)
        label = status_label(distribution) if distribution is not None else ""
        # Only a release that was public can have been read on the newsroom.
        readership = readership_of(session, release_id) if release.published_at is not None else None
    return render(request, "press/release.html", {"release": view, "log": log, "distribution": distribution,
                                                  "distribution_label": label, "readership": readership})


@router.get("/releases/{release_id}/review")
def review_page(request: Request, user: PressUser, release_id: ReleaseId) -> Response:
    return review_for(request, user, release_id)


def review_for(request: Request, user: User, release_id: int, status: int = 200,
               comment_draft: dict[str, str] | None = None) -> Response:
    """The revision under review beside the last approved (else the previous) revision, with the
    release's comments (`comment_draft`: a refused comment, as typed)."""
    with reading() as session:
        release = service.get_release(session, release_id)
        view = views.release_view(session, release, full=True)
        view["allowed_actions"] = permitted_actions(session, release, attach(session, user))
        current = service.current_revision(session, release)
        baseline, basis = review_baseline(session, release)
        old = ReleaseContent.model_validate(baseline.content) if baseline else None
        languages, others = compare(old, ReleaseContent.model_validate(current.content))
        media_diff = compare_media(old, ReleaseContent.model_validate(current.content))
        authors = user_emails(session, {current.author_id})
        content = ReleaseContent.model_validate(current.content)
        audience = _audience(session, content)
        edit_comments = [_timed(entry) for entry in views.review_notes(session, release_id)["edit_comments"]]
        test_mail = _test_mail_form(session, request, release_id)
        thread = thread_context(session, release_id, ui_language(user.language), comment_draft)
    return render(request, "press/review.html", {**thread,
        "release": view, "languages_diff": languages, "others": others, "basis": basis,
        "baseline": baseline, "current": current, "current_author": authors.get(current.author_id),
        "audience": audience, "edit_comments": edit_comments, "test_mail": test_mail,
        "mailed_languages": proofs.mailed_languages(content), "media_diff": media_diff,
    }, status=status)


def _audience(session: Session, content: ReleaseContent) -> dict[str, Any]:
    """The audience view with the embargo's lift as a datetime, for `when` (the reader's
    language and time zone)."""
    audience = audience_view(session, content)
    if audience["embargo"]:
        audience["embargo"]["until"] = datetime.fromisoformat(audience["embargo"]["until"])
    return audience


def _act(request: Request, user: User, release_id: int, run: Callable[[Session, User], Step],
         to: str | None = None) -> Response:
    with acting() as session:
        step = run(session, attach(session, user))
    lang = ui_language(user.language)
    flash(request, translate("done_action", lang, action=action_name(step.action.value, lang),
                             from_state=translate(f"state_{step.from_state.value}", lang),
                             to_state=translate(f"state_{step.to_state.value}", lang)))
    return redirect(to or f"/press/releases/{release_id}")


Version = Annotated[str, Form(max_length=12)]


def _version(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput("expected_version", f"{text!r} is not a version number")
    return int(text)


@router.post("/releases/{release_id}/submit")
def submit(request: Request, user: PressUser, release_id: ReleaseId, expected_version: Version = "") -> Response:
    version = _version(expected_version)
    return _act(request, user, release_id, lambda s, u: service.submit(s, release_id, u, version))


@router.post("/releases/{release_id}/approve")
def approve(request: Request, user: PressUser, release_id: ReleaseId, expected_version: Version = "",
            comment: Annotated[str, Form(max_length=2000)] = "") -> Response:
    version = _version(expected_version)
    return _act(request, user, release_id, lambda s, u: service.approve(s, release_id, u, comment.strip(), version))


@router.post("/releases/{release_id}/request-changes")
def request_changes(request: Request, user: PressUser, release_id: ReleaseId, expected_version: Version = "",
                    # Twice the text box's limit: each line break it counts once comes as CR LF.
                    comment: Annotated[str, Form(max_length=2 * service.REVIEW_COMMENT_LENGTH)] = "") -> Response:
    version = _version(expected_version)
    return _act(request, user, release_id,
                lambda s, u: service.request_changes(s, release_id, u, comment, version))


@router.get("/releases/{release_id}/publish")
def publish_page(request: Request, user: PressUser, release_id: ReleaseId) -> Response:
    """The decision to publish, with its facts: whom it mails per list and language, who waits
    for the embargo and until when, and the planned time; "publish now" and "schedule" apart."""
    with reading() as session:
        release = service.get_release(session, release_id)
        _refuse_unless_permitted(session, release, user, Action.PUBLISH)
    return _publish_page(request, release_id)


def _publish_page(request: Request, release_id: int, refusal: str = "", at: str | None = None,
                  status: int = 200) -> Response:
    with reading() as session:
        release = service.get_release(session, release_id)
        view = views.release_view(session, release)
        audience = _audience(session, service.current_content(session, release))
    return render(request, "press/publish.html", {
        "release": view, "audience": audience, "planned": release.publish_at, "refusal": refusal,
        "at": local_input(release.publish_at) if at is None else at, "zone": get_settings().mail_timezone,
    }, status=status)


@router.post("/releases/{release_id}/publish")
def publish(request: Request, user: PressUser, release_id: ReleaseId,
            mode: Annotated[str, Form(pattern=r"^(now|schedule)$", max_length=10)],
            expected_version: Version = "", at: Annotated[str, Form(max_length=40)] = "") -> Response:
    """Publish now (`mode` now, whatever time was planned) or schedule for `at` (`mode` schedule),
    from the confirmation page; a refused time is said on that page, in the user's language."""
    version = _version(expected_version)
    try:
        if mode == "schedule" and not at.strip():
            raise InvalidInput("at", "choose the time to publish at")
        moment = utcnow() if mode == "now" else parse_local_time(at, "at")
        return _act(request, user, release_id, lambda s, u: service.publish(s, release_id, u, moment, version))
    except InvalidInput as error:
        return _publish_page(request, release_id, _refusal(error, ui_language(user.language)), at=at, status=422)


def _refusal(error: InvalidInput, lang: str) -> str:
    """Why a publication time was refused, in the user's language and time zone."""
    if isinstance(error, PublicationInPast):
        return translate("publish_in_past", lang, at=format_time(error.at, lang))
    if isinstance(error, EmbargoLiftsFirst):
        return translate("publish_embargo_first", lang, lift=format_time(error.lift, lang),
                         goes_out=format_time(error.goes_out, lang))
    if error.field == "at":
        return translate("publish_choose_time", lang)
    return describe(error, lang)


# --- test mails ---------------------------------------------------------------------------------

TEST_MAILS = ratelimit.Limit("test-mail", 12, 3600, fail_closed=False)


def _test_mail_form(session: Session, request: Request, release_id: int) -> dict[str, Any]:
    """What the test-mail form offers: the staff (the user first) and the mailed languages."""
    me = request.scope.get("state", {}).get("pressroom_user")
    people = proofs.staff(session)
    people.sort(key=lambda person: person.id != getattr(me, "id", None))
    content = service.current_content(session, service.get_release(session, release_id))
    return {"staff": people, "languages": proofs.mailed_languages(content), "me": getattr(me, "id", None)}


@router.post("/releases/{release_id}/test-mail")
def test_mail(request: Request, user: PressUser, release_id: ReleaseId,
              to: Annotated[str, Form(max_length=254)],
              language: Annotated[str, Form(pattern=r"^([a-z]{2})?$", max_length=2)] = "",
              back: Annotated[str, Form(pattern=r"^(edit|review)?$", max_length=6)] = "") -> Response:
    """Mail the current revision to the user or a colleague (active staff only), marked as a test."""
    ratelimit.hit(TEST_MAILS, str(user.id), "too many test mails in an hour; try again later")
    with acting() as session:
        languages = proofs.request_test_mail(session, release_id, attach(session, user), to, language)
    lang = ui_language(user.language)
    flash(request, translate("test_mail_sent", lang, to=to.strip().lower(),
                             languages=", ".join(code.upper() for code in languages)))
    return redirect(f"/press/releases/{release_id}/{back}" if back else f"/press/releases/{release_id}")


@router.post("/releases/{release_id}/unschedule")
def unschedule(request: Request, user: PressUser, release_id: ReleaseId, expected_version: Version = "") -> Response:
    version = _version(expected_version)
    return _act(request, user, release_id, lambda s, u: service.unschedule(s, release_id, u, version))


@router.post("/releases/{release_id}/withdraw")
def withdraw(request: Request, user: PressUser, release_id: ReleaseId, expected_version: Version = "",
             reason: Annotated[str, Form(max_length=4000)] = "",
             notify: Annotated[bool, Form()] = False, publish_reason: Annotated[bool, Form()] = False,
             corrected_by: Annotated[str, Form(max_length=20)] = "") -> Response:
    version = _version(expected_version)
    correction = _corrected_by(corrected_by)
    return _act(request, user, release_id, lambda s, u: service.withdraw(
        s, release_id, u, reason, version, notify, publish_reason=publish_reason, corrected_by=correction))


def _corrected_by(value: str) -> int | None:
    """The optional id of the release that corrects a withdrawn one, as typed (e.g. "42" or "#42")."""
    text = value.strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput("corrected_by", f"{value!r} is not a release number")
    return int(text)


@router.post("/releases/{release_id}/archive")
def archive(request: Request, user: PressUser, release_id: ReleaseId, expected_version: Version = "") -> Response:
    version = _version(expected_version)
    return _act(request, user, release_id, lambda s, u: service.archive(s, release_id, u, version))


@router.get("/releases/{release_id}/distribution")
def release_distribution(request: Request, user: PressUser, release_id: ReleaseId) -> Response:
    with reading() as session:
        distribution = distribution_for_release(session, release_id)
        if distribution is None:
            raise NotFound("distribution of release", release_id)
    return redirect(f"/press/distributions/{distribution.id}")
