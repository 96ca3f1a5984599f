"""The whole publication in a real headless Chromium (Debian's `chromium`, driven by Playwright),
against the app served by uvicorn, a real Celery worker on Redis, and an aiosmtpd sink.

A journalist subscribes on the public form and confirms from the link in her mail; a spokesperson
writes a draft in Dutch and French with the live preview beside it and submits it; an approver
sees the diff and asks for changes; the spokesperson edits and resubmits; the approver sees the
new diff, approves and publishes; the mailing goes out to the sink; the newsroom and the feed
show the release; the journalist unsubscribes with one click from the release mail.
Screenshots of every page go to test-artifacts/web/.
"""

from __future__ import annotations

import re
import shutil
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, select

from core.db import session_scope
from subscribers import add_subscriber, create_list
from subscribers.models import Subscriber, Subscription, SubscriptionStatus
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, release_body, sign_in_page
from web.deps import relay_events

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


class Shots:
    def __init__(self) -> None:
        if ARTIFACTS.exists():
            shutil.rmtree(ARTIFACTS)
        ARTIFACTS.mkdir(parents=True)
        self.count = 0

    def take(self, page: Any, name: str) -> None:
        self.count += 1
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)  # let a preview frame that just changed paint
        page.screenshot(path=str(ARTIFACTS / f"{self.count:02d}-{name}.png"), full_page=True)


def mails_to(sink: Sink, address: str) -> list[EmailMessage]:
    return [message_from_bytes(r.content, policy=policy.default)  # type: ignore[misc]
            for r in sink.received if address in r.rcpt_tos]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())



