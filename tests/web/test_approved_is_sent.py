"""What was approved is what goes out: the contact printed under a release, and its audience, are
part of the reviewed revision. Acted as the attacker and the careless user did: through the API,
the CLI and a release file; the assertions are on the public page, the mail and the database."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import col, select

from cli.main import cli
from core.db import session_scope, utcnow
from delivery.sending import send_batch
from delivery.transports import MemoryTransport, Outbox
from subscribers import add_subscriber, create_list
from tests.delivery.distribution_helpers import prepare
from tests.web.conftest import Web, publish_through_api, release_body
from workflow.models import ContactChange, Release


def _contact(web: Web, person: object, **fields: object) -> dict:  # type: ignore[type-arg]
    with web.api(person) as api:  # type: ignore[arg-type]
        return api.post("/contacts", json={"email": "woord@example.be", **fields})  # type: ignore[return-value]




def test_a_contact_changed_after_approval_changes_neither_the_page_nor_the_mail(web: Web) -> None:
    made = _contact(web, web.admin, name="Anouk Peeters", function={"nl": "Woordvoerder"}, phone="+32 2 501 81 11")
    assert made.status_code == 200, made.text  # type: ignore[attr-defined]
    contact_id = made.json()["id"]  # type: ignore[attr-defined]
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl", visibility="private",
                    receives_embargoed=True)
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "desk@krant.example", "journalists", confirmed=True)
        add_subscriber(s, "burger@example.org", "public", confirmed=True)
    lift = utcnow() + timedelta(seconds=4)
    release_id = publish_through_api(web, contacts=[contact_id], lists=["journalists", "public"],
                          embargo_until=lift.isoformat())
    distribution_id = prepare(release_id)
    early = Outbox()
    send_batch(distribution_id, MemoryTransport(early))

    # A colleague tries to put another number under the ministry's release: refused.
    refused = _contact(web, web.spokesperson2, phone="+32 470 00 00 00")
    assert refused.status_code == 403, refused.text  # type: ignore[attr-defined]
    assert "only an admin or woord@example.be" in refused.json()["message"]  # type: ignore[attr-defined]
    # An admin changes the directory: recorded, and only future revisions see it.
    changed = _contact(web, web.admin, phone="+32 2 999 99 99", function={"fr": "Porte-parole"})
    assert changed.status_code == 200 and changed.json()["function"] == {  # type: ignore[attr-defined]
        "nl": "Woordvoerder", "fr": "Porte-parole"}  # a language left out keeps its title
    with session_scope() as s:
        changes = s.exec(select(ContactChange).order_by(col(ContactChange.id))).all()
    assert [c.actor_label for c in changes] == ["root@example.be", "root@example.be"]
    assert changes[1].before["phone"] == "+32 2 501 81 11" and changes[1].after["phone"] == "+32 2 999 99 99"  # type: ignore[index]

    time.sleep(max(0.0, (lift - utcnow()).total_seconds()) + 0.3)  # the held copies go at the lift
    with web.browser() as client:
        page = client.get(f"/releases/{release_id}/nl")
    assert page.status_code == 200
    late = Outbox()
    send_batch(distribution_id, MemoryTransport(late))
    assert [m.recipients[0] for m in late.messages] == ["burger@example.org"]
    mail = message_from_bytes(late.messages[0].message, policy=policy.default)
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for shown in (page.text, text):
        assert "+32 2 501 81 11" in shown and "+32 2 999 99 99" not in shown


def test_a_mistyped_list_is_refused_with_the_known_ones_and_nothing_is_created(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl")
    with web.api(web.spokesperson) as api:
        typo = api.post("/releases", json=release_body(lists=["journalists", "jornalists"]))
        assert typo.status_code == 422
        assert typo.json()["field"] == "lists.1"
        assert "'jornalists'" in typo.json()["message"] and "known lists: journalists" in typo.json()["message"]
        silent = api.post("/releases", json=release_body(lists=[], web_only=False))
        assert silent.status_code == 201  # a draft may still lack lists …
        refused = api.post(f"/releases/{silent.json()['id']}/submit")
        assert refused.status_code == 422 and "web-only" in refused.json()["message"]  # … review may not
        assert api.get(f"/releases/{silent.json()['id']}").json()["state"] == "draft"
    with session_scope() as s:
        assert len(s.exec(select(Release)).all()) == 1


def test_releases_show_lists_the_audience_with_counts(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl", visibility="private",
                    receives_embargoed=True)
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "desk@krant.example", "journalists", language="fr", confirmed=True)
        for i in range(3):
            add_subscriber(s, f"burger{i}@example.org", "public", language="nl", confirmed=True)
        add_subscriber(s, "waiting@example.org", "public", confirmed=False)  # not confirmed: not counted
    lift = utcnow() + timedelta(hours=3)
    with web.api(web.spokesperson) as api:
        release = api.post("/releases", json=release_body(lists=["journalists", "public"],
                                                          embargo_until=lift.isoformat())).json()
    result = CliRunner().invoke(cli, ["releases", "show", str(release["id"]), "--json"])
    assert result.exit_code == 0, result.output
    audience = json.loads(result.stdout)["audience"]
    assert audience["total"] == 4
    assert audience["lists"] == [{"slug": "journalists", "name": "Journalisten", "recipients": 1},
                                 {"slug": "public", "name": "Publiek", "recipients": 3}]
    assert audience["languages"] == {"fr": 1, "nl": 3}
    assert (audience["embargo"]["now"], audience["embargo"]["held"]) == (1, 3)
    text = CliRunner().invoke(cli, ["releases", "show", str(release["id"])]).stdout
    assert "audience: 4 recipients: journalists 1, public 3" in text
    assert "3 held until the lift" in text


def test_a_release_file_keeps_its_contact_as_written_and_the_directory_changes_only_when_asked(
        web: Web, tmp_path: Path) -> None:
    _contact(web, web.admin, name="Anouk Peeters", function={"nl": "Woordvoerder", "fr": "Porte-parole"},
             phone="+32 2 501 81 11")
    path = tmp_path / "release.md"
    path.write_text("---\ntitle: Titel\nweb_only: true\ncontacts:\n  - email: woord@example.be\n"
                    "    phone: '+32 2 555 55 55'\n---\nTekst\n", encoding="utf-8")
    runner = CliRunner()
    made = runner.invoke(cli, ["releases", "new", str(path), "--as", web.spokesperson.email, "--json"])
    assert made.exit_code == 0, made.output
    assert "woord@example.be differs from the contact directory in phone" in made.stderr
    content = json.loads(runner.invoke(cli, ["releases", "show", json.loads(made.stdout)["id"].__str__(),
                                             "--json"]).stdout)["content"]
    [printed] = content["contact_details"]
    assert printed["phone"] == "+32 2 555 55 55"
    assert printed["function"] == {"nl": "Woordvoerder", "fr": "Porte-parole"}  # left out: kept
    with web.api(web.admin) as api:
        [entry] = api.get("/contacts").json()
    assert entry["phone"] == "+32 2 501 81 11"  # the directory did not change
    refused = runner.invoke(cli, ["releases", "new", str(path), "--as", web.spokesperson.email,
                                  "--update-contacts"])
    assert refused.exit_code == 4 and "only an admin or woord@example.be" in refused.stderr
    updated = runner.invoke(cli, ["releases", "new", str(path), "--as", web.admin.email, "--update-contacts"])
    assert updated.exit_code == 0, updated.output
    with web.api(web.admin) as api:
        [entry] = api.get("/contacts").json()
    assert entry["phone"] == "+32 2 555 55 55" and entry["function"]["fr"] == "Porte-parole"


def test_release_files_that_would_lie_are_refused_with_their_name(web: Web, tmp_path: Path) -> None:
    runner = CliRunner()
    plain = tmp_path / "plain.md"
    plain.write_text("Persbericht zonder instellingen\n\nTekst.\n", encoding="utf-8")
    refused = runner.invoke(cli, ["releases", "new", str(plain), "--as", web.spokesperson.email])
    assert refused.exit_code == 2 and "no front matter" in refused.stderr and str(plain) in refused.stderr
    good = tmp_path / "bericht.md"
    good.write_text("---\ntitle: Titel\nweb_only: true\n---\nTekst\n", encoding="utf-8")
    (tmp_path / "bericht.fr.md").write_bytes("---\ntitle: Communiqué\n---\nTexte réservé\n".encode("latin-1"))
    broken = runner.invoke(cli, ["releases", "new", str(good), "--as", web.spokesperson.email])
    assert broken.exit_code == 2 and "bericht.fr.md" in broken.stderr and "UTF-8" in broken.stderr
    assert "Traceback" not in broken.output
    with session_scope() as s:
        assert s.exec(select(Release)).all() == []


def test_the_api_and_the_review_page_preview_the_fallback_copy_with_a_note(web: Web) -> None:
    from tests.web.conftest import sign_in

    with web.api(web.spokesperson) as api:
        release = api.post("/releases", json=release_body(translations={
            "nl": {"title": "Alleen Nederlands", "body": "Tekst."}})).json()
        german = api.get(f"/releases/{release['id']}/preview", params={"language": "de", "format": "text"})
    assert german.status_code == 200 and "Alleen Nederlands" in german.text
    assert german.headers["x-pressroom-language"] == "nl"
    assert "receive the nl copy" in german.headers["x-pressroom-fallback"]
    with web.browser() as client:
        sign_in(client, web.approver.email)  # an English-speaking reviewer
        page = client.get(f"/press/releases/{release['id']}/preview/fr")
    assert page.status_code == 200 and "Alleen Nederlands" in page.text
    assert "This release has no fr text: subscribers whose language is fr receive this nl copy." in page.text


def test_the_review_page_and_the_review_request_mail_show_the_audience(web: Web, worker: object) -> None:
    from core.settings import override_settings
    from tests.conftest import wait_until
    from tests.delivery.smtp_sink import Sink, smtp_server
    from tests.web.conftest import sign_in
    from web.deps import relay_events

    with session_scope() as s:
        create_list(s, "journalists", "Journalisten", default_language="nl", visibility="private",
                    receives_embargoed=True)
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "desk@krant.example", "journalists", language="fr", confirmed=True)
        add_subscriber(s, "burger@example.org", "public", language="nl", confirmed=True)
    sink = Sink()
    with smtp_server(sink) as controller:
        override_settings(mail_url=f"smtp://127.0.0.1:{controller.port}")
        with web.api(web.spokesperson) as api:
            release = api.post("/releases", json=release_body(
                lists=["journalists", "public"], embargo_until=(utcnow() + timedelta(hours=5)).isoformat())).json()
            assert api.post(f"/releases/{release['id']}/submit").status_code == 200
        relay_events()
        wait_until(lambda: any(web.approver.email in r.rcpt_tos for r in sink.received), 60, "the review request")
    request = next(r for r in sink.received if web.approver.email in r.rcpt_tos)
    text = message_from_bytes(request.content, policy=policy.default).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "2 recipients: journalists 1, public 1" in text  # the approver reads English
    assert "by language: fr 1, nl 1" in text and "1 of them get it only when the embargo lifts" in text
    with web.browser() as client:
        sign_in(client, web.approver.email)
        page = client.get(f"/press/releases/{release['id']}/review").text
    assert 'id="audience-total">2<' in page and 'data-list="public">1<' in page
    assert "1 get it at once (under embargo); 1 wait until the embargo lifts" in page


def test_a_mailing_that_reaches_nobody_or_fails_is_told_to_the_author_and_approvers(
        web: Web, worker: object) -> None:
    from core.settings import override_settings
    from tests.conftest import wait_until
    from tests.delivery.smtp_sink import Sink, smtp_server
    from tests.web.conftest import sign_in
    from web.deps import relay_events

    with session_scope() as s:
        create_list(s, "empty", "Nog leeg", default_language="nl")
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "gone@example.org", "public", confirmed=True)
        add_subscriber(s, "fine@example.org", "public", confirmed=True)
    sink = Sink(rcpt_replies={"gone@example.org": "550 5.1.1 no such user"})

    def problem_mails(to: str) -> list[str]:
        relay_events()  # what beat does every few seconds: the mailing's end is an event
        subjects = [str(message_from_bytes(r.content, policy=policy.default)["Subject"])
                    for r in sink.received if to in r.rcpt_tos]
        return [subject for subject in subjects if subject.startswith(("Mailing failed", "Verzending mislukt"))]

    with smtp_server(sink) as controller:
        override_settings(mail_url=f"smtp://127.0.0.1:{controller.port}")
        nobody = publish_through_api(web, lists=["empty"], translations={"nl": {"title": "Voor niemand", "body": "x"}})
        failing = publish_through_api(web, lists=["public"], translations={"nl": {"title": "Half verstuurd", "body": "x"}})
        wait_until(lambda: len(problem_mails(web.approver.email)) == 2, 60, "two problem notices")
        wait_until(lambda: len(problem_mails(web.spokesperson.email)) == 2, 60, "the author's notices")
    assert sorted(problem_mails(web.approver.email)) == ["Mailing failed: Half verstuurd",
                                                         "Mailing failed: Voor niemand"]
    assert sorted(problem_mails(web.spokesperson.email)) == ["Verzending mislukt: Half verstuurd",
                                                             "Verzending mislukt: Voor niemand"]
    with web.browser() as client:
        sign_in(client, web.approver.email)
        dashboard = client.get("/press").text
    section = dashboard[dashboard.index('id="mailing-problems"'):dashboard.index("</section>")]
    assert "Voor niemand</a>:" in section and "mailed to nobody" in section and "1 of 2 not delivered" in section
    assert nobody != failing


def test_mail_prints_the_organisation_as_it_was_when_the_release_was_approved(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "public", "Publiek", default_language="nl")
        add_subscriber(s, "lecteur@example.org", "public", language="fr", confirmed=True)
    with web.api(web.admin) as api:
        french = api.put("/organisation/fr", json={"name": "SPF Affaires étrangères", "phone": "+32 2 501 81 11",
                                                   "address": "Rue des Petits Carmes 15, 1000 Bruxelles"})
        assert french.status_code == 200, french.text
    release_id = publish_through_api(web, lists=["public"])
    distribution_id = prepare(release_id)
    with web.api(web.admin) as api:  # renamed after the approval: not in this release's mail
        assert api.put("/organisation/fr", json={"name": "SPF Nouveau Nom", "phone": "+32 2 000 00 00"}
                       ).status_code == 200
    outbox = Outbox()
    send_batch(distribution_id, MemoryTransport(outbox))
    [message] = outbox.messages
    text = message_from_bytes(message.message, policy=policy.default).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "SPF Affaires étrangères" in text and "Rue des Petits Carmes 15" in text and "+32 2 501 81 11" in text
    assert "Nouveau Nom" not in text and "Karmelietenstraat" not in text


def test_a_past_publication_time_or_an_embargo_that_holds_nothing_back_is_refused(web: Web) -> None:
    def approved(**content: object) -> int:
        with web.api(web.spokesperson) as api:
            rid = int(api.post("/releases", json=release_body(**content)).json()["id"])
            assert api.post(f"/releases/{rid}/submit").status_code == 200
        with web.api(web.approver) as api:
            assert api.post(f"/releases/{rid}/approve").status_code == 200
        return rid

    plain = approved()
    lift = utcnow() + timedelta(hours=2)
    embargoed = approved(embargo_until=lift.isoformat())
    with web.api(web.approver) as api:
        past = api.post(f"/releases/{plain}/publish", json={"at": (utcnow() - timedelta(hours=1)).isoformat()})
        assert past.status_code == 422 and past.json()["field"] == "at" and "in the past" in past.json()["message"]
        late = api.post(f"/releases/{embargoed}/publish", json={"at": (lift + timedelta(hours=1)).isoformat()})
        assert late.status_code == 422 and late.json()["field"] == "embargo_until"
        assert "(Europe/Brussels)" in late.json()["message"] and "hold nothing back" in late.json()["message"]
        states = [api.get(f"/releases/{rid}").json()["state"] for rid in (plain, embargoed)]
        assert states == ["approved", "approved"]  # nothing was published or scheduled
        assert api.post(f"/releases/{embargoed}/publish",
                        json={"at": (lift - timedelta(hours=1)).isoformat()}).status_code == 200
