"""A subscriber's path never dead-ends, and a withdrawn release keeps its address.

A citizen reading in English subscribes in the box under a release (its public lists ticked,
its private ones never named), confirms through the link of the mail in the sink, gets the
welcome mail and reaches their preferences through it; a French subscriber unsubscribes from a
Dutch browser and reads French; the privacy notice speaks every language and an admin rewrites
it; a withdrawn release says when, why (only if the office published the reason) and where the
correction is.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from core.catalogue import WEB, lookup
from core.db import session_scope
from subscribers import add_subscriber, create_list, get_subscriber
from subscribers.models import Visibility
from subscribers.tokens import unsubscribe_token
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, post, publish_through_api, sign_in_page, signed_in
from tests.web.test_browser import mails_to, text_of
from web.deps import relay_events

ENGLISH = {"title": "Minister visits Kinshasa", "lead": "A working visit.", "body": "The minister travels."}


def english_release(web: Web, title: str = ENGLISH["title"], **content: Any) -> int:
    from tests.web.conftest import release_body

    translations = release_body()["translations"]
    return publish_through_api(web, translations={**translations, "en": {**ENGLISH, "title": title}}, **content)


def link_in(sink: Sink, address: str, pattern: str, subject: str) -> str:
    """The first match of `pattern` in the newest mail to `address` whose subject has `subject`."""
    mail = wait_until(lambda: [m for m in mails_to(sink, address) if subject in str(m["Subject"])],
                      timeout=60, what=f"a mail '{subject}' to {address}")[-1]
    found = re.search(pattern, text_of(mail))
    assert found, text_of(mail)
    return found.group(0)


def web_text(key: str, language: str, **values: str) -> str:
    text = lookup(WEB, key, language)
    assert text is not None, key
    return text.format(**values) if values else text


def test_a_citizen_subscribes_under_a_release_confirms_and_is_welcomed(
    web: Web, chromium: Any, worker: Any, sink: Sink
) -> None:
    from playwright.sync_api import expect

    with session_scope() as s:
        create_list(s, "nieuws", "News of the ministry")
        create_list(s, "cultuur", "Culture")
        create_list(s, "intern", "Inner circle", visibility=Visibility.PRIVATE)
    release_id = english_release(web, lists=["nieuws", "intern"])
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{web.url}/releases/{release_id}/en")
    box = page.locator("#subscribe-box")
    expect(box).to_be_visible()
    expect(box.get_by_label("News of the ministry")).to_be_checked()
    expect(box.get_by_label("Culture")).not_to_be_checked()
    assert "Inner circle" not in page.content()  # a private list is never named
    expect(box.get_by_role("link", name="Privacy notice")).to_have_attribute("href", "/privacy/en")
    box.get_by_label("E-mail").fill("citizen@example.org")
    box.get_by_role("button", name="Subscribe").click()
    expect(page.locator("#message")).to_have_text(web_text("check_inbox", "en"))
    expect(page.locator("#newsroom-link")).to_have_attribute("href", "/newsroom/en")

    confirm = link_in(sink, "citizen@example.org", rf"{re.escape(web.url)}/subscriptions/confirm/\S+", "Confirm")
    page.goto(confirm)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#confirm").click()
    expect(page.locator("#message")).to_contain_text("Your subscription to News of the ministry is confirmed.")
    expect(page.locator("#message")).to_contain_text(web_text("welcome_coming", "en"))
    expect(page.locator("#newsroom-link")).to_have_attribute("href", "/newsroom/en")
    expect(page.locator("#preferences-link")).to_have_attribute("href", re.compile("/subscriptions/preferences/"))

    preferences = link_in(sink, "citizen@example.org", rf"{re.escape(web.url)}/subscriptions/preferences/\S+",
                          "Welcome")
    welcome = [m for m in mails_to(sink, "citizen@example.org") if "Welcome" in str(m["Subject"])]
    assert len(welcome) == 1
    assert f"{web.url}/newsroom/en" in text_of(welcome[0]) and f"{web.url}/privacy/en" in text_of(welcome[0])
    page.goto(preferences)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preferences")
    expect(page.get_by_label("News of the ministry")).to_be_checked()

    # Confirming again changes nothing and sends no second welcome.
    page.goto(confirm)
    page.locator("#confirm").click()
    expect(page.locator("#message")).to_contain_text("is confirmed")
    relay_events()
    page.wait_for_timeout(500)
    assert len([m for m in mails_to(sink, "citizen@example.org") if "Welcome" in str(m["Subject"])]) == 1
    context.close()


def test_a_french_subscriber_unsubscribes_in_french_from_a_dutch_browser(web: Web, chromium: Any) -> None:
    from playwright.sync_api import expect

    with session_scope() as s:
        mailing_list = create_list(s, "nieuws", "Nieuws")
        add_subscriber(s, "claire@example.org", "nieuws", language="fr", confirmed=True)
        person = get_subscriber(s, "claire@example.org")
        token = unsubscribe_token(person.id or 0, mailing_list.id or 0, person.email_hash)
    context = chromium.new_context(locale="nl-BE")
    page = context.new_page()
    referers: list[str] = []
    page.on("request", lambda request: referers.append(request.headers.get("referer", "")))
    page.goto(f"{web.url}/subscriptions/unsubscribe/{token}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # The token in the address goes nowhere else: the page's own stylesheet and script are
    # fetched without a Referer.
    assert len(referers) > 1 and not any(token in referer for referer in referers), referers
    expect(page.get_by_role("heading", level=1)).to_have_text(web_text("unsubscribe", "fr"))
    expect(page.locator("#preferences-link")).to_have_text(web_text("manage_preferences", "fr"))
    expect(page.locator("#newsroom-link")).to_have_attribute("href", "/newsroom/fr")
    page.locator("#unsubscribe").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#message")).to_have_text(web_text("unsubscribed", "fr"))
    page.locator("#preferences-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(web_text("preferences", "fr"))
    expect(page.get_by_label("Nieuws")).not_to_be_checked()
    context.close()


@pytest.mark.parametrize("language", ["nl", "fr", "en", "de"])
def test_the_privacy_notice_speaks_every_language(web: Web, language: str) -> None:
    with web.browser() as client:
        page = client.get(f"/privacy/{language}")
        assert page.status_code == 200
        assert f'<html lang="{language}">' in page.text
        first = web_text("privacy_default_text", language).split("\n\n")[0]
        assert first.split("{organisation}")[1][:40] in page.text.replace("&#39;", "'")
        assert f'href="/privacy/{language}" id="footer-privacy"' in client.get(f"/newsroom/{language}").text
        assert 'id="privacy-from-form"' in client.get(f"/subscribe?lang={language}").text
    assert httpx.get(f"{web.url}/privacy/xx").status_code == 404


def test_an_admin_edits_the_privacy_notice(web: Web, chromium: Any) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context()
    admin = sign_in_page(context, web.url, web.admin.email)
    admin.goto(f"{web.url}/press")
    admin.get_by_role("link", name="Privacy notice").click()
    admin.get_by_role("link", name="French").click()
    expect(admin.locator("#privacy-state")).to_have_text(web_text("privacy_is_default", "en"))
    admin.locator("#privacy-text").fill("Nous gardons votre adresse.\n\nÉcrivez-nous pour l'effacer.")
    admin.locator("#privacy-save").click()
    expect(admin.locator("#privacy-state")).to_contain_text(web.admin.email)
    public = context.new_page()
    public.goto(f"{web.url}/privacy/fr")
    expect(public.locator("#privacy p")).to_have_text(["Nous gardons votre adresse.", "Écrivez-nous pour l'effacer."])
    public.goto(f"{web.url}/privacy/nl")
    expect(public.locator("#privacy")).not_to_contain_text("Nous gardons")
    # Emptied, the default text speaks again.
    admin.locator("#privacy-text").fill("")
    admin.locator("#privacy-save").click()
    public.goto(f"{web.url}/privacy/fr")
    expect(public.locator("#privacy")).not_to_contain_text("Nous gardons")
    context.close()

    with signed_in(web, web.spokesperson) as client:
        assert client.get("/press/privacy").status_code == 403
        assert post(client, "/press/privacy/fr", {"text": "Rien."}).status_code == 403
    with signed_in(web, web.admin) as client:
        assert client.post("/press/privacy/fr", data={"text": "Sans jeton."}).status_code == 403  # no CSRF token
        assert post(client, "/press/privacy/xx", {"text": "?"}).status_code == 404
    assert "Rien." not in httpx.get(f"{web.url}/privacy/fr").text


def test_a_withdrawn_release_says_when_why_and_where_the_correction_is(web: Web) -> None:
    correction = english_release(web, title="Minister visits Kinshasa (corrected)")
    shown = english_release(web, title="Wrong figures release")
    hidden = english_release(web, title="Quiet withdrawal")
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{shown}/withdraw",
                        json={"reason": "x", "corrected_by": shown}).status_code == 422
        assert api.post(f"/releases/{shown}/withdraw",
                        json={"reason": "x", "corrected_by": 999_999}).status_code == 422
        done = api.post(f"/releases/{shown}/withdraw", json={
            "reason": "The figures were wrong.", "publish_reason": True, "corrected_by": correction})
        assert done.status_code == 200, done.text
    with signed_in(web, web.approver) as client:  # the press UI's withdraw form, reason kept private
        page = f"/press/releases/{hidden}"
        assert 'name="publish_reason"' in client.get(page).text
        response = post(client, f"/press/releases/{hidden}/withdraw",
                        {"reason": "An internal matter.", "corrected_by": ""}, page=page)
        assert response.status_code == 303, response.text
    relay_events()
    with web.browser() as client:
        withdrawn = client.get(f"/releases/{shown}/en")
        assert withdrawn.status_code == 410
        assert "Withdrawn on" in withdrawn.text and 'id="withdrawn-reason"' in withdrawn.text
        assert "The figures were wrong." in withdrawn.text
        assert f'href="/releases/{correction}/en" id="corrected-link"' in withdrawn.text
        assert 'href="/newsroom/en" id="newsroom-link"' in withdrawn.text
        french = client.get(f"/releases/{shown}/fr")
        assert french.status_code == 410 and "Retiré le" in french.text and 'lang="fr"' in french.text
        quiet = client.get(f"/releases/{hidden}/en")
        assert quiet.status_code == 410 and "Withdrawn on" in quiet.text
        assert "An internal matter." not in quiet.text and 'id="corrected-link"' not in quiet.text
        # A correction that is itself withdrawn is no longer linked.
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{correction}/withdraw", json={"reason": "Also wrong."}).status_code == 200
    with web.browser() as client:
        page = client.get(f"/releases/{shown}/en")
        assert page.status_code == 410 and 'id="corrected-link"' not in page.text


def test_the_command_line_withdraws_with_a_published_reason_and_a_correction(web: Web) -> None:
    from tests.cli.helpers import fails, invoker, ok

    run = invoker()
    correction = english_release(web, title="The right figures")
    wrong = english_release(web, title="The wrong figures")
    fails(run("releases", "withdraw", str(wrong), "--as", web.approver.email, "--reason", "Wrong.",
              "--corrected-by", str(wrong)), 2, "corrected_by")
    ok(run("releases", "withdraw", str(wrong), "--as", web.approver.email, "--reason", "Wrong figures.",
           "--publish-reason", "--corrected-by", str(correction)))
    relay_events()
    page = httpx.get(f"{web.url}/releases/{wrong}/en")
    assert page.status_code == 410 and "Wrong figures." in page.text
    assert f'href="/releases/{correction}/en" id="corrected-link"' in page.text


def test_a_suppressed_address_cannot_rejoin_a_list_from_its_preferences(web: Web) -> None:
    """An address that complained (or hard-bounced) is on the suppression list; ticking a list on
    the preferences page does not put it back: the form says so, and nothing changes."""
    from sqlmodel import select

    from subscribers.models import Subscription, SubscriptionStatus, SuppressionReason
    from subscribers.suppression import suppress
    from subscribers.tokens import preferences_token

    with session_scope() as s:
        create_list(s, "nieuws", "Nieuws")
        create_list(s, "cultuur", "Cultuur")
        add_subscriber(s, "klacht@example.org", "nieuws", language="nl", confirmed=True)
        suppress(s, "klacht@example.org", SuppressionReason.COMPLAINT, "spam report")
        person = get_subscriber(s, "klacht@example.org")
        token = preferences_token(person.id or 0, person.email_hash)
    with web.browser() as client:
        page = client.get(f"/subscriptions/preferences/{token}")
        answer = post(client, f"/subscriptions/preferences/{token}",
                      {"name": "", "language": "nl", "frequency": "immediate", "lists": ["nieuws", "cultuur"]},
                      page=f"/subscriptions/preferences/{token}")
    assert page.status_code == 200 and answer.status_code == 422
    assert "staat op de blokkeerlijst" in answer.text, answer.text[:2000]
    with session_scope() as s:
        rows = s.exec(select(Subscription).where(Subscription.subscriber_id == person.id)).all()
    assert [(r.list_id, r.status) for r in rows] == [(rows[0].list_id, SubscriptionStatus.CONFIRMED)]


def test_each_door_onto_a_list_says_itself_in_the_confirmation_mail(web: Web) -> None:
    """README: the confirmation says how the address came onto the list: typed on the public
    form ("entered on the website"), added on the press pages or through the API ("added by the
    press office"), or on a file imported on the press pages or through the API ("imported")."""
    from email import message_from_bytes
    from email.policy import default

    from sqlmodel import col, select

    from core.outbox import OutboxEvent, handle_event
    from core.settings import override_settings
    from delivery.transports import memory_outbox
    from tasks.events import HANDLERS
    from tests.web.conftest import csrf_of

    outbox = memory_outbox("doors")
    outbox.clear()
    override_settings(mail_url="memory://doors")
    with session_scope() as s:
        create_list(s, "public", "Public news", default_language="en")
    with web.browser() as client:
        form = client.get("/subscribe?lang=en")
        assert client.post("/subscribe", data={"csrf_token": csrf_of(form.text), "email": "form@example.org",
                                               "language": "en", "lists": ["public"]}).status_code == 200
    with signed_in(web, web.admin) as client:
        assert post(client, "/press/lists/public/subscribers", {"email": "page@example.org"}).status_code == 303
        page_import = client.post("/press/lists/public/import", data={"csrf_token": csrf_of(client.get("/press").text)},
                                  files={"file": ("people.csv", b"email\npagefile@example.org\n", "text/csv")})
        assert page_import.status_code == 200, page_import.text[:300]
    with web.api(web.admin) as api:
        assert api.post("/lists/public/subscribers", json={"email": "api@example.org"}).status_code == 201
        assert api.post("/lists/public/import", files={
            "file": ("people.csv", b"email\napifile@example.org\n", "text/csv")}).status_code == 200
    with session_scope() as s:
        ids = s.exec(select(OutboxEvent.id).where(col(OutboxEvent.handled_at).is_(None))).all()
    for event_id in ids:
        handle_event(event_id, HANDLERS)
    texts = {m.recipients[0]: " ".join(text_of(message_from_bytes(m.message, policy=default)).split())
             for m in outbox.messages}
    said = {"website": "was entered on the website of", "office": "added {} to its mailing lists",
            "import": "{} was on an address list that the press office of"}
    for who, origin in {"form": "website", "page": "office", "api": "office", "pagefile": "import",
                        "apifile": "import"}.items():
        address = f"{who}@example.org"
        assert said[origin].format(address) in texts[address], (who, texts[address])
        assert [o for o in said if o != origin and said[o].format(address) in texts[address]] == []
