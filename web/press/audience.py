"""Mailing lists and subscribers in the press-office UI: lists with their counts, the people on
a list, adding and removing people, and CSV import with its row error report."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response

from core.db import session_scope
from core.errors import InvalidInput
from subscribers import (
    add_subscriber,
    all_lists,
    create_list,
    get_list,
    import_csv,
    list_counts,
    unsubscribe,
)
from subscribers.errors import SubscriberNotFound
from subscribers.models import Subscriber
from web.auth import PressUser
from web.deps import acting, reading, relay_events
from web.error_text import describe
from web.i18n import translate, ui_language
from web.pages import flash, redirect, render
from web.queries import subscriber_view, subscribers_page
from web.schemas import MAX_ID
from workflow.guards import require_role

router = APIRouter()
Slug = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9-]+$")]


def _lists_page(request: Request, values: dict[str, object] | None = None, error: str | None = None,
                status: int = 200) -> Response:
    with reading() as session:
        lists = all_lists(session)
        counts = list_counts(session)
    return render(request, "press/lists.html", {"lists": lists, "counts": counts, "values": values or {},
                                                "error": error}, status=status)


@router.get("/lists")
def lists_page(request: Request, user: PressUser) -> Response:
    return _lists_page(request)


@router.post("/lists")
def new_list(
    request: Request, user: PressUser,
    slug: Annotated[str, Form(max_length=60)],
    name: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=2000)] = "",
    default_language: Annotated[str, Form(max_length=5)] = "",
    private: Annotated[bool, Form()] = False,
    receives_embargoed: Annotated[bool, Form()] = False,
) -> Response:
    """Create a list; a refused one shows the form again, filled in, with the reason in the
    user's language."""
    require_role(user, "change list settings")
    try:
        with acting() as session:
            created = create_list(session, slug, name, description, default_language or None,
                                  "private" if private else "public", receives_embargoed)
            target = created.slug
    except InvalidInput as error:
        message = describe(error, ui_language(user.language))
        values = {"slug": slug, "name": name, "description": description, "default_language": default_language,
                  "private": private, "receives_embargoed": receives_embargoed}
        return _lists_page(request, values, message, status=422)
    return redirect(f"/press/lists/{target}")


def _list_page(request: Request, slug: str, page: int, report: dict[str, object] | None = None,
               filters: dict[str, str] | None = None) -> Response:
    shown = {key: value for key, value in (filters or {}).items() if value}
    with reading() as session:
        mailing_list = get_list(session, slug)
        counts = list_counts(session, [mailing_list.id or 0])[mailing_list.id or 0]
        found = subscribers_page(session, list_slug=slug, page=page, per_page=50, search=shown.get("q"),
                                 status=shown.get("status"), language=shown.get("language"))
        people = [subscriber_view(session, s) for s in found.items]
    for person in people:
        person["here"] = next((s["status"] for s in person["subscriptions"] if s["list"] == mailing_list.slug), "")
    return render(request, "press/list.html", {"list": mailing_list, "counts": counts, "people": people,
                                               "found": found, "report": report, "filters": shown,
                                               "filter_query": urlencode(shown)})


@router.get("/lists/{slug}")
def list_page(request: Request, user: PressUser, slug: Slug,
              page: Annotated[int, Query(ge=1, le=100_000)] = 1,
              q: Annotated[str, Query(max_length=254)] = "",
              status: Annotated[Literal["", "pending", "confirmed", "unsubscribed"], Query()] = "",
              language: Annotated[str, Query(max_length=5, pattern=r"^([a-z]{2})?$")] = "") -> Response:
    """The people on a list, 50 a page; searched by address or name, filtered by status and language."""
    return _list_page(request, slug, page, filters={"q": q, "status": status, "language": language})


@router.post("/lists/{slug}/subscribers")
def add_person(
    request: Request, user: PressUser, slug: Slug,
    email: Annotated[str, Form(max_length=254)],
    name: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=5)] = "",
    organisation: Annotated[str, Form(max_length=200)] = "",
    confirmed: Annotated[bool, Form()] = False,
) -> Response:
    """Add someone; double opt-in (a confirmation mail) unless consent is already given."""
    with acting() as session:
        result = add_subscriber(session, email, slug, name=name or None, language=language or None,
                                organisation=organisation or None, confirmed=confirmed,
                                actor=user.email, source="admin")
    lang = ui_language(user.language)
    flash(request, translate("subscriber_outcome", lang, email=email,
                             outcome=translate(f"outcome_{result.outcome.value}", lang)))
    return redirect(f"/press/lists/{slug}")


@router.post("/lists/{slug}/subscribers/{subscriber_id}/remove")
def remove_person(request: Request, user: PressUser, slug: Slug,
                  subscriber_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    with acting() as session:
        mailing_list = get_list(session, slug)
        subscriber = session.get(Subscriber, subscriber_id)
        if subscriber is None:
            raise SubscriberNotFound(f"#{subscriber_id}")
        left = unsubscribe(session, subscriber, [mailing_list.id or 0], source="admin", detail=user.email)
    flash(request, translate("removed_from", ui_language(user.language), email=subscriber.email,
                             lists=", ".join(left) or "—"))
    return redirect(f"/press/lists/{slug}")


@router.post("/lists/{slug}/import")
def import_file(
    request: Request, user: PressUser, slug: Slug,
    file: Annotated[UploadFile, File()],
    confirmed: Annotated[bool, Form()] = False,
) -> Response:
    """Import a CSV and show the report: counts and every refused row with its line number."""
    report = import_csv(session_scope, file.file, slug, confirmed=confirmed,
                        source_name=(file.filename or "upload")[:40])
    relay_events()
    shown = report.as_dict()
    language = ui_language(user.language)
    for kind in ("rejected", "suppressed"):  # each refused row said in the reader's language
        shown[kind] = [{"line": p.line, "reason": describe(p.error, language, labelled=False) if p.error else p.reason}
                       for p in getattr(report, kind)]
    return _list_page(request, slug, 1, shown)
