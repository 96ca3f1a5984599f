"""Sending one batch: claim, personalise from the compiled message, send over one connection,
record outcomes in bulk.

Outcomes are saved every `delivery_record_every` messages, so a worker killed mid-batch leaves
at most that many messages (and the one whose reply was still unread) sent but not recorded:
those are the only ones a reclaimed lease can send twice. Pausing or cancelling is noticed at
the same points, and nothing is sent after it.

Between two saves, the chunk's messages are built in one go and then handed to the transport
one after another. Measured in a worker, building a message between two socket waits cost about
twice the CPU of building the chunk back to back (caches gone cold while the process slept), and
CPU is what a sending worker shares with everything else on its machine.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from core.broker import redis_client
from core.db import as_utc, session_scope, utcnow
from core.errors import NotFound, PressroomError
from core.settings import get_settings
from delivery import digests, engine
from delivery.bounces import unsubscribe_address, verp_address
from delivery.compose import release_input, release_url, reply_to_for, sender_for
from delivery.errors import TransportUnavailable
from delivery.message import PreparedMessage, Recipient, identity_for, prepare
from delivery.models import DeliveryStatus, Distribution, DistributionStatus
from delivery.signing import signer_from_settings
from delivery.throttle import ConnectionSlot, NoConnectionSlot, RateLimiter
from delivery.transports import BaseTransport, Outcome, Ticket, get_transport
from reports.links import track
from subscribers import tokens
from subscribers.audience import ERASED, unmailable
from subscribers.lists import embargo_list_ids
from subscribers.models import MailingList, SuppressionReason
from subscribers.suppression import suppress
from subscribers.validation import address_hash
from templates import WithdrawalInput, compile_message, release_template
from workflow.content import ReleaseContent
from workflow.models import Release, Revision
from workflow.organisation import organisation_identity
from workflow.service import current_revision
from workflow.withdrawals import withdrawal_of

log = logging.getLogger(__name__)

CHECK_EVERY = 1.0  # seconds between two checks, inside a chunk, that the mailing may go on
HOLD_IN_FLIGHT = 30.0  # seconds a withdrawal notice waits for the release's in-flight delivery
# Why a batch stops early, as its warning says it.
_TIMED_OUT = "the mail server did not answer in time"
_STOPPED = "the distribution stopped or its release was withdrawn"


@dataclass
class BatchReport:
    """What one batch did."""

    distribution_id: int
    size: int = 0  # what it claims when enough is due (`engine.batch_size`)
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    suppressed: int = 0
    skipped: int = 0  # no longer mailable when the batch was about to send
    held: int = 0  # waiting for the embargo to lift
    released: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}


class Mailer:
    """Builds each recipient's copy of one distribution from messages compiled once per language.

    Subclasses say what is rendered (`template`, `_data`), where "view online" points, which
    lists a recipient must still be on (`list_ids`), and what else changes a message over time
    (`variant`: whether an embargo still holds). The variant is decided when a message is built,
    so a mailer kept across batches never sends a copy compiled before an embargo lifted.
    """

    template = ""
    # Whether the links of this mailing go through the click redirect (`reports.links`).
    tracks_links = False

    def __init__(self, session: Session, now: datetime | None = None, organisation_version: int | None = None) -> None:
        # The identity a release's revision was approved with (else the current one), printed in
        # each recipient's language; From and the ids' domain are the default language's, one
        # for the whole mailing.
        self.identity_version = organisation_identity(session, organisation_version)
        self.sender = sender_for(self.identity_version)
        self.identity = identity_for(self.sender)
        self.bounce_domain = get_settings().bounce_domain or self.identity.domain
        # A mailto: unsubscribe only where the poller reads the mailbox it reaches; else the
        # HTTPS one-click alone (RFC 8058 needs no more).
        self.unsubscribe_by_mail = get_settings().bounce_maildir is not None
        self.signer = signer_from_settings(self.identity.domain)
        self.now = now
        self.slugs: dict[int, str] = {
            row.id: row.slug for row in session.execute(select(col(MailingList.id), col(MailingList.slug)))
        }
        self.list_ids: list[int] = []
        # Its messages' unsubscribe and tracked links name it (0 until it is known).
        self.distribution_id = 0
        # Decided once per mailer, so the parts and each copy's values agree.
        self.per_recipient = self.tracks_links and get_settings().tracking == "per_recipient"
        self._prepared: dict[tuple[str, Hashable], PreparedMessage] = {}
        self._view_online: dict[str, str] = {}  # language → the tracked "view online" link

    def _ids_of(self, slugs: Sequence[str]) -> list[int]:
        by_slug = {slug: list_id for list_id, slug in self.slugs.items()}
        return [by_slug[slug] for slug in slugs if slug in by_slug]

    def _data(self, language: str) -> Any:
        raise NotImplementedError

    def _reply_to(self) -> tuple[str, str] | None:
        return None

    def view_online_url(self, language: str) -> str:
        return ""

    def embargo_until(self, now: datetime) -> datetime | None:
        """The lift of an embargo that still holds at `now`, else None."""
        return None

    def refresh(self, now: datetime) -> str:
        """Bring what the mailer holds up to date before a batch; a reason when nothing of the
        mailing may go out any more (every release of a digest withdrawn), else ""."""
        return ""

    def screen(self, claimed: Sequence[engine.Claimed]) -> tuple[dict[int, str], set[int]]:
        """A mailing's own rule on who gets it: (subscriber id → reason to skip, ids to hold)."""
        return {}, set()

    def access_query(self, delivery: engine.Claimed, email_hash: str, now: datetime) -> str:
        """What release links carry for this recipient (a token while an embargo holds)."""
        return ""

    def prepared(self, language: str, now: datetime | None = None) -> PreparedMessage:
        moment = now or self.now or utcnow()
        key = (language, self.embargo_until(moment) is not None)
        message = self._prepared.get(key)
        if message is None:
            compiled = compile_message(self.template, language, self._data(language),
                                       sender_for(self.identity_version, language), now=moment)
            if self.tracks_links and self.distribution_id:
                # Once per language (and embargo variant), not per recipient: the links are in
                # the parts every copy shares. Only a stored mailing's links are counted (a
                # mailer made for a message that is never a mailing's copy tracks nothing).
                with session_scope() as session:
                    tracked = track(session, compiled, self.distribution_id, self.view_online_url(language),
                                    per_recipient=self.per_recipient)
                compiled = tracked.compiled
                self._view_online[language] = tracked.view_online
            message = self._prepared[key] = prepare(
                compiled, self.identity, reply_to=self._reply_to(), signer=self.signer
            )
        return message

    def build(self, delivery: engine.Claimed, now: datetime | None = None) -> tuple[str, str, bytes]:
        """(envelope sender, Message-ID, message bytes) for one claimed delivery, as it must be
        at `now` (with or without the embargo)."""
        moment = now or self.now or utcnow()
        message = self.prepared(delivery.language, moment)
        email_hash = address_hash(delivery.email)
        unsubscribe = tokens.unsubscribe_token(delivery.subscriber_id, delivery.list_id or 0, email_hash,
                                               self.distribution_id)
        access = self.access_query(delivery, email_hash, moment)
        view_online = self._view_online.get(delivery.language) or self.view_online_url(delivery.language)
        click_path = "/" + tokens.recipient_token(delivery.id) if self.per_recipient else ""
        if view_online:
            view_online += click_path
        recipient = Recipient(
            email=delivery.email,
            name=delivery.name,
            unsubscribe_url=tokens.unsubscribe_url(unsubscribe),
            unsubscribe_mailto=(f"mailto:{unsubscribe_address(delivery.id, self.bounce_domain)}?subject=unsubscribe"
                                if self.unsubscribe_by_mail else ""),
            preferences_url=tokens.preferences_url(tokens.preferences_token(delivery.subscriber_id, email_hash)),
            view_online_url=view_online + access if view_online else "",
            access_query=access,
            list_slug=self.slugs.get(delivery.list_id or 0, self.identity.default_list),
            click_path=click_path,
        )
        return (
            verp_address(delivery.id, self.bounce_domain),
            message.message_id(delivery.email),
            message.build(recipient),
        )


