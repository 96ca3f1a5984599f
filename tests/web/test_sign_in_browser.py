"""Signing in as people do it, in a real headless Chromium (Playwright over Debian's binary):
setting up an authenticator and signing in with its codes, single sign-on through the loopback
OpenID provider's own pages, and ending another browser's session from the account page."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.web.conftest import PASSWORD, Provider, Web
from web.i18n import role_name

pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "sign-in"


def _shot(page: Any, name: str) -> None:
    """A screenshot of the page for people reviewing the pages (test-artifacts/sign-in/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _password_step(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/press/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_set_up_an_authenticator_and_sign_in_with_it(web: Web, chromium: Any) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    _password_step(page, web.url, web.approver.email)
    page.wait_for_url(f"{web.url}/press")
    page.get_by_role("link", name="Marc Dubois · approver").click()
    page.get_by_role("link", name="Set up two-step sign-in").click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    _shot(page, "1-enrolment")
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    codes = page.locator("ul.recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    _shot(page, "2-recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{web.url}/press/sign-in")

    _password_step(page, web.url, web.approver.email)
    page.wait_for_url(f"{web.url}/press/sign-in/code")
    field = page.get_by_label("Code")
    assert field.get_attribute("autocomplete") == "one-time-code"
    field.fill(f"{(int(totp.now()) + 1) % 1_000_000:06d}")  # not the code
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is wrong")
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    _shot(page, "3-code-refused")
    page.get_by_label("Code").fill(totp.at(time.time() + 30))  # the enrolment spent this step's
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{web.url}/press")
    expect(page.get_by_role("link", name="Marc Dubois · approver")).to_be_visible()
    context.close()


def test_single_sign_on_through_the_providers_pages(web: Web, chromium: Any, provider: Provider) -> None:
    from playwright.sync_api import expect

    provider.person("nina@idp", email="nina@example.be", email_verified=True, pressroom_role="admin")
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{web.url}/press/sign-in")
    _shot(page, "4-sign-in-with-sso")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize*")
    page.fill("input[name=sub]", "nina@idp")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{web.url}/press")
    expect(page.get_by_role("link", name=f"Nina Janssens · {role_name('admin', 'nl')}")).to_be_visible()

    # An address the press office never invited is turned away, and nobody is created.
    provider.person("stranger@idp", email="stranger@example.org", email_verified=True)
    other = chromium.new_context(locale="en-GB").new_page()
    other.goto(f"{web.url}/press/sign-in")
    other.get_by_role("link", name="Sign in with Test IdP").click()
    other.fill("input[name=sub]", "stranger@idp")
    other.get_by_role("button", name="Authorize").click()
    expect(other.locator("main")).to_contain_text("Ask an admin for an invitation")
    _shot(other, "5-sso-no-invitation")
    other.context.close()
    context.close()


def test_sign_out_the_other_browser_from_the_account_page(web: Web, chromium: Any) -> None:
    from playwright.sync_api import expect

    office, home = chromium.new_context(locale="en-GB"), chromium.new_context(locale="en-GB")
    at_office, at_home = office.new_page(), home.new_page()
    for page in (at_office, at_home):
        _password_step(page, web.url, web.admin.email)
        page.wait_for_url(f"{web.url}/press")
    at_office.goto(f"{web.url}/press/account")
    rows = at_office.locator("tr[data-session]")
    expect(rows).to_have_count(2)
    current = at_office.locator('tr[aria-current="true"]')
    expect(current).to_contain_text("this browser")
    expect(current).to_contain_text("Chrome on Linux")
    _shot(at_office, "6-account")
    at_office.locator("tr[data-session]:not([aria-current])").get_by_role("button").click()
    expect(at_office.locator(".flash")).to_be_visible()
    expect(at_office.locator("tr[data-session]")).to_have_count(1)
    at_home.goto(f"{web.url}/press/releases")
    assert at_home.url.startswith(f"{web.url}/press/sign-in?next=")
    at_office.goto(f"{web.url}/press/releases")
    assert at_office.url == f"{web.url}/press/releases"
    office.close()
    home.close()
