"""Double opt-in: subscribing, confirming and unsubscribing, with a consent record each time.

Subscribing creates a pending subscription and, in the same transaction, the outbox event
`subscription.requested`; its handler (in the mail wiring) sends the confirmation mail, built
from `confirmation_request()`. The confirmation link's signed token confirms the subscription.

A public sign-up must not reveal whether an address is already subscribed, nor let anyone mail
a stranger repeatedly: every outcome of `subscribe()` is meant to be shown to the public as the
same "check your inbox" page, an already confirmed subscriber gets a "you are already
subscribed" notice instead of a second confirmation, and within `resubscribe_cooldown` of the
last mail nothing new is queued at all.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.db import as_utc, utcnow
from core.errors import InvalidInput
from core.outbox import emit
from core.settings import get_settings
from subscribers import tokens
from subscribers.errors import AddressSuppressed, InvalidToken
from subscribers.lists import get_list
from subscribers.models import (
    ConsentAction,
    ConsentRecord,
    Frequency,
    MailingList,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    Suppression,
    id_of,
)
from subscribers.people import (
    check_frequency,
    get_or_create_subscriber,
    is_active,
    set_topics,
    touch,
)
from subscribers.validation import (
    address_hash,
    check_language,
    check_line,
    check_topics,
    normalise_email,
)

REQUESTED_EVENT = "subscription.requested"
CONFIRMED_EVENT = "subscription.confirmed"  # its handler sends the welcome mail
CONFIRM_MAIL = "confirm"
ALREADY_SUBSCRIBED_MAIL = "already_subscribed"


class Origin(StrEnum):
    """How an address came onto a list, as the mails about it say ("entered on the website")."""

    WEB = "web"  # the person typed it: the sign-up form, the preferences page
    OFFICE = "office"  # the press office added it: CLI, press pages, API
    IMPORT = "import"  # it was on an imported address list


def origin_of(source: str) -> Origin:
    """The origin of a subscription request from the `source` its consent record keeps
    ("web", "preferences", "cli", "admin", "api", "import <file>")."""
    if source.startswith("import"):
        return Origin.IMPORT
    return Origin.WEB if source in ("web", "preferences") else Origin.OFFICE


class SubscribeOutcome(StrEnum):
    CONFIRMATION_QUEUED = "confirmation_queued"  # pending; a confirmation mail is queued
    NOTICE_QUEUED = "notice_queued"  # already confirmed; an "already subscribed" notice is queued
    COOLING_DOWN = "cooling_down"  # a mail was queued recently; nothing was done
    CONFIRMED = "confirmed"  # an admin or import asserted consent: confirmed without mail
    ALREADY_CONFIRMED = "already_confirmed"  # admin: nothing to do
    SUPPRESSED = "suppressed"  # public sign-up of a suppressed address: silently ignored


@dataclass(frozen=True)
class SubscribeResult:
    """What a sign-up did. Show the public the same page whatever the outcome."""

    outcome: SubscribeOutcome
    subscription_id: int | None = None
    subscriber_id: int | None = None
    event_id: str | None = None


class ConfirmOutcome(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"


@dataclass(frozen=True)
class ConfirmResult:
    outcome: ConfirmOutcome
    subscription_id: int
    list_slug: str
    list_name: str
    language: str = ""  # the subscriber's: the page that answers speaks it
    preferences_url: str = ""


@dataclass(frozen=True)
class UnsubscribeResult:
    """`lists` are the slugs unsubscribed now; empty when there was nothing left to do."""

    subscriber_id: int
    lists: list[str]
    language: str = ""  # the subscriber's: the page that answers speaks it
    preferences_url: str = ""
    list_id: int = 0  # the list the link was made for
    distribution_id: int | None = None  # the mailing whose message carried the link, if it says


@dataclass(frozen=True)
class UnsubscribePage:
    """What the GET page of an unsubscribe link shows before asking "are you sure?"."""

    masked_email: str
    list_slug: str
    list_name: str
    subscribed: bool
    language: str = ""  # the subscriber's: the page speaks it
    preferences_url: str = ""


@dataclass(frozen=True)
class ConfirmationRequest:
    """Everything the confirmation (or "already subscribed") mail needs."""

    subscription_id: int
    subscriber_id: int
    email: str
    name: str
    language: str
    list_slug: str
    list_name: str
    kind: str  # CONFIRM_MAIL or ALREADY_SUBSCRIBED_MAIL
    confirm_url: str | None  # None for the notice
    preferences_url: str
    origin: Origin = Origin.WEB  # how the address was given: the mail says so


# --- signing up -------------------------------------------------------------------------------


def subscribe(
    session: Session,
    email: str,
    list_slug: str,
    *,
    name: str = "",
    language: str | None = None,
    organisation: str = "",
    topics: Iterable[str] = (),
    source: str = "web",
    ip: str | None = None,
    text_version: str | None = None,
    now: datetime | None = None,
) -> SubscribeResult:
    """A public sign-up to a public list (double opt-in).

    Raises InvalidInput for bad fields and ListNotFound for an unknown or private list. The
    details given only apply to a new subscriber: a stranger must not be able to rename
    someone else through the form. A suppressed address is silently ignored.
    """
    moment = now or utcnow()
    address = normalise_email(email)
    mailing_list = get_list(session, list_slug, public_only=True)
    details = _Details.check(name, language, organisation, topics, None, mailing_list)
    if _suppression(session, address) is not None:
        return SubscribeResult(SubscribeOutcome.SUPPRESSED)
    subscriber, _ = details.get_or_create(session, address)
    return _request(session, subscriber, mailing_list, source, ip, text_version, moment)


def add_subscriber(
    session: Session,
    email: str,
    list_slug: str,
    *,
    name: str | None = None,
    language: str | None = None,
    organisation: str | None = None,
    topics: Iterable[str] | None = None,
    frequency: str | None = None,
    confirmed: bool = False,
    actor: str = "",
    source: str = "admin",
    text_version: str | None = None,
    now: datetime | None = None,
) -> SubscribeResult:
    """An admin puts an address on any list, public or private.

    Details given (not None) replace the subscriber's. With `confirmed` the admin asserts the
    person's consent and the subscription is confirmed at once (even after an earlier
    unsubscription: the admin vouches for new consent); otherwise it is double opt-in like a
    public sign-up. An already confirmed subscription is left alone, without any mail.
    Raises AddressSuppressed for a suppressed address.
    """
    moment = now or utcnow()
    address = normalise_email(email)
    mailing_list = get_list(session, list_slug)
    details = _Details.check(name, language, organisation, topics, frequency, mailing_list)
    entry = _suppression(session, address)
    if entry is not None:
        raise AddressSuppressed(address, entry.reason.value)
    subscriber, created = details.get_or_create(session, address)
    if not created:
        details.apply(session, subscriber)
    subscription = _subscription(session, subscriber, mailing_list, source, moment)
    if subscription.status is SubscriptionStatus.CONFIRMED:
        return SubscribeResult(SubscribeOutcome.ALREADY_CONFIRMED, subscription.id, subscriber.id)
    if not confirmed:
        return _request(session, subscriber, mailing_list, source, None, text_version, moment)
    _confirm(session, subscription, source, None, text_version, moment, detail=actor)
    return SubscribeResult(SubscribeOutcome.CONFIRMED, subscription.id, subscriber.id)


@dataclass(frozen=True)
class _Details:
    """A subscriber's details from a form or the CLI, validated; None means "not given"."""

    name: str | None
    language: str | None
    organisation: str | None
    topics: list[str] | None
    frequency: Frequency | None
    list_language: str

    @classmethod
    def check(
        cls,
        name: str | None,
        language: str | None,
        organisation: str | None,
        topics: Iterable[str] | None,
        frequency: str | None,
        mailing_list: MailingList,
    ) -> _Details:
        return cls(
            name=None if name is None else check_line(name, "name"),
            language=None if not language else check_language(language),
            organisation=None if organisation is None else check_line(organisation, "organisation"),
            topics=None if topics is None else check_topics(topics),
            frequency=None if frequency is None else check_frequency(frequency),
            list_language=mailing_list.default_language,
        )

    def get_or_create(self, session: Session, address: str) -> tuple[Subscriber, bool]:
        return get_or_create_subscriber(
            session,
            address,
            name=self.name or "",
            language=self.language or self.list_language,
            organisation=self.organisation or "",
            topics=self.topics or (),
            frequency=self.frequency or Frequency.IMMEDIATE,
        )

    def apply(self, session: Session, subscriber: Subscriber) -> None:
        for field in ("name", "language", "organisation", "frequency"):
            value = getattr(self, field)
            if value is not None and value != getattr(subscriber, field):
                setattr(subscriber, field, value)
                touch(subscriber)
        if self.topics is not None:
            set_topics(session, subscriber, self.topics)
            touch(subscriber)
        session.add(subscriber)


