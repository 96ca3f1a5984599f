"""The editor's soft lock: taken when free, kept by heartbeats, taken over only after it lapsed
(audited), saves refused while a colleague holds it, and two takers racing: exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from core.db import get_engine, session_scope, utcnow
from core.settings import override_settings
from tests import factories
from tests.conftest import wait_until
from tests.schema_drift import schema_drift
from workflow import edit_locks, service
from workflow.errors import EditLocked
from workflow.models import User
from workflow.users import add_user


def _people_and_release() -> tuple[int, int, int]:
    with session_scope() as s:
        an = add_user(s, "an@example.be", "An Peeters", "spokesperson")
        ada = add_user(s, "root@example.be", "Ada Min", "admin")
        release_id = factories.release(s, an).id or 0
        return an.id or 0, ada.id or 0, release_id


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    assert user is not None
    return user


def test_take_beat_lapse_and_take_over(db: str) -> None:
    override_settings(edit_lock_heartbeat=10, edit_lock_lapse_beats=3)  # lapses 30 s after a beat
    an, ada, release_id = _people_and_release()
    start = utcnow()
    with session_scope() as s:
        mine = edit_locks.take(s, release_id, _user(s, an), now=start)
        assert mine.mine and mine.taken_at == start and mine.lapses_at == start + timedelta(seconds=30)
    with session_scope() as s:  # a beat keeps the time the editor was opened
        beat = edit_locks.heartbeat(s, release_id, _user(s, an), now=start + timedelta(seconds=25))
        assert beat is not None and beat.taken_at == start and beat.heartbeat_at == start + timedelta(seconds=25)
    with session_scope() as s, pytest.raises(EditLocked, match="being edited by an@example.be") as refused:
        edit_locks.take(s, release_id, _user(s, ada), now=start + timedelta(seconds=50))  # 25 s after the beat
    assert refused.value.holder_name == "An Peeters" and refused.value.since == start
    with session_scope() as s:  # Ada sees who edits, and that it has not lapsed
        seen = edit_locks.current(s, release_id, _user(s, ada), now=start + timedelta(seconds=50))
        assert seen is not None and not seen.mine and not seen.lapsed and seen.name == "An Peeters"
        # Ada cannot save over An's open editor; An can.
        with pytest.raises(EditLocked):
            edit_locks.check_may_save(s, release_id, _user(s, ada), now=start + timedelta(seconds=50))
        edit_locks.check_may_save(s, release_id, _user(s, an), now=start + timedelta(seconds=50))

    later = start + timedelta(seconds=56)  # 31 s after An's last beat: lapsed
    with session_scope() as s:
        assert edit_locks.current(s, release_id, _user(s, ada), now=later).lapsed  # type: ignore[union-attr]
        taken = edit_locks.take(s, release_id, _user(s, ada), now=later)
        assert taken.mine and taken.taken_at == later
    with session_scope() as s:  # An's next beat learns the editor is Ada's; it does not take it back
        beat = edit_locks.heartbeat(s, release_id, _user(s, an), now=later + timedelta(seconds=1))
        assert beat is not None and not beat.mine and beat.email == "root@example.be"
        log = [(e.action, e.actor_label, e.comment) for e in service.audit_log(s, release_id)]
    assert log[-1] == ("edit_taken_over", "root@example.be", "took over the editor from an@example.be")
    # An's save, with the editor now Ada's, is refused with who holds it: nothing is stored.
    with session_scope() as s, pytest.raises(EditLocked, match="root@example.be"):
        service.edit_release(s, release_id, _user(s, an), factories.content(
            translations={"nl": {"title": "Nieuwe titel", "body": "Tekst."}}))
    with session_scope() as s:
        assert service.current_revision(s, service.get_release(s, release_id)).number == 1


def test_a_deactivated_holder_does_not_hold_the_editor(db: str) -> None:
    override_settings(edit_lock_heartbeat=10, edit_lock_lapse_beats=3)
    an, ada, release_id = _people_and_release()
    start = utcnow()
    with session_scope() as s:  # Ada's live lock, then Ada is deactivated: she can neither beat nor save
        edit_locks.take(s, release_id, _user(s, ada), now=start)
        _user(s, ada).active = False
    with session_scope() as s:  # An need not wait for the lock to lapse
        seen = edit_locks.current(s, release_id, _user(s, an), now=start + timedelta(seconds=1))
        assert seen is not None and seen.lapsed
        edit_locks.check_may_save(s, release_id, _user(s, an), now=start + timedelta(seconds=1))
        assert edit_locks.take(s, release_id, _user(s, an), now=start + timedelta(seconds=1)).mine
        log = [(e.action, e.comment) for e in service.audit_log(s, release_id)]
    assert log[-1] == ("edit_taken_over", "took over the editor from root@example.be")


def test_two_colleagues_taking_a_lapsed_lock_at_once_one_wins(postgresql_db: str) -> None:
    """On PostgreSQL the second conditional UPDATE waits for the first's row lock, then finds the
    heartbeat fresh and changes nothing: the second taker is refused, not silently let in."""
    override_settings(edit_lock_heartbeat=1, edit_lock_lapse_beats=2)
    an, ada, release_id = _people_and_release()
    with session_scope() as s:
        third = add_user(s, "marc@example.be", "Marc Dubois", "admin").id or 0
        edit_locks.take(s, release_id, _user(s, an), now=utcnow() - timedelta(minutes=5))  # long lapsed
    first = Session(get_engine())
    edit_locks.take(first, release_id, _user(first, ada))  # holds the row, not committed yet
    outcome: list[object] = []

    def second() -> None:
        with session_scope() as s:
            try:
                outcome.append(edit_locks.take(s, release_id, _user(s, third)))
            except EditLocked as exc:
                outcome.append(exc)

    racer = threading.Thread(target=second)
    racer.start()
    with get_engine().connect() as probe:  # the second taker waits on the first's row lock
        wait_until(lambda: probe.execute(text(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()")).scalar(), 30,
            "the second taker to wait for the row")
    first.commit()
    first.close()
    racer.join(30)
    [result] = outcome
    assert isinstance(result, EditLocked) and result.holder == "root@example.be"
    with session_scope() as s:
        held = edit_locks.current(s, release_id, _user(s, ada))
        assert held is not None and held.mine
        takeovers = [e for e in service.audit_log(s, release_id) if e.action == "edit_taken_over"]
        assert [e.actor_label for e in takeovers] == ["root@example.be"]


def test_the_first_two_takers_of_a_never_opened_release_one_wins(postgresql_db: str) -> None:
    """No row yet: both INSERT; the primary key lets one in and the other is refused."""
    an, ada, release_id = _people_and_release()
    first = Session(get_engine())
    edit_locks.take(first, release_id, _user(first, an))
    outcome: list[object] = []

    def second() -> None:
        with session_scope() as s:
            try:
                outcome.append(edit_locks.take(s, release_id, _user(s, ada)))
            except EditLocked as exc:
                outcome.append(exc)

    racer = threading.Thread(target=second)
    racer.start()
    with get_engine().connect() as probe:
        wait_until(lambda: probe.execute(text(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()")).scalar(), 30,
            "the second taker to wait for the first's row")
    first.commit()
    first.close()
    racer.join(30)
    [result] = outcome
    assert isinstance(result, EditLocked) and result.holder == "an@example.be"


def test_migration_0018_matches_the_models(db: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from core import migrate
    from core.db import dispose_engines

    tables = {"release_comment", "edit_lock"}
    assert schema_drift(db, tables) == []
    dispose_engines()
    command.downgrade(migrate.alembic_config(db), "0018-1")
    assert not tables & set(inspect(get_engine(db)).get_table_names())
    dispose_engines()
    migrate.upgrade(db)
    assert schema_drift(db, tables) == []