def test_from_draft_to_inbox_in_a_real_browser(web: Web, chromium: Any, worker: Any, sink: Sink) -> None:
    from playwright.sync_api import expect

    shots = Shots()
    url = web.url
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten / Journalistes", default_language="nl",
                    description="Persberichten voor journalisten")
        add_subscriber(s, "redactie@krant.example", "journalists", name="Redactie", language="nl", confirmed=True)

    # A journalist subscribes on the public form and confirms from the link in her mail.
    public = chromium.new_context(locale="fr-BE")
    page = public.new_page()
    page.goto(f"{url}/subscribe?lang=fr")
    page.fill("input[name=email]", "claire@journal.example")
    page.fill("input[name=name]", "Claire Dupont")
    page.select_option("select[name=language]", "fr")
    page.check("input[name=lists][value=journalists]")
    shots.take(page, "subscribe-form")
    page.click("#subscribe")
    expect(page.locator("#message")).to_contain_text("Presque terminé")
    shots.take(page, "subscribe-check-inbox")
    wait_until(lambda: mails_to(sink, "claire@journal.example"), timeout=60, what="the confirmation mail")
    confirmation = text_of(mails_to(sink, "claire@journal.example")[0])
    confirm_url = re.search(rf"{re.escape(url)}/subscriptions/confirm/\S+", confirmation).group(0)  # type: ignore[union-attr]
    page.goto(confirm_url)
    shots.take(page, "confirm-question")
    page.click("#confirm")
    expect(page.locator("#message")).to_contain_text("Journalisten / Journalistes")
    shots.take(page, "confirmed")

    # The spokesperson writes the draft in Dutch and French and watches the preview.
    author_context = chromium.new_context()
    author = sign_in_page(author_context, url, web.spokesperson.email)
    shots.take(author, "dashboard-spokesperson")
    author.click("a.button[href='/press/releases/new']")
    author.click("#tab-nl")
    author.fill("input[name=title_nl]", "Minister bezoekt Kinshasa")
    author.fill("textarea[name=lead_nl]", "Een werkbezoek van drie dagen.")
    author.fill("textarea[name=body_nl]", "De minister reist maandag af.\n\nHij ontmoet de president.")
    author.click("#tab-fr")
    author.fill("input[name=title_fr]", "Le ministre visite Kinshasa")
    author.fill("textarea[name=lead_fr]", "Une visite de travail de trois jours.")
    author.fill("textarea[name=body_fr]", "Le ministre part lundi.\n\nIl rencontre le président.")
    author.check("input[name=lists][value=journalists]")
    author.fill("input[name=topics]", "africa")
    preview = author.frame_locator("#preview")
    expect(preview.locator("body")).to_contain_text("Le ministre visite Kinshasa", timeout=15_000)
    shots.take(author, "editor-live-preview-fr")
    author.click("#tab-nl")
    expect(preview.locator("body")).to_contain_text("Minister bezoekt Kinshasa", timeout=15_000)
    author.click("#save")
    author.wait_for_url(re.compile(r".*/press/releases/\d+/edit$"))
    release_id = int(re.findall(r"/releases/(\d+)/edit", author.url)[0])
    expect(author.locator(".flash")).to_contain_text("revisie 1")
    expect(preview.locator("body")).to_contain_text("Minister bezoekt Kinshasa", timeout=15_000)
    shots.take(author, "editor-saved")
    author.click("#action-submit")
    expect(author.locator("h1 .state")).to_have_text("ter nazicht")
    shots.take(author, "release-submitted")

    # The approver sees the text and asks for changes.
    approver_context = chromium.new_context()
    approver = sign_in_page(approver_context, url, web.approver.email)
    expect(approver.locator("#review")).to_contain_text("Minister bezoekt Kinshasa")
    shots.take(approver, "dashboard-approver")
    approver.goto(f"{url}/press/releases/{release_id}/review")
    expect(approver.locator("#diff-heading")).to_contain_text("First revision")
    shots.take(approver, "review-first-revision")
    approver.fill("#changes-form textarea[name=comment]", "Vermeld de datum van terugkeer.")
    approver.click("#request-changes")
    expect(approver.locator("h1 .state")).to_have_text("changes requested")
    shots.take(approver, "changes-requested")

    # The spokesperson edits and resubmits.
    author.goto(f"{url}/press/releases/{release_id}/edit")
    author.click("#tab-nl")
    author.fill("textarea[name=body_nl]",
                "De minister reist maandag af.\n\nHij ontmoet de president.\n\nHij keert donderdag terug.")
    author.fill("input[name=comment]", "Datum van terugkeer toegevoegd")
    author.click("#save")
    expect(author.locator(".flash")).to_contain_text("revisie 2")
    author.click("#action-submit")
    expect(author.locator("h1 .state")).to_have_text("ter nazicht")

    # The approver sees the diff, approves and publishes.
    approver.goto(f"{url}/press/releases/{release_id}/review")
    expect(approver.locator("#diff-heading")).to_contain_text("previous revision 1")
    expect(approver.locator("#diff ins").first).to_contain_text("Hij keert donderdag terug.")
    # Beside the decision, the mail in each language, one tab each.
    expect(approver.frame_locator("#preview-nl iframe").locator("body")).to_contain_text("Hij keert donderdag terug.")
    approver.click("#preview-tab-fr")
    expect(approver.locator("#preview-nl")).to_be_hidden()
    expect(approver.frame_locator("#preview-fr iframe").locator("body")).to_contain_text("Le ministre visite Kinshasa")
    shots.take(approver, "review-diff")
    approver.click("#approve")
    expect(approver.locator("h1 .state")).to_have_text("approved")
    # Publishing asks first on a page of its own, naming whom it mails.
    approver.click("#action-publish")
    expect(approver.locator("#publish-now-form")).to_contain_text("mail 2 recipients")
    expect(approver.locator("#publish-lists [data-list=journalists]")).to_have_text("2")
    shots.take(approver, "publish-confirmation")
    approver.click("#publish-now")
    expect(approver.locator("h1 .state")).to_have_text("published")
    shots.take(approver, "published")

    # The mailing reaches the sink: Dutch for the newsroom, French for Claire. The events the
    # worker's handlers emit (distribution.ready) are relayed by beat in production; here the
    # test plays beat's part.
    def delivered() -> bool:
        relay_events()
        return bool(mails_to(sink, "redactie@krant.example") and
                    [m for m in mails_to(sink, "claire@journal.example") if "Kinshasa" in str(m["Subject"])])

    wait_until(delivered, timeout=60, what="the release mails")
    dutch = mails_to(sink, "redactie@krant.example")[0]
    french = next(m for m in mails_to(sink, "claire@journal.example") if "Kinshasa" in str(m["Subject"]))
    assert dutch["Subject"] == "Minister bezoekt Kinshasa"
    assert french["Subject"] == "Le ministre visite Kinshasa"
    assert "Hij keert donderdag terug." in text_of(dutch)
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    approver.reload()  # the page was drawn before the worker made the distribution
    approver.click("#distribution-link")
    expect(approver.locator("[data-field=status]")).to_have_text("done", timeout=30_000)
    expect(approver.locator("[data-field=sent]")).to_have_text("2")
    shots.take(approver, "distribution-done")

    # The public newsroom and the feed show the release.
    page.goto(f"{url}/newsroom/nl")
    expect(page.locator("#news")).to_contain_text("Minister bezoekt Kinshasa")
    shots.take(page, "newsroom-nl")
    page.click(f"a[href='/releases/{release_id}/nl']")
    expect(page.locator("#release h1")).to_have_text("Minister bezoekt Kinshasa")
    shots.take(page, "release-page-nl")
    page.goto(f"{url}/newsroom/fr")
    expect(page.locator("#news")).to_contain_text("Le ministre visite Kinshasa")
    shots.take(page, "newsroom-fr")
    feed = httpx.get(f"{url}/feeds/fr.atom").text
    assert "Le ministre visite Kinshasa" in feed and f"/releases/{release_id}/fr" in feed

    # Claire unsubscribes with one click from the link in the release mail.
    link = re.search(r"<([^>]+)>", str(french["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]
    page.goto(link)
    shots.take(page, "unsubscribe-question")
    page.click("#unsubscribe")
    expect(page.locator("#message")).to_be_visible()
    shots.take(page, "unsubscribed")
    # and the newsroom's mail client uses RFC 8058 one-click, without any page
    newsroom_link = re.search(r"<([^>]+)>", str(dutch["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]
    assert httpx.post(newsroom_link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with session_scope() as s:
        statuses = {
            email: s.exec(select(Subscription.status).join(Subscriber, col(Subscriber.id) == col(Subscription.subscriber_id))
                          .where(Subscriber.email == email)).one()
            for email in ("claire@journal.example", "redactie@krant.example")
        }
    assert statuses == {"claire@journal.example": SubscriptionStatus.UNSUBSCRIBED,
                        "redactie@krant.example": SubscriptionStatus.UNSUBSCRIBED}
    for context in (public, author_context, approver_context):
        context.close()
    assert len(list(ARTIFACTS.glob("*.png"))) == shots.count >= 18


def test_the_editor_keeps_unsaved_work_and_merges_a_colleagues_save(web: Web, chromium: Any) -> None:
    """Two tabs of one spokesperson edit the same release. The first keeps its typing through a
    reload (the browser's copy, offered back); the second saves first; the first's save then
    shows both texts per field, takes over the other title, and saves without losing anything."""
    from playwright.sync_api import expect

    url = web.url
    with web.api(web.spokesperson) as api:
        release_id = int(api.post("/releases", json=release_body()).json()["id"])
    context = chromium.new_context()
    first = sign_in_page(context, url, web.spokesperson.email)
    first.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?": yes
    second = context.new_page()
    edit = f"{url}/press/releases/{release_id}/edit"
    first.goto(edit)
    second.goto(edit)

    typed = "De minister reist af.\n\nHij ontmoet ook de gouverneur van Kinshasa."
    first.click("#tab-nl")
    first.fill("textarea[name=body_nl]", typed)
    first.wait_for_function(f"() => localStorage.getItem('pressroom-editor:{release_id}:v1') !== null")
    first.reload()
    expect(first.locator("#autosave-prompt")).to_be_visible()
    expect(first.locator("#autosave-prompt")).to_contain_text("Deze browser bewaarde niet-opgeslagen wijzigingen")
    expect(first.locator("textarea[name=body_nl]")).to_have_value("De minister reist af.")
    first.click("#autosave-restore")
    expect(first.locator("#autosave-prompt")).to_be_hidden()
    expect(first.locator("textarea[name=body_nl]")).to_have_value(typed)

    # The other tab changes the title and saves first.
    second.click("#tab-nl")
    second.fill("input[name=title_nl]", "Minister bezoekt Kinshasa en Goma")
    second.click("#save")
    expect(second.locator(".flash")).to_contain_text("revisie 2")

    first.fill("input[name=title_nl]", "Minister bezoekt Kinshasa (bijgewerkt)")
    first.click("#save")
    conflict = first.locator("#conflict")
    expect(conflict).to_contain_text("heeft intussen revisie 2 opgeslagen")
    title = first.locator("[data-conflict=title_nl]")
    expect(title.locator("[data-side=theirs]")).to_have_text("Minister bezoekt Kinshasa en Goma")
    expect(title.locator("[data-side=yours]")).to_have_text("Minister bezoekt Kinshasa (bijgewerkt)")
    expect(first.locator("[data-conflict=body_nl] [data-side=yours]")).to_contain_text("gouverneur van Kinshasa")
    expect(first.locator("textarea[name=body_nl]")).to_have_value(typed)  # nothing lost
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    first.screenshot(path=str(ARTIFACTS / "merge-view.png"), full_page=True)
    title.locator("[data-use-theirs]").click()
    expect(first.locator("input[name=title_nl]")).to_have_value("Minister bezoekt Kinshasa en Goma")
    first.click("#save")
    expect(first.locator(".flash")).to_contain_text("revisie 3")
    with web.api(web.spokesperson) as api:
        nl = api.get(f"/releases/{release_id}").json()["content"]["translations"]["nl"]
    assert nl["title"] == "Minister bezoekt Kinshasa en Goma" and nl["body"] == typed
    # Saved: this tab's copies in the browser are gone, and nothing is offered back.
    left = first.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('pressroom-editor:'))")
    assert left == [], left
    first.reload()
    expect(first.locator("#autosave-prompt")).to_be_hidden()
    context.close()