def _suppression(session: Session, address: str) -> Suppression | None:
    return session.get(Suppression, address_hash(address))


def _subscription(
    session: Session, subscriber: Subscriber, mailing_list: MailingList, source: str, moment: datetime
) -> Subscription:
    """The subscriber's subscription to the list, created pending (in a savepoint, so that a
    concurrent sign-up of the same pair falls back to the row that won)."""
    query = select(Subscription).where(
        Subscription.subscriber_id == id_of(subscriber), Subscription.list_id == id_of(mailing_list)
    )
    existing = session.exec(query).first()
    if existing is not None:
        return existing
    subscription = Subscription(
        subscriber_id=id_of(subscriber),
        list_id=id_of(mailing_list),
        status=SubscriptionStatus.PENDING,
        source=source[:60],
        confirm_nonce=new_nonce(),
        created_at=moment,
        updated_at=moment,
    )
    try:
        with session.begin_nested():
            session.add(subscription)
            session.flush()
    except IntegrityError:
        winner = session.exec(query).first()
        if winner is None:
            raise
        return winner
    return subscription


def _request(
    session: Session,
    subscriber: Subscriber,
    mailing_list: MailingList,
    source: str,
    ip: str | None,
    text_version: str | None,
    moment: datetime,
) -> SubscribeResult:
    """Ask the person to confirm (or tell them they already are), minding the cool-down."""
    subscription = _subscription(session, subscriber, mailing_list, source, moment)
    status = subscription.status
    if status is SubscriptionStatus.UNSUBSCRIBED:
        # Coming back after leaving: a fresh nonce, so that no old link can confirm this.
        subscription.status = SubscriptionStatus.PENDING
        subscription.confirm_nonce = new_nonce()
    elif _cooling_down(subscription, moment):
        return SubscribeResult(SubscribeOutcome.COOLING_DOWN, subscription.id, subscriber.id)
    kind = ALREADY_SUBSCRIBED_MAIL if status is SubscriptionStatus.CONFIRMED else CONFIRM_MAIL
    if kind == CONFIRM_MAIL:
        _record(session, subscription, ConsentAction.REQUESTED, source, ip, text_version, moment)
    subscription.confirmation_sent_at = moment
    subscription.updated_at = moment
    session.add(subscription)
    session.flush()
    event = emit(
        session,
        REQUESTED_EVENT,
        subject_id=subscription.id,
        subscription_id=subscription.id,
        subscriber_id=subscriber.id,
        list=mailing_list.slug,
        kind=kind,
        source=source[:60],
    )
    outcome = (
        SubscribeOutcome.NOTICE_QUEUED
        if kind == ALREADY_SUBSCRIBED_MAIL
        else SubscribeOutcome.CONFIRMATION_QUEUED
    )
    return SubscribeResult(outcome, subscription.id, subscriber.id, event.id)


