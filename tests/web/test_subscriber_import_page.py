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


def test_a_file_that_imports_nothing_is_refused_in_the_readers_language(web: Web) -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", default_language="nl")
        user = s.exec(select(User).where(User.email == web.spokesperson.email)).one()
        user.language = "nl"
        s.add(user)
    with web.browser() as client:
        assert sign_in(client, web.spokesperson.email).status_code == 303
        token = csrf_of(client.get("/press/lists/journalists").text)
        pages = [client.post("/press/lists/journalists/import", data={"csrf_token": token},
                             files={"file": ("pers.csv", data, "text/csv")})
                 for data in (b"E-mail;Naam\r\n", b"\xef\xbb\xbfE-mail;Soci\xe9t\xe9\r\njan@example.be;Le Soir\r\n",
                              b"PK\x03\x04\x14\x00\x00\x00\x08\x00[Content_Types].xml")]
    assert [page.status_code for page in pages] == [422, 422, 422]
    assert "het bestand heeft een kopregel maar geen rijen om te importeren." in html.unescape(pages[0].text)
    assert "geen UTF-8-tekst: bewaar het bestand als 'CSV UTF-8'." in html.unescape(pages[1].text)
    assert ("dit is een rekenblad (.xlsx, .xls of .ods), geen CSV: bewaar het als 'CSV UTF-8' en "
            "importeer dat bestand.") in html.unescape(pages[2].text)
    with session_scope() as s:
        assert s.exec(select(Subscriber)).all() == []
