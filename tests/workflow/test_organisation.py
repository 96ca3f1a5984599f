"""The organisation's identity per language, on SQLite and PostgreSQL: version 1 from the
settings, every change a new version that keeps the old ones, fallback to the default language,
admins only, and refused input that names language and field and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.db import session_scope
from core.errors import ConfigurationError, InvalidInput
from core.settings import override_settings
from delivery.compose import organisation_sender
from templates import Sender
from tests import factories
from workflow.errors import InvalidIdentity, OrganisationChanged, RoleRequired
from workflow.models import User
from workflow.organisation import (
    change_organisation,
    current_organisation_version,
    organisation_history,
    organisation_identity,
)

FRENCH = {"name": "SPF Affaires étrangères", "address": "Rue des Petits Carmes 15, 1000 Bruxelles",
          "phone": "+32 2 501 81 11"}


def _admin() -> User:
    with session_scope() as s:
        return factories.user(s, "admin", email="root@example.be")


def test_first_use_makes_version_one_from_the_settings(db: str) -> None:
    override_settings(organisation_name="FOD Buitenlandse Zaken", organisation_phone="02 501 81 11")
    with session_scope() as s:
        assert current_organisation_version(s) == 1
        assert current_organisation_version(s) == 1  # made once
        first = organisation_identity(s)
    assert (first.number, first.default_language, first.created_by) == (1, "nl", "settings")
    assert list(first.own) == ["nl"]
    assert first.in_language("nl").name == "FOD Buitenlandse Zaken"
    assert first.in_language("nl").phone == "02 501 81 11"
    assert first.in_language("fr") == first.in_language("nl")  # no French of its own yet


def test_a_change_is_a_new_version_and_the_old_one_stays(db: str) -> None:
    admin = _admin()
    with session_scope() as s:
        made = change_organisation(s, admin, "fr", FRENCH)
    assert made is not None and made.number == 2
    assert made.change == "fr: name, address, phone" and made.created_by == "root@example.be"
    with session_scope() as s:
        assert current_organisation_version(s) == 2
        french = organisation_sender(s, "fr")
        dutch = organisation_sender(s, "nl")
        german = organisation_sender(s, "de")
        old_french = organisation_sender(s, "fr", version=1)
        default = organisation_sender(s)
        history = organisation_history(s)
    assert french == Sender(name="SPF Affaires étrangères", address="Rue des Petits Carmes 15, 1000 Bruxelles",
                            phone="+32 2 501 81 11", website="https://diplomatie.example.be")
    # Dutch keeps its own values (it has no phone), German has none and takes the Dutch ones.
    assert dutch.name == "FOD Buitenlandse Zaken — SPF Affaires étrangères" and dutch.phone == ""
    assert german == dutch == default == old_french
    assert [(v.number, v.created_by) for v in history] == [(2, "root@example.be"), (1, "settings")]

    # Only the fields given change; "" hands a field back to the default language.
    with session_scope() as s:
        again = change_organisation(s, admin, "fr", {"phone": "", "website": "https://diplomatie.example.be/fr"})
    assert again is not None and again.change == "fr: phone, website"
    fr = again.in_language("fr")
    assert (fr.name, fr.phone, fr.website) == (FRENCH["name"], "", "https://diplomatie.example.be/fr")
    with session_scope() as s:
        assert organisation_identity(s, 2).in_language("fr").phone == "+32 2 501 81 11"  # still readable


def test_the_default_language_fills_in_field_by_field(db: str) -> None:
    admin = _admin()
    with session_scope() as s:
        change_organisation(s, admin, "nl", {"phone": "+32 2 501 81 11"}, email="pers@diplomatie.example.be")
        change_organisation(s, admin, "en", {"name": "FPS Foreign Affairs"})
        current = organisation_identity(s)
    english = current.in_language("en")
    assert english.name == "FPS Foreign Affairs"
    assert english.phone == "+32 2 501 81 11" and english.address == "Karmelietenstraat 15, 1000 Brussel"
    assert current.email == "pers@diplomatie.example.be"
    assert current.change == "en: name"


def test_nothing_to_change_makes_no_version(db: str) -> None:
    admin = _admin()
    with session_scope() as s:
        assert change_organisation(s, admin, "fr", FRENCH) is not None
        assert change_organisation(s, admin, "fr", FRENCH) is None
        assert change_organisation(s, admin, "fr", {"name": f"  {FRENCH['name']} "}) is None  # trimmed
        assert current_organisation_version(s) == 2


def test_only_admins_change_it(db: str) -> None:
    with session_scope() as s:
        approver = factories.user(s, "approver")
    with pytest.raises(RoleRequired, match="may not change the organisation: needs role admin"), session_scope() as s:
        change_organisation(s, approver, "fr", FRENCH)
    with session_scope() as s:
        assert current_organisation_version(s) == 1


@pytest.mark.parametrize(("language", "values", "field", "problem"), [
    ("fr", {"website": "ftp://diplomatie.example.be"}, "fr.website", "http(s) URL"),
    ("fr", {"logo_url": "javascript:alert(1)"}, "fr.logo_url", "http(s) URL"),
    ("fr", {"website": "https://exa mple.be"}, "fr.website", "http(s) URL"),
    ("en", {"phone": "call the switchboard"}, "en.phone", "not a phone number"),
    ("en", {"phone": "12"}, "en.phone", "6 to 15 digits"),
    ("fr", {"name": "SPF\nBcc: everyone@example.org"}, "fr.name", "one line"),
    ("fr", {"address": "Rue\u2028des Petits Carmes"}, "fr.address", "one line"),
    ("fr", {"name": "x" * 201}, "fr.name", "at most 200"),
    ("nl", {"name": ""}, "nl.name", "default language (nl) needs a name"),
    ("fr", {"slogan": "Ensemble"}, "fr.slogan", "not a field"),
    ("es", {"name": "Asuntos Exteriores"}, "language", "'es' is not one of"),
])
def test_bad_input_names_language_and_field_and_stores_nothing(
    db: str, language: str, values: dict[str, str], field: str, problem: str
) -> None:
    admin = _admin()
    with pytest.raises(InvalidInput) as refused, session_scope() as s:
        change_organisation(s, admin, language, {**FRENCH, **values} if language == "fr" else values)
    assert refused.value.field == field and problem in refused.value.message
    if isinstance(refused.value, InvalidIdentity):
        assert refused.value.language == language
    with session_scope() as s:
        assert current_organisation_version(s) == 1


def test_a_stale_version_is_refused(db: str) -> None:
    admin = _admin()
    with session_scope() as s:
        change_organisation(s, admin, "fr", FRENCH, expected_version=1)
    with pytest.raises(OrganisationChanged, match="your version 1, current 2"), session_scope() as s:
        change_organisation(s, admin, "fr", {"name": "Autre"}, expected_version=1)
    with session_scope() as s:
        assert organisation_identity(s).in_language("fr").name == FRENCH["name"]


def test_versions_cannot_be_rewritten(db: str) -> None:
    with session_scope() as s:
        current_organisation_version(s)
    for statement in ("UPDATE organisation_identity SET name = 'forged'", "DELETE FROM organisation_version"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope() as s:
            s.execute(text(statement))


def test_settings_that_would_be_refused_are_named(db: str) -> None:
    override_settings(organisation_website="diplomatie.example.be")
    with pytest.raises(ConfigurationError, match="PRESSROOM_ORGANISATION_WEBSITE: .*http\\(s\\) URL"), \
            session_scope() as s:
        current_organisation_version(s)
