"""Names of staff and contacts refuse text that lies (core/text.py): a direction override or an
invisible character is refused with the field, the character and its position, and nothing is
stored or changed; accented, Arabic and Hebrew names are kept as typed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlmodel import col, select

from cli.main import cli
from core.db import session_scope
from core.text import HiddenCharacter
from tests import factories
from tests.core.test_text import HONEST, LIES
from workflow.models import Contact, Release, User
from workflow.users import add_user, upsert_contact


def _users() -> list[tuple[str, str]]:
    with session_scope() as s:
        return [(u.email, u.name) for u in s.exec(select(User).order_by(col(User.id))).all()]


def _contacts() -> list[dict[str, Any]]:
    with session_scope() as s:
        return [c.model_dump() for c in s.exec(select(Contact).order_by(col(Contact.id))).all()]


@pytest.mark.parametrize(("name", "expected"), LIES.items())
def test_add_user_refuses_a_lying_name_and_stores_nobody(db: str, name: str, expected: str) -> None:
    with pytest.raises(HiddenCharacter, match=f"^name: {re.escape(expected)} "), session_scope() as s:
        add_user(s, "an@example.be", name, "spokesperson")
    assert _users() == []


def test_add_user_keeps_accented_arabic_and_hebrew_names(db: str) -> None:
    with session_scope() as s:
        for number, name in enumerate(HONEST):
            add_user(s, f"person{number}@example.be", name, "spokesperson")
    assert [name for _, name in _users()] == list(HONEST)


@pytest.mark.parametrize("field", ["name", "phone", "mobile", "function"])
@pytest.mark.parametrize(("lie", "expected"), LIES.items())
def test_a_contact_is_neither_created_nor_changed_with_a_lying_field(
    db: str, field: str, lie: str, expected: str
) -> None:
    with session_scope() as s:
        upsert_contact(s, {"email": "anouk@example.be", "name": "Anouk Peeters", "phone": "+32 2 501 81 11",
                           "function": {"nl": "Woordvoerder", "fr": "Porte-parole"}})
    before = _contacts()
    value: Any = {"nl": "Woordvoerder", "fr": lie} if field == "function" else lie
    where = "contacts.function.fr" if field == "function" else f"contacts.{field}"
    for address in ("anouk@example.be", "nieuw@example.be"):  # an update, then a new contact
        data = {"email": address, "name": "Anouk Peeters", field: value}
        with pytest.raises(HiddenCharacter, match=f"^{where}: {re.escape(expected)} "), session_scope() as s:
            upsert_contact(s, data)
        assert _contacts() == before


def test_contacts_keep_accented_arabic_and_hebrew_text(db: str) -> None:
    with session_scope() as s:
        for number, name in enumerate(HONEST):
            upsert_contact(s, {"email": f"c{number}@example.be", "name": name, "function": {"fr": name}})
    assert [(c["name"], c["function"]) for c in _contacts()] == [(n, {"fr": n}) for n in HONEST]


def test_a_release_file_with_a_lying_contact_creates_nothing(db: str, tmp_path: Path) -> None:
    with session_scope() as s:
        factories.user(s, email="an@example.be")
    file = tmp_path / "release.md"
    file.write_text(
        "---\ntitle: Minister bezoekt Kinshasa\n"
        'contacts:\n  - {name: "Minister\\u202egnp.exe", email: woordvoerder@example.be}\n'
        "---\nDe minister reist af.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["releases", "new", str(file), "--as", "an@example.be"])
    assert result.exit_code == 2, (result.output, result.stderr)
    assert result.stderr.startswith(f"error: {file}: contact_details.0.name: character U+202E "
                                    "RIGHT-TO-LEFT OVERRIDE at position 9 ")
    assert _contacts() == []
    with session_scope() as s:
        assert s.exec(select(Release)).all() == []


def test_users_add_on_the_command_line_says_what_and_where(db: str) -> None:
    result = CliRunner().invoke(
        cli, ["users", "add", "jan@example.be", "--name", "Jan\u200bPeeters", "--role", "approver"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: name: character U+200B ZERO WIDTH SPACE at position 4 is invisible, so the text "
        "would not show what it says; remove it"
    )
    assert _users() == []
