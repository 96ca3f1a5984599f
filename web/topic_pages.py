"""The public topic pages and the press contacts page, with a vCard per contact.

A topic page lists the public releases tagged with the topic, under the name an admin gave it in
the page's language (else in the default language, else a readable form of the slug). A slug
that neither names a stored topic nor tags a public release is a 404, like any unknown page.

The press contacts page shows the directory's entries that are printed under at least one public
release, with their current details: the office decides who speaks for it by naming them under
what it publishes, and an entry kept for internal use never reaches the public page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from core.settings import get_settings
from web.auth import csrf_protect
from web.deps import reading
from web.errors import PageNotFound, page_must_exist
from web.newsroom_lists import public_contacts, topic_releases
from web.newsroom_version import cached_page
from web.pages import organisation_in, render
from web.public import Lang, TopicSlug, configured_language
from web.queries import Paged, PublicRelease
from web.schemas import MAX_ID
from workflow.topics import Topic, topic_description, topic_name
from workflow.vcard import MEDIA_TYPE, filename, vcard

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
Page = Annotated[int, Query(ge=1, le=100_000)]


@dataclass(frozen=True)
class TopicView:
    slug: str
    name: str
    description: str
    found: Paged[PublicRelease]


def topic_view(session: Session, language: str, slug: str, page: int = 1, per_page: int = 20, *,
               fallback: bool = False) -> TopicView:
    """A topic's name, description and page of public releases (in `language`; with `fallback`,
    in the office's languages too, as the newsroom shows them); raises PageNotFound for a slug
    that is neither stored nor on any public release."""
    topic = session.get(Topic, slug)
    found = topic_releases(session, language, slug, page=page, per_page=per_page, fallback=fallback)
    if topic is None and found.total == 0:
        raise PageNotFound("topic")
    return TopicView(slug, topic_name(topic, slug, language), topic_description(topic, language), found)


@router.get("/newsroom/{lang}/topics/{slug}")
def topic_page(request: Request, lang: Lang, slug: TopicSlug, page: Page = 1) -> Response:
    language = configured_language(lang)
    return cached_page(request, lambda: _topic_page(request, language, slug, page))


def _topic_page(request: Request, language: str, slug: str, page: int) -> Response:
    with reading() as session:
        view = topic_view(session, language, slug, page=page, fallback=True)
    page_must_exist(page, view.found.pages)
    return render(request, "public/topic.html", {"topic": view, "found": view.found, "page_language": language},
                  language=language)


@router.get("/newsroom/{lang}/contacts")
def contacts_page(request: Request, lang: Lang) -> Response:
    language = configured_language(lang)
    return cached_page(request, lambda: _contacts_page(request, language))


def _contacts_page(request: Request, language: str) -> Response:
    default = get_settings().default_language
    with reading() as session:
        people = [{"id": p.id, "name": p.details.name, "email": p.details.email, "phone": p.details.phone,
                   "mobile": p.details.mobile,
                   "function": p.details.function.get(language) or p.details.function.get(default)
                   or next(iter(p.details.function.values()), "")}
                  for p in public_contacts(session)]
    return render(request, "public/contacts.html", {"people": people, "page_language": language},
                  language=language)


@router.get("/contacts/{contact_id}.vcf")
def contact_card(contact_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                 lang: Annotated[str | None, Query(max_length=5)] = None) -> Response:
    """One press contact as a vCard 4.0; 404 for anyone not on the press contacts page."""
    settings = get_settings()
    language = lang if lang in settings.languages else settings.default_language
    organisation = organisation_in(language).name  # its own session: the first read may store it
    with reading() as session:
        person = next((p for p in public_contacts(session) if p.id == contact_id), None)
        if person is None:
            raise PageNotFound("contact")
        card = vcard(person.details, organisation, language, settings.default_language)
        name = filename(person.details)
    return Response(card.encode("utf-8"), media_type=MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