class ReleaseMailer(Mailer):
    """One release as its distribution's revision has it, in the language of each recipient;
    its links go through the click redirect."""

    tracks_links = True

    def __init__(self, session: Session, distribution: Distribution, now: datetime | None = None) -> None:
        release = session.get(Release, distribution.release_id)
        if release is None:
            raise NotFound("release", distribution.release_id)
        revision = session.get(Revision, distribution.revision_id) if distribution.revision_id else None
        approved = ReleaseContent.model_validate((revision or current_revision(session, release)).content)
        super().__init__(session, now, approved.organisation_version)
        self.release_id = release.id or 0
        self.distribution_id = distribution.id or 0
        self.data = release_input(session, release, now=now, revision=revision)
        self.template = release_template(release.kind)
        self.list_ids = self._ids_of(approved.lists)

    def _data(self, language: str) -> Any:
        return self.data

    def _reply_to(self) -> tuple[str, str] | None:
        return reply_to_for(self.data, self.sender)

    def view_online_url(self, language: str) -> str:
        return release_url(self.release_id, language)

    def embargo_until(self, now: datetime) -> datetime | None:
        lift = self.data.embargo_until
        return lift if lift is not None and as_utc(lift) > now else None

    def access_query(self, delivery: engine.Claimed, email_hash: str, now: datetime) -> str:
        if self.embargo_until(now) is None:
            return ""
        return "?access=" + tokens.access_token(self.release_id, delivery.subscriber_id, email_hash)


