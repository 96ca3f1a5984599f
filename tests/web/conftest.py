"""Fixtures of the web tests: the real app served by uvicorn on a free loopback port, users of
every role with API tokens and passwords, and HTTP clients.

The server runs in a thread of the test process for the whole session; each test's database
(the `sqlite_db` fixture) reaches it through the process-wide settings, like every other room's
tests. Events are relayed to the session's real Redis.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from core.db import session_scope
from core.settings import override_settings
from tests.delivery.smtp_sink import Sink, free_port, smtp_server
from web.passwords import hash_password
from workflow.models import User
from workflow.users import add_user, issue_token

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def live_server(broker: str) -> Iterator[str]:
    """The web app on http://127.0.0.1:PORT for the whole session."""
    from web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test web server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@dataclass
class Person:
    id: int
    email: str
    role: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Web:
    """The served app for one test: its URL, its people and clients."""

    url: str
    spokesperson: Person
    spokesperson2: Person
    approver: Person
    approver2: Person
    admin: Person

    def api(self, person: Person | None = None) -> httpx.Client:
        headers = person.auth if person else {}
        return httpx.Client(base_url=f"{self.url}/api", headers=headers, timeout=30)

    def browser(self) -> httpx.Client:
        """A cookie-keeping client for the server-rendered pages."""
        return httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)


def make_person(email: str, role: str, name: str, language: str = "en") -> Person:
    with session_scope() as session:
        user = add_user(session, email, name, role, language)
        user.password_hash = hash_password(PASSWORD)
        session.add(user)
        token = issue_token(session, user, "tests")
        return Person(user.id or 0, user.email, role, token)


def clear_rate_limits() -> None:
    from core.broker import redis_client

    client = redis_client()
    try:
        keys = list(client.scan_iter("pressroom:ratelimit:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _office(live_server: str) -> Web:
    """One person of each role in the database the server uses now, and links pointing at it."""
    override_settings(base_url=live_server)
    clear_rate_limits()
    return Web(
        url=live_server,
        spokesperson=make_person("an@example.be", "spokesperson", "An Peeters", "nl"),
        spokesperson2=make_person("bert@example.be", "spokesperson", "Bert Claes", "fr"),
        approver=make_person("marc@example.be", "approver", "Marc Dubois", "en"),
        approver2=make_person("nina@example.be", "approver", "Nina Janssens", "nl"),
        admin=make_person("root@example.be", "admin", "Ada Min", "en"),
    )


@pytest.fixture
def web_both(db: str, live_server: str) -> Web:
    """The served app on this test's database, SQLite or PostgreSQL, with one person per role."""
    return _office(live_server)


@pytest.fixture
def web(request: pytest.FixtureRequest, sqlite_db: str, live_server: str) -> Iterator[Web]:
    """A fresh database with one person of each role, served at `web.url`. Browser pages the test
    opened are closed before its database goes: a page left open would go on polling (a mailing's
    progress) or reloading against the next test's database through the shared server."""
    yield _office(live_server)
    if "chromium" in request.fixturenames:
        for context in list(request.getfixturevalue("chromium").contexts):
            context.close()


def release_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "press_release",
        "default_language": "nl",
        "translations": {
            "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.", "body": "De minister reist af."},
            "fr": {"title": "Le ministre visite Kinshasa", "lead": "Une visite.", "body": "Le ministre se rend."},
        },
        "topics": ["africa"],
    }
    body.update(overrides)
    if not body.get("lists"):  # mailed to nobody unless a test names lists (which must exist)
        body.setdefault("web_only", True)
    return body


def publish_through_api(web: Web, **content: Any) -> int:
    """A release written by the spokesperson and approved and published by the approver, all
    through the API, its events relayed; returns its id."""
    from web.deps import relay_events

    with web.api(web.spokesperson) as api:
        release = api.post("/releases", json=release_body(**content))
        assert release.status_code == 201, release.text
        release_id = int(release.json()["id"])
        assert api.post(f"/releases/{release_id}/submit").status_code == 200
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{release_id}/approve").status_code == 200
        assert api.post(f"/releases/{release_id}/publish").status_code == 200
    relay_events()
    return release_id


