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
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from core.broker import redis_client
from core.db import session_scope
from core.errors import NotFound, PressroomError
from core.settings import get_settings
from delivery import digests, engine
from delivery.bounces import verp_address
from delivery.compose import organisation_sender, release_input, release_url, reply_to_for
from delivery.errors import TransportUnavailable
from delivery.message import PreparedMessage, Recipient, identity_for, prepare
from delivery.models import DeliveryStatus, Distribution, DistributionStatus
from delivery.signing import signer_from_settings
from delivery.throttle import ConnectionSlot, RateLimiter
from delivery.transports import BaseTransport, Outcome, Ticket, get_transport
from subscribers import tokens
from subscribers.models import MailingList, SuppressionReason
from subscribers.suppression import suppress
from subscribers.validation import address_hash
from templates import compile_message, release_template
from workflow.models import Release

log = logging.getLogger(__name__)


@dataclass
class BatchReport:
    """What one batch did."""

    distribution_id: int
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    suppressed: int = 0
    released: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}


class Mailer:
    """Builds each recipient's copy of one distribution from messages compiled once per language.

    Subclasses say what is rendered (`template`, `_data`) and where "view online" points.
    """

    template = ""

    def __init__(self, session: Session, now: datetime | None = None) -> None:
        self.sender = organisation_sender(session)
        self.identity = identity_for(self.sender)
        self.bounce_domain = get_settings().bounce_domain or self.identity.domain
        self.signer = signer_from_settings(self.identity.domain)
        self.now = now
        self.slugs: dict[int, str] = {
            row.id: row.slug for row in session.execute(select(col(MailingList.id), col(MailingList.slug)))
        }
        self._prepared: dict[str, PreparedMessage] = {}

    def _data(self, language: str) -> Any:
        raise NotImplementedError

    def _reply_to(self) -> tuple[str, str] | None:
        return None

    def view_online_url(self, language: str) -> str:
        return ""

    def prepared(self, language: str) -> PreparedMessage:
        message = self._prepared.get(language)
        if message is None:
            compiled = compile_message(self.template, language, self._data(language), self.sender, now=self.now)
            message = self._prepared[language] = prepare(
                compiled, self.identity, reply_to=self._reply_to(), signer=self.signer
            )
        return message

    def build(self, delivery: engine.Claimed) -> tuple[str, str, bytes]:
        """(envelope sender, Message-ID, message bytes) for one claimed delivery."""
        message = self.prepared(delivery.language)
        email_hash = address_hash(delivery.email)
        unsubscribe = tokens.unsubscribe_token(delivery.subscriber_id, delivery.list_id or 0, email_hash)
        recipient = Recipient(
            email=delivery.email,
            name=delivery.name,
            unsubscribe_url=tokens.unsubscribe_url(unsubscribe),
            unsubscribe_mailto=f"mailto:{self.identity.from_address}?subject=unsubscribe",
            preferences_url=tokens.preferences_url(tokens.preferences_token(delivery.subscriber_id, email_hash)),
            view_online_url=self.view_online_url(delivery.language),
            list_slug=self.slugs.get(delivery.list_id or 0, self.identity.default_list),
        )
        return (
            verp_address(delivery.id, self.bounce_domain),
            message.message_id(delivery.email),
            message.build(recipient),
        )


class ReleaseMailer(Mailer):
    """One release, in the language of each recipient."""

    def __init__(self, session: Session, distribution: Distribution, now: datetime | None = None) -> None:
        super().__init__(session, now)
        release = session.get(Release, distribution.release_id)
        if release is None:
            raise NotFound("release", distribution.release_id)
        self.release_id = release.id or 0
        self.data = release_input(session, release, now=now)
        self.template = release_template(release.kind)

    def _data(self, language: str) -> Any:
        return self.data

    def _reply_to(self) -> tuple[str, str] | None:
        return reply_to_for(self.data)

    def view_online_url(self, language: str) -> str:
        return release_url(self.release_id, language)


