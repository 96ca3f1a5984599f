"""Event handlers of the delivery room: a published release becomes a distribution, a
withdrawn one stops (and, when asked, is followed by a withdrawal notice), an erased person
leaves no address behind in the delivery records.

A release's mailing is prepared in two event handlers, each inside `core.outbox.handle_event`
(so each step commits with its receipt, and a redelivered event does nothing twice):
`prepare_release_distribution` (release.published) creates the distribution and inserts the
deliveries of the priority lists, which go at once; `prepare_remaining_deliveries`
(distribution.preparing) inserts everyone else. Both insert with `INSERT … SELECT` from the one
audience rule of `subscribers.audience`: a million recipients never pass through Python.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.db import as_utc, utcnow
from core.outbox import OutboxEvent, emit
from delivery import engine
from delivery.models import Distribution, DistributionStatus
from reports.clicks import erase_recipient_clicks
from subscribers.audience import AudienceRule, audience_rule
from subscribers.models import MailingList
from workflow.content import ReleaseContent
from workflow.models import Release
from workflow.service import current_content, current_revision
from workflow.states import State

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Plan:
    """How a release's audience is materialised: the target lists, in the release's order, and
    which of them go first."""

    release: Release
    content: ReleaseContent
    targets: list[str]
    missing: list[str]
    priority: list[str]
    hold_until: datetime | None

    def groups(self, session: Session, priority_only: bool = False) -> list[tuple[AudienceRule, datetime | None]]:
        """(audience rule, not before) per INSERT … SELECT, in the order they must go."""
        everyone = audience_rule(session, self.targets, self.content.topics, list(self.content.translations),
                                 self.content.default_language)
        groups: list[tuple[AudienceRule, datetime | None]] = []
        if self.priority:
            first = [list_id for list_id, slug in zip(everyone.list_ids, self.targets, strict=True)
                     if slug in self.priority]
            groups.append((everyone.only(first), None))
        if not priority_only and self.targets:
            groups.append((everyone, self.hold_until))
        return groups


def _plan(session: Session, release: Release, now: datetime) -> _Plan:
    content = current_content(session, release)
    # Lists were checked at submission and publication; one deleted since then must not cost
    # the lists that remain their mail: those go, and the author and approvers hear of the rest.
    found = {m.slug: m for m in session.exec(select(MailingList).where(col(MailingList.slug).in_(content.lists)))}
    targets = [slug for slug in content.lists if slug in found]
    priority = [slug for slug in targets if found[slug].receives_embargoed]
    held = release.embargo_until is not None and as_utc(release.embargo_until) > now
    return _Plan(release, content, targets, [slug for slug in content.lists if slug not in found],
                 priority, as_utc(release.embargo_until) if held and release.embargo_until else None)


def prepare_release_distribution(session: Session, event: OutboxEvent) -> None:
    """release.published: create the release's distribution and give the press a head start.

    The deliveries of lists that receive embargoed releases (the journalists' lists, private
    and small) are inserted and committed here, with `distribution.ready` so that their batches
    go at once, while the bulk of the audience is inserted by the `distribution.preparing`
    event that follows (`prepare_remaining_deliveries`, on the bulk queue). Under embargo those
    lists are the only ones that get it now anyway; without one, they still go first. The
    distribution stays `preparing` (its batches may send) until the rest is in.
    """
    release = session.get(Release, event.subject_id)
    if release is None or release.state != State.PUBLISHED:  # withdrawn before it was prepared
        return
    revision = current_revision(session, release)
    distribution, _created = engine.create_distribution(
        session, f"release:{release.id}", "release", release.id, revision.id
    )
    if distribution.status != DistributionStatus.PREPARING:
        return
    now = utcnow()
    plan = _plan(session, release, now)
    if plan.missing:
        distribution.note = f"lists not found: {', '.join(plan.missing)}"
        log.error("release %s: %s", release.id, distribution.note)
    if plan.content.lists and not plan.targets:
        distribution.status = DistributionStatus.FAILED
        distribution.finished_at = now
        session.add(distribution)
        engine.announce_end(session, distribution, distribution.note)
        return
    # Only worth a step of its own when others come after them.
    if plan.priority and len(plan.priority) < len(plan.targets):
        for rule, not_before in plan.groups(session, priority_only=True):
            distribution.total += engine.materialise_audience(session, distribution, rule.select(), not_before)
        if distribution.total:
            engine.scrub_erased(session, [distribution.id or 0])
            engine.started_early(session, distribution)
            emit(session, "distribution.ready", distribution.id, release_id=release.id, total=distribution.total,
                 priority=True)
            log.info("release %s: %s priority deliveries (%s) go first", release.id, distribution.total,
                     ", ".join(plan.priority))
    emit(session, engine.PREPARING_EVENT, distribution.id, release_id=release.id)


def prepare_remaining_deliveries(session: Session, event: OutboxEvent) -> None:
    """distribution.preparing: insert every delivery of the release's audience that is not there
    yet, one `INSERT … SELECT` per list group inside the database, then let it send.

    Everything here commits together with the handler's receipt: a crash halfway leaves the
    priority rows only, and the redelivered event inserts the rest once. A distribution
    cancelled (or its release withdrawn) while the rows were being inserted gets them skipped.
    """
    distribution = session.get(Distribution, event.subject_id)
    # Preparing, or paused (and perhaps resumed) meanwhile: the rest is still to be inserted.
    if distribution is None or distribution.kind != "release" or distribution.status in (
            DistributionStatus.CANCELLED, DistributionStatus.FAILED):
        return
    release = session.get(Release, distribution.release_id)
    if release is None or release.state != State.PUBLISHED:
        return
    plan = _plan(session, release, utcnow())
    inserted = sum(engine.materialise_audience(session, distribution, rule.select(), not_before)
                   for rule, not_before in plan.groups(session))
    engine.scrub_erased(session, [distribution.id or 0])  # erased while the audience was read
    engine.refresh_statistics(session, inserted)
    # Another transaction may have paused or cancelled it meanwhile: read its status afresh,
    # locked, so that neither side's change is lost.
    session.refresh(distribution, with_for_update=True)
    distribution.total += inserted
    if distribution.status == DistributionStatus.CANCELLED:
        engine.skip_unsent(session, distribution.id or 0, engine.CANCELLED_NOTE)
        session.add(distribution)
        return
    engine.prepared(session, distribution)
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
