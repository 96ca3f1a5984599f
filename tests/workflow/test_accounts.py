"""Staff accounts in the domain: two admins deactivating each other at once leave one admin, a
one-time link is bound to the account's state, and one posted twice at once is used once."""

from __future__ import annotations

import threading

from sqlmodel import col, select

from core.db import session_scope
from core.errors import PressroomError
from tests import factories
from workflow import accounts
from workflow.errors import LastActiveAdmin, UnusableLink
from workflow.models import Role, User


def _race(ids: list[int | None]) -> list[object]:
    """Each admin deactivates the other, both at the same moment."""
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def deactivate(index: int) -> None:
        barrier.wait()
        try:
            with session_scope() as s:
                actor, target = s.get(User, ids[index]), s.get(User, ids[1 - index])
                assert actor is not None and target is not None
                outcomes[index] = accounts.set_active(s, actor, target, False).email
        except PressroomError as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=deactivate, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_admins_deactivating_each_other_at_once_leave_one(db: str) -> None:
    for _round in range(5):
        with session_scope() as s:
            for user in s.exec(select(User).where(User.role == Role.ADMIN)).all():
                user.role = Role.SPOKESPERSON
            ids = [factories.user(s, "admin").id, factories.user(s, "admin").id]
        outcomes = _race(ids)
        assert sorted(type(o).__name__ for o in outcomes) == ["LastActiveAdmin", "str"], outcomes
        with session_scope() as s:
            active = s.exec(select(User.id).where(col(User.id).in_(ids), User.active == True)).all()
        assert len(active) == 1


def test_a_link_dies_with_the_state_it_was_made_for(db: str) -> None:
    with session_scope() as s:
        user = accounts.invite(s, None, "nieuw@example.be", "Nieuw", "approver", "nl")
        token = accounts.link_token(user, accounts.INVITATION)
        assert accounts.user_for_link(s, accounts.INVITATION, token).id == user.id
        user.email = "ander@example.be"  # the address changed: the link was for the old one
        s.add(user)
        s.flush()
        try:
            accounts.user_for_link(s, accounts.INVITATION, token)
        except UnusableLink:
            pass
        else:
            raise AssertionError("a link outlived the address it was sent to")
        admin = factories.user(s, "admin")
        try:
            accounts.change_role(s, admin, admin, "approver")
        except LastActiveAdmin as refusal:
            assert "they are the last active admin" in refusal.message
        else:
            raise AssertionError("the last admin was demoted")


def _accept_twice(token: str) -> list[object]:
    """The same invitation link posted twice at the same moment."""
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def accept(index: int) -> None:
        barrier.wait()
        try:
            with session_scope() as s:
                outcomes[index] = accounts.set_password_by_link(s, accounts.INVITATION, token, f"hash-{index}").id
        except PressroomError as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_a_link_posted_twice_at_once_is_used_once(db: str) -> None:
    for round_ in range(5):
        with session_scope() as s:
            user = accounts.invite(s, None, f"tweemaal{round_}@example.be", "Tweemaal", "spokesperson", "nl")
            token = accounts.link_token(user, accounts.INVITATION)
        outcomes = _accept_twice(token)
        assert sorted(type(o).__name__ for o in outcomes) == ["UnusableLink", "int"], outcomes
