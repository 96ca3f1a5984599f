"""The press page imports an Excel file with Dutch column names and says how it read it."""

from __future__ import annotations

import html

from sqlmodel import select

from core.db import session_scope
from subscribers import create_list
from subscribers.models import Subscriber
from tests.web.conftest import Web, csrf_of, sign_in
from workflow.models import User


def test_an_excel_file_with_dutch_columns_keeps_its_accents(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", default_language="nl")
        user = s.exec(select(User).where(User.email == web.spokesperson.email)).one()
        user.language = "nl"
        s.add(user)
    rows = "E-mail;Naam;Taal;Organisatie;Functie\r\nelise@example.be;Élise Dubois;FR-be;Le Soir;chef\r\n"
    with web.browser() as client:
        assert sign_in(client, web.spokesperson.email).status_code == 303
        token = csrf_of(client.get("/press/lists/journalists").text)
        report = client.post("/press/lists/journalists/import", data={"csrf_token": token, "confirmed": "true"},
                             files={"file": ("pers.csv", rows.encode("cp1252"), "text/csv")})
    page = html.unescape(report.text)
    assert report.status_code == 200
    assert ("Gelezen als cp1252, gescheiden door “;”; kolommen: E-mail → email, Naam → name, "
            "Taal → language, Organisatie → organisation.") in page
    assert "Niet herkende kolommen, weggelaten: Functie." in page
    with session_scope() as s:
        person = s.exec(select(Subscriber)).one()
    assert (person.name, person.language, person.organisation) == ("Élise Dubois", "fr", "Le Soir")
