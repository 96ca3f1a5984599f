"""`pressroom organisation show | set | history`: the identity per language from the command line,
admins only, bad input refused with exit 2 and nothing stored."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import fails, invoker, ok

ADMIN, SPOKES = "root@example.be", "an@example.be"


@pytest.fixture
def run(db: str):  # type: ignore[no-untyped-def]
    invoke = invoker()
    assert invoke("users", "add", ADMIN, "--name", "Ada", "--role", "admin").exit_code == 0
    assert invoke("users", "add", SPOKES, "--name", "An", "--role", "spokesperson").exit_code == 0
    return invoke


def _show(run, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(ok(run("organisation", "show", "--json", *args)).output)  # type: ignore[no-any-return]


def test_set_show_and_history(run) -> None:  # type: ignore[no-untyped-def]
    first = _show(run)
    assert first["version"] == 1 and first["created_by"] == "settings"
    assert first["effective"]["fr"]["name"] == "FOD Buitenlandse Zaken — SPF Affaires étrangères"

    made = ok(run("organisation", "set", "--language", "fr", "--name", "SPF Affaires étrangères",
                   "--address", "Rue des Petits Carmes 15, 1000 Bruxelles", "--phone", "+32 2 501 81 11",
                   "--website", "https://diplomatie.example.be/fr", "--as", ADMIN))
    assert made.output.strip() == "organisation version 2: fr: name, address, phone, website"
    current = _show(run)
    assert current["version"] == 2 and current["created_by"] == ADMIN
    assert current["effective"]["fr"] == {
        "name": "SPF Affaires étrangères", "address": "Rue des Petits Carmes 15, 1000 Bruxelles",
        "phone": "+32 2 501 81 11", "website": "https://diplomatie.example.be/fr", "logo_url": ""}
    assert current["effective"]["en"]["name"] == first["effective"]["nl"]["name"]  # falls back to nl
    assert _show(run, "--version", "1") == first  # the old version, unchanged

    text = ok(run("organisation", "show")).output
    assert "SPF Affaires étrangères" in text and "Karmelietenstraat 15, 1000 Brussel  (from nl)" in text

    assert "no change" in ok(run("organisation", "set", "--language", "fr", "--phone", "+32 2 501 81 11",
                                  "--as", ADMIN)).output
    ok(run("organisation", "set", "--language", "nl", "--email", "pers@diplomatie.example.be", "--as", ADMIN,
            "--version", "2"))
    history = json.loads(ok(run("organisation", "history", "--json")).output)
    assert [(h["version"], h["created_by"], h["change"]) for h in history] == [
        (3, ADMIN, "e-mail"), (2, ADMIN, "fr: name, address, phone, website"),
        (1, "settings", "first version, from the PRESSROOM_ORGANISATION_* settings")]
    table = ok(run("organisation", "history")).output.splitlines()
    assert table[0].split() == ["VERSION", "CREATED_AT", "CREATED_BY", "CHANGE"] and len(table) == 4


def test_only_admins_may_change_it(run) -> None:  # type: ignore[no-untyped-def]
    fails(run("organisation", "set", "--language", "fr", "--name", "SPF", "--as", SPOKES), 4,
           "an@example.be may not change the organisation: needs role admin")
    fails(run("organisation", "set", "--language", "fr", "--name", "SPF", "--as", "nobody@example.be"), 3,
           "user nobody@example.be not found")
    assert _show(run)["version"] == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--website", "ftp://diplomatie.example.be"], "fr.website: the website must be an http(s) URL"),
    (["--logo-url", "javascript:alert(1)"], "fr.logo_url: the logo url must be an http(s) URL"),
    (["--phone", "ask for Anouk"], "fr.phone: 'ask for Anouk' is not a phone number"),
    (["--name", "SPF\x07"], "fr.name: the name must be one line without control characters"),
    (["--email", "pers at diplomatie"], "email:"),
    ([], "nothing to change: give at least one of --name"),
])
def test_bad_input_exits_2_and_stores_nothing(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    fails(run("organisation", "set", "--language", "fr", "--name", "SPF Affaires étrangères", *args, "--as", ADMIN)
           if args else run("organisation", "set", "--language", "fr", "--as", ADMIN), 2, message)
    assert _show(run)["version"] == 1


def test_unknown_language_version_and_stale_version(run) -> None:  # type: ignore[no-untyped-def]
    fails(run("organisation", "set", "--language", "es", "--name", "Asuntos", "--as", ADMIN), 2,
           "language: 'es' is not one of nl, fr, en, de")
    fails(run("organisation", "show", "--version", "9"), 3, "organisation version 9 not found")
    ok(run("organisation", "set", "--language", "fr", "--name", "SPF", "--as", ADMIN))
    fails(run("organisation", "set", "--language", "fr", "--name", "SPF bis", "--as", ADMIN, "--version", "1"), 5,
           "your version 1, current 2")
