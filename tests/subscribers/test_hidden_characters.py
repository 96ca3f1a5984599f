"""List names and descriptions, and subscribers' names and organisations, refuse text that lies
(core/text.py) at every door: creating and changing a list, the public sign-up, an admin adding
someone, the preferences page and a CSV import. The refusal names the field, the character and
its position, and nothing is stored or changed; accented, Arabic and Hebrew text is kept."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlmodel import col, select

from core.db import session_scope
from core.outbox import OutboxEvent
from core.text import HiddenCharacter
from subscribers import (
    add_subscriber,
    create_list,
    get_subscriber,
    import_csv,
    subscribe,
    update_list,
    update_preferences,
)
from subscribers.models import MailingList, Subscriber, Subscription
from tests.core.test_text import HONEST, LIES

CASES = [(lie, expected) for lie, expected in LIES.items()]


def _refused(field: str, expected: str) -> Any:
    return pytest.raises(HiddenCharacter, match=f"^{field}: {re.escape(expected)} ")


def _stored() -> list[Any]:
    """Everything these doors can write: lists, subscribers, subscriptions, events."""
    with session_scope() as s:
        return [
            [m.model_dump() for m in s.exec(select(MailingList).order_by(col(MailingList.id))).all()],
            [p.model_dump() for p in s.exec(select(Subscriber).order_by(col(Subscriber.id))).all()],
            [p.model_dump() for p in s.exec(select(Subscription).order_by(col(Subscription.id))).all()],
            len(s.exec(select(OutboxEvent.id)).all()),
        ]


@pytest.mark.parametrize(("lie", "expected"), CASES)
def test_lists_are_neither_created_nor_changed_with_a_lying_name_or_description(
    lists: dict[str, int], lie: str, expected: str
) -> None:
    before = _stored()
    with _refused("name", expected), session_scope() as s:
        create_list(s, "press", lie)
    with _refused("description", expected), session_scope() as s:
        create_list(s, "press", "Press", description=lie)
    with _refused("name", expected), session_scope() as s:
        update_list(s, "journalists", name=lie, description="Nieuw")
    with _refused("description", expected), session_scope() as s:
        update_list(s, "journalists", name="Nieuw", description=lie)
    assert _stored() == before


def test_lists_keep_accented_arabic_and_hebrew_names(db: str) -> None:
    with session_scope() as s:
        for number, text in enumerate(HONEST):
            create_list(s, f"list-{number}", text, description=text)
        update_list(s, "list-0", name=HONEST[1], description=HONEST[2])
    with session_scope() as s:
        shown = s.exec(select(MailingList.name, MailingList.description).order_by(col(MailingList.id))).all()
    assert [tuple(row) for row in shown] == [(HONEST[1], HONEST[2]), (HONEST[1], HONEST[1]), (HONEST[2], HONEST[2])]


@pytest.mark.parametrize("field", ["name", "organisation"])
@pytest.mark.parametrize(("lie", "expected"), CASES)
def test_sign_up_and_admin_add_refuse_a_lying_name(
    lists: dict[str, int], field: str, lie: str, expected: str
) -> None:
    with session_scope() as s:
        add_subscriber(s, "els@example.org", "journalists", name="Els", confirmed=True)
    before = _stored()
    details: dict[str, Any] = {field: lie}
    with _refused(field, expected), session_scope() as s:
        subscribe(s, "nieuw@example.org", "public", **details)
    with _refused(field, expected), session_scope() as s:  # a new person, by an admin
        add_subscriber(s, "ander@example.org", "diplomats", **details)
    with _refused(field, expected), session_scope() as s:  # renaming someone known
        add_subscriber(s, "els@example.org", "public", **details)
    assert _stored() == before


@pytest.mark.parametrize(("lie", "expected"), CASES)
def test_the_preferences_page_refuses_a_lying_name(lists: dict[str, int], lie: str, expected: str) -> None:
    with session_scope() as s:
        add_subscriber(s, "els@example.org", "journalists", name="Els", confirmed=True)
    before = _stored()
    with _refused("name", expected), session_scope() as s:
        update_preferences(s, get_subscriber(s, "els@example.org"), name=lie, lists=["public"])
    assert _stored() == before


def test_an_import_rejects_the_lying_rows_with_their_line_and_keeps_the_rest(lists: dict[str, int]) -> None:
    rows = ["email;name;organisation"]
    rows += [f"lie{n}@example.org;{lie};" for n, lie in enumerate(LIES)]
    rows += [f"org{n}@example.org;Els;{lie}" for n, lie in enumerate(LIES)]
    rows += [f"ok{n}@example.org;{text};{text}" for n, text in enumerate(HONEST)]
    report = import_csv(session_scope, io.BytesIO("\r\n".join(rows).encode()), "journalists",  # type: ignore[arg-type]
                        confirmed=True)
    override, space = LIES.values()
    reorders = "reorders the text around it, so the text would not show what it says; remove it"
    invisible = "is invisible, so the text would not show what it says; remove it"
    assert [str(p) for p in report.rejected] == [
        f"line 2: name: {override} {reorders}",
        f"line 3: name: {space} {invisible}",
        f"line 4: organisation: {override} {reorders}",
        f"line 5: organisation: {space} {invisible}",
    ]
    with session_scope() as s:
        kept = s.exec(select(Subscriber.email, Subscriber.name, Subscriber.organisation)
                      .order_by(col(Subscriber.email))).all()
    assert [tuple(row) for row in kept] == [(f"ok{n}@example.org", t, t) for n, t in enumerate(HONEST)]


def test_sign_up_and_preferences_keep_accented_arabic_and_hebrew_names(lists: dict[str, int]) -> None:
    with session_scope() as s:
        for number, text in enumerate(HONEST):
            subscribe(s, f"p{number}@example.org", "public", name=text, organisation=text)
        update_preferences(s, get_subscriber(s, "p0@example.org"), name=HONEST[2])
    with session_scope() as s:
        kept = s.exec(select(Subscriber.name, Subscriber.organisation).order_by(col(Subscriber.id))).all()
    assert [tuple(row) for row in kept] == [(HONEST[2], HONEST[0]), (HONEST[1], HONEST[1]), (HONEST[2], HONEST[2])]