def _cooling_down(subscription: Subscription, moment: datetime) -> bool:
    sent = subscription.confirmation_sent_at
    cooldown = timedelta(seconds=get_settings().resubscribe_cooldown)
    return sent is not None and as_utc(moment) - as_utc(sent) < cooldown


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def _record(
    session: Session,
    subscription: Subscription,
    action: ConsentAction,
    source: str,
    ip: str | None,
    text_version: str | None,
    moment: datetime,
    detail: str = "",
) -> None:
    session.add(
        ConsentRecord(
            subscription_id=id_of(subscription),
            action=action,
            source=source[:60],
            at=moment,
            ip=(ip or None) and ip[:45],
            text_version=(text_version or get_settings().consent_text_version)[:40],
            detail=detail[:300],
        )
    )


# --- confirming -------------------------------------------------------------------------------


def _confirm(
    session: Session,
    subscription: Subscription,
    source: str,
    ip: str | None,
    text_version: str | None,
    moment: datetime,
    detail: str = "",
) -> None:
    subscription.status = SubscriptionStatus.CONFIRMED
    subscription.confirmed_at = moment
    subscription.updated_at = moment
    session.add(subscription)
    _record(session, subscription, ConsentAction.CONFIRMED, source, ip, text_version, moment, detail)
    session.flush()


