"""The users page and an invitation in a real headless Chromium: an admin invites a colleague with
the form, the colleague chooses a password from the link in the mail and signs in; deactivating
asks first (press.js), and no page breaks its Content-Security-Policy."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import select

from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, sign_in_page
from tests.web.test_browser import mails_to, text_of
from workflow.models import User


def _watch_csp(page: Any, violations: list[str]) -> Any:
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return page


def test_invite_accept_and_deactivate_in_a_real_browser(web: Web, chromium: Any, worker: Any,
                                                         sink: Sink) -> None:
    from playwright.sync_api import expect

    from core.db import session_scope

    violations: list[str] = []
    admin = _watch_csp(sign_in_page(chromium.new_context(), web.url, web.admin.email), violations)
    admin.click("nav a[href='/press/users']")
    admin.fill("#invite-form input[name=name]", "Lotte Maes")
    admin.fill("#invite-form input[name=email]", "lotte@example.be")
    admin.select_option("#invite-form select[name=role]", "approver")
    admin.select_option("#invite-form select[name=language]", "nl")
    admin.click("#invite-form button")
    expect(admin.locator("p.flash")).to_contain_text("Invitation sent to lotte@example.be.")

    wait_until(lambda: mails_to(sink, "lotte@example.be"), timeout=60, what="the invitation")
    link = re.search(rf"{re.escape(web.url)}/press/invitation/\S+", text_of(mails_to(sink, "lotte@example.be")[0]))
    assert link is not None
    lotte = _watch_csp(chromium.new_context().new_page(), violations)
    lotte.goto(link.group(0))
    lotte.fill("input[name=password]", "een sterk wachtwoord")
    lotte.fill("input[name=repeat]", "een sterk wachtwoord")
    lotte.click("#password-form button")
    lotte.wait_for_url(f"{web.url}/press/sign-in")
    expect(lotte.locator("p.flash")).to_contain_text("Uw wachtwoord is opgeslagen.")
    lotte.fill("input[name=email]", "lotte@example.be")
    lotte.fill("input[name=password]", "een sterk wachtwoord")
    lotte.click("button[type=submit]")
    lotte.wait_for_url(f"{web.url}/press")

    # Deactivating asks first: dismissed, nothing happens; accepted, the colleague is out.
    admin.goto(f"{web.url}/press/users")
    row = admin.locator("tr", has_text="lotte@example.be")
    admin.once("dialog", lambda dialog: dialog.dismiss())
    row.locator("button", has_text="Deactivate").click()
    admin.wait_for_timeout(300)
    with session_scope() as session:
        assert session.exec(select(User).where(User.email == "lotte@example.be")).one().active
    admin.once("dialog", lambda dialog: dialog.accept())
    row.locator("button", has_text="Deactivate").click()
    expect(admin.locator("p.flash")).to_contain_text("lotte@example.be is deactivated.")
    lotte.goto(f"{web.url}/press")
    assert lotte.url.startswith(f"{web.url}/press/sign-in")
    assert violations == []
