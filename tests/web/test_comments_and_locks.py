"""Comments stay inside the office, and the editor's lock, as people meet them.

With a real worker and SMTP sink: comments written on the review page (escaped, anchored, a
mistyped @name refused with the text kept), over the API and the CLI; the mentioned colleague is
mailed; the release is published and its newsroom page, feed and the subscriber's mail hold no
comment. In Chromium: a second editor sees who is editing and since when, takes over once the
first one's heartbeats stop, and the first one's unsaved text stays in their browser.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from core.db import session_scope
from core.settings import override_settings
from subscribers import add_subscriber, create_list
from tests.cli.helpers import fails, invoker, ok
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, csrf_of, release_body, sign_in_page, signed_in
from web.deps import relay_events

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
SECRET = "VERTROUWELIJK-7731"
BODY = "De minister reist af.\n\nHij ontmoet de gouverneur.\n\nDe reis duurt drie dagen."


def _mails(sink: Sink, address: str) -> list[Any]:
    return [message_from_bytes(r.content, policy=policy.default)  # type: ignore[misc]
            for r in sink.received if address in r.rcpt_tos]


def _text(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content())


def test_comments_are_mailed_to_the_mentioned_and_never_reach_the_public(web: Web, worker: Any, sink: Sink) -> None:
    with session_scope() as s:
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "burger@example.org", "public", confirmed=True)
    body = release_body(lists=["public"], translations={
        "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.", "body": BODY}})
    with web.api(web.spokesperson) as api:
        release_id = int(api.post("/releases", json=body).json()["id"])
        assert api.post(f"/releases/{release_id}/submit").status_code == 200

    with signed_in(web, web.approver) as client:
        review = client.get(f"/press/releases/{release_id}/review")
        assert 'value="nl:2"' in review.text and "NL paragraph 2: Hij ontmoet de gouverneur." in review.text
        token = csrf_of(review.text)
        typo = client.post(f"/press/releases/{release_id}/comments", data={
            "csrf_token": token, "body": f"@an en @annie: {SECRET}", "about": "nl:2", "back": "review"})
        assert typo.status_code == 422
        assert "No active colleague is called @annie" in typo.text
        assert f"@an en @annie: {SECRET}</textarea>" in typo.text  # the text as typed, to correct
        posted = client.post(f"/press/releases/{release_id}/comments", data={
            "csrf_token": token, "body": f"@an <script>alert(1)</script> {SECRET}", "about": "nl:2",
            "back": "review"})
        assert posted.status_code == 303 and posted.headers["location"].startswith(
            f"/press/releases/{release_id}/review#comment-")
        page = client.get(f"/press/releases/{release_id}/review").text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
        assert "paragraph 2 (NL)" in page and "1 open" in page
        comment_id = int(re.findall(r'data-resolve="(\d+)"', page)[0])
        assert client.post(f"/press/releases/{release_id}/comments/{comment_id}/resolve",
                           data={"csrf_token": token, "back": "review"}).status_code == 303
        page = client.get(f"/press/releases/{release_id}/review").text
        assert "Resolved by marc@example.be" in page and f'data-reopen="{comment_id}"' in page

    with web.api(web.admin) as api:  # the API: a whole-release comment, listed with the other
        made = api.post(f"/releases/{release_id}/comments", json={"body": f"Cijfers nakijken, {SECRET}"})
        assert made.status_code == 201, made.text
        assert api.post(f"/releases/{release_id}/comments", json={"body": "@niemand"}).json()["field"] == "body"
        listed = api.get(f"/releases/{release_id}/comments").json()
        assert [(c["author"], c["paragraph"], c["resolved"]) for c in listed] == [
            ("marc@example.be", 2, True), ("root@example.be", None, False)]
    run = invoker()  # the CLI: a comment, the thread, a refusal naming the name
    ok(run("releases", "comment", str(release_id), f"@marc nog één ding: {SECRET}", "--as", web.admin.email))
    fails(run("releases", "comment", str(release_id), "@bestaatniet", "--as", web.admin.email), 2, "@bestaatniet")
    shown = ok(run("releases", "comments", str(release_id), "--open")).output
    assert "root@example.be" in shown and "marc@example.be" not in shown  # the resolved one is left out

    # An (mentioned on the page) and Marc (in the CLI) each get one mail, in their language.
    wait_until(lambda: _mails(sink, web.spokesperson.email) and _mails(sink, web.approver.email), 60,
               "the mention mails")
    [to_an] = _mails(sink, web.spokesperson.email)
    assert "Marc Dubois noemde u" in str(to_an["Subject"]) and SECRET in _text(to_an)

    with web.api(web.approver) as api:
        assert api.post(f"/releases/{release_id}/approve").status_code == 200
        assert api.post(f"/releases/{release_id}/publish").status_code == 200
    relay_events()
    [release_mail] = wait_until(lambda: _mails(sink, "burger@example.org"), 60, "the release mail")
    with web.browser() as reader:
        public = [reader.get(f"/releases/{release_id}/nl"), reader.get("/newsroom/nl"), reader.get("/feeds/nl.atom"),
                  reader.get("/newsroom/nl/search?q=gouverneur")]
        sitemap = reader.get("/sitemap.xml")
        # A word only a comment holds finds nothing: the search index has no comments.
        only_in_a_comment = reader.get("/newsroom/nl/search?q=nakijken")
    assert [r.status_code for r in public + [sitemap, only_in_a_comment]] == [200] * 6
    assert all("Minister bezoekt Kinshasa" in r.text for r in public)
    assert f"/releases/{release_id}/" in sitemap.text and "Minister bezoekt Kinshasa" not in only_in_a_comment.text
    for shown_text in [r.text for r in public] + [sitemap.text, release_mail.as_string(), _text(release_mail)]:
        assert SECRET not in shown_text and "nakijken" not in shown_text


def test_a_colleague_takes_over_a_lapsed_editor_and_the_first_ones_text_stays_in_their_browser(
        web: Web, chromium: Any) -> None:
    from playwright.sync_api import expect

    override_settings(edit_lock_heartbeat=0.5, edit_lock_lapse_beats=4)  # lapses after 2 s of silence
    with web.api(web.spokesperson) as api:
        release_id = int(api.post("/releases", json=release_body()).json()["id"])
    edit = f"{web.url}/press/releases/{release_id}/edit"
    an_context = chromium.new_context()
    an = sign_in_page(an_context, web.url, web.spokesperson.email)
    an.on("dialog", lambda dialog: dialog.accept())
    an.goto(edit)
    typed = "De minister reist af.\n\nEn bezoekt ook Goma."
    an.click("#tab-nl")
    an.fill("textarea[name=body_nl]", typed)
    an.wait_for_function(f"() => (localStorage.getItem('pressroom-editor:{release_id}:v1') || '').includes('Goma')")

    ada_context = chromium.new_context()
    ada = sign_in_page(ada_context, web.url, web.admin.email)
    ada.goto(edit)
    expect(ada.locator("#lock-holder")).to_contain_text(re.compile(r"An Peeters is editing since .*\d\d:\d\d"))
    for field in ("textarea[name=body_nl]", "#save"):  # read-only while An edits
        expect(ada.locator(field)).to_be_disabled()
    take = ada.locator("#lock-take")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ada.screenshot(path=str(ARTIFACTS / "edit-lock-read-only.png"), full_page=True)
    ada.wait_for_timeout(3000)  # longer than the lapse: An's page beats, so the lock stays An's
    expect(take).to_be_disabled()

    an_context.set_offline(True)  # An's laptop loses the network: no more beats
    expect(take).to_be_enabled(timeout=15_000)
    take.click()
    expect(ada.locator(".flash")).to_contain_text("You are editing this release now.")
    expect(ada.locator("textarea[name=body_nl]")).to_be_enabled()
    expect(ada.locator("#edit-lock")).to_be_hidden()

    an_context.set_offline(False)  # back: An's next beat learns that Ada has the editor
    expect(an.locator("#lock-lost")).to_be_visible(timeout=15_000)
    an.click("#save")
    expect(an.locator("#lock-refused")).to_contain_text("Ada Min bewerkt dit persbericht sinds")
    expect(an.locator("textarea[name=body_nl]")).to_have_value(typed)
    an.screenshot(path=str(ARTIFACTS / "edit-lock-taken-over.png"), full_page=True)
    kept = an.evaluate(f"() => localStorage.getItem('pressroom-editor:{release_id}:v1')")
    assert kept is not None and "En bezoekt ook Goma." in kept
    with web.api(web.spokesperson) as api:
        assert api.get(f"/releases/{release_id}").json()["content"]["translations"]["nl"]["body"] == (
            "De minister reist af.")
        # The API's save is held to the same lock: refused, naming who edits.
        put = api.put(f"/releases/{release_id}", json={**release_body(), "expected_version": 1})
        assert put.status_code == 409 and "being edited by root@example.be" in put.json()["message"]

    # Ada saves and leaves. An, back once Ada's lock has lapsed, is offered her own text (typed
    # on the earlier version) and its save shows Ada's text beside hers to merge, not over it.
    ada.click("#tab-nl")
    ada.fill("input[name=title_nl]", "Minister bezoekt Kinshasa en Goma")
    ada.click("#save")
    expect(ada.locator(".flash")).to_contain_text("revision 2")
    ada_context.close()
    wait_until(lambda: an.request.get(f"{web.url}/press/releases/{release_id}/lock").json()["lapsed"], 15,
               "Ada's lock to lapse")
    an.goto(edit)
    expect(an.locator("#autosave-prompt")).to_be_visible()
    an.click("#autosave-restore")
    an.click("#tab-nl")
    expect(an.locator("textarea[name=body_nl]")).to_have_value(typed)
    an.click("#save")
    expect(an.locator("#conflict")).to_contain_text("revisie 2")
    expect(an.locator("[data-conflict=title_nl] [data-side=theirs]")).to_have_text("Minister bezoekt Kinshasa en Goma")
    expect(an.locator("[data-conflict=body_nl] [data-side=yours]")).to_contain_text("En bezoekt ook Goma.")
    an_context.close()


def test_a_forged_heartbeat_from_someone_who_may_not_edit_takes_no_lock(web_both: Web) -> None:
    web = web_both
    with web.api(web.spokesperson) as api:  # An's draft, never opened in the editor
        release_id = int(api.post("/releases", json=release_body()).json()["id"])
    with signed_in(web, web.spokesperson2) as bert:  # Bert may not edit An's draft
        token = csrf_of(bert.get("/press").text)
        beat = bert.post(f"/press/releases/{release_id}/lock/heartbeat", headers={"X-CSRF-Token": token})
        assert beat.status_code == 403
        assert bert.get(f"/press/releases/{release_id}/lock").json()["lapsed"] is True
    with web.api(web.spokesperson) as api:  # so An's save is not refused in Bert's name
        put = api.put(f"/releases/{release_id}", json={**release_body(), "expected_version": 1})
        assert put.status_code == 200, put.text


def test_a_comment_on_a_paragraph_the_text_no_longer_has_says_so_and_keeps_the_text(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        release_id = int(api.post("/releases", json=release_body(translations={
            "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.", "body": BODY}})).json()["id"])
    with signed_in(web, web.approver) as client:
        token = csrf_of(client.get(f"/press/releases/{release_id}/review").text)  # three paragraphs
        with web.api(web.spokesperson) as api:  # meanwhile An cuts the text to one
            assert api.put(f"/releases/{release_id}", json=release_body(expected_version=1, translations={
                "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.",
                       "body": "Kort."}})).status_code == 200
        refused = client.post(f"/press/releases/{release_id}/comments", data={
            "csrf_token": token, "body": "Klopt <dit>?", "about": "nl:3", "back": "review"})
    assert refused.status_code == 422
    assert "Choose one of the paragraphs the text has now" in refused.text
    assert "Klopt &lt;dit&gt;?</textarea>" in refused.text


def test_a_long_comment_of_many_lines_the_textarea_allows_is_taken(web: Web) -> None:
    # The textarea counts a line break as one character; the browser sends it as two (CR LF).
    typed = "punt\n" * 800  # 4000 characters in the textarea, 4800 on the wire
    with web.api(web.spokesperson) as api:
        release_id = int(api.post("/releases", json=release_body()).json()["id"])
    with signed_in(web, web.approver) as client:
        token = csrf_of(client.get(f"/press/releases/{release_id}/review").text)
        posted = client.post(f"/press/releases/{release_id}/comments", data={
            "csrf_token": token, "body": typed.replace("\n", "\r\n"), "back": "review"})
        assert posted.status_code == 303, posted.text
    with web.api(web.approver) as api:
        [stored] = api.get(f"/releases/{release_id}/comments").json()
    assert stored["body"] == typed.strip()
