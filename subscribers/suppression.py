"""The suppression list: addresses that are never mailed, whatever list they are on.

Hard bounces and complaints (from the delivery room), admin removals and erasures put an
address here; only an admin lifts it. Entries are keyed by the SHA-256 of the normalised
address, so an erased person stays suppressed although their address is gone, and a
re-import under any spelling of the address is still recognised.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlmodel import Session, col, select

from core.errors import InvalidInput, NotFound
from subscribers.models import Suppression, SuppressionReason
from subscribers.validation import address_hash, normalise_email

log = logging.getLogger(__name__)


def find_suppression(session: Session, email: str) -> Suppression | None:
    """The suppression entry for any spelling of this address, or None."""
    return session.get(Suppression, address_hash(normalise_email(email, lookup=True)))


def suppress(
    session: Session,
    email: str,
    reason: SuppressionReason | str = SuppressionReason.ADMIN,
    detail: str = "",
    actor: str = "",
) -> Suppression:
    """Put an address on the suppression list and return its entry.

    Suppressing an address that is already suppressed changes nothing: the first cause and
    time are kept, because that is what an admin deciding to lift it needs to see.
    """
    try:
        cause = SuppressionReason(reason)
    except ValueError:
        choices = ", ".join(r.value for r in SuppressionReason)
        raise InvalidInput("reason", f"{reason!r} is not one of {choices}") from None
    address = normalise_email(email, lookup=True)  # never mailed anyway: any stored address
    key = address_hash(address)
    entry = session.get(Suppression, key)
    if entry is not None:
        return entry
    entry = Suppression(
        address_hash=key,
        email=None if cause is SuppressionReason.ERASED else address,
        reason=cause,
        detail=detail.strip()[:500],
        created_by=actor[:254],
    )
    session.add(entry)
    session.flush()
    log.info("suppressed %s (%s)", key[:12], cause.value)
    return entry


def unsuppress(session: Session, email: str, actor: str = "") -> Suppression:
    """Lift the suppression of an address; raises NotFound if it is not suppressed.

    Subscriptions are left as they are: confirmed ones receive mail again, and an erased
    person would have to subscribe anew.
    """
    entry = find_suppression(session, email)
    if entry is None:
        raise NotFound("suppression of", email)
    session.delete(entry)
    session.flush()
    log.info("suppression of %s lifted by %s", entry.address_hash[:12], actor or "an admin")
    return entry


def suppressed_hashes(session: Session, hashes: Iterable[str]) -> dict[str, SuppressionReason]:
    """Which of these address hashes are suppressed, and why."""
    wanted = list(set(hashes))
    if not wanted:
        return {}
    rows = session.exec(
        select(Suppression.address_hash, Suppression.reason).where(
            col(Suppression.address_hash).in_(wanted)
        )
    ).all()
    return {key: SuppressionReason(reason) for key, reason in rows}


def list_suppressions(session: Session, limit: int = 1000) -> list[Suppression]:
    """The most recent entries first."""
    return list(
        session.exec(
            select(Suppression).order_by(col(Suppression.created_at).desc()).limit(limit)
        ).all()
    )
