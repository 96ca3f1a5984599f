"""The editor's soft lock: who has a release open, since when, and whether they are still there.

Opening the editor takes the release's one `EditLock` row if it is free, the opener's own, or
lapsed (no heartbeat for `PRESSROOM_EDIT_LOCK_LAPSE_BEATS` × `PRESSROOM_EDIT_LOCK_HEARTBEAT`
seconds, or its holder was deactivated and so can neither beat nor save); otherwise the opener
sees who is editing and since when. Taking it is one conditional UPDATE (or the first INSERT,
guarded by the primary key), so of two colleagues who take a lapsed lock at once exactly one
wins, on SQLite and PostgreSQL alike. A save is refused while someone
else holds a live lock (`check_may_save`); the lock is soft: it never blocks reading, and it
needs no service beyond this row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from core.db import as_utc, utcnow
from core.settings import get_settings
from workflow.errors import EditLocked
from workflow.models import EditLock, User


def lapse() -> timedelta:
    """How long a lock lives without a heartbeat."""
    settings = get_settings()
    return timedelta(seconds=settings.edit_lock_heartbeat * settings.edit_lock_lapse_beats)


@dataclass(frozen=True)
class LockView:
    """The lock as a page shows it: who holds it, since when, when it lapses, whether it is the
    reader's own and whether it has lapsed already."""

    release_id: int
    user_id: int
    email: str
    name: str
    taken_at: datetime
    heartbeat_at: datetime
    mine: bool
    lapsed: bool

    @property
    def lapses_at(self) -> datetime:
        return self.heartbeat_at + lapse()

    def as_json(self) -> dict[str, object]:
        return {"release_id": self.release_id, "held": self.mine, "holder": self.email, "name": self.name,
                "taken_at": self.taken_at.isoformat(), "heartbeat_at": self.heartbeat_at.isoformat(),
                "lapses_at": self.lapses_at.isoformat(), "lapsed": self.lapsed}


def current(session: Session, release_id: int, reader: User, now: datetime | None = None) -> LockView | None:
    """The release's lock as `reader` sees it, or None when nobody ever opened it."""
    row = session.get(EditLock, release_id)
    if row is None:
        return None
    session.refresh(row)  # another transaction may have moved it since this session read it
    holder = session.get(User, row.user_id)
    moment = now or utcnow()
    beat = as_utc(row.heartbeat_at)
    lapsed = beat + lapse() <= moment or holder is None or not holder.active
    return LockView(release_id, row.user_id, holder.email if holder else "", holder.name if holder else "",
                    as_utc(row.taken_at), beat, row.user_id == reader.id, lapsed)


def take(session: Session, release_id: int, user: User, now: datetime | None = None) -> LockView:
    """Hold the release's lock: free, already `user`'s (a beat), or lapsed (a takeover, written to
    the audit log). Raises EditLocked naming the colleague whose lock is live."""
    moment = now or utcnow()
    previous = session.get(EditLock, release_id)
    previous_holder = previous.user_id if previous is not None else None
    result = session.execute(
        update(EditLock)
        .where(col(EditLock.release_id) == release_id,
               or_(col(EditLock.user_id) == user.id, col(EditLock.heartbeat_at) <= moment - lapse(),
                   col(EditLock.user_id).not_in(select(col(User.id)).where(col(User.active).is_(True)))))
        # The holder's own beat keeps the time they opened the editor; a takeover starts anew.
        .values(user_id=user.id, heartbeat_at=moment,
                taken_at=case((col(EditLock.user_id) == user.id, col(EditLock.taken_at)), else_=moment))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        if previous is None and _insert(session, release_id, user, moment):
            return _seen(session, release_id, user, moment)
        raise _locked(session, release_id, user, moment)
    if previous_holder is not None and previous_holder != user.id:
        from workflow.service import record_note

        before = session.get(User, previous_holder)
        record_note(session, release_id, "edit_taken_over",
                    f"took over the editor from {before.email if before else previous_holder}", user)
    return _seen(session, release_id, user, moment)


def heartbeat(session: Session, release_id: int, user: User, now: datetime | None = None) -> LockView | None:
    """Keep `user`'s lock alive; the lock as it now stands (someone else's, when it was taken over
    after lapsing), or None if it does not exist."""
    moment = now or utcnow()
    session.execute(
        update(EditLock)
        .where(col(EditLock.release_id) == release_id, col(EditLock.user_id) == user.id)
        .values(heartbeat_at=moment)
        .execution_options(synchronize_session=False)
    )
    return current(session, release_id, user, moment)


def check_may_save(session: Session, release_id: int, user: User, now: datetime | None = None) -> None:
    """Refuse a save (EditLocked) while a colleague holds a live lock on the release; a save by
    the holder, or on a free or lapsed lock, goes ahead (an editor that saves holds the lock)."""
    view = current(session, release_id, user, now)
    if view is not None and not view.mine and not view.lapsed:
        raise EditLocked(release_id, view.email, view.name, view.taken_at, view.lapses_at)


def _insert(session: Session, release_id: int, user: User, moment: datetime) -> bool:
    """The first lock on the release; False when a colleague's INSERT won the race."""
    try:
        with session.begin_nested():
            session.add(EditLock(release_id=release_id, user_id=user.id or 0, taken_at=moment, heartbeat_at=moment))
    except IntegrityError:
        return False
    return True


def _seen(session: Session, release_id: int, user: User, moment: datetime) -> LockView:
    view = current(session, release_id, user, moment)
    assert view is not None  # taken just now, in this transaction
    return view


def _locked(session: Session, release_id: int, user: User, moment: datetime) -> EditLocked:
    view = current(session, release_id, user, moment)
    if view is None:  # a colleague's INSERT won, and its row is not visible here yet
        return EditLocked(release_id, "a colleague", "a colleague", moment, moment + lapse())
    return EditLocked(release_id, view.email, view.name, view.taken_at, view.lapses_at)