class DigestMailer(Mailer):
    """One digest issue: the period's releases, each in the recipient's language."""

    template = "digest"

    def __init__(self, session: Session, distribution: Distribution, now: datetime | None = None) -> None:
        super().__init__(session, now)
        self.issue = digests.issue_of(session, distribution.key)
        self.list_ids = self._ids_of(self.issue.lists)

    def _data(self, language: str) -> Any:
        return self.issue.input(language)

    def refresh(self, now: datetime) -> str:
        """A release withdrawn since the issue was made leaves it, in every copy built from now."""
        with session_scope() as session:
            standing = digests.standing(session, self.issue)
        if standing is not self.issue:
            self.issue = standing
            self._prepared.clear()
        return "" if self.issue.releases else "every release of this digest was withdrawn"


class WithdrawalMailer(Mailer):
    """The notice that a release was withdrawn, to those it reached, in their language."""

    template = "withdrawal_notice"

    def __init__(self, session: Session, distribution: Distribution, now: datetime | None = None) -> None:
        super().__init__(session, now)
        release = session.get(Release, distribution.release_id)
        if release is None:
            raise NotFound("release", distribution.release_id)
        content = ReleaseContent.model_validate(current_revision(session, release).content)
        withdrawn = withdrawal_of(session, release.id or 0)
        self.data = WithdrawalInput(
            key=f"w{release.id}",
            default_language=content.default_language,
            titles=tuple((language, text.title) for language, text in content.translations.items() if text.title),
            dateline=release.public_at or release.published_at or utcnow(),
            reason=withdrawn.comment,
            withdrawn_at=withdrawn.at,
        )
        self.list_ids = self._ids_of(content.lists)
        self.release_id = release.id or 0

    def _data(self, language: str) -> Any:
        return self.data

    def screen(self, claimed: Sequence[engine.Claimed]) -> tuple[dict[int, str], set[int]]:
        """Only to those the release reached: wait while their copy is still in a running batch
        (it was being sent when the release was withdrawn), skip those it never reached."""
        with session_scope() as session:
            received = engine.release_delivery_states(session, self.release_id, [c.subscriber_id for c in claimed])
        skip = {c.subscriber_id: "the release never reached them" for c in claimed
                if received.get(c.subscriber_id) not in (DeliveryStatus.SENT, DeliveryStatus.SENDING)}
        wait = {c.subscriber_id for c in claimed if received.get(c.subscriber_id) == DeliveryStatus.SENDING}
        return skip, wait


MAILERS: dict[str, Callable[[Session, Distribution], Mailer]] = {
    "release": ReleaseMailer, "digest": DigestMailer, "withdrawal": WithdrawalMailer,
}

_mailers: OrderedDict[tuple[str, int, datetime], Mailer] = OrderedDict()