@pytest.fixture
def sink() -> Iterator[Sink]:
    """An aiosmtpd server on loopback that every mail of the test goes to."""
    received = Sink()
    with smtp_server(received) as controller:
        override_settings(mail_url=f"smtp://127.0.0.1:{controller.port}", mail_from="pers@example.be")
        yield received


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the real form (fetching its CSRF token first)."""
    page = client.get("/press/sign-in")
    token = csrf_of(page.text)
    return client.post("/press/sign-in", data={"email": email, "password": password, "csrf_token": token,
                                               "next": "/press"})


def sign_in_page(context: Any, url: str, email: str, password: str = PASSWORD) -> Any:
    """A new page of a browser context, signed in through the real sign-in form."""
    page = context.new_page()
    page.goto(f"{url}/press/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/press")
    return page


@contextmanager
def signed_in(web: Web, person: Person) -> Iterator[httpx.Client]:
    """An HTTP client signed in as `person` through the real form."""
    with web.browser() as client:
        assert sign_in(client, person.email).status_code == 303
        yield client


def post(client: httpx.Client, url: str, data: Mapping[str, object], page: str = "/press") -> httpx.Response:
    """A form post with the CSRF token of `page`, as the browser would send it."""
    return client.post(url, data={**data, "csrf_token": csrf_of(client.get(page).text)})


def csrf_of(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


# --- two-step sign-in and single sign-on ------------------------------------------------------


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The authenticator's code for now, or for a later 30-second step (the server accepts the
    next one too; a code is accepted only once)."""
    import pyotp

    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def secret_of(html: str) -> str:
    """The authenticator secret printed on the enrolment page, without its spaces."""
    import re

    match = re.search(r"<code[^>]*data-secret[^>]*>([A-Z2-7 ]+)</code>", html)
    assert match, "no authenticator secret in the page"
    return match.group(1).replace(" ", "")


def enrol(client: httpx.Client) -> tuple[str, list[str]]:
    """Set up two-step sign-in for the signed-in client through the pages; returns the secret and
    the recovery codes shown once."""
    import re

    page = client.get("/press/account/two-factor")
    assert page.status_code == 200, page.text
    secret = secret_of(page.text)
    done = client.post("/press/account/two-factor", data={"code": totp_code(secret), "csrf_token": csrf_of(page.text)})
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.text)
    assert len(codes) == 10
    return secret, codes


def enter_code(client: httpx.Client, code: str) -> httpx.Response:
    """The second step of signing in, after `sign_in` answered with the code page."""
    page = client.get("/press/sign-in/code")
    assert page.status_code == 200, page.text
    return client.post("/press/sign-in/code", data={"code": code, "csrf_token": csrf_of(page.text)})


@dataclass
class Provider:
    """An OpenID provider (oidc-provider-mock: Authlib's server on Flask) on loopback."""

    url: str

    def person(self, sub: str, **claims: Any) -> None:
        """Register the claims the provider gives `sub`."""
        response = httpx.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text


@pytest.fixture(scope="session")
def _provider_server() -> Iterator[str]:
    import os
    import warnings

    from authlib.deprecate import AuthlibDeprecationWarning

    with warnings.catch_warnings():  # the provider imports an Authlib module Authlib deprecates
        warnings.simplefilter("ignore", AuthlibDeprecationWarning)
        from oidc_provider_mock import run_server_in_thread

    # The provider's own check that it is served over https; ours talks plain http on loopback.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    with run_server_in_thread(port=0, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"
    os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)


@pytest.fixture
def provider(web: Web, _provider_server: str) -> Provider:
    """Single sign-on configured against the loopback provider, its role claim `pressroom_role`."""
    override_settings(oidc_issuer=_provider_server, oidc_client_id="pressroom", oidc_client_secret="s3cret",
                      oidc_provider_name="Test IdP", oidc_role_claim="pressroom_role")
    return Provider(_provider_server)


# --- a real browser ------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _install_chromium() -> None:
    """Debian's chromium package, installed with apt (never a browser download)."""
    if os.geteuid() != 0:
        pytest.skip(f"{CHROMIUM} is missing and installing it needs root (apt-get install chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright over Debian's binary)."""
    if not Path(CHROMIUM).exists():
        _install_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


__all__ = ["PASSWORD", "Person", "Provider", "User", "Web", "chromium", "csrf_of", "enrol", "enter_code", "post", "provider", "publish_through_api", "release_body", "secret_of", "sign_in", "sign_in_page", "signed_in", "sink", "totp_code"]
