"""The press office's three people, in Dutch and in French, in a real Chromium: an admin invites a
spokesperson and puts a journalist on a list; the spokesperson accepts the mailed invitation,
writes a release, mails herself a test copy and submits; an approver reviews, approves and
publishes from the confirmation page; the journalist's mail reaches the sink in her language.

Every key page is photographed at 1280 and at 390 px wide, into
`test-artifacts/journeys/<language>/` (the README names the folder), so a reviewer can look at
what each person saw on a desk and on a phone. At 390 px no page may scroll sideways.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from core.db import session_scope
from subscribers import create_list
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, sign_in_page
from tests.web.test_browser import mails_to, text_of
from web.deps import relay_events
from workflow.models import User

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journeys"
WIDTHS = ((1280, 900), (390, 844))

# What each language's people write and expect to read.
TEXT = {
    "nl": {"title": "Minister opent ambassade in Hanoi", "body": "De minister opent vrijdag de ambassade.",
           "other": "fr", "other_title": "Le ministre ouvre l'ambassade à Hanoï",
           "other_body": "Le ministre ouvre vendredi l'ambassade.", "test": "[TEST]", "state": "gepubliceerd"},
    "fr": {"title": "Le ministre ouvre l'ambassade à Hanoï", "body": "Le ministre ouvre vendredi l'ambassade.",
           "other": "nl", "other_title": "Minister opent ambassade in Hanoi",
           "other_body": "De minister opent vrijdag de ambassade.", "test": "[ESSAI]", "state": "publié"},
}


class Camera:
    """Screenshots of one journey at both widths, numbered in the order they were taken."""

    def __init__(self, language: str) -> None:
        self.folder = ARTIFACTS / language
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.count = 0

    def take(self, page: Any, name: str) -> None:
        self.count += 1
        page.wait_for_load_state("load")
        for width, height in reversed(WIDTHS):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(100)
            if width < 1000:
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at {width} px"
            page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}-{width}.png"), full_page=True)



def desk(browser: Any) -> Any:
    """A browser context the size of a desk screen (pages are photographed at both widths)."""
    return browser.new_context(viewport={"width": WIDTHS[0][0], "height": WIDTHS[0][1]})


def link_in(sink: Sink, address: str, pattern: str) -> str:
    mail = wait_until(lambda: [m for m in mails_to(sink, address) if re.search(pattern, text_of(m))],
                      timeout=60, what=f"a mail to {address}")[-1]
    return re.search(pattern, text_of(mail)).group(0)  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_admin_spokesperson_and_approver_take_a_release_to_the_inbox(
    language: str, web: Web, chromium: Any, worker: Any, sink: Sink
) -> None:
    from playwright.sync_api import expect

    words, url, camera = TEXT[language], web.url, Camera(language)
    journalist = f"redactie-{language}@krant.example"
    with session_scope() as s:
        for person in (web.admin, web.approver2):
            user = s.exec(select(User).where(User.email == person.email)).one()
            user.language = language
            s.add(user)
        create_list(s, "journalists", "Journalisten / Journalistes", default_language="nl")

    # The admin invites a spokesperson and adds an accredited journalist to the list.
    admin = sign_in_page(desk(chromium), url, web.admin.email)
    camera.take(admin, "admin-dashboard")
    admin.goto(f"{url}/press/users")
    admin.fill("#invite-form input[name=name]", "Els Wouters")
    admin.fill("#invite-form input[name=email]", "els@example.be")
    admin.select_option("#invite-form select[name=role]", "spokesperson")
    admin.select_option("#invite-form select[name=language]", language)
    admin.click("#invite-form button")
    expect(admin.locator("#users")).to_contain_text("els@example.be")
    camera.take(admin, "admin-users")
    admin.goto(f"{url}/press/lists/journalists")
    form = admin.locator("form[action='/press/lists/journalists/subscribers']")
    form.locator("input[name=email]").fill(journalist)
    form.locator("input[name=name]").fill("Redactie")
    form.locator("select[name=language]").select_option(language)
    form.locator("input[name=confirmed]").check()
    form.locator("button").click()
    expect(admin.locator("#subscribers")).to_contain_text(journalist)
    camera.take(admin, "admin-list")

    # The spokesperson accepts the invitation from her mail and signs in.
    invitation = link_in(sink, "els@example.be", rf"{re.escape(url)}/press/invitation/\S+")
    spokes = desk(chromium).new_page()
    spokes.goto(invitation)
    camera.take(spokes, "invitation")
    spokes.fill("#password-form input[name=password]", "a long new password")
    spokes.fill("#password-form input[name=repeat]", "a long new password")
    spokes.click("#password-form button")
    spokes.wait_for_url(re.compile(r".*/press/sign-in.*"))
    spokes = sign_in_page(desk(chromium), url, "els@example.be", "a long new password")
    camera.take(spokes, "spokesperson-dashboard")

    # She writes the release in both languages, mails herself a test copy and submits.
    spokes.click("a.button[href='/press/releases/new']")
    for code, title, body in ((language, words["title"], words["body"]),
                              (words["other"], words["other_title"], words["other_body"])):
        spokes.click(f"#tab-{code}")
        spokes.fill(f"input[name=title_{code}]", title)
        spokes.fill(f"textarea[name=lead_{code}]", title)
        spokes.fill(f"textarea[name=body_{code}]", body)
    spokes.check("input[name=lists][value=journalists]")
    spokes.select_option("select[name=default_language]", language)
    spokes.click("#save")
    spokes.wait_for_url(re.compile(r".*/press/releases/\d+/edit$"))
    release_id = int(re.findall(r"/releases/(\d+)/edit", spokes.url)[0])
    expect(spokes.frame_locator("#preview").locator("body")).to_contain_text(words["title"], timeout=15_000)
    camera.take(spokes, "editor")
    spokes.select_option("#test-mail-language", language)
    spokes.click("#send-test-mail")
    test_copy = wait_until(lambda: [m for m in mails_to(sink, "els@example.be") if words["test"] in str(m["Subject"])],
                           timeout=60, what="the test copy")[0]
    assert words["title"] in str(test_copy["Subject"]) and words["body"] in text_of(test_copy)
    spokes.goto(f"{url}/press/releases/{release_id}/edit")
    spokes.click("#action-submit")
    camera.take(spokes, "submitted")

    # The approver reviews, approves and publishes from the confirmation page.
    approver = sign_in_page(desk(chromium), url, web.approver2.email)
    camera.take(approver, "approver-dashboard")
    approver.goto(f"{url}/press/releases/{release_id}/review")
    expect(approver.locator("body")).to_contain_text(words["title"])
    camera.take(approver, "review")
    approver.click("#approve")
    approver.click("#action-publish")
    expect(approver.locator("#publish-total")).to_have_text("1")
    camera.take(approver, "publish-confirmation")
    approver.click("#publish-now")
    expect(approver.locator("h1 .state")).to_have_text(words["state"])
    camera.take(approver, "published")

    # The journalist's copy reaches the sink, in her language, with nothing of the test about it.
    def delivered() -> list[Any]:
        relay_events()
        return mails_to(sink, journalist)

    [mail] = wait_until(delivered, timeout=60, what="the journalist's copy")
    assert str(mail["Subject"]) == words["title"]
    assert words["body"] in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    approver.reload()
    approver.click("#distribution-link")
    expect(approver.locator("[data-field=sent]")).to_have_text("1", timeout=30_000)
    camera.take(approver, "mailing")
    assert len(list(camera.folder.glob("*.png"))) == 2 * camera.count == 24
