"""The web doors refuse an address the mail relay can never deliver to (a non-ASCII part before
the @) with the reason, and store nothing; an internationalised domain is accepted. The CLI
doors and the sending side are in tests/subscribers/test_address_door.py."""

from __future__ import annotations

import html

import pytest
from sqlmodel import col, select

from core.db import session_scope
from core.outbox import OutboxEvent
from subscribers import add_subscriber, create_list, preferences_link
from subscribers.models import Subscriber, Subscription, SuppressionReason
from subscribers.suppression import suppress
from tests.web.conftest import Web, csrf_of, sign_in
from workflow.models import User

NON_ASCII = "inès.claes@example.be"
REASON = ("'inès.claes@example.be' cannot be used: the part before @ contains non-ASCII characters (è); "
          "Pressroom's mail relay cannot deliver to such addresses")
# What the pages say in Dutch: the reason, without the relay's English detail.
SAID = "‘inès.claes@example.be’ kan niet: onze mailserver bezorgt niet aan adressen met speciale tekens vóór de @."
IDN = "jan@exämple.be"


def _stored() -> tuple[list[str | None], int, int]:
    """Addresses of subscribers, and how many subscriptions and events exist."""
    with session_scope() as s:
        return (
            list(s.exec(select(Subscriber.email).order_by(col(Subscriber.email))).all()),
            len(s.exec(select(Subscription.id)).all()),
            len(s.exec(select(OutboxEvent.id)).all()),
        )


def test_the_api_refuses_the_address_and_imports_the_rest_of_a_file(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "public", "Public")
    with web.api(web.spokesperson) as api:
        refused = api.post("/lists/public/subscribers", json={"email": NON_ASCII, "confirmed": True})
        assert refused.status_code == 422
        assert refused.json() == {"error": "invalid_input", "message": f"email: {REASON}", "field": "email"}
        assert _stored() == ([], 0, 0)

        accepted = api.post("/lists/public/subscribers", json={"email": IDN, "confirmed": True})
        assert accepted.status_code == 201 and accepted.json()["subscriber"]["email"] == IDN

        csv = f"email,name\n{NON_ASCII},Inès\nels@example.be,Els\n".encode()
        report = api.post("/lists/public/import", files={"file": ("people.csv", csv, "text/csv")},
                          data={"confirmed": "true"})
        assert report.status_code == 200
        assert report.json()["rejected"] == [{"line": 2, "reason": f"email: {REASON}"}]
    assert _stored()[:2] == (["els@example.be", IDN], 2)


def test_the_sign_up_form_shows_the_reason_and_stores_nothing(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "public", "Public")
    with web.browser() as client:
        form = client.get("/subscribe?lang=nl")
        data = {"csrf_token": csrf_of(form.text), "lists": ["public"], "language": "nl", "name": "Inès"}
        refused = client.post("/subscribe", data={**data, "email": NON_ASCII})
        assert refused.status_code == 422 and SAID in html.unescape(refused.text)
        assert f'value="{NON_ASCII}"' in html.unescape(refused.text)  # kept, to be corrected
        assert _stored() == ([], 0, 0)
        assert client.post("/subscribe", data={**data, "email": IDN}).status_code == 200
    assert _stored() == ([IDN], 1, 1)  # pending, its confirmation mail queued


def test_the_press_pages_refuse_the_address(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "public", "Public")
    with web.browser() as client:
        assert sign_in(client, web.spokesperson.email).status_code == 303
        token = csrf_of(client.get("/press/lists/public").text)
        refused = client.post("/press/lists/public/subscribers", data={"csrf_token": token, "email": NON_ASCII})
        assert refused.status_code == 422 and SAID in html.unescape(refused.text)
        assert _stored() == ([], 0, 0)
        report = client.post("/press/lists/public/import", data={"csrf_token": token},
                             files={"file": ("people.csv", f"email\n{NON_ASCII}\n{IDN}\n".encode(), "text/csv")})
        assert report.status_code == 200 and f"regel 2: {SAID}" in html.unescape(report.text)
        assert REASON not in html.unescape(report.text)  # the English detail stays in the API and the CLI
    assert _stored()[:2] == ([IDN], 1)


def test_the_preferences_form_takes_no_address(web: Web) -> None:
    """Nothing to refuse there: the link names the subscriber, and the form cannot change the address."""
    with session_scope() as s:
        create_list(s, "public", "Public")
        add_subscriber(s, "eva@example.org", "public", confirmed=True)
        link = preferences_link(s.exec(select(Subscriber)).one()).removeprefix(web.url)
    with web.browser() as client:
        page = client.get(link)
        assert page.status_code == 200 and 'name="email"' not in page.text
        saved = client.post(link, data={"csrf_token": csrf_of(page.text), "email": NON_ASCII, "lists": ["public"],
                                        "language": "nl", "frequency": "immediate"})
        assert saved.status_code == 200
    assert _stored()[0] == ["eva@example.org"]


@pytest.mark.parametrize(("language", "expected"), [
    ("nl", ["regel 3: 3 velden, maar de kopregel heeft er 2.", "regel 4: geen e-mailadres.",
            "regel 5: zelfde adres als regel 2 (eva@example.org).",
            "regel 6: blok@example.org staat op de blokkeerlijst"]),
    ("fr", ["ligne 3 : 3 champs, mais l'en-tête en a 2.", "ligne 4 : pas d'adresse e-mail.",
            "ligne 5 : même adresse qu'à la ligne 2 (eva@example.org).",
            "ligne 6 : blok@example.org"]),
])
def test_the_import_report_names_each_refused_row_in_the_readers_language(
    web: Web, language: str, expected: list[str]
) -> None:
    """The CLI and the API keep the English reasons; the press page says them in the reader's words."""
    with session_scope() as s:
        create_list(s, "public", "Public")
        suppress(s, "blok@example.org", SuppressionReason.HARD_BOUNCE)
        user = s.exec(select(User).where(User.email == web.spokesperson.email)).one()
        user.language = language
        s.add(user)
    rows = "email,name\neva@example.org,Eva\nx@example.org,X,extra\n,Nobody\nEVA@example.org,Eva\nblok@example.org,B\n"
    with web.browser() as client:
        assert sign_in(client, web.spokesperson.email).status_code == 303
        token = csrf_of(client.get("/press/lists/public").text)
        report = client.post("/press/lists/public/import", data={"csrf_token": token},
                             files={"file": ("people.csv", rows.encode(), "text/csv")})
    page = html.unescape(report.text)
    assert report.status_code == 200
    for sentence in expected:
        assert sentence.replace(" :", "\u00a0:") in page or sentence in page, (sentence, page[page.find("import-report"):][:3000])
    for english in ("fields but the header has", "no e-mail address", "duplicate of line", "suppression list"):
        assert english not in page
