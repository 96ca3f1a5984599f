"""The press-office pages without a browser: every page renders in nl, fr and en, the editor
round-trips a form, the review page shows the diff, actions obey the same rules as the API."""

from __future__ import annotations

import email
import re
from email.policy import default as default_policy

import pytest

from core.db import session_scope
from delivery.preview import preview_release
from tests.delivery.distribution_helpers import prepare
from tests.web.conftest import Web, csrf_of, post, release_body, signed_in


def editor_form(**values: object) -> dict[str, object]:
    form: dict[str, object] = {"kind": "press_release", "default_language": "nl",
                               "title_nl": "Jaarverslag 2025", "lead_nl": "Het jaar in cijfers.",
                               "body_nl": "Eerste alinea.\n\nTweede alinea.",
                               "links_nl": "Download | https://example.be/jaarverslag.pdf",
                               "title_fr": "Rapport annuel 2025", "body_fr": "Premier paragraphe.",
                               "topics": "annual-report", "embargo_until": "", "publish_at": ""}
    form.update(values)
    return form


def test_editor_creates_edits_and_previews(web: Web) -> None:
    with signed_in(web, web.spokesperson) as client:
        assert client.get("/press/releases/new").status_code == 200
        made = post(client, "/press/releases/new",
                    editor_form(contact_name="Anouk Peeters", contact_email="anouk@example.be",
                                contact_function="Woordvoerder", embargo_until="2030-04-20T09:00"),
                    "/press/releases/new")
        assert made.status_code == 303
        edit_url = made.headers["location"]
        release_id = int(re.findall(r"\d+", edit_url)[0])
        page = client.get(edit_url)
        assert "Opgeslagen als revisie 1." in page.text  # the flash, in the user's language (nl)
        assert 'value="Jaarverslag 2025"' in page.text and "Download | https://example.be/jaarverslag.pdf" in page.text
        assert 'value="2030-04-20T09:00"' in page.text and "Anouk Peeters" in page.text
        with web.api(web.spokesperson) as api:
            stored = api.get(f"/releases/{release_id}").json()
        assert stored["embargo_until"].startswith("2030-04-20T07:00:00")  # Brussels summer time → UTC
        assert stored["content"]["translations"]["nl"]["links"] == [
            {"label": "Download", "url": "https://example.be/jaarverslag.pdf"}]
        assert len(stored["content"]["contacts"]) == 1

        bad = post(client, edit_url, editor_form(expected_version="1", title_nl="Twee\u2028regels"), edit_url)
        assert bad.status_code == 422 and "Twee" in bad.text
        # The error names the field in words, and the field itself is marked, described and focused.
        assert "<strong>Titel (NL)</strong>" in bad.text and "translations.nl.title" not in bad.text
        assert re.search(r'name="title_nl"[^>]*aria-invalid="true" aria-describedby="form-error" autofocus',
                         bad.text)
        french = post(client, edit_url, editor_form(expected_version="1", title_fr="Deux\u202egnp.exe"), edit_url)
        assert french.status_code == 422 and 'data-open="fr"' in french.text  # the FR tab opens
        assert re.search(r'name="title_fr"[^>]*aria-invalid="true"', french.text)
        stale = post(client, edit_url, editor_form(expected_version="7", title_nl="Nieuw"), edit_url)
        assert stale.status_code == 409
        saved = post(client, edit_url, editor_form(expected_version="1", title_nl="Jaarverslag 2025 (bis)",
                                                   comment="titel"), edit_url)
        assert saved.status_code == 303
        assert "Opgeslagen als revisie 2." in client.get(edit_url).text

        live = post(client, "/press/preview", editor_form(preview_language="fr", title_fr="Aperçu en direct"))
        assert live.status_code == 200 and "Aperçu en direct" in live.text
        assert "default-src 'none'" in live.headers["content-security-policy"]
        stored_preview = client.get(f"/press/releases/{release_id}/preview/nl")
        assert "Jaarverslag 2025 (bis)" in stored_preview.text
        assert client.get(f"/press/releases/{release_id}/preview/nl?format=text").headers[
            "content-type"].startswith("text/plain")
        empty = post(client, "/press/releases/new", {"kind": "press_release"}, "/press/releases/new")
        assert empty.status_code == 422


