"""The press-office pages without a browser: every page renders in nl, fr and en, the editor
round-trips a form, the review page shows the diff, actions obey the same rules as the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.delivery.distribution_helpers import prepare
from tests.web.conftest import Person, Web, csrf_of, release_body, sign_in
from web.i18n import STRINGS, UI_LANGUAGES


@contextmanager
def signed_in(web: Web, person: Person) -> Iterator[httpx.Client]:
    with web.browser() as client:
        assert sign_in(client, person.email).status_code == 303
        yield client


def post(client: httpx.Client, url: str, data: dict[str, object], page: str = "/press") -> httpx.Response:
    return client.post(url, data={**data, "csrf_token": csrf_of(client.get(page).text)})


def editor_form(**values: object) -> dict[str, object]:
    form: dict[str, object] = {"kind": "press_release", "default_language": "nl",
                               "title_nl": "Jaarverslag 2025", "lead_nl": "Het jaar in cijfers.",
                               "body_nl": "Eerste alinea.\n\nTweede alinea.",
                               "links_nl": "Download | https://example.be/jaarverslag.pdf",
                               "title_fr": "Rapport annuel 2025", "body_fr": "Premier paragraphe.",
                               "topics": "annual-report", "embargo_until": "", "publish_at": ""}
    form.update(values)
    return form


def test_every_string_has_every_language() -> None:
    assert all(set(UI_LANGUAGES) <= set(entry) for entry in STRINGS.values())


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
        assert bad.status_code == 422 and "translations.nl.title" in bad.text and "Twee" in bad.text
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
        assert refused.status_code == 403 and "approver" in refused.text
    with signed_in(web, web.approver) as approver:
        review = approver.get(f"/press/releases/{rid}/review").text
        assert "Changes since the previous revision 1" in review
        assert "<ins>en Goma </ins>" in review
        assert re.search(r"<ins>[^<]*Hij bezoekt ook Goma\.[^<]*</ins>", review)
        approved = post(approver, f"/press/releases/{rid}/approve", {"expected_version": "5"})
        assert approved.status_code == 303
        assert "approved" in approver.get(approved.headers["location"]).text
        again = post(approver, f"/press/releases/{rid}/approve", {})
        assert again.status_code == 409 and "publish" in again.text


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
    assert "<del>Minister bezoekt Kinshasa </del>" in review and "<ins>Versie drie </ins>" in review


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
                    f"/press/releases/{rid}/edit", f"/press/releases/{rid}/review", "/press/lists",
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
        assert report.status_code == 200 and "line 3" in report.text and "jan@example.org" in report.text
        person_id = re.search(r"/subscribers/(\d+)/remove", report.text).group(1)  # type: ignore[union-attr]
        removed = post(client, f"/press/lists/public/subscribers/{person_id}/remove", {})
        assert removed.status_code == 303