def mailer_for(distribution_id: int) -> Mailer:
    """The mailer of a distribution, kept for the next batches this worker takes of it.

    The key includes the distribution's creation time, so a database that reuses ids (one
    restored from a backup, a test database) never gets another distribution's mailer.
    """
    with session_scope() as session:
        distribution = engine.get_distribution(session, distribution_id)
        key = (get_settings().database_url, distribution_id, distribution.created_at)
        mailer = _mailers.get(key)
        if mailer is None:
            mailer = _mailers[key] = MAILERS[distribution.kind](session, distribution)
            mailer.distribution_id = distribution.id or 0
        while len(_mailers) > 8:
            _mailers.popitem(last=False)
    return mailer


def _outcome_of(delivery: engine.Claimed, message_id: str, result_code: int | None, detail: str,
                outcome: Outcome) -> engine.Outcome:
    status = {
        Outcome.ACCEPTED: DeliveryStatus.SENT,
        Outcome.TRANSIENT: DeliveryStatus.DEFERRED,
        Outcome.PERMANENT: DeliveryStatus.FAILED,
    }[outcome]
    return engine.Outcome(delivery.id, status, message_id, result_code, detail, delivery.attempts)


def _is_unknown_user(detail: str, code: int | None) -> bool:
    """5.1.x: the address does not exist (RFC 3463), so it is suppressed, not just failed."""
    return code is not None and 500 <= code < 600 and " 5.1." in f" {detail}"


def send_batch(distribution_id: int, transport: BaseTransport | None = None) -> BatchReport:
    """Claim and send one batch of a distribution; safe to call any number of times.

    An error the batch did not expect (a DKIM key that does not load, a release gone) counts
    against every delivery it still holds, as a send failure would (`engine.fail_claims`): the
    batch never leaves its rows to the lease's expiry, so a mailing that cannot be sent ends
    `failed` instead of being handed out again for ever. Database errors are left to Celery.
    """
    report = BatchReport(distribution_id, size=engine.batch_size_for(distribution_id))
    claimed = engine.claim(distribution_id, report.size)
    report.claimed = len(claimed)
    if not claimed:
        engine.finish_if_complete(distribution_id)
        return report
    lease = engine.Lease(claimed)
    try:
        _send_claimed(distribution_id, claimed, lease, report, transport)
    except (OperationalError, NoConnectionSlot):  # Celery tries again; the rows were given back
        raise
    except Exception as exc:  # counted against the rows, never left to the lease
        log.exception("distribution %s: a batch failed", distribution_id)
        report.failed += engine.fail_claims(distribution_id, [c for c in claimed if c.id in lease.held], exc,
                                            lease.until)
    engine.finish_if_complete(distribution_id)
    return report


