"""Event handlers of the delivery room: a published release becomes a distribution, a
withdrawn one stops (and, when asked, is followed by a withdrawal notice), an erased person
leaves no address behind in the delivery records.

`prepare_release_distribution` runs inside `core.outbox.handle_event`, so the Distribution, all
its Delivery rows and the `distribution.ready` event commit together with the handler's receipt:
a crash halfway leaves nothing, and a redelivered event finds the receipt and does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from sqlmodel import Session, col, select

from core.db import utcnow
from core.outbox import OutboxEvent, emit
from core.settings import get_settings
from delivery import engine
from delivery.models import DistributionStatus
from reports.clicks import erase_recipient_clicks
from subscribers.audience import Recipient, resolve_audience
from subscribers.models import MailingList
from workflow.models import Release
from workflow.service import current_content, current_revision
from workflow.states import State

log = logging.getLogger(__name__)


def _rows(batches: Iterator[list[Recipient]], not_before: object = None) -> Iterator[list[engine.RecipientRow]]:
    for batch in batches:
        yield [
            engine.RecipientRow(r.subscriber_id, r.email, r.name, r.language, r.list_id, not_before)  # type: ignore[arg-type]
            for r in batch
        ]


def prepare_release_distribution(session: Session, event: OutboxEvent) -> None:
    """Materialise one delivery per recipient of a just-published release.

    Under embargo, lists that receive embargoed news (journalists) are materialised first and
    go now; everyone else is held until the embargo lifts. Each person gets one delivery.
    """
    release = session.get(Release, event.subject_id)
    if release is None or release.state != State.PUBLISHED:  # withdrawn before it was prepared
        return
    revision = current_revision(session, release)
    content = current_content(session, release)
    distribution, _created = engine.create_distribution(
        session, f"release:{release.id}", "release", release.id, revision.id
    )
    if distribution.status != DistributionStatus.PREPARING:
        return
    languages = list(content.translations)
    size = get_settings().delivery_batch_size * 5
    now = utcnow()
    # Lists were checked at submission and publication; one deleted since then must not cost
    # the lists that remain their mail: those go, and the author and approvers hear of the rest.
    existing = set(session.exec(select(MailingList.slug).where(col(MailingList.slug).in_(content.lists))).all())
    targets = [slug for slug in content.lists if slug in existing]
    missing = [slug for slug in content.lists if slug not in existing]
    if missing:
        distribution.note = f"lists not found: {', '.join(missing)}"
        log.error("release %s: %s", release.id, distribution.note)
    if content.lists and not targets:
        distribution.status = DistributionStatus.FAILED
        distribution.finished_at = now
        session.add(distribution)
        engine.announce_end(session, distribution, distribution.note)
        return
    passes: list[tuple[list[str], object]] = []
    if release.embargo_until and release.embargo_until > now:
        early = list(session.exec(
            select(MailingList.slug).where(col(MailingList.slug).in_(targets), MailingList.receives_embargoed == True)
        ).all())
        if early:
            passes.append((early, None))
        passes.append((targets, release.embargo_until))
    elif targets:
        passes.append((targets, None))
    for lists, not_before in passes:
        audience = resolve_audience(session, lists, content.topics, languages, content.default_language,
                                    batch_size=size)
        engine.materialise(session, distribution, _rows(audience, not_before))
    if distribution.status == DistributionStatus.PREPARING:  # no target lists at all
        engine.materialise(session, distribution, [])
    engine.scrub_erased(session, [distribution.id or 0])  # erased while the audience was read
    emit(session, "distribution.ready", distribution.id, release_id=release.id, total=distribution.total)
    log.info("release %s: distribution %s with %s deliveries", release.id, distribution.id, distribution.total)


def _withdrawal_reason(event: OutboxEvent) -> str:
    return str(event.payload.get("comment") or "")


def stop_withdrawn_release(session: Session, event: OutboxEvent) -> None:
    """release.withdrawn: cancel every unsent delivery of the release, embargo-held ones
    included, and say so in the distribution and the release's audit log."""
    engine.stop_release(session, event.subject_id or 0, _withdrawal_reason(event))


def notify_withdrawal(session: Session, event: OutboxEvent) -> None:
    """release.withdrawn with `notify`: a withdrawal notice to everyone the release reached.

    The notice is its own distribution (`withdrawal:<release id>`), sent by the same engine, so
    the same checks hold at send time: whoever has since left the release's lists, been
    suppressed or erased gets nothing.
    """
    if not event.payload.get("notify"):
        return
    release = session.get(Release, event.subject_id)
    if release is None:
        return
    distribution, created = engine.create_distribution(
        session, f"withdrawal:{release.id}", "withdrawal", release.id, release.current_revision_id
    )
    if not created:
        return
    total = engine.materialise_from_sent(session, distribution, release.id or 0)
    emit(session, "distribution.ready", distribution.id, release_id=release.id, total=total)
    log.info("release %s: withdrawal notice to %s recipients", release.id, total)


def erase_deliveries(session: Session, event: OutboxEvent) -> None:
    """subscriber.erased: remove the person's address and name from every delivery row, and the
    per-recipient click records of their deliveries."""
    subscriber_id = event.payload.get("subscriber_id")
    if isinstance(subscriber_id, int):
        engine.erase_subscriber(session, subscriber_id)
        erase_recipient_clicks(session, subscriber_id)
