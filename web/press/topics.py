"""The topics page (admins): every topic public releases carry or an admin named, with its
display name and description per language, and a form that stores them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from core.errors import InvalidInput
from core.settings import get_settings
from web.auth import PressUser, SubmittedForm
from web.deps import acting, attach, reading
from web.i18n import translate, ui_language
from web.newsroom_lists import public_topics
from web.pages import flash, redirect, render
from workflow.guards import require_role
from workflow.topics import CHANGE_ACTION, all_topics, readable_slug, set_topic

router = APIRouter()
Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]


def _rows() -> list[dict[str, object]]:
    with reading() as session:
        stored = {t.slug: t for t in all_topics(session)}
        slugs = sorted(set(stored) | set(public_topics(session)))
    return [{"slug": slug, "names": dict(stored[slug].names) if slug in stored else {},
             "descriptions": dict(stored[slug].descriptions) if slug in stored else {},
             "fallback": readable_slug(slug)} for slug in slugs]


def _page(request: Request, form: dict[str, str] | None = None, error: InvalidInput | None = None,
          status: int = 200) -> Response:
    return render(request, "press/topics.html", {"rows": _rows(), "form": form or {}, "error": error},
                  status=status)


@router.get("/topics")
def topics_page(request: Request, user: PressUser) -> Response:
    require_role(user, CHANGE_ACTION)
    return _page(request)


@router.post("/topics")
def save_topic(request: Request, user: PressUser, form: SubmittedForm) -> Response:
    """Store one topic's names and descriptions, as the form has them (an empty field removes
    that language's own text: the page falls back to the default language)."""
    require_role(user, CHANGE_ACTION)
    languages = get_settings().languages
    values = {"slug": str(form.get("slug") or "")[:60]}
    for code in languages:
        values[f"name_{code}"] = str(form.get(f"name_{code}") or "")[:200]
        values[f"description_{code}"] = str(form.get(f"description_{code}") or "")[:1000]
    try:
        with acting() as session:
            topic = set_topic(session, attach(session, user), values["slug"],
                              {code: values[f"name_{code}"] for code in languages},
                              {code: values[f"description_{code}"] for code in languages}, replace=True)
            slug = topic.slug
    except InvalidInput as error:
        return _page(request, values, error, status=422)
    flash(request, translate("topic_saved", ui_language(user.language), topic=slug))
    return redirect(f"/press/topics#topic-{slug}")


@router.get("/topics/{slug}")
def topic_form(request: Request, user: PressUser, slug: Slug) -> Response:
    """The page with the form filled in for one topic."""
    require_role(user, CHANGE_ACTION)
    row = next((r for r in _rows() if r["slug"] == slug), None)
    values = {"slug": slug}
    for code in get_settings().languages:
        values[f"name_{code}"] = (row["names"] if row else {}).get(code, "")  # type: ignore[attr-defined]
        values[f"description_{code}"] = (row["descriptions"] if row else {}).get(code, "")  # type: ignore[attr-defined]
    return _page(request, values)
