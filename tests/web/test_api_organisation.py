"""/api/organisation: every signed-in user reads the identity, admins change it per language."""

from __future__ import annotations

from tests.web.conftest import Web

FRENCH = {"name": "SPF Affaires étrangères", "address": "Rue des Petits Carmes 15, 1000 Bruxelles",
          "phone": "+32 2 501 81 11"}


def test_read_by_anyone_changed_by_admins(web: Web) -> None:
    with web.api() as anonymous:
        assert anonymous.get("/organisation").status_code == 401
    with web.api(web.spokesperson) as api:
        first = api.get("/organisation").json()
        assert first["version"] == 1 and first["default_language"] == "nl"
        refused = api.put("/organisation/fr", json=FRENCH)
        assert refused.status_code == 403 and "needs role admin" in refused.json()["message"]
    with web.api(web.admin) as api:
        changed = api.put("/organisation/fr", json={**FRENCH, "expected_version": 1})
        assert changed.status_code == 200, changed.text
        body = changed.json()
        assert body["version"] == 2 and body["created_by"] == web.admin.email
        assert body["own"]["fr"] == {**FRENCH, "website": "", "logo_url": ""}
        assert body["effective"]["fr"]["website"] == "https://diplomatie.example.be"  # from nl
        assert body["effective"]["de"] == first["effective"]["nl"]

        bad = api.put("/organisation/fr", json={**FRENCH, "website": "javascript:alert(1)"})
        assert bad.status_code == 422 and bad.json()["field"] == "fr.website"
        assert api.put("/organisation/es", json=FRENCH).json()["field"] == "language"
        stale = api.put("/organisation/fr", json={**FRENCH, "name": "SPF", "expected_version": 1})
        assert stale.status_code == 409 and stale.json()["current_version"] == 2
        same = api.put("/organisation/fr", json=FRENCH)
        assert same.status_code == 200 and same.json()["version"] == 2  # nothing changed, no version

        # PUT replaces the language: what is left out falls back to the default language again.
        emptied = api.put("/organisation/fr", json={"name": "SPF Affaires étrangères"}).json()
        assert emptied["version"] == 3 and emptied["effective"]["fr"]["phone"] == ""
        assert emptied["change"] == "fr: address, phone"
    with web.api(web.approver) as api:
        assert api.get("/organisation", params={"version": 2}).json()["own"]["fr"]["phone"] == "+32 2 501 81 11"
        assert api.get("/organisation", params={"version": 9}).status_code == 404
