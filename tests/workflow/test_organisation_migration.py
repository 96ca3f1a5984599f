"""Migration 0007: the organisation tables match the models, the one-row `organisation` table is
carried over as version 1 in the default language (with the logo PRESSROOM_LOGO_URL put in mail),
and downgrading puts the current version's default-language identity back."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from core import migrate
from core.db import dispose_engines, get_engine, session_scope
from core.models import load_all_models
from core.settings import override_settings
from delivery.compose import organisation_sender
from tests import factories
from workflow.organisation import change_organisation, organisation_history


def _organisation_diffs(url: str) -> list[object]:
    load_all_models()
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, SQLModel.metadata) if "organisation" in repr(d)]


def _tables(url: str) -> set[str]:
    return set(inspect(get_engine(url)).get_table_names())


def test_the_organisation_row_becomes_version_one_and_comes_back(db: str) -> None:
    assert _organisation_diffs(db) == []
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0005")
    assert "organisation" in _tables(db) and "organisation_version" not in _tables(db)
    with get_engine(db).begin() as connection:
        connection.execute(text(
            "INSERT INTO organisation (id, name, address, website, email, logo_url) VALUES "
            "(1, 'Ministerie van Buitenlandse Zaken', 'Rue des Petits Carmes 15, 1000 Brussel', "
            "'https://diplomatie.example.be', 'pers@diplomatie.example.be', '')"
        ))
    dispose_engines()
    override_settings(default_language="fr", logo_url="https://diplomatie.example.be/logo.png")
    migrate.upgrade(db)
    assert "organisation" not in _tables(db)
    assert _organisation_diffs(db) == []
    with session_scope() as s:
        [first] = organisation_history(s)
        sender = organisation_sender(s, "nl")
    assert (first.number, first.default_language, first.created_by) == (1, "fr", "migration")
    assert list(first.own) == ["fr"]
    assert sender.name == "Ministerie van Buitenlandse Zaken" and sender.phone == ""
    assert sender.email == "pers@diplomatie.example.be"
    assert sender.logo_url == "https://diplomatie.example.be/logo.png"  # what mail printed before

    with session_scope() as s:
        admin = factories.user(s, "admin")
        change_organisation(s, admin, "fr", {"name": "SPF Affaires étrangères", "phone": "+32 2 501 81 11"})
        change_organisation(s, admin, "nl", {"name": "FOD Buitenlandse Zaken"})
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0005")
    assert "organisation_version" not in _tables(db) and "organisation_identity" not in _tables(db)
    with get_engine(db).connect() as connection:
        rows = connection.execute(text("SELECT id, name, email, logo_url FROM organisation")).all()
    assert [tuple(row) for row in rows] == [
        (1, "SPF Affaires étrangères", "pers@diplomatie.example.be", "https://diplomatie.example.be/logo.png")]
    dispose_engines()
    migrate.upgrade(db)
    assert _organisation_diffs(db) == []


def test_an_empty_database_gets_version_one_from_the_settings_on_first_use(db: str) -> None:
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0005")
    migrate.upgrade(db)
    with get_engine(db).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM organisation_version")).scalar() == 0
    with session_scope() as s:
        [first] = organisation_history(s)
    assert first.created_by == "settings"
