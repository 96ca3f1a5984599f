"""The review loop in the press UI without a browser: test mails to staff (through the outbox, a
real worker and an SMTP sink), the publish confirmation with its facts and refusals, the merge
view after a late save, the word-level diff and the previews per language beside the decision."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from sqlmodel import func, select

from core.db import session_scope, utcnow
from delivery.models import Delivery
from subscribers import add_subscriber, create_list
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, csrf_of, release_body
from tests.web.test_press_ui import editor_form, post, signed_in
from web.diff import diff_words
from web.pages import local_input
from workflow.models import AuditEntry, User


def _mails_to(sink: Sink, address: str) -> list[EmailMessage]:
    return [email.message_from_bytes(r.content, policy=default_policy)  # type: ignore[misc]
            for r in sink.received if address in r.rcpt_tos]


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _submitted(web: Web, **content: Any) -> int:
    with web.api(web.spokesperson) as api:
        rid = int(api.post("/releases", json=release_body(**content)).json()["id"])
        assert api.post(f"/releases/{rid}/submit").status_code == 200
    return rid


# --- test mails ---------------------------------------------------------------------------------


def test_a_test_mail_reaches_staff_as_subscribers_get_it_marked_and_only_staff(
        web: Web, worker: Any, sink: Sink) -> None:
    rid = _submitted(web)
    with signed_in(web, web.spokesperson) as client:  # Dutch
        editor = client.get(f"/press/releases/{rid}/edit").text
        # The form offers the user first, then colleagues; never a free address field.
        assert '<select name="to" id="test-mail-to">' in editor and 'type="email" name="to"' not in editor
        options = re.findall(r'<option value="([^"]+@[^"]+)">', editor.split('id="test-mail-to"')[1])
        assert options[0] == web.spokesperson.email and web.approver.email in options
        sent = post(client, f"/press/releases/{rid}/test-mail", {"to": web.spokesperson.email, "back": "edit"})
        assert sent.status_code == 303 and sent.headers["location"] == f"/press/releases/{rid}/edit"
        assert "Testmail naar an@example.be (NL, FR) is onderweg." in client.get(sent.headers["location"]).text

    wait_until(lambda: len(_mails_to(sink, web.spokesperson.email)) == 2, timeout=60, what="two test mails")
    by_subject = {str(m["Subject"]): m for m in _mails_to(sink, web.spokesperson.email)}
    assert set(by_subject) == {"[TEST] Minister bezoekt Kinshasa", "[ESSAI] Le ministre visite Kinshasa"}
    dutch = by_subject["[TEST] Minister bezoekt Kinshasa"]
    assert "De minister reist af." in _text(dutch) and dutch["Content-Language"] == "nl"
    assert "Le ministre se rend." in _text(by_subject["[ESSAI] Le ministre visite Kinshasa"])
    # No list headers: nothing in a test mail unsubscribes anyone.
    assert dutch["List-Unsubscribe"] is None and dutch["List-Unsubscribe-Post"] is None

    # A new revision, then a test of one language to a colleague: the new text goes.
    with web.api(web.spokesperson) as api:
        changed = release_body(translations={
            "nl": {"title": "Minister bezoekt Kinshasa", "body": "De minister reist af."},
            "fr": {"title": "Le ministre visite Kinshasa et Goma", "body": "Le ministre se rend à Goma."}})
        assert api.put(f"/releases/{rid}", json=changed).status_code == 200
    with signed_in(web, web.approver) as client:  # English
        review = client.get(f"/press/releases/{rid}/review").text
        assert 'id="send-test-mail"' in review.split('id="decision"')[1]
        sent = post(client, f"/press/releases/{rid}/test-mail",
                    {"to": web.spokesperson2.email, "language": "fr", "back": "review"})
        assert sent.status_code == 303 and sent.headers["location"] == f"/press/releases/{rid}/review"
        # Anyone who is not active staff is refused, in the reader's language, and gets nothing.
        outsider = post(client, f"/press/releases/{rid}/test-mail", {"to": "desk@krant.example"})
        assert outsider.status_code == 422
        assert "A test mail goes only to you or a colleague with an active account." in outsider.text
        missing = post(client, f"/press/releases/{rid}/test-mail", {"to": web.approver.email, "language": "de"})
        assert missing.status_code == 422

    wait_until(lambda: _mails_to(sink, web.spokesperson2.email), timeout=60, what="the colleague's test mail")
    [french] = _mails_to(sink, web.spokesperson2.email)
    assert french["Subject"] == "[ESSAI] Le ministre visite Kinshasa et Goma"
    assert "Le ministre se rend à Goma." in _text(french)
    assert not _mails_to(sink, "desk@krant.example")
    # The approver only had the review request: the test of a missing language sent nothing.
    assert [str(m["Subject"]) for m in _mails_to(sink, web.approver.email) if "[" in str(m["Subject"])] == []
    with session_scope() as s:
        notes = [e.comment for e in s.exec(select(AuditEntry).where(AuditEntry.action == "test_mail")).all()]
        assert s.exec(select(func.count()).select_from(Delivery)).one() == 0  # nothing counted as mailed
    assert notes == [f"test mail of revision 1 (nl, fr) to {web.spokesperson.email}",
                     f"test mail of revision 2 (fr) to {web.spokesperson2.email}"]


def test_test_mails_are_limited_per_person_and_go_to_active_staff_only(web: Web) -> None:
    rid = _submitted(web)
    with session_scope() as s:
        gone = s.exec(select(User).where(User.email == web.approver2.email)).one()
        gone.active = False
        s.add(gone)
    with signed_in(web, web.spokesperson) as client:
        token = csrf_of(client.get("/press").text)
        refused = client.post(f"/press/releases/{rid}/test-mail", data={"to": web.approver2.email,
                                                                         "csrf_token": token})
        assert refused.status_code == 422 and "Een testmail gaat alleen naar uzelf" in refused.text
        answers = [client.post(f"/press/releases/{rid}/test-mail",
                               data={"to": web.spokesperson.email, "language": "nl", "csrf_token": token}).status_code
                   for _ in range(12)]
        assert answers == [303] * 11 + [429]  # the refused one counted too


# --- publishing as a decision -------------------------------------------------------------------


def _approved_with_audience(web: Web, lift_in: timedelta) -> int:
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", visibility="private", receives_embargoed=True)
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "desk@krant.example", "journalists", language="fr", confirmed=True)
        for i in range(3):
            add_subscriber(s, f"lezer{i}@example.org", "public", language="nl", confirmed=True)
    lift = (utcnow() + lift_in).replace(second=0, microsecond=0)
    rid = _submitted(web, lists=["journalists", "public"], embargo_until=lift.isoformat())
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{rid}/approve").status_code == 200
    return rid


def test_publishing_asks_with_the_facts_and_refuses_times_that_make_no_sense(web: Web) -> None:
    rid = _approved_with_audience(web, timedelta(days=2))
    lift = utcnow() + timedelta(days=2)
    with signed_in(web, web.approver2) as client:  # Dutch
        page = client.get(f"/press/releases/{rid}")
        assert f'href="/press/releases/{rid}/publish" id="action-publish">Publiceren…' in page.text
        confirm = client.get(f"/press/releases/{rid}/publish").text
        assert 'data-list="journalists">1<' in confirm and 'data-list="public">3<' in confirm
        assert 'id="publish-total">4<' in confirm
        assert 'data-language="nl">3<' in confirm and 'data-language="fr">1<' in confirm
        embargo = re.search(r'<p id="publish-embargo">([^<]+)</p>', confirm)
        assert embargo and embargo.group(1).startswith("1 krijgen het meteen (onder embargo); 3 wachten")
        assert "(Brussel)" in embargo.group(1)
        assert "Er is geen tijdstip gepland" in confirm
        assert 'id="publish-now"' in confirm and 'id="publish-schedule"' in confirm

        past = post(client, f"/press/releases/{rid}/publish",
                    {"mode": "schedule", "at": "2020-01-01T10:00", "expected_version": "3"})
        assert past.status_code == 422
        assert "1 jan 2020, 10:00 (Brussel) is al voorbij: publiceer nu, of kies een later tijdstip." in past.text
        assert 'value="2020-01-01T10:00"' in past.text  # what was typed stays
        after_lift = local_input(lift + timedelta(days=1))
        late = post(client, f"/press/releases/{rid}/publish",
                    {"mode": "schedule", "at": after_lift, "expected_version": "3"})
        assert late.status_code == 422 and "Het embargo loopt af op" in late.text and "niets tegenhouden" in late.text
        empty = post(client, f"/press/releases/{rid}/publish", {"mode": "schedule", "at": "", "expected_version": "3"})
        assert empty.status_code == 422 and "Kies een datum en uur" in empty.text

        scheduled = post(client, f"/press/releases/{rid}/publish",
                         {"mode": "schedule", "at": local_input(utcnow() + timedelta(days=1)),
                          "expected_version": "3"})
        assert scheduled.status_code == 303
        shown = client.get(scheduled.headers["location"]).text
        assert "ingepland" in shown
    with web.api(web.approver) as api:
        assert api.get(f"/releases/{rid}").json()["state"] == "scheduled"


def test_publish_now_goes_out_now_even_with_a_planned_time(web: Web) -> None:
    planned = utcnow() + timedelta(days=3)
    rid = _submitted(web, publish_at=planned.isoformat())
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{rid}/approve").status_code == 200
    with signed_in(web, web.approver) as client:
        confirm = client.get(f"/press/releases/{rid}/publish").text
        assert "Planned publication time:" in confirm and f'value="{local_input(planned)}"' in confirm
        assert "Newsroom only, mailed to nobody" in confirm and "Put it on the newsroom now; nobody is mailed." in confirm
        now = post(client, f"/press/releases/{rid}/publish", {"mode": "now", "expected_version": "3"})
        assert now.status_code == 303
    with web.api(web.approver) as api:
        assert api.get(f"/releases/{rid}").json()["state"] == "published"
    with signed_in(web, web.spokesperson) as client:  # the author may not publish: said before any form
        assert client.get(f"/press/releases/{rid}/publish").status_code in (403, 409)


# --- the editor after someone else saved --------------------------------------------------------


def test_a_late_save_shows_both_texts_per_field_and_the_merge_saves(web: Web) -> None:
    with signed_in(web, web.spokesperson) as client:
        made = post(client, "/press/releases/new", editor_form(), "/press/releases/new")
        edit_url = made.headers["location"]
        # Another tab saves a new title first.
        first = post(client, edit_url, editor_form(expected_version="1", title_nl="Jaarverslag 2025: de cijfers"),
                     edit_url)
        assert first.status_code == 303
        # This tab still has version 1 and changed the body.
        late = post(client, edit_url, editor_form(expected_version="1", body_nl="Eerste alinea.\n\nNieuwe cijfers."),
                    edit_url)
        assert late.status_code == 409
        page = late.text
        conflict = page.split('id="conflict"')[1].split("</section>")[0]
        assert "An Peeters" in conflict or web.spokesperson.email in conflict
        assert "heeft intussen revisie 2 opgeslagen" in conflict  # in the user's language
        title = conflict.split('data-conflict="title_nl"')[1].split('data-conflict=')[0]
        assert 'data-side="theirs">Jaarverslag 2025: de cijfers</pre>' in title
        assert 'data-side="yours">Jaarverslag 2025</pre>' in title
        body = conflict.split('data-conflict="body_nl"')[1]
        assert "Nieuwe cijfers." in body.split('data-side="yours"')[1]
        assert 'data-conflict="lead_nl"' not in conflict  # unchanged fields are not in the way
        # The user's text is kept in the form, which is based on the new version.
        assert "Eerste alinea.\n\nNieuwe cijfers." in page and 'name="expected_version" value="2"' in page
        assert 'data-kept="true"' in page
        merged = post(client, edit_url, editor_form(expected_version="2", title_nl="Jaarverslag 2025: de cijfers",
                                                    body_nl="Eerste alinea.\n\nNieuwe cijfers."), edit_url)
        assert merged.status_code == 303
    rid = int(re.findall(r"\d+", edit_url)[0])
    with web.api(web.spokesperson) as api:
        nl = api.get(f"/releases/{rid}").json()["content"]["translations"]["nl"]
    assert nl["title"] == "Jaarverslag 2025: de cijfers" and nl["body"] == "Eerste alinea.\n\nNieuwe cijfers."


# --- the review page ----------------------------------------------------------------------------


def test_nine_added_words_are_nine_inserted_words() -> None:
    old = "De minister reist af.\n\nHij ontmoet de president."
    new = "De minister reist maandag met de trein en de boot naar Kinshasa af.\n\nHij ontmoet de president."
    pieces = diff_words(old, new)
    assert [p.op for p in pieces] == ["equal", "insert", "equal"]
    assert pieces[1].text.strip() == "maandag met de trein en de boot naar Kinshasa"
    assert len(pieces[1].text.split()) == 9
    assert "".join(p.text for p in pieces if p.op != "insert") == old  # nothing else moved


def test_the_review_marks_words_for_every_reader_and_shows_each_language_beside_the_decision(web: Web) -> None:
    rid = _submitted(web)
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{rid}/request-changes", json={"comment": "Meer details"}).status_code == 200
    with web.api(web.spokesperson) as api:
        changed = release_body(translations={
            "nl": {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.",
                   "body": "De minister reist maandag met de trein en de boot naar Kinshasa af."},
            "fr": {"title": "Le ministre visite Kinshasa", "lead": "Une visite.", "body": "Le ministre se rend."}})
        assert api.put(f"/releases/{rid}", json=changed).status_code == 200
        assert api.post(f"/releases/{rid}/submit").status_code == 200
    with signed_in(web, web.approver2) as client:  # Dutch
        review = client.get(f"/press/releases/{rid}/review").text
    body = review.split('data-language="nl"')[1].split("</section>")[0].split("Markdown")[1]
    inserted = re.findall(r'<ins><span class="visually-hidden">toegevoegd: </span>([^<]*)</ins>', body)
    assert [len(text.split()) for text in inserted] == [9] and "<del>" not in body
    decision = review.split('id="decision"')[1]
    assert decision.index('id="approve"') < decision.index('id="previews"')
    assert re.findall(r'src="/press/releases/\d+/preview/(\w\w)"', decision) == ["nl", "fr"]
    assert 'data-tab="fr"' in decision and 'data-open="nl"' in decision



def test_a_request_for_changes_of_many_lines_the_text_box_allows_is_taken_and_one_longer_refused(web: Web) -> None:
    # The text box counts a line break as one character; the browser sends it as two (CR LF).
    typed = "punt\n" * 799 + "punt!"  # 4000 characters in the text box, 4799 on the wire
    rid = _submitted(web)
    with signed_in(web, web.approver) as client:
        too_long = post(client, f"/press/releases/{rid}/request-changes", {"comment": "x" + typed.replace("\n", "\r\n")})
        assert too_long.status_code == 422
        assert "This text holds at most 4000 characters; yours has 4001." in too_long.text
        taken = post(client, f"/press/releases/{rid}/request-changes", {"comment": typed.replace("\n", "\r\n")})
        assert taken.status_code == 303, taken.text
    with session_scope() as s:
        comments = list(s.exec(select(AuditEntry.comment).where(AuditEntry.release_id == rid,
                                                                AuditEntry.action == "request_changes")))
    assert comments == [typed]  # once: the refused one left nothing behind
