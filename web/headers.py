"""The security headers every response carries, set in one place for the middleware in
`web.app` and for the 500 answer, which Starlette makes outside every middleware."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.settings import get_settings
from web.auth import session_changed

# No inline script and no inline style anywhere: what the pages run and how they look comes from
# /static. Sent with every response (a JSON body or a feed opened in a tab is a document too);
# the mail previews set their own, stricter one (web/press/releases.py: PREVIEW_CSP).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' https: data:; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
       "base-uri 'none'; object-src 'none'")
# Behind https, browsers are told to never try plain http for a year (RFC 6797).
HSTS = "max-age=31536000"
# Pages whose address holds a subscriber's token.
TOKEN_PAGES = ("/subscriptions/",)


def apply(request: Request, response: Response) -> None:
    """Add the security headers a handler did not set itself."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # A subscriber's pages carry their token in the address: no request from them (a stylesheet,
    # the link to the newsroom) may repeat it in a Referer, not even to the office's own logs.
    headers.setdefault("Referrer-Policy", "no-referrer" if request.url.path.startswith(TOKEN_PAGES) else "same-origin")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Content-Security-Policy", CSP)
    if get_settings().base_url.lower().startswith("https://"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.url.path.startswith(("/press", "/api", "/subscriptions")):
        headers.setdefault("Cache-Control", "no-store")
    # A response that writes the session cookie (a form's CSRF token) is one person's: no cache
    # may keep it, whatever the page (see web/newsroom_version.py for the newsroom's caching).
    if session_changed(request):
        headers["Cache-Control"] = "private, no-store"
