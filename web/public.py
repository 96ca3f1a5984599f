"""The public pages: the newsroom per language, a page per release, Atom and RSS feeds, the
subscribe form, and the confirm, unsubscribe and preferences pages behind signed links.

Until a release is public (published, and its embargo lifted) nothing public shows it: not the
newsroom, its count, the feeds, the topic lists, nor its page, which answers the 404 of an id
that never existed. The one exception is the recipient of its mail under embargo, whose link
carries an access token: they see the page, marked as under embargo, never cached or indexed.
Lists and feeds date and sort releases by the time they became public. Withdrawn releases answer
410 if they had been public, else that same 404.

The sign-up form is rate-limited per IP address and per e-mail address (Redis), and shows the
same "check your inbox" page whatever happened, so it reveals nothing about who is subscribed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from feedgen.feed import FeedGenerator
from sqlmodel import Session, col, select

from core.db import utcnow
from core.errors import InvalidInput, NotFound
from core.settings import get_settings
from core.text import xml_safe
from reports.tallies import count_unsubscribe
from subscribers import (
    all_lists,
    confirm_by_token,
    one_click_unsubscribe,
    preferences_by_token,
    subscribe,
    unsubscribe_by_token,
    unsubscribe_page,
    update_preferences_by_token,
)
from subscribers.errors import AddressSuppressed, InvalidToken
from subscribers.models import MailingList, Subscriber, Visibility
from subscribers.preferences import as_chosen
from subscribers.privacy_notice import privacy_notice
from subscribers.subscriptions import ConfirmOutcome, UnsubscribeResult, confirm_language
from subscribers.tokens import read_access_token, read_confirm_token
from subscribers.validation import normalise_email
from templates.markup import markdown_to_html
from web import ratelimit
from web.auth import SubmittedForm, check_csrf, csrf_protect, submitted_token
from web.deps import acting, reading
from web.discovery import newsroom_open_graph
from web.errors import PageNotFound, page_must_exist
from web.forms import ListNotOffered, NoListChosen
from web.i18n import format_time, negotiate, translate, ui_language
from web.newsroom_lists import topic_names
from web.newsroom_version import PERSONAL, cached_page
from web.pages import organisation_in, redirect, render
from web.queries import (
    PublicRelease,
    address_language,
    newsroom,
    public_default_language,
    public_release,
)
from web.readership import count_read
from web.schemas import MAX_ID
from workflow.models import Release, Revision
from workflow.topics import names_for, names_of
from workflow.withdrawals import public_withdrawal

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
# RFC 8058: a mail client's one-click POST carries no cookie and so no CSRF token.
one_click = APIRouter(include_in_schema=False)

Lang = Annotated[str, Path(pattern=r"^[a-z]{2}$")]
ReleaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
Token = Annotated[str, Path(min_length=1, max_length=500)]
Access = Annotated[str | None, Query(max_length=500)]

# A page shown under embargo is one recipient's: no shared cache keeps it, no search engine
# lists it (the page also says so in a meta tag).
UNDER_EMBARGO = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


def configured_language(lang: str) -> str:
    if lang not in get_settings().languages:
        raise NotFound("language", lang)
    return lang


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _base() -> str:
    return get_settings().base_url.rstrip("/")


# --- the newsroom -------------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    response = redirect(f"/newsroom/{negotiate(request.headers.get('accept-language'))}")
    response.headers["Vary"] = "Accept-Language"  # where it leads depends on the browser's languages
    return response


@router.get("/newsroom/{lang}")
def newsroom_page(request: Request, lang: Lang, page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    language = configured_language(lang)
    return cached_page(request, lambda: _newsroom_page(request, language, page))


def _newsroom_page(request: Request, language: str, page: int) -> Response:
    with reading() as session:
        found = newsroom(session, language, page=page, fallback=True)
    page_must_exist(page, found.pages)
    organisation = organisation_in(language)
    return render(request, "public/newsroom.html",
                  {"found": found, "page_language": language,
                   "open_graph": newsroom_open_graph(language, organisation.name, organisation.logo_url)},
                  language=language)


@router.get("/releases/{release_id}")
def release_default(request: Request, release_id: ReleaseId) -> Response:
    with reading() as session:
        language = address_language(session, release_id)
    if language is None:
        raise PageNotFound("release")
    return redirect(f"/releases/{release_id}/{language}")


@router.api_route("/releases/{release_id}/{lang}", methods=["GET", "HEAD"])
def release_page(request: Request, release_id: ReleaseId, lang: Lang, access: Access = None) -> Response:
    """A release's page. Before its public time it is a 404 like any unknown id, except to a
    recipient of its embargoed mail, whose link carries an access token (`?access=`).

    Each public read (200, embargo lifted) is counted for the readership report; a HEAD (a link
    checker's) answers like a GET and counts as a bot's read. A conditional GET answered 304
    (the reader's copy is current) is a read too, counted without making the page; a page with
    the subscribe box holds the visitor's CSRF token and is never stored by any cache."""
    language = configured_language(lang)
    return cached_page(request, lambda: _release_page(request, release_id, language, access),
                       on_not_modified=lambda: count_read(request, release_id, language))


def _release_page(request: Request, release_id: int, language: str, access: str | None) -> Response:
    with reading() as session:
        outcome, item = public_release(session, release_id, language,
                                       early=is_recipient(session, release_id, access))
        # Under embargo a topic link could lead to a topic the public may not know yet.
        topics = names_of(session, item.topics, language) if item and outcome == "ok" and not item.embargo_until else []
    if outcome == "missing":
        raise PageNotFound("release")
    status = {"ok": 200, "withdrawn": 410, "other-language": 404}[outcome]
    embargo = _embargo_notice(item)  # only a recipient gets here while the embargo holds
    query = f"?access={quote(access or '', safe='')}" if embargo else ""
    from web.media import PageMedia, open_graph  # web.media takes this page's access rule from here

    shown = item if outcome == "ok" else None
    with reading() as session:
        box = subscribe_box(session, release_id) if shown and not embargo else None
        withdrawal = withdrawn_notice(session, release_id, language) if outcome == "withdrawn" else None
    page = render(request, "public/release.html",
                  {"item": item, "outcome": outcome, "page_language": language, "body_html": _body(item),
                   "embargo": embargo, "access": query, "box": box, "withdrawal": withdrawal, "topics": topics,
                   "media": PageMedia(shown, query) if shown and shown.media else None,
                   # Link previews are for public pages; one read under embargo is nobody's to share.
                   "open_graph": open_graph(shown, organisation_in(language).name) if shown and not embargo else []},
                  language=language, status=status,
                  headers=UNDER_EMBARGO if embargo else {"Cache-Control": PERSONAL} if box else None)
    if shown and not embargo:  # a public read; never the 404/410, nor one recipient's embargoed copy
        count_read(request, release_id, language)
    return page


@dataclass(frozen=True)
class SubscribeBox:
    """The sign-up form under a release: every public list, those the release went to ticked."""

    lists: list[MailingList]
    chosen: set[str]


def subscribe_box(session: Session, release_id: int) -> SubscribeBox | None:
    """The box under a public release; None when there is no public list to join. Only public
    lists are named: a private or embargo list stays unknown to the page's readers."""
    lists = [m for m in all_lists(session) if m.visibility is Visibility.PUBLIC]
    if not lists:
        return None
    content = session.exec(
        select(Revision.content).join(Release, col(Release.current_revision_id) == col(Revision.id))
        .where(col(Release.id) == release_id)
    ).first() or {}
    targets = {str(slug) for slug in content.get("lists", [])}
    return SubscribeBox(lists, {m.slug for m in lists if m.slug in targets})


@dataclass(frozen=True)
class WithdrawnNotice:
    """What the 410 page of a withdrawn release says: when, why (if published), where to go."""

    withdrawn_at: datetime
    reason: str
    corrected_url: str


def withdrawn_notice(session: Session, release_id: int, language: str) -> WithdrawnNotice | None:
    """The notice of a withdrawn release; the correction is linked only once it is public, in the
    page's language when it has that translation."""
    found = public_withdrawal(session, release_id)
    if found is None:
        return None
    corrected = ""
    if found.corrected_by is not None:
        outcome, _ = public_release(session, found.corrected_by, language)
        if outcome == "ok":
            corrected = f"/releases/{found.corrected_by}/{language}"
        elif public_default_language(session, found.corrected_by) is not None:
            corrected = f"/releases/{found.corrected_by}"
    return WithdrawnNotice(found.withdrawn_at, found.reason, corrected)


def is_recipient(session: Session, release_id: int, access: str | None) -> bool:
    """Whether `access` is a genuine access token for this release, made for a subscriber who
    still holds that address (an erased one does not). Anything else counts as no token at
    all: the page must then answer exactly as it does to anyone."""
    if not access:
        return False
    try:
        claim = read_access_token(access)
    except InvalidToken:
        return False
    subscriber = session.get(Subscriber, claim.subscriber_id) if claim.release_id == release_id else None
    return subscriber is not None and claim.matches(subscriber.email_hash)


def _embargo_notice(item: PublicRelease | None) -> str:
    """The "under embargo until …" line: in the release's own language (German too, which the
    rest of the page chrome lacks), at the local time of the mail time zone, which it names."""
    if item is None or item.embargo_until is None:
        return ""
    return translate("under_embargo", item.language, when=format_time(item.embargo_until, item.language))


def _body(item: PublicRelease | None) -> str:
    from markupsafe import Markup

    return Markup(markdown_to_html(item.body, mail=False)) if item else Markup("")


def _feed(language: str) -> FeedGenerator:
    with reading() as session:
        found = newsroom(session, language, per_page=50)
    name = organisation_in(language).name
    return _feed_of(language, found.items, f"/newsroom/{language}",
                    f"{name} — {translate('newsroom', ui_language(language))}",
                    translate("subscribe_intro", ui_language(language)))


def _feed_of(language: str, items: list[PublicRelease], page: str, title: str, description: str,
             feed_id: str | None = None) -> FeedGenerator:
    """A feed of `items` whose alternate link is the page at `page` (a path), and whose id is
    that page's URL unless `feed_id` (a path) says otherwise."""
    feed = FeedGenerator()
    feed.id(f"{_base()}{feed_id or page}")
    feed.title(title)
    feed.author({"name": organisation_in(language).name})
    feed.link(href=f"{_base()}{page}", rel="alternate")
    feed.language(language)
    feed.description(description)
    # An empty feed still says when it was made: Atom requires <updated>.
    feed.updated(max((item.updated_at for item in items), default=utcnow()))
    for item in items:
        url = f"{_base()}/releases/{item.id}/{language}"
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(xml_safe(item.title))
        entry.link(href=url)
        entry.published(item.public_at)
        entry.updated(item.updated_at)
        entry.summary(xml_safe(item.lead or item.title))
        entry.content(xml_safe(markdown_to_html(item.body)), type="html")
    return feed


def _feed_response(feed: FeedGenerator, path: str, form: str) -> Response:
    """The feed as Atom or RSS, with its own address as the "self" link."""
    feed.link(href=f"{_base()}{path}", rel="self")
    if form == "atom":
        return Response(feed.atom_str(pretty=True), media_type="application/atom+xml; charset=utf-8")
    return Response(feed.rss_str(pretty=True), media_type="application/rss+xml; charset=utf-8")


@router.get("/feeds/{lang}.atom")
def atom(request: Request, lang: Lang) -> Response:
    language = configured_language(lang)
    return cached_page(request, lambda: _feed_response(_feed(language), f"/feeds/{language}.atom", "atom"),
                       html=False)


@router.get("/feeds/{lang}.rss")
def rss(request: Request, lang: Lang) -> Response:
    language = configured_language(lang)
    return cached_page(request, lambda: _feed_response(_feed(language), f"/feeds/{language}.rss", "rss"),
                       html=False)


FeedForm = Annotated[str, Path(pattern=r"^(atom|rss)$")]
TopicSlug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]


@router.get("/feeds/{lang}/topics/{slug}.{form}")
def topic_feed(request: Request, lang: Lang, slug: TopicSlug, form: FeedForm) -> Response:
    """Atom or RSS of a topic's public releases in one language, titled with the topic's name."""
    language = configured_language(lang)
    return cached_page(request, lambda: _topic_feed(language, slug, form), html=False)


def _topic_feed(language: str, slug: str, form: str) -> Response:
    from web.topic_pages import topic_view

    with reading() as session:
        view = topic_view(session, language, slug, per_page=50)
    organisation = organisation_in(language).name
    ui = ui_language(language)
    description = view.description or translate("topic_feed_description", ui, topic=view.name,
                                                organisation=organisation)
    feed = _feed_of(language, view.found.items, f"/newsroom/{language}/topics/{slug}",
                    f"{organisation} — {view.name}", description)
    return _feed_response(feed, f"/feeds/{language}/topics/{slug}.{form}", form)


@router.get("/feeds/{lang}/kinds/{kind}.{form}")
def kind_feed(request: Request, lang: Lang, kind: Annotated[str, Path(max_length=40)], form: FeedForm) -> Response:
    """Atom or RSS of the public releases of one kind (press releases, statements, …)."""
    language = configured_language(lang)
    return cached_page(request, lambda: _kind_feed(language, kind, form), html=False)


def _kind_feed(language: str, kind: str, form: str) -> Response:
    from web.newsroom_lists import kind_releases
    from workflow.models import ReleaseKind

    if kind not in {k.value for k in ReleaseKind}:
        raise PageNotFound("kind")
    with reading() as session:
        items = kind_releases(session, language, ReleaseKind(kind))
    organisation = organisation_in(language).name
    ui = ui_language(language)
    kind_name = translate(f"kind_{kind}", ui)
    # No page lists one kind: the feed links the newsroom, and is named by its own address.
    feed = _feed_of(language, items, f"/newsroom/{language}", f"{organisation} — {kind_name}",
                    translate("kind_feed_description", ui, kind=kind_name, organisation=organisation),
                    feed_id=f"/feeds/{language}/kinds/{kind}")
    return _feed_response(feed, f"/feeds/{language}/kinds/{kind}.{form}", form)


# --- the privacy notice -------------------------------------------------------------------------


@router.get("/privacy/{lang}")
def privacy_page(request: Request, lang: Lang) -> Response:
    """What is kept on a subscriber, for how long, and how to have it erased, in `lang`."""
    language = configured_language(lang)
    with reading() as session:
        notice = privacy_notice(session, language, organisation_in(language).name)
    return render(request, "public/privacy.html", {"notice": notice, "page_language": language},
                  language=language)


# --- subscribing --------------------------------------------------------------------------------


def _subscribe_form(request: Request, language: str, values: dict[str, object],
                    error: InvalidInput | None = None, status: int = 200) -> Response:
    with reading() as session:
        lists = [m for m in all_lists(session) if m.visibility is Visibility.PUBLIC]
        topics = topic_names(session, language)
    return render(request, "public/subscribe.html",
                  {"lists": lists, "topics": topics, "values": values, "error": error,
                   "page_language": language}, language=language, status=status)


@router.get("/subscribe")
def subscribe_page(request: Request, lang: Annotated[str | None, Query(max_length=5)] = None) -> Response:
    language = lang if lang in get_settings().languages else negotiate(request.headers.get("accept-language"))
    return _subscribe_form(request, language, {"language": language, "lists": [], "topics": []})


def _strings(form: SubmittedForm, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)][:50]