def join_confirmed(
    session: Session,
    subscriber: Subscriber,
    mailing_list: MailingList,
    *,
    source: str,
    ip: str | None = None,
    text_version: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Confirm the subscriber on a list without a confirmation mail, for callers that already
    proved the person controls the address (the preferences page). True if anything changed.
    Raises AddressSuppressed for an address on the suppression list (a hard bounce, a complaint):
    lifting that is an admin's decision, not a tick on a form."""
    moment = now or utcnow()
    suppressed = _suppression(session, subscriber.email) if subscriber.email else None
    if suppressed is not None:
        raise AddressSuppressed(subscriber.email or "", str(suppressed.reason.value))
    subscription = _subscription(session, subscriber, mailing_list, source, moment)
    if subscription.status is SubscriptionStatus.CONFIRMED:
        return False
    _confirm(session, subscription, source, ip, text_version, moment)
    return True


def confirm_by_token(
    session: Session,
    token: str,
    *,
    ip: str | None = None,
    text_version: str | None = None,
    now: datetime | None = None,
) -> ConfirmResult:
    """Confirm the subscription a confirmation link names.

    Clicking the same link again reports ALREADY_CONFIRMED and changes nothing. Raises
    InvalidToken for a forged or altered token, or one whose subscription was unsubscribed
    since (its nonce is gone), and ExpiredToken after `confirm_token_max_age`.
    """
    moment = now or utcnow()
    claim = tokens.read_confirm_token(token, now=moment)
    subscription = session.get(Subscription, claim.subscription_id)
    if (
        subscription is None
        or subscription.confirm_nonce is None
        or not hmac.compare_digest(subscription.confirm_nonce, claim.nonce)
    ):
        raise InvalidToken(tokens.CONFIRM, "this link is no longer valid")
    mailing_list = session.get(MailingList, subscription.list_id)
    if mailing_list is None:  # pragma: no cover - lists are never deleted
        raise InvalidToken(tokens.CONFIRM, "this link is no longer valid")
    if subscription.status is SubscriptionStatus.CONFIRMED:
        outcome = ConfirmOutcome.ALREADY_CONFIRMED
    else:
        _confirm(session, subscription, "link", ip, text_version, moment)
        emit(session, CONFIRMED_EVENT, subject_id=subscription.id, subscription_id=subscription.id,
             subscriber_id=subscription.subscriber_id, list=mailing_list.slug)
        outcome = ConfirmOutcome.CONFIRMED
    subscriber = session.get(Subscriber, subscription.subscriber_id)
    language, preferences = "", ""
    if subscriber is not None and is_active(subscriber):
        language = subscriber.language
        preferences = tokens.preferences_url(tokens.preferences_token(id_of(subscriber), subscriber.email_hash))
    return ConfirmResult(outcome, id_of(subscription), mailing_list.slug, mailing_list.name, language, preferences)


def confirm_language(session: Session, token: str) -> str | None:
    """The language of the subscriber a confirmation link was made for, so its page speaks it;
    None for a link that is not (or no longer) genuine. Changes nothing."""
    try:
        claim = tokens.read_confirm_token(token)
    except InvalidToken:  # ExpiredToken included: the confirming POST explains it
        return None
    subscription = session.get(Subscription, claim.subscription_id)
    subscriber = session.get(Subscriber, subscription.subscriber_id) if subscription else None
    return subscriber.language if subscriber is not None and is_active(subscriber) else None


def _mailable(session: Session, subscription: Subscription) -> tuple[Subscriber, MailingList] | None:
    """The subscriber and list of a subscription whose person may still be mailed: not erased,
    not suppressed, the list still there; decided when the mail is made, not when it was asked."""
    subscriber = session.get(Subscriber, subscription.subscriber_id)
    mailing_list = session.get(MailingList, subscription.list_id)
    if subscriber is None or mailing_list is None or not is_active(subscriber):
        return None
    if session.get(Suppression, subscriber.email_hash) is not None:
        return None
    return subscriber, mailing_list


def _requested_source(session: Session, subscription: Subscription) -> str:
    """The source of the latest request to join (its consent record), else the subscription's."""
    source = session.exec(
        select(ConsentRecord.source)
        .where(ConsentRecord.subscription_id == id_of(subscription), ConsentRecord.action == ConsentAction.REQUESTED)
        .order_by(col(ConsentRecord.at).desc(), col(ConsentRecord.id).desc())
    ).first()
    return source if source is not None else subscription.source


def confirmation_request(
    session: Session, subscription_id: int, source: str | None = None
) -> ConfirmationRequest | None:
    """What the mail for a `subscription.requested` event should say, or None when no mail
    may be sent any more (unsubscribed since, erased, or suppressed). `source` is the request's,
    as its event says (else the latest request on record): the mail names how the address came."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.status is SubscriptionStatus.UNSUBSCRIBED:
        return None
    found = _mailable(session, subscription)
    if found is None:
        return None
    subscriber, mailing_list = found
    pending = subscription.status is SubscriptionStatus.PENDING
    confirm_url = None
    if pending and subscription.confirm_nonce:
        confirm_url = tokens.confirm_url(
            tokens.confirm_token(id_of(subscription), subscription.confirm_nonce)
        )
    return ConfirmationRequest(
        subscription_id=id_of(subscription),
        subscriber_id=id_of(subscriber),
        email=subscriber.email or "",
        name=subscriber.name,
        language=subscriber.language,
        list_slug=mailing_list.slug,
        list_name=mailing_list.name,
        kind=CONFIRM_MAIL if pending else ALREADY_SUBSCRIBED_MAIL,
        confirm_url=confirm_url,
        preferences_url=tokens.preferences_url(
            tokens.preferences_token(id_of(subscriber), subscriber.email_hash)
        ),
        origin=origin_of(source if source is not None else _requested_source(session, subscription)),
    )


@dataclass(frozen=True)
class WelcomeRequest:
    """Everything the welcome mail after a confirmation needs."""

    subscription_id: int
    email: str
    name: str
    language: str
    list_name: str
    preferences_url: str
    origin: Origin = Origin.WEB  # how the address was given, as the confirmation mail said


def welcome_request(session: Session, subscription_id: int) -> WelcomeRequest | None:
    """What the welcome mail of a confirmed subscription should say, or None when it is no longer
    confirmed (left since), its subscriber was erased, or the address is suppressed."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.status is not SubscriptionStatus.CONFIRMED:
        return None
    found = _mailable(session, subscription)
    if found is None:
        return None
    subscriber, mailing_list = found
    return WelcomeRequest(
        subscription_id=id_of(subscription),
        email=subscriber.email or "",
        name=subscriber.name,
        language=subscriber.language,
        list_name=mailing_list.name,
        preferences_url=tokens.preferences_url(tokens.preferences_token(id_of(subscriber), subscriber.email_hash)),
        origin=origin_of(_requested_source(session, subscription)),
    )


# --- unsubscribing ----------------------------------------------------------------------------


def unsubscribe(
    session: Session,
    subscriber: Subscriber,
    list_ids: Iterable[int] | None = None,
    *,
    source: str,
    ip: str | None = None,
    detail: str = "",
    now: datetime | None = None,
) -> list[str]:
    """Take the subscriber off these lists (None: every list); returns the slugs it left.

    Pending and confirmed subscriptions become unsubscribed, their confirmation nonce is
    dropped (old confirmation links stop working) and the withdrawal is recorded as consent.
    """
    moment = now or utcnow()
    query = select(Subscription, MailingList.slug).join(
        MailingList, col(MailingList.id) == col(Subscription.list_id)
    ).where(
        Subscription.subscriber_id == id_of(subscriber),
        col(Subscription.status) != SubscriptionStatus.UNSUBSCRIBED,
    )
    if list_ids is not None:
        query = query.where(col(Subscription.list_id).in_(list(list_ids)))
    # Locked: two requests at once (two bounce pollers, a one-click POST sent twice) leave once,
    # the second seeing the first's change when it commits, so a mailing counts one unsubscribe.
    query = query.with_for_update(of=Subscription)
    left: list[str] = []
    for subscription, slug in session.exec(query.order_by(col(MailingList.slug))).all():
        subscription.status = SubscriptionStatus.UNSUBSCRIBED
        subscription.unsubscribed_at = moment
        subscription.updated_at = moment
        subscription.confirm_nonce = None
        session.add(subscription)
        _record(session, subscription, ConsentAction.WITHDRAWN, source, ip, None, moment, detail)
        left.append(slug)
    session.flush()
    return left


def _subscriber_for(session: Session, token: str) -> tuple[Subscriber, tokens.UnsubscribeClaim]:
    claim = tokens.read_unsubscribe_token(token)
    subscriber = session.get(Subscriber, claim.subscriber_id)
    if subscriber is None or not claim.matches(subscriber.email_hash):
        raise InvalidToken(tokens.UNSUBSCRIBE)
    return subscriber, claim


def unsubscribe_by_token(
    session: Session,
    token: str,
    *,
    everywhere: bool = False,
    source: str = "link",
    ip: str | None = None,
    now: datetime | None = None,
) -> UnsubscribeResult:
    """Unsubscribe from the list the link was made for, or from every list (`everywhere`).

    Repeating it is harmless (nothing left to do). Raises InvalidToken for a forged or
    altered token, changing nothing.
    """
    subscriber, claim = _subscriber_for(session, token)
    lists = None if everywhere else [claim.list_id]
    left = unsubscribe(session, subscriber, lists, source=source, ip=ip, now=now)
    return UnsubscribeResult(id_of(subscriber), left, subscriber.language,
                             tokens.preferences_url(tokens.preferences_token(id_of(subscriber), subscriber.email_hash)),
                             claim.list_id, claim.distribution_id)


def one_click_unsubscribe(
    session: Session,
    token: str,
    form: Mapping[str, str],
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> UnsubscribeResult:
    """RFC 8058: a mail client's POST of `List-Unsubscribe=One-Click` to the link's URL.

    Raises InvalidInput when the body lacks that field: anything else (a link scanner's
    GET, a stray form) must not unsubscribe anyone.
    """
    if form.get("List-Unsubscribe", "").strip() != "One-Click":
        raise InvalidInput(
            "List-Unsubscribe", "a one-click unsubscribe must POST List-Unsubscribe=One-Click"
        )
    return unsubscribe_by_token(session, token, source="one-click", ip=ip, now=now)


def unsubscribe_page(session: Session, token: str) -> UnsubscribePage:
    """What the GET page of an unsubscribe link shows; changes nothing. Raises InvalidToken."""
    subscriber, claim = _subscriber_for(session, token)
    mailing_list = session.get(MailingList, claim.list_id)
    if mailing_list is None:
        raise InvalidToken(tokens.UNSUBSCRIBE)
    status = session.exec(
        select(Subscription.status).where(
            Subscription.subscriber_id == id_of(subscriber),
            Subscription.list_id == claim.list_id,
        )
    ).first()
    return UnsubscribePage(
        masked_email=mask_email(subscriber.email or ""),
        list_slug=mailing_list.slug,
        list_name=mailing_list.name,
        subscribed=status in (SubscriptionStatus.PENDING, SubscriptionStatus.CONFIRMED),
        language=subscriber.language,
        preferences_url=page_preferences_url(subscriber),
    )


def page_preferences_url(subscriber: Subscriber, now: datetime | None = None) -> str:
    """The preferences link a subscriber's page shows, issued as of midnight UTC: a page fetched
    twice the same day is the same page, byte for byte (its validity is less than a day shorter)."""
    moment = now or utcnow()
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return tokens.preferences_url(tokens.preferences_token(id_of(subscriber), subscriber.email_hash, now=midnight))


def mask_email(address: str) -> str:
    """"jan.peeters@example.be" → "j***@example.be": enough to recognise, little to leak."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
