"""Embargo is a property of a closed audience: a list that receives embargoed releases must be
private, however it is created or changed, and a refusal changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from core.db import session_scope
from subscribers import EmbargoNeedsPrivateList, create_list, update_list
from subscribers.models import MailingList


def _lists() -> dict[str, tuple[str, bool, str]]:
    with session_scope() as s:
        return {
            m.slug: (m.visibility.value, m.receives_embargoed, m.name)
            for m in s.exec(select(MailingList).order_by(col(MailingList.slug))).all()
        }


def test_the_cli_refuses_a_public_list_that_would_receive_embargoed_releases(run) -> None:  # type: ignore[no-untyped-def]
    refused = run("lists", "add", "journalists", "--name", "Journalists", "--receives-embargoed", code=2)
    message = refused.stderr.strip()
    assert len(message.splitlines()) == 1 and message.startswith("error: receives_embargoed: ")
    assert "'journalists'" in message and "(visibility)" in message and "make the list private" in message
    assert _lists() == {}

    run("lists", "add", "journalists", "--name", "Journalists", "--private", "--receives-embargoed")
    run("lists", "add", "public", "--name", "Public")
    assert _lists() == {"journalists": ("private", True, "Journalists"), "public": ("public", False, "Public")}


def test_a_list_cannot_be_changed_into_a_public_embargo_list(db: str) -> None:
    with session_scope() as s:
        create_list(s, "journalists", "Journalists", visibility="private", receives_embargoed=True)
        create_list(s, "public", "Public")
    before = _lists()

    with session_scope() as s, pytest.raises(EmbargoNeedsPrivateList) as opened:
        update_list(s, "journalists", name="Renamed", visibility="public")  # the rename is refused too
    assert opened.value.field == "visibility"
    with session_scope() as s, pytest.raises(EmbargoNeedsPrivateList) as flagged:
        update_list(s, "public", description="Now early", receives_embargoed=True)
    assert flagged.value.field == "receives_embargoed" and "'public'" in flagged.value.message
    assert _lists() == before

    with session_scope() as s:  # both at once is a consistent change: no longer embargoed, public
        update_list(s, "journalists", visibility="public", receives_embargoed=False)
        update_list(s, "public", visibility="private", receives_embargoed=True)
    assert _lists() == {"journalists": ("public", False, "Journalists"), "public": ("private", True, "Public")}