def _field(form: SubmittedForm, name: str, limit: int = 254) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


@router.post("/subscribe")
def subscribe_submit(request: Request, form: SubmittedForm) -> Response:
    """Double opt-in sign-up to one or more public lists; limited per IP and per address."""
    language = _field(form, "language", 5)
    language = language if language in get_settings().languages else get_settings().default_language
    values: dict[str, object] = {
        "email": _field(form, "email"), "name": _field(form, "name", 200),
        "organisation": _field(form, "organisation", 200), "language": language,
        "lists": _strings(form, "lists"), "topics": _strings(form, "topics"),
    }
    settings = get_settings()
    # Fail open (logged, counted in /metrics): a sign-up only sends a confirmation mail.
    ratelimit.hit(ratelimit.Limit("subscribe-ip", settings.subscribe_limit_per_ip, settings.subscribe_limit_window,
                                  fail_closed=False),
                  _client_ip(request), "too many sign-ups from your network; please try again later")
    try:
        address = normalise_email(str(values["email"]))
        if not values["lists"]:
            raise NoListChosen()
        with reading() as session:
            offered = {m.slug for m in all_lists(session) if m.visibility is Visibility.PUBLIC}
        for slug in values["lists"]:  # type: ignore[attr-defined]
            if slug not in offered:
                raise ListNotOffered(str(slug))
        ratelimit.hit(
            ratelimit.Limit("subscribe-address", settings.subscribe_limit_per_address, settings.subscribe_limit_window,
                            fail_closed=False),
            address, "too many sign-ups for this address; please try again later",
        )
        with acting() as session:
            for slug in values["lists"]:  # type: ignore[attr-defined]
                subscribe(session, address, str(slug), name=str(values["name"]), language=language,
                          organisation=str(values["organisation"]), topics=values["topics"],  # type: ignore[arg-type]
                          source="web", ip=_client_ip(request), text_version=settings.consent_text_version)
    except InvalidInput as error:
        return _subscribe_form(request, language, values, error, status=422)
    return render(request, "public/message.html",
                  {"heading": translate("subscribe", ui_language(language)),
                   "message": translate("check_inbox", ui_language(language)), "page_language": language,
                   "links": _onward(language)},
                  language=language)