def _send_claimed(distribution_id: int, claimed: list[engine.Claimed], lease: engine.Lease,
                  report: BatchReport, transport: BaseTransport | None) -> None:
    """Screen and send claimed deliveries over one connection, saving outcomes as they come;
    what was not sent when the batch stops is given back (at once, and after a mail server that
    timed out not before a retry's delay)."""
    settings = get_settings()
    started = time.monotonic()
    mailer = mailer_for(distribution_id)
    claimed = _screen(claimed, mailer, lease, report)
    client = redis_client()
    limiter = RateLimiter(client, settings.rate_limit_per_second)
    every = settings.delivery_record_every
    outcomes: list[engine.Outcome] = []  # known, not yet saved
    in_flight: list[tuple[engine.Claimed, str, Ticket]] = []  # handed over, reply maybe unread
    withheld: list[engine.Claimed] = []  # handed over, but their content never went: given back
    handed = 0  # claimed[:handed] were handed to the transport or found unsendable
    stop = ""  # why the batch stops early, if it does
    not_before: datetime | None = None  # when what is given back may be tried again
    failed: Exception | None = None
    try:
        with ConnectionSlot(client, settings.max_smtp_connections, settings.delivery_lease_seconds) as slot, \
                (transport or get_transport()) as connection:
            check_at = time.monotonic() + CHECK_EVERY
            while handed < len(claimed) and not stop:
                if handed:
                    # The last message's reply may still be unread: it is saved at the next stop.
                    withheld += _collect(in_flight, outcomes)
                    may_send = _save(outcomes, report, lease, distribution_id)
                    outcomes = []  # saved: not again at the end (only if the save raised)
                    if not may_send:
                        stop = _STOPPED
                        break
                # A chunk's messages are built in one go: Python work done between two socket
                # waits runs on cold caches and costs about twice the CPU. Whether the embargo
                # still holds is decided here, for this chunk, not when the mailer was made.
                now = utcnow()
                chunk = [(d, _build(mailer, d, now)) for d in claimed[handed:handed + every]]
                for delivery, built in chunk:
                    if time.monotonic() >= check_at:  # slow relays: decide again every second
                        check_at = time.monotonic() + CHECK_EVERY
                        if not engine.may_send(distribution_id):
                            stop = _STOPPED
                            break
                    if lease.due() and not (lease.renew() and slot.renew()):
                        stop = "the batch lost its lease"
                        break
                    if isinstance(built, PressroomError):  # e.g. an address no header may carry
                        outcomes.append(engine.Outcome(delivery.id, DeliveryStatus.FAILED, "", None,
                                                       f"not sendable: {built}", delivery.attempts))
                    else:
                        envelope_from, message_id, data = built
                        if limiter.per_second > 0:
                            # The next message may have to wait its turn: the content held back
                            # for its write (transports.SMTPTransport) goes now instead.
                            connection.settle()
                            if connection.timed_out:  # its reply did not come: see below
                                stop, not_before = _TIMED_OUT, utcnow() + timedelta(seconds=engine.retry_delay(1))
                                break
                        limiter.acquire()
                        ticket = connection.submit(envelope_from, [delivery.email], data)
                        in_flight.append((delivery, message_id, ticket))
                    handed += 1
                    if connection.timed_out:
                        # A server that let one reply time out is likely to let the next one too:
                        # the rest go back now, not after a wait per message or the lease's end.
                        stop, not_before = _TIMED_OUT, utcnow() + timedelta(seconds=engine.retry_delay(1))
                        break
            if stop:  # the content held back for the last message does not go after the stop
                connection.withhold()
            else:
                connection.settle()
        if stop:
            log.warning("distribution %s: a batch stops early: %s", distribution_id, stop)
    except TransportUnavailable as exc:  # no session at all: what was not handed over waits or fails
        verdict = DeliveryStatus.DEFERRED if exc.transient else DeliveryStatus.FAILED
        outcomes += [engine.Outcome(d.id, verdict, "", exc.code, str(exc), d.attempts) for d in claimed[handed:]]
        handed = len(claimed)
        log.warning("distribution %s: %s", distribution_id, exc)
    except (OperationalError, NoConnectionSlot):
        raise
    except Exception as exc:
        failed = exc
        raise
    finally:
        # Closing the transport read every outstanding reply, even after an unexpected error:
        # keep what was sent; give the rest back, unless an error is to be counted against it.
        withheld += _collect(in_flight, outcomes)
        _save(outcomes, report, lease)
        if failed is None:
            _give_back(distribution_id, withheld + claimed[handed:], lease, report, not_before)
    report.seconds = time.monotonic() - started


def _screen(claimed: list[engine.Claimed], mailer: Mailer, lease: engine.Lease,
            report: BatchReport) -> list[engine.Claimed]:
    """Decide, right before sending, who of a claimed batch may be mailed now.

    One query for the batch: whoever is no longer subscribed to one of the mailing's lists, is
    suppressed or was erased is skipped with the reason (and an erased person's row emptied).
    While an embargo holds, a second one: only people on a list that still receives embargoed
    news go now; the rest wait for the lift. A mailer may add its own rule (a withdrawal notice
    goes only to those the release reached).
    """
    now = utcnow()
    nothing_left = mailer.refresh(now)
    if nothing_left:
        reasons = {c.subscriber_id: nothing_left for c in claimed}
    else:
        reasons = unmailable(session_scope, [c.subscriber_id for c in claimed], mailer.list_ids)
    rest = [c for c in claimed if c.subscriber_id not in reasons]
    extra, waiting = mailer.screen(rest) if rest else ({}, set())
    reasons.update(extra)
    rest = [c for c in rest if c.subscriber_id not in extra]
    if reasons:
        skipped = [engine.Outcome(c.id, DeliveryStatus.SKIPPED, "", None, f"not sent: {reasons[c.subscriber_id]}",
                                  c.attempts) for c in claimed if c.subscriber_id in reasons]
        _save(skipped, report, lease)
        erased = [c.id for c in claimed if reasons.get(c.subscriber_id) == ERASED]
        if erased:
            with session_scope() as session:
                engine.scrub_erased(session, delivery_ids=erased)
    if waiting:
        _hold(rest, waiting, now + timedelta(seconds=HOLD_IN_FLIGHT), "waiting for the release's own delivery",
              lease, report)
        rest = [c for c in rest if c.subscriber_id not in waiting]
    lift = mailer.embargo_until(now)
    if lift is not None and rest:
        early = embargo_list_ids(mailer.list_ids)
        later = set(unmailable(session_scope, [c.subscriber_id for c in rest], early))
        if later:
            _hold(rest, later, lift, "held until the embargo lifts", lease, report)
            rest = [c for c in rest if c.subscriber_id not in later]
    return rest


