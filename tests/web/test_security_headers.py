"""The security headers behind https: HSTS, Secure cookies, and the rest the crawl
checks on every response (`tests/web/test_crawl.py` covers plain http in a real browser).

The served app (uvicorn) is asked over loopback http, as a reverse proxy that ends TLS would ask
it; `PRESSROOM_BASE_URL=https://…` is what tells it the site is https."""

from __future__ import annotations

import httpx
import pytest

from core.settings import override_settings
from tests.web.crawler import response_problems
from web.headers import CSP


def _headers(response: object) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in response.headers.multi_items()]  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/press/sign-in", "/newsroom/nl", "/subscribe", "/feeds/nl.atom",
                                  "/static/pressroom.css", "/press/releases"])
def test_https_site_sends_hsts_and_secure_cookies(sqlite_db: str, live_server: str, path: str) -> None:
    override_settings(base_url="https://press.example.be")
    response = httpx.get(f"{live_server}{path}")
    assert response.status_code < 500
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    assert response_problems(_headers(response), https=True) == []


def test_session_cookie_is_secure_httponly_and_samesite(sqlite_db: str, live_server: str) -> None:
    override_settings(base_url="https://press.example.be")
    cookie = httpx.get(f"{live_server}/press/sign-in").headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite", "secure"} <= attributes
    assert "samesite=lax" in cookie.lower()


def test_plain_http_sends_no_hsts_and_no_secure_cookie(sqlite_db: str, live_server: str) -> None:
    override_settings(base_url=live_server)
    response = httpx.get(f"{live_server}/press/sign-in")
    assert "strict-transport-security" not in response.headers
    assert "secure" not in response.headers["set-cookie"].lower()
    assert response_problems(_headers(response)) == []
    assert response.headers["content-security-policy"] == CSP


def test_the_checks_catch_what_they_look_for() -> None:
    """`response_problems`, which the crawl trusts, refuses each weak header it is meant to."""
    good = [{"name": "X-Content-Type-Options", "value": "nosniff"}, {"name": "Referrer-Policy", "value": "same-origin"},
            {"name": "Content-Security-Policy", "value": CSP},
            {"name": "Set-Cookie", "value": "s=1; HttpOnly; Path=/; SameSite=lax"}]
    assert response_problems(good) == []
    weak_csp = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    weak_styles = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    preview = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'"
    cases = {
        "X-Content-Type-Options": [h for h in good if h["name"] != "X-Content-Type-Options"],
        "Referrer-Policy": [h for h in good if h["name"] != "Referrer-Policy"],
        "scripts": [*good[:2], {"name": "Content-Security-Policy", "value": weak_csp}, good[3]],
        "inline styles": [*good[:2], {"name": "Content-Security-Policy", "value": weak_styles}, good[3]],
        "HttpOnly": [*good[:3], {"name": "Set-Cookie", "value": "s=1; Path=/; SameSite=lax"}],
    }
    for word, headers in cases.items():
        assert any(word in problem for problem in response_problems(headers)), word
    assert response_problems([*good[:2], {"name": "Content-Security-Policy", "value": preview}]) == []
    assert any("Secure" in p for p in response_problems(good, https=True))


def test_a_bug_answers_500_with_the_headers_too(sqlite_db: str) -> None:
    """Starlette answers an unhandled exception outside every middleware; the headers still come."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from web.app import create_app

    app = create_app()

    @app.get("/press/bug")
    def bug() -> None:
        raise RuntimeError("a bug")

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get("/press/bug")

    override_settings(base_url="https://press.example.be")
    with ThreadPoolExecutor(1) as pool:  # a thread of its own: Playwright may hold this one's loop
        response = pool.submit(asyncio.run, ask()).result()
    assert response.status_code == 500
    assert response_problems(_headers(response), https=True) == []
    assert response.headers["cache-control"] == "no-store"