def _subscriber_page_language(request: Request, language: str | None) -> str:
    """A subscriber's pages speak the subscriber's language when the link tells it (a configured
    one), else the browser's."""
    if language and language in get_settings().languages:
        return language
    return negotiate(request.headers.get("accept-language"))


def _onward(language: str, preferences_url: str = "") -> list[tuple[str, str, str]]:
    """The links that keep a subscriber's page from being a dead end: (id, href, label)."""
    lang = ui_language(language)
    links = [("preferences-link", preferences_url, translate("manage_preferences", lang))] if preferences_url else []
    return [*links, ("newsroom-link", f"/newsroom/{language}", translate("to_newsroom", lang)),
            ("privacy-link", f"/privacy/{language}", translate("privacy_notice", lang))]


@router.get("/subscriptions/confirm/{token}")
def confirm_page(request: Request, token: Token) -> Response:
    """Asks to confirm with a button: a link scanner fetching the URL confirms nothing. A link
    that is not genuine, or too old, says so at once rather than after the click."""
    read_confirm_token(token)
    with reading() as session:
        language = _subscriber_page_language(request, confirm_language(session, token))
    return render(request, "public/confirm.html", {"token": token, "page_language": language,
                                                   "links": _onward(language)}, language=language)


@router.post("/subscriptions/confirm/{token}")
def confirm_submit(request: Request, token: Token) -> Response:
    with acting() as session:
        result = confirm_by_token(session, token, ip=_client_ip(request),
                                  text_version=get_settings().consent_text_version)
    language = _subscriber_page_language(request, result.language)
    lang = ui_language(language)
    message = translate("confirmed", lang, list=result.list_name)
    if result.outcome is ConfirmOutcome.CONFIRMED:
        message = f"{message} {translate('welcome_coming', lang)}"
    return render(request, "public/message.html",
                  {"heading": translate("confirm_title", lang), "message": message, "page_language": language,
                   "links": _onward(language, result.preferences_url)}, language=language)