def _hold(claimed: list[engine.Claimed], subscriber_ids: set[int], until: datetime, note: str,
          lease: engine.Lease, report: BatchReport) -> None:
    held = [c.id for c in claimed if c.subscriber_id in subscriber_ids]
    engine.release_claims(held, DeliveryStatus.QUEUED, note, lease_until=lease.until, not_before=until)
    lease.done(held)
    report.held += len(held)


def _build(mailer: Mailer, delivery: engine.Claimed, now: datetime) -> tuple[str, str, bytes] | PressroomError:
    try:
        return mailer.build(delivery, now)
    except PressroomError as exc:
        return exc


def _collect(in_flight: list[tuple[engine.Claimed, str, Ticket]],
             outcomes: list[engine.Outcome]) -> list[engine.Claimed]:
    """Move the handed-over messages whose replies have been read from `in_flight` to `outcomes`;
    returns those that were withheld (nothing of them was sent), to be given back."""
    withheld: list[engine.Claimed] = []
    while in_flight and in_flight[0][2].result is not None:
        delivery, message_id, ticket = in_flight.pop(0)
        assert ticket.result is not None
        if ticket.withheld:
            withheld.append(delivery)
            continue
        result = ticket.result[delivery.email]
        outcomes.append(_outcome_of(delivery, message_id, result.code, result.detail, result.outcome))
    return withheld


def _save(outcomes: Sequence[engine.Outcome], report: BatchReport, lease: engine.Lease,
          distribution_id: int | None = None) -> bool | None:
    """Record outcomes (and suppress unknown users); returns whether the batch may go on sending
    when `distribution_id` is given."""
    stored, may_send = engine.record(outcomes, distribution_id)
    lease.done(o.delivery_id for o in stored)
    unknown = [o for o in stored if o.status is DeliveryStatus.FAILED and _is_unknown_user(o.response, o.smtp_code)]
    for outcome in stored:
        if outcome.status is DeliveryStatus.SENT:
            report.sent += 1
        elif outcome.status is DeliveryStatus.DEFERRED:
            report.deferred += 1
        elif outcome.status is DeliveryStatus.SKIPPED:
            report.skipped += 1
        else:
            report.failed += 1
    if unknown:
        from delivery.models import Delivery

        with session_scope() as session:
            emails = session.execute(
                select(col(Delivery.email)).where(col(Delivery.id).in_([o.delivery_id for o in unknown]))
            ).scalars()
            for email in emails:
                if not email:  # erased meanwhile: suppressed already, by a hash
                    continue
                suppress(session, email, SuppressionReason.HARD_BOUNCE, "5.1.x at SMTP time")
                report.suppressed += 1
    return may_send


def _give_back(distribution_id: int, rest: Sequence[engine.Claimed], lease: engine.Lease,
               report: BatchReport, not_before: datetime | None = None) -> None:
    rest = [d for d in rest if d.id in lease.held]
    if not rest:
        return
    with session_scope() as session:
        distribution = engine.get_distribution(session, distribution_id)
        status, note = distribution.status, distribution.note
    if status is DistributionStatus.CANCELLED:
        engine.release_claims([d.id for d in rest], DeliveryStatus.SKIPPED,
                              f"not sent: {note or 'distribution cancelled'}"[:500], lease_until=lease.until)
    else:
        engine.release_claims([d.id for d in rest], lease_until=lease.until, not_before=not_before)
    lease.done(d.id for d in rest)
    report.released += len(rest)
