"""The public search page: `/newsroom/{lang}/search`, a GET form that works without JavaScript.

The words are stemmed in the release's language and matched by `workflow.search` (PostgreSQL's
full-text search, or FTS5 over Snowball stems on SQLite); results are highlighted, paged and
filtered by topic, kind and a range of days. What shows is decided when the page is asked for:
the search applies the newsroom's rule of what the public may read.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from core.db import utcnow
from web.deps import reading
from web.errors import page_must_exist
from web.newsroom_lists import topic_names
from web.pages import render
from web.public import Lang, configured_language
from web.queries import public_now
from workflow.models import ReleaseKind
from workflow.search import Filters, InvalidSearch, date_filters, only_common_words, search

router = APIRouter(include_in_schema=False)

PER_PAGE = 10
Text = Annotated[str, Query(max_length=200)]
Short = Annotated[str, Query(max_length=60)]


@router.get("/newsroom/{lang}/search")
def search_page(request: Request, lang: Lang, q: Text = "", topic: Short = "", kind: Short = "",
                date_from: Annotated[str, Query(alias="from", max_length=20)] = "",
                date_to: Annotated[str, Query(alias="to", max_length=20)] = "",
                page: Annotated[int, Query(ge=1, le=1000)] = 1) -> Response:
    """Search the public releases in the page's language (other languages for releases without
    one); an unreadable date is said on the page, with the form kept as typed (422)."""
    language = configured_language(lang)
    kinds = [k.value for k in ReleaseKind]
    error: InvalidSearch | None = None
    found = None
    with reading() as session:
        topics = topic_names(session, language)
        try:
            start, end = date_filters(date_from, date_to)
            filters = Filters(topic=topic if topic in topics else "", kind=kind if kind in kinds else "",
                              date_from=start, date_to=end)
            found = search(session, q, language, public_now(utcnow()), filters, page=page, per_page=PER_PAGE)
            page_must_exist(page, found.pages)
        except InvalidSearch as exc:
            error = exc
    values = {"q": q, "topic": topic, "kind": kind, "from": date_from, "to": date_to}
    kept = {name: value for name, value in values.items() if value}
    return render(request, "public/search.html",
                  {"found": found, "values": values, "error": error, "topics": topics, "kinds": kinds,
                   "page_language": language, "common_only": only_common_words(q, language),
                   "previous_url": "?" + urlencode({**kept, "page": page - 1}),
                   "next_url": "?" + urlencode({**kept, "page": page + 1})},
                  language=language, status=422 if error else 200,
                  headers={"X-Robots-Tag": "noindex"})