@router.get("/subscriptions/preview")
@router.get("/subscriptions/preview/unsubscribe")
def preview_links(request: Request) -> Response:
    """Where the links of a preview mail lead: nowhere harmful."""
    lang = ui_language(negotiate(request.headers.get("accept-language")))
    return render(request, "public/message.html",
                  {"heading": translate("preview", lang), "message": translate("preview_page", lang),
                   "page_language": None})


@router.get("/subscriptions/unsubscribe/{token}")
def unsubscribe_question(request: Request, token: Token) -> Response:
    """Shows whom the link unsubscribes and asks; a GET never unsubscribes anyone."""
    with reading() as session:
        page = unsubscribe_page(session, token)
    language = _subscriber_page_language(request, page.language)
    return render(request, "public/unsubscribe.html",
                  {"page": page, "token": token, "page_language": language,
                   "links": _onward(language, page.preferences_url)}, language=language)


@one_click.post("/subscriptions/unsubscribe/{token}")
async def unsubscribe_submit(request: Request, token: Token) -> Response:
    """RFC 8058 one-click (body `List-Unsubscribe=One-Click`, no cookie needed), or the page's
    own button (with the page's CSRF token)."""
    form = await request.form()
    ip = _client_ip(request)
    if "List-Unsubscribe" in form:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(_one_click, token, {k: str(v) for k, v in form.items()}, ip)
        return PlainTextResponse("unsubscribed\n")
    check_csrf(request, await submitted_token(request))
    everywhere = form.get("everywhere") == "1"
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(_unsubscribe, token, everywhere, ip)
    language = _subscriber_page_language(request, result.language)
    lang = ui_language(language)
    return render(request, "public/message.html",
                  {"heading": translate("unsubscribe", lang), "message": translate("unsubscribed", lang),
                   "page_language": language, "links": _onward(language, result.preferences_url)},
                  language=language)