class DigestMailer(Mailer):
    """One digest issue: the period's releases, each in the recipient's language."""

    template = "digest"

    def __init__(self, session: Session, distribution: Distribution, now: datetime | None = None) -> None:
        super().__init__(session, now)
        self.issue = digests.issue_of(session, distribution.key)

    def _data(self, language: str) -> Any:
        return self.issue.input(language)


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
            kind = DigestMailer if distribution.kind == "digest" else ReleaseMailer
            mailer = _mailers[key] = kind(session, distribution)
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
    """Claim and send one batch of a distribution; safe to call any number of times."""
    settings = get_settings()
    started = time.monotonic()
    report = BatchReport(distribution_id)
    claimed = engine.claim(distribution_id, engine.batch_size())
    report.claimed = len(claimed)
    if not claimed:
        engine.finish_if_complete(distribution_id)
        return report
    mailer = mailer_for(distribution_id)
    client = redis_client()
    limiter = RateLimiter(client, settings.rate_limit_per_second)
    every = settings.delivery_record_every
    outcomes: list[engine.Outcome] = []  # known, not yet saved
    in_flight: list[tuple[engine.Claimed, str, Ticket]] = []  # handed over, reply maybe unread
    handed = 0  # claimed[:handed] were handed to the transport or found unsendable
    try:
        with ConnectionSlot(client, settings.max_smtp_connections, settings.delivery_lease_seconds), \
                (transport or get_transport()) as connection:
            for start in range(0, len(claimed), every):
                if start:
                    # The last message's reply may still be unread: it is saved at the next stop.
                    _collect(in_flight, outcomes)
                    status = _save(outcomes, report, distribution_id)
                    outcomes = []
                    if status is not DistributionStatus.SENDING:
                        break
                # A chunk's messages are built in one go: Python work done between two socket
                # waits runs on cold caches and costs about twice the CPU.
                for delivery, built in [(d, _build(mailer, d)) for d in claimed[start:start + every]]:
                    if isinstance(built, PressroomError):  # e.g. an address no header may carry
                        outcomes.append(engine.Outcome(delivery.id, DeliveryStatus.FAILED, "", None,
                                                       f"not sendable: {built}", delivery.attempts))
                    else:
                        envelope_from, message_id, data = built
                        limiter.acquire()
                        ticket = connection.submit(envelope_from, [delivery.email], data)
                        in_flight.append((delivery, message_id, ticket))
                    handed += 1
            connection.settle()
    except TransportUnavailable as exc:  # no session at all: what was not handed over waits or fails
        verdict = DeliveryStatus.DEFERRED if exc.transient else DeliveryStatus.FAILED
        outcomes += [engine.Outcome(d.id, verdict, "", exc.code, str(exc), d.attempts) for d in claimed[handed:]]
        handed = len(claimed)
        log.warning("distribution %s: %s", distribution_id, exc)
    finally:
        # Closing the transport read every outstanding reply, even after an unexpected error:
        # keep what was sent, give the rest back.
        _collect(in_flight, outcomes)
        _save(outcomes, report)
        _give_back(distribution_id, claimed[handed:], report)
    engine.finish_if_complete(distribution_id)
    report.seconds = time.monotonic() - started
    return report


def _build(mailer: Mailer, delivery: engine.Claimed) -> tuple[str, str, bytes] | PressroomError:
    try:
        return mailer.build(delivery)
    except PressroomError as exc:
        return exc


def _collect(in_flight: list[tuple[engine.Claimed, str, Ticket]], outcomes: list[engine.Outcome]) -> None:
    """Move the handed-over messages whose replies have been read from `in_flight` to `outcomes`."""
    while in_flight and in_flight[0][2].result is not None:
        delivery, message_id, ticket = in_flight.pop(0)
        assert ticket.result is not None
        result = ticket.result[delivery.email]
        outcomes.append(_outcome_of(delivery, message_id, result.code, result.detail, result.outcome))


def _save(outcomes: Sequence[engine.Outcome], report: BatchReport,
          distribution_id: int | None = None) -> DistributionStatus | None:
    """Record outcomes (and suppress unknown users); returns the distribution's status if asked."""
    stored, status = engine.record(outcomes, distribution_id)
    unknown = [o for o in stored if o.status is DeliveryStatus.FAILED and _is_unknown_user(o.response, o.smtp_code)]
    for outcome in stored:
        if outcome.status is DeliveryStatus.SENT:
            report.sent += 1
        elif outcome.status is DeliveryStatus.DEFERRED:
            report.deferred += 1
        else:
            report.failed += 1
    if unknown:
        from delivery.models import Delivery

        with session_scope() as session:
            emails = session.execute(
                select(col(Delivery.email)).where(col(Delivery.id).in_([o.delivery_id for o in unknown]))
            ).scalars()
            for email in emails:
                suppress(session, email, SuppressionReason.HARD_BOUNCE, "5.1.x at SMTP time")
                report.suppressed += 1
    return status


def _give_back(distribution_id: int, rest: Sequence[engine.Claimed], report: BatchReport) -> None:
    if not rest:
        return
    status = engine.distribution_status(distribution_id)
    if status is DistributionStatus.CANCELLED:
        engine.release_claims([d.id for d in rest], DeliveryStatus.SKIPPED, "distribution cancelled")
    else:
        engine.release_claims([d.id for d in rest])
    report.released += len(rest)
