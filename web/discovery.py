"""How search engines and link previews find the public newsroom: `sitemap.xml` (every public
newsroom and release page, each with its other languages as `xhtml:link rel="alternate"`),
`robots.txt` (the public pages open, the press office and the API closed) and `/favicon.ico`
for the clients that ask for it without reading the pages' `<link rel="icon">`.

The sitemap lists what `web.queries.public_now` lets the public read, nothing under embargo.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import quoteattr

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from core.db import as_utc
from core.settings import get_settings
from templates.i18n import LOCALES
from web.deps import reading
from web.i18n import translate, ui_language
from web.queries import sitemap_releases

router = APIRouter(include_in_schema=False)

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
# One sitemap file holds at most 50,000 URLs; each release takes one per language, so the
# newest releases that fit are listed (an older one stays reachable through the newsroom).
MAX_URLS = 50_000
# Shared caches and crawlers may keep robots.txt a while (the sitemap follows the newsroom's version).
CACHE = {"Cache-Control": "public, max-age=600"}


def _base() -> str:
    return get_settings().base_url.rstrip("/")


def _url(loc: str, alternates: dict[str, str], lastmod: datetime | None = None) -> str:
    links = "".join(f'<xhtml:link rel="alternate" hreflang={quoteattr(code)} href={quoteattr(href)}/>'
                    for code, href in alternates.items())
    when = f"<lastmod>{as_utc(lastmod).strftime('%Y-%m-%dT%H:%M:%SZ')}</lastmod>" if lastmod else ""
    return f"<url><loc>{_xml(loc)}</loc>{when}{links}</url>"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sitemap_xml() -> str:
    """The sitemap document: the newsroom in each language, then every public release page."""
    base, languages = _base(), get_settings().languages
    newsrooms = {code: f"{base}/newsroom/{code}" for code in languages}
    urls = [_url(href, newsrooms) for href in newsrooms.values()]
    with reading() as session:
        releases = sitemap_releases(session, MAX_URLS)
    for release in releases:
        pages = {code: f"{base}/releases/{release.id}/{code}" for code in release.languages if code in languages}
        if len(urls) + len(pages) > MAX_URLS:
            break
        urls.extend(_url(href, pages if len(pages) > 1 else {}, release.updated_at) for href in pages.values())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP}" xmlns:xhtml="{XHTML}">\n'
            + "\n".join(urls) + "\n</urlset>\n")


def newsroom_open_graph(language: str, organisation: str, logo_url: str) -> list[tuple[str, str, str]]:
    """The link-preview tags of the newsroom in `language`: (attribute, name, content), as
    `web.media.open_graph` gives a release's. The logo is the picture when it is an https URL."""
    title = f"{translate('newsroom', ui_language(language))} · {organisation}"
    description = translate("newsroom_description", ui_language(language), organisation=organisation)
    tags = [("property", "og:type", "website"), ("property", "og:site_name", organisation),
            ("property", "og:title", title), ("property", "og:description", description),
            ("property", "og:url", f"{_base()}/newsroom/{language}"),
            ("property", "og:locale", LOCALES.get(language, language)),
            *(("property", "og:locale:alternate", LOCALES.get(code, code))
              for code in get_settings().languages if code != language)]
    if logo_url.startswith("https://"):
        tags += [("property", "og:image", logo_url), ("property", "og:image:alt", organisation)]
    return [*tags, ("name", "twitter:card", "summary"), ("name", "twitter:title", title),
            ("name", "twitter:description", description)]


@router.get("/sitemap.xml")
def sitemap(request: Request) -> Response:
    from web.newsroom_version import cached_page

    return cached_page(request, lambda: Response(sitemap_xml(), media_type="application/xml; charset=utf-8"),
                       html=False)


@router.get("/robots.txt")
def robots() -> Response:
    text = ("User-agent: *\nAllow: /\nDisallow: /press\nDisallow: /api\nDisallow: /subscriptions\n"
            f"\nSitemap: {_base()}/sitemap.xml\n")
    return PlainTextResponse(text, headers=CACHE)


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)