def _one_click(token: str, form: dict[str, str], ip: str) -> None:
    with acting() as session:
        _count_for_mailing(session, one_click_unsubscribe(session, token, form, ip=ip))


def _unsubscribe(token: str, everywhere: bool, ip: str) -> UnsubscribeResult:
    with acting() as session:
        return _count_for_mailing(session, unsubscribe_by_token(session, token, everywhere=everywhere, ip=ip))


def _count_for_mailing(session: Session, result: UnsubscribeResult) -> UnsubscribeResult:
    """The mailing whose link it was counts one unsubscribe (only when someone did leave: a
    second click counts nothing), in the same transaction as the unsubscription."""
    if result.lists:
        count_unsubscribe(session, result.distribution_id, result.subscriber_id, result.list_id, result.language)
    return result


@router.get("/subscriptions/preferences/{token}")
def preferences_page(request: Request, token: Token) -> Response:
    with reading() as session:
        prefs = preferences_by_token(session, token)
        topics = {**names_for(session, prefs.topics, prefs.language), **topic_names(session, prefs.language)}
    return render(request, "public/preferences.html",
                  {"prefs": prefs, "token": token, "topics": topics, "saved": False, "error": None,
                   "page_language": _subscriber_page_language(request, prefs.language),
                   "links": _onward(_subscriber_page_language(request, prefs.language))},
                  language=prefs.language)