def test_review_diff_request_changes_and_approve(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        release = api.post("/releases", json=release_body()).json()
        rid = release["id"]
        api.post(f"/releases/{rid}/submit")
    with signed_in(web, web.approver) as approver:
        dashboard = approver.get("/press").text
        assert f'href="/press/releases/{rid}"' in dashboard.split('id="review"')[1].split("</section>")[0]
        first = approver.get(f"/press/releases/{rid}/review")
        assert "First revision" in first.text
        assert post(approver, f"/press/releases/{rid}/request-changes",
                    {"comment": "", "expected_version": "2"}).status_code == 422
        asked = post(approver, f"/press/releases/{rid}/request-changes",
                     {"comment": "Voeg de cijfers toe", "expected_version": "2"})
        assert asked.status_code == 303
    with web.api(web.spokesperson) as api:
        changed = release_body(translations={
            "nl": {"title": "Minister bezoekt Kinshasa en Goma", "lead": "Een werkbezoek.",
                   "body": "De minister reist af.\n\nHij bezoekt ook Goma."},
            "fr": {"title": "Le ministre visite Kinshasa", "lead": "Une visite.", "body": "Le ministre se rend."}})
        api.put(f"/releases/{rid}", json=changed)
        api.post(f"/releases/{rid}/submit")
    with signed_in(web, web.spokesperson) as author:
        refused = post(author, f"/press/releases/{rid}/approve", {})
        assert refused.status_code == 403 and "goedkeurder" in refused.text  # the role, named in Dutch
    with signed_in(web, web.approver) as approver:
        review = approver.get(f"/press/releases/{rid}/review").text
        assert "Changes since the previous revision 1" in review
        assert '<ins><span class="visually-hidden">added: </span> en Goma</ins>' in review
        assert re.search(r'<ins><span class="visually-hidden">added: </span>[^<]*Hij bezoekt ook Goma\.[^<]*</ins>', review)
        approved = post(approver, f"/press/releases/{rid}/approve", {"expected_version": "5"})
        assert approved.status_code == 303
        assert "approved" in approver.get(approved.headers["location"]).text
        again = post(approver, f"/press/releases/{rid}/approve", {})
        assert again.status_code == 409 and "is not possible now. Possible: Edit, Schedule, Publish." in again.text


def test_diff_is_against_the_last_approved_revision(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        rid = api.post("/releases", json=release_body()).json()["id"]
        api.post(f"/releases/{rid}/submit")
    with web.api(web.approver) as api:
        api.post(f"/releases/{rid}/approve")
    with web.api(web.spokesperson) as api:
        for title in ("Versie twee", "Versie drie"):
            api.put(f"/releases/{rid}", json=release_body(translations={"nl": {"title": title, "body": "b"}}))
    with signed_in(web, web.approver2) as approver:
        review = approver.get(f"/press/releases/{rid}/review").text
    assert "Verschillen met de laatst goedgekeurde revisie 1" in review
    assert '<del><span class="visually-hidden">verwijderd: </span>Minister bezoekt Kinshasa</del>' in review
    assert '<ins><span class="visually-hidden">toegevoegd: </span>Versie drie</ins>' in review


@pytest.mark.parametrize("person", ["spokesperson", "spokesperson2", "approver"])
def test_every_page_renders_in_the_users_language(web: Web, person: str) -> None:
    with web.api(web.admin) as api:
        api.post("/lists", json={"slug": "journalists", "name": "Journalists"})
    with web.api(web.spokesperson) as api:
        api.post("/lists/journalists/subscribers", json={"email": "p1@example.org", "confirmed": True})
        rid = api.post("/releases", json=release_body(lists=["journalists"])).json()["id"]
        api.post(f"/releases/{rid}/submit")
    with web.api(web.approver2) as api:
        api.post(f"/releases/{rid}/approve")
        api.post(f"/releases/{rid}/publish")
    distribution_id = prepare(rid)
    who = getattr(web, person)
    words = {"spokesperson": "Overzicht", "spokesperson2": "Tableau de bord", "approver": "Dashboard"}[person]
    with signed_in(web, who) as client:
        for url in ("/press", "/press/releases", "/press/releases?state=published", f"/press/releases/{rid}",
                    f"/press/releases/{rid}/review", "/press/lists",
                    "/press/lists/journalists", "/press/distributions", f"/press/distributions/{distribution_id}",
                    "/press/releases/new"):
            page = client.get(url)
            assert page.status_code == 200, (url, page.text[:300])
            assert words in page.text
        published = client.get("/press").text.split('id="published"')[1]
        assert "0 " in published or "sent" in published
        progress = client.get(f"/press/distributions/{distribution_id}/progress").json()
        assert progress["total"] == 1
        controls = 'id="control-pause"' in client.get(f"/press/distributions/{distribution_id}").text
        new_list_form = 'action="/press/lists"' in client.get("/press/lists").text
        assert controls == new_list_form == (who.role != "spokesperson")  # shown only to who may
        paused = post(client, f"/press/distributions/{distribution_id}/pause", {})
        if who.role == "spokesperson":  # approvers and admins control mailings
            assert paused.status_code == 403
            return
        assert paused.status_code == 303
        assert post(client, f"/press/distributions/{distribution_id}/pause", {}).status_code == 409


def test_language_switch_lists_and_import(web: Web) -> None:
    with signed_in(web, web.approver) as client:
        assert post(client, "/press/language", {"language": "fr", "next": "/press/lists"}).status_code == 303
        assert "Listes de diffusion" in client.get("/press/lists").text
        made = post(client, "/press/lists", {"slug": "public", "name": "Grand public", "default_language": "fr"})
        assert made.headers["location"] == "/press/lists/public"
        assert post(client, "/press/lists", {"slug": "public", "name": "Again"}).status_code == 409
        added = post(client, "/press/lists/public/subscribers", {"email": "eva@example.org", "confirmed": "true"})
        assert added.status_code == 303
        page = client.get("/press/lists/public")
        token = csrf_of(page.text)
        report = client.post("/press/lists/public/import", data={"csrf_token": token},
                             files={"file": ("people.csv", b"email\njan@example.org\nbroken\n", "text/csv")})
        assert report.status_code == 200 and "ligne 3" in report.text and "jan@example.org" in report.text
        person_id = re.search(r"/subscribers/(\d+)/remove", report.text).group(1)  # type: ignore[union-attr]
        removed = post(client, f"/press/lists/public/subscribers/{person_id}/remove", {})
        assert removed.status_code == 303


FRENCH_IDENTITY = {"name": "SPF Affaires étrangères", "address": "Rue des Petits Carmes 15, 1000 Bruxelles",
                   "phone": "+32 2 501 81 11", "website": "https://diplomatie.example.be/fr", "logo_url": "",
                   "email": "", "expected_version": "1"}


def test_admin_sets_the_french_identity_and_french_mail_prints_it(web: Web) -> None:
    with signed_in(web, web.admin) as client:
        page = client.get("/press/organisation?language=fr")
        assert page.status_code == 200 and 'href="/press/organisation"' in page.text  # in the navigation
        assert 'action="/press/organisation/fr"' in page.text and "Version of " in page.text
        assert client.post("/press/organisation/fr", data=FRENCH_IDENTITY).status_code == 403  # no CSRF token
        bad = post(client, "/press/organisation/fr", {**FRENCH_IDENTITY, "website": "ftp://diplomatie.example.be"},
                   "/press/organisation?language=fr")
        assert bad.status_code == 422 and "Website (FR)" in bad.text and "starting with http:// or https://" in bad.text
        assert 'value="Rue des Petits Carmes 15, 1000 Bruxelles"' in bad.text  # the form as typed
        saved = post(client, "/press/organisation/fr", FRENCH_IDENTITY, "/press/organisation?language=fr")
        assert saved.status_code == 303 and saved.headers["location"] == "/press/organisation?language=fr"
        page = client.get(saved.headers["location"]).text
        assert "Saved as version 2." in page
        french_row = page.split('id="identity-fr"')[1].split("</tr>")[0]
        assert "SPF Affaires étrangères" in french_row and "+32 2 501 81 11" in french_row
        english_row = page.split('id="identity-en"')[1].split("</tr>")[0]
        assert "Karmelietenstraat 15, 1000 Brussel" in english_row and "(from NL)" in english_row
        stale = post(client, "/press/organisation/fr", {**FRENCH_IDENTITY, "name": "SPF"},
                     "/press/organisation?language=fr")
        assert stale.status_code == 409  # the form still says version 1
        old = client.get("/press/organisation?version=1").text
        assert 'id="old-version"' in old and "Rue des Petits Carmes" not in old.split('id="edit"')[0]

    with web.browser() as visitor:  # the public pages say the same, in their language
        newsroom = visitor.get("/newsroom/fr").text
        assert "SPF Affaires étrangères · Rue des Petits Carmes 15, 1000 Bruxelles · +32 2 501 81 11" in newsroom
        assert "Karmelietenstraat 15, 1000 Brussel" in visitor.get("/newsroom/nl").text
        assert "<title>SPF Affaires étrangères — Salle de presse</title>" in visitor.get("/feeds/fr.atom").text

    with web.api(web.spokesperson) as api:
        release_id = api.post("/releases", json=release_body()).json()["id"]
    with signed_in(web, web.spokesperson) as client:
        french = client.get(f"/press/releases/{release_id}/preview/fr").text
        dutch = client.get(f"/press/releases/{release_id}/preview/nl").text
    assert "<strong>SPF Affaires étrangères</strong>" in french and "Tél. +32 2 501 81 11" in french
    assert "Rue des Petits Carmes 15, 1000 Bruxelles" in french and "Karmelietenstraat" not in french
    assert "<strong>FOD Buitenlandse Zaken — SPF Affaires étrangères</strong>" in dutch
    assert "Karmelietenstraat 15, 1000 Brussel" in dutch and "+32 2 501 81 11" not in dutch
    with session_scope() as session:
        message = email.message_from_bytes(preview_release(session, release_id, "fr").message, policy=default_policy)
    assert message["From"].addresses[0].display_name == "SPF Affaires étrangères"  # type: ignore[attr-defined]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    footer = text.replace("\r\n", "\n").split("\n-- \n")[1]
    assert footer.startswith("SPF Affaires étrangères\nRue des Petits Carmes 15, 1000 Bruxelles\n"
                             "Tél. +32 2 501 81 11\nhttps://diplomatie.example.be/fr\n")


@pytest.mark.parametrize(("language", "words"), [("nl", "Geschiedenis"), ("fr", "Historique"), ("en", "History"),
                                                    ("de", "Verlauf")])
def test_the_organisation_page_speaks_the_admins_language(web: Web, language: str, words: str) -> None:
    with signed_in(web, web.admin) as client:
        post(client, "/press/language", {"language": language, "next": "/press/organisation"})
        page = client.get("/press/organisation")
    assert page.status_code == 200 and words in page.text
    assert {"nl": "de instellingen", "fr": "les paramètres", "en": "the settings",
            "de": "den Einstellungen"}[language] in page.text


def test_spokespeople_neither_see_nor_change_the_organisation(web: Web) -> None:
    with signed_in(web, web.spokesperson) as client:
        assert 'href="/press/organisation"' not in client.get("/press").text
        refused = client.get("/press/organisation")
        assert refused.status_code == 403 and "Uw rol laat dit niet toe; dit mag enkel: beheerder." in refused.text
        assert post(client, "/press/organisation/fr", FRENCH_IDENTITY).status_code == 403
    with signed_in(web, web.approver) as client:
        assert client.get("/press/organisation").status_code == 403
    with web.api(web.spokesperson) as api:
        assert api.get("/organisation").json()["version"] == 1  # still version 1: nothing was stored


def test_release_lists_and_the_dashboard_render_with_releases_in_every_state(web: Web) -> None:
    """A draft, one in review, an approved, a scheduled, a published, a withdrawn and an archived
    release at once: every list of releases renders for every role, and the dashboard's scheduled
    list says when, in the office's time zone."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from workflow.states import State

    def make(*steps: str, **body: object) -> int:
        with web.api(web.spokesperson) as api:
            rid = int(api.post("/releases", json=release_body(**body)).json()["id"])
            if "submit" in steps:
                assert api.post(f"/releases/{rid}/submit").status_code == 200
            if "archive" in steps:
                assert api.post(f"/releases/{rid}/archive").status_code == 200
        with web.api(web.approver) as api:
            for step in steps:
                if step == "approve":
                    assert api.post(f"/releases/{rid}/approve").status_code == 200
                elif step == "publish":
                    assert api.post(f"/releases/{rid}/publish").status_code == 200
                elif step.startswith("schedule:"):
                    at = step.removeprefix("schedule:")
                    assert api.post(f"/releases/{rid}/publish", json={"at": at}).status_code == 200, at
                elif step == "withdraw":
                    assert api.post(f"/releases/{rid}/withdraw", json={"reason": "fout"}).status_code == 200
        return rid

    when = datetime(2099, 3, 4, 9, 30, tzinfo=ZoneInfo("Europe/Brussels"))
    make()
    make("submit")
    make("submit", "approve")
    make("submit", "approve", f"schedule:{when.isoformat()}")
    make("submit", "approve", "publish")
    make("submit", "approve", "publish", "withdraw")
    make("archive")
    with web.api(web.admin) as api:
        states = {r["state"] for r in api.get("/releases", params={"per_page": 50}).json()["items"]}
    assert states == {s.value for s in State if s is not State.CHANGES_REQUESTED}
    for person in (web.spokesperson, web.approver, web.admin):
        with signed_in(web, person) as client:
            for url in ["/press", "/press/releases", *(f"/press/releases?state={s}" for s in states)]:
                page = client.get(url)
                assert page.status_code == 200, (person.email, url, page.text[:300])
    with signed_in(web, web.spokesperson) as client:  # Dutch, Brussels time
        scheduled = client.get("/press").text.split('id="scheduled"')[1].split("</section>")[0]
    assert "4 mrt 2099, 09:30" in scheduled and "v" not in scheduled.split("<td>")[-1][:3]
    assert when - timedelta(hours=1) != when  # (the time shown is local, not UTC 08:30)
    assert "08:30" not in scheduled


def test_a_mailing_page_names_the_release_says_who_waits_and_offers_only_possible_actions(web: Web) -> None:
    from datetime import timedelta

    from sqlmodel import select

    from core.db import utcnow
    from delivery.models import Delivery
    from delivery.sending import send_batch
    from delivery.transports import MemoryTransport, Outbox
    from subscribers import add_subscriber, create_list
    from web.i18n import format_time

    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl", visibility="private",
                    receives_embargoed=True)
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "desk@krant.example", "journalists", confirmed=True)
        add_subscriber(s, "redactie@blad.example", "journalists", confirmed=True)
        add_subscriber(s, "burger@example.org", "public", confirmed=True)
    lift = (utcnow() + timedelta(hours=2)).replace(second=0, microsecond=0)
    with web.api(web.spokesperson) as api:
        rid = api.post("/releases", json=release_body(
            lists=["journalists", "public"], embargo_until=lift.isoformat())).json()["id"]
        api.post(f"/releases/{rid}/submit")
    with web.api(web.approver) as api:
        api.post(f"/releases/{rid}/approve")
        api.post(f"/releases/{rid}/publish")
    distribution_id = prepare(rid)
    outbox = Outbox()
    outbox.replies["redactie@blad.example"] = (451, "4.7.1 Try again later")
    send_batch(distribution_id, MemoryTransport(outbox))
    with session_scope() as s:
        retry_at = s.exec(select(Delivery.next_attempt_at).where(Delivery.email == "redactie@blad.example")).one()
    with signed_in(web, web.approver) as client:
        page = client.get(f"/press/distributions/{distribution_id}").text
        listed = client.get("/press/distributions").text
        assert "Minister bezoekt Kinshasa" in page and "Minister bezoekt Kinshasa" in listed
        # The embargo's wait and the retry's are a line each, in the office's time.
        assert f'<p id="held">1 held until the embargo lifts, at {format_time(lift, "en")}.</p>' in page
        assert f'<p id="retrying">1 waiting to retry, the first at {format_time(retry_at, "en")}.</p>' in page
        assert 'id="control-pause"' in page and 'id="control-cancel"' in page
        assert 'id="control-resume"' not in page and 'id="control-retry-failed"' not in page
        assert post(client, f"/press/distributions/{distribution_id}/cancel", {}).status_code == 303
        after = client.get(f"/press/distributions/{distribution_id}").text
    assert 'id="control-' not in after  # nothing left to steer


def test_only_who_may_edit_sees_edit_and_the_editor(web: Web) -> None:
    """README: pages hide what the signed-in person may not do; the editor does not open for
    someone whose save would be refused."""
    with web.api(web.spokesperson) as api:
        rid = api.post("/releases", json=release_body()).json()["id"]
    with signed_in(web, web.spokesperson) as client:
        assert 'id="action-edit"' in client.get(f"/press/releases/{rid}").text
        assert client.get(f"/press/releases/{rid}/edit").status_code == 200
    with signed_in(web, web.approver) as client:  # an approver, not the author
        assert 'id="action-edit"' not in client.get(f"/press/releases/{rid}").text
        refused = client.get(f"/press/releases/{rid}/edit")
        assert refused.status_code == 403 and "Only the author of this release or an administrator" in refused.text
    with signed_in(web, web.admin) as client:
        assert 'id="action-edit"' in client.get(f"/press/releases/{rid}").text


def test_publishing_removing_and_cancelling_ask_first_naming_what_they_do(web: Web) -> None:
    from subscribers import add_subscriber, create_list

    with session_scope() as s:
        create_list(s, "public", "Publiek", default_language="nl")
        for i in range(3):
            add_subscriber(s, f"lezer{i}@example.org", "public", confirmed=True)
    with web.api(web.spokesperson) as api:
        rid = api.post("/releases", json=release_body(lists=["public"])).json()["id"]
        api.post(f"/releases/{rid}/submit")
    with web.api(web.approver) as api:
        api.post(f"/releases/{rid}/approve")
    with signed_in(web, web.approver) as client:  # English
        page = client.get(f"/press/releases/{rid}").text
        confirmation = client.get(f"/press/releases/{rid}/publish").text
        members = client.get("/press/lists/public").text
    # Publishing is a page of its own that names what it does before anything is sent.
    assert f'href="/press/releases/{rid}/publish" id="action-publish"' in page
    assert "Put it on the newsroom now and mail 3 recipients." in confirmation
    assert 'data-confirm="Remove lezer0@example.org from this list?"' in members
    with web.api(web.approver) as api:
        api.post(f"/releases/{rid}/publish")
    distribution_id = prepare(rid)
    with signed_in(web, web.spokesperson) as client:  # Dutch; a spokesperson does not control mailings
        assert "data-confirm" not in client.get(f"/press/distributions/{distribution_id}").text
    with signed_in(web, web.admin) as client:
        mailing = client.get(f"/press/distributions/{distribution_id}").text
    assert 'data-confirm="Cancel this mailing? 3 messages will then never be sent."' in mailing


def test_mailing_pages_speak_dutch_to_a_dutch_approver(web: Web) -> None:

    from tests.web.conftest import make_person

    dutch = make_person("lies@example.be", "approver", "Lies Maes", "nl")
    with web.api(web.spokesperson) as api:
        rid = api.post("/releases", json=release_body()).json()["id"]
        api.post(f"/releases/{rid}/submit")
    with web.api(web.approver) as api:
        api.post(f"/releases/{rid}/approve")
        api.post(f"/releases/{rid}/publish")
    distribution_id = prepare(rid)
    with signed_in(web, dutch) as client:
        page = client.get(f"/press/distributions/{distribution_id}").text
        flashed = post(client, f"/press/distributions/{distribution_id}/cancel", {})
        after = client.get(flashed.headers["location"]).text
    assert "in de wachtrij" in page and "verstuurd" in page and ">queued<" not in page
    assert "Annuleren: de verzending is nu geannuleerd." in after and "cancel: cancelled" not in after


def test_the_editor_shows_the_reviewers_request_and_the_review_shows_the_authors_answer(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        rid = api.post("/releases", json=release_body()).json()["id"]
        api.post(f"/releases/{rid}/submit")
    with web.api(web.approver) as api:
        api.post(f"/releases/{rid}/request-changes", json={"comment": "Voeg de cijfers van 2024 toe"})
    with signed_in(web, web.spokesperson) as client:
        editor = client.get(f"/press/releases/{rid}/edit").text
    assert 'id="requested-changes"' in editor and "Voeg de cijfers van 2024 toe" in editor
    assert "marc@example.be vroeg aanpassingen" in editor
    with web.api(web.spokesperson) as api:
        body = release_body(translations={"nl": {"title": "Minister bezoekt Kinshasa", "body": "Met cijfers."}})
        edited = api.put(f"/releases/{rid}", json={**body, "comment": "Cijfers 2024 toegevoegd"})
        assert edited.status_code == 200, edited.text
        api.post(f"/releases/{rid}/submit")
    with signed_in(web, web.spokesperson) as client:  # submitted again: the request is answered
        assert 'id="requested-changes"' not in client.get(f"/press/releases/{rid}/edit").text
    with signed_in(web, web.approver) as client:
        review = client.get(f"/press/releases/{rid}/review").text
    assert 'id="edit-comments"' in review and "Cijfers 2024 toegevoegd" in review


def test_the_people_on_a_list_can_be_searched_and_filtered(web: Web) -> None:
    from subscribers import add_subscriber, create_list

    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl", visibility="private")
        add_subscriber(s, "els.peeters@krant.example", "journalists", name="Els Peeters", language="nl",
                       confirmed=True)
        add_subscriber(s, "claire@journal.example", "journalists", name="Claire Dupont", language="fr",
                       confirmed=True)
        add_subscriber(s, "wacht@krant.example", "journalists", name="Wim Wacht", language="nl")
        for i in range(60):
            add_subscriber(s, f"lezer{i:02d}@example.org", "journalists", language="de", confirmed=True)
    with signed_in(web, web.spokesperson) as client:
        by_name = client.get("/press/lists/journalists", params={"q": "dupont"}).text
        by_address = client.get("/press/lists/journalists", params={"q": "KRANT"}).text
        pending_nl = client.get("/press/lists/journalists", params={"status": "pending", "language": "nl"}).text
        german = client.get("/press/lists/journalists", params={"language": "de"}).text
        odd = client.get("/press/lists/journalists", params={"q": "100%_"})
        bad = client.get("/press/lists/journalists", params={"status": "deleted"})
    rows = lambda page: re.findall(r"<tr><td>([^<]+)</td>", page)
    assert rows(by_name) == ["claire@journal.example"]
    assert rows(by_address) == ["els.peeters@krant.example", "wacht@krant.example"]
    assert rows(pending_nl) == ["wacht@krant.example"] and "wacht op bevestiging" in pending_nl
    assert len(rows(german)) == 50 and 'href="/press/lists/journalists?language=de&amp;page=2"' in german
    assert odd.status_code == 200 and rows(odd.text) == []
    assert bad.status_code == 422


def test_times_are_shown_in_the_offices_zone_and_named(web: Web) -> None:
    """An embargo typed as 23:25 Brussels time reads 23:25 (Brussel), not 22:25 UTC."""
    with web.api(web.spokesperson) as api:
        rid = api.post("/releases", json=release_body(embargo_until="2099-12-01T23:25:00+01:00")).json()["id"]
    with signed_in(web, web.spokesperson) as client:
        page = client.get(f"/press/releases/{rid}").text
    assert "1 dec 2099, 23:25 (Brussel)" in page and "22:25" not in page and "+00:00" not in page