@router.post("/subscriptions/preferences/{token}")
def preferences_submit(request: Request, token: Token, form: SubmittedForm) -> Response:
    """Saves the choices; a refused one (a name with an invisible character, an unknown topic)
    shows the form again as filled in, in the subscriber's language, with nothing saved."""
    name, language, frequency = _field(form, "name", 200), _field(form, "language", 5), _field(form, "frequency", 20)
    topics_chosen, lists = _strings(form, "topics"), _strings(form, "lists")
    error: InvalidInput | AddressSuppressed | None = None
    try:
        with acting() as session:
            prefs = update_preferences_by_token(session, token, name=name, language=language or None,
                                                frequency=frequency or None, topics=topics_chosen, lists=lists,
                                                ip=_client_ip(request))
            topics = {**names_for(session, prefs.topics, prefs.language), **topic_names(session, prefs.language)}
    except InvalidToken:
        raise
    except (InvalidInput, AddressSuppressed) as refused:
        error = refused
        with reading() as session:
            stored = preferences_by_token(session, token)
            topics = {**names_for(session, stored.topics, stored.language), **topic_names(session, stored.language)}
        prefs = as_chosen(stored, name=name, language=language, frequency=frequency, topics=topics_chosen,
                          lists=lists)
    page_language = _subscriber_page_language(request, prefs.language)
    return render(request, "public/preferences.html",
                  {"prefs": prefs, "token": token, "topics": topics, "saved": error is None, "error": error,
                   "page_language": page_language, "links": _onward(page_language)},
                  language=prefs.language, status=422 if error else 200)
