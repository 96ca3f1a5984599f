"""Single messages to one person: subscription confirmations, the workflow's notices to
approvers and authors, and the one-time password links of staff accounts.

Each handler runs inside `core.outbox.handle_event`, in the transaction that stores its receipt:
if the mail server refuses for now, the handler raises, nothing is recorded, and the event is
tried again; once the receipt is committed the mail is never sent twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.outbox import OutboxEvent
from core.settings import get_settings
from delivery.audience import audience_view
from delivery.compose import organisation_sender, release_url
from delivery.errors import TransportUnavailable
from delivery.message import Recipient, identity_for, prepare
from delivery.signing import signer_from_settings
from delivery.transports import Outcome, get_transport
from subscribers.subscriptions import (
    ALREADY_SUBSCRIBED_MAIL,
    CONFIRM_MAIL,
    confirmation_request,
    welcome_request,
)
from subscribers.validation import address_hash
from templates import (
    AccountLinkInput,
    AlreadySubscribedInput,
    ChangesRequestedInput,
    CommentMentionInput,
    ConfirmSubscriptionInput,
    MailingProblemInput,
    PublishedReceiptInput,
    ReviewRequestInput,
    WelcomeInput,
    compile_message,
)
from workflow.accounts import INVITATION, PASSWORD_RESET, link_url, reset_requester
from workflow.chains import step_name
from workflow.models import Release, ReleaseComment, Role, User
from workflow.notifications import reviewers_to_ask
from workflow.service import current_content

log = logging.getLogger(__name__)


class MailRefused(TransportUnavailable):
    """The server refused one notice; transient refusals make the event be tried again."""


def send_notice(session: Session, template: str, language: str, data: Any, email: str, name: str = "",
                preferences_url: str = "") -> None:
    """Render `template` for one person and send it now.

    Raises MailRefused (or TransportUnavailable) when the server says "later", so the event is
    tried again; a permanent refusal is logged and not retried.
    """
    sender = organisation_sender(session, language)
    identity = identity_for(sender)
    compiled = compile_message(template, language, data, sender)
    message = prepare(compiled, identity, signer=signer_from_settings(identity.domain))
    data_bytes = message.build(Recipient(email=email, name=name, preferences_url=preferences_url))
    send_one(message.envelope_from, email, data_bytes, template)


def send_one(envelope_from: str, email: str, data: bytes, what: str) -> None:
    """Hand one message for one person to the transport; see `send_notice` for what it raises."""
    with get_transport() as transport:
        result = transport.send(envelope_from, [email], data)[email]
    # Logs name an address by its hash's first digits: an erased person must not live on in them.
    who = f"address {address_hash(email.strip().lower())[:12]}"
    if result.accepted:
        log.info("sent %s to %s", what, who)
        return
    problem = f"{result.code} {result.detail.replace(email, '<address>')} for {who}"
    if result.outcome is Outcome.TRANSIENT:
        raise MailRefused(transport.describe(), problem, transient=True, code=result.code)
    log.warning("%s not sent, refused for good: %s", what, problem)  # retrying cannot help


def subscription_confirmation(session: Session, event: OutboxEvent) -> None:
    """Mail the double opt-in link for a new pending subscription, or, to an address already
    confirmed on the list, a notice that it is (with its preferences link) instead."""
    request = confirmation_request(session, event.subject_id or 0, event.payload.get("source"))
    asked = event.payload.get("kind", CONFIRM_MAIL)  # what the sign-up found
    if request is None or request.kind != asked:
        # Unsubscribed, erased or suppressed since; or confirmed (or left) between the sign-up
        # and now: the mail the sign-up meant no longer fits, so none is sent.
        return
    key = f"s{request.subscription_id}"
    data: ConfirmSubscriptionInput | AlreadySubscribedInput
    if request.kind == ALREADY_SUBSCRIBED_MAIL:
        template = "already_subscribed"
        data = AlreadySubscribedInput(key=key, lists=(request.list_name,),
                                      preferences_url=request.preferences_url, origin=request.origin)
    elif request.confirm_url:
        template = "confirm_subscription"
        data = ConfirmSubscriptionInput(key=key, lists=(request.list_name,), confirm_url=request.confirm_url,
                                        origin=request.origin)
    else:
        return
    send_notice(session, template, request.language, data, request.email, request.name,
                request.preferences_url)


def welcome(session: Session, event: OutboxEvent) -> None:
    """subscription.confirmed: welcome the new subscriber in their language, with their
    preferences link and the newsroom's; nothing when they left, were erased or suppressed since.
    Once per confirmation: the outbox keeps the receipt of this handler for the event."""
    request = welcome_request(session, event.subject_id or 0)
    if request is None:
        return
    settings = get_settings()
    # The newsroom's pages exist in its languages only; the mail itself speaks the subscriber's.
    page = request.language if request.language in settings.languages else settings.default_language
    data = WelcomeInput(key=f"welcome.s{request.subscription_id}", lists=(request.list_name,),
                        preferences_url=request.preferences_url,
                        newsroom_url=_press_url(f"/newsroom/{page}"), privacy_url=_press_url(f"/privacy/{page}"),
                        origin=request.origin)
    send_notice(session, "welcome", request.language, data, request.email, request.name,
                request.preferences_url)


def _press_url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


def _title(session: Session, release: Release, language: str) -> str:
    content = current_content(session, release)
    text = content.translations.get(language) or content.translations[content.default_language]
    return text.title or f"#{release.id}"


def review_request(session: Session, event: OutboxEvent) -> None:
    """Ask everyone who may sign the step the release reached to review it, in their language."""
    asked = reviewers_to_ask(session, event)
    if asked is None:
        return
    release = asked.release
    author = session.get(User, release.author_id)
    audience = audience_view(session, current_content(session, release))
    embargo = audience["embargo"]
    for approver in asked.approvers:
        data = ReviewRequestInput(
            key=f"review.{release.id}.v{release.version}", title=_title(session, release, approver.language),
            author=author.name if author else "", review_url=_press_url(f"/press/releases/{release.id}/review"),
            web_only=audience["web_only"], recipients=audience["total"],
            lists=tuple((item["slug"], item["recipients"]) for item in audience["lists"]),
            languages=tuple(audience["languages"].items()),
            embargo_until=datetime.fromisoformat(embargo["until"]) if embargo else None,
            held=embargo["held"] if embargo else 0,
            step=step_name(asked.step, approver.language), position=asked.position, total=asked.total,
        )
        send_notice(session, "review_request", approver.language, data, approver.email, approver.name)


def changes_requested(session: Session, event: OutboxEvent) -> None:
    """Tell the author what the reviewer wants changed."""
    release = session.get(Release, event.subject_id)
    author = session.get(User, release.author_id) if release else None
    reviewer = session.get(User, event.payload.get("actor_id")) if event.payload.get("actor_id") else None
    if release is None or author is None:
        return
    data = ChangesRequestedInput(
        key=f"changes.{release.id}.v{release.version}", title=_title(session, release, author.language),
        reviewer=reviewer.name if reviewer else "", comment=str(event.payload.get("comment", "")),
        edit_url=_press_url(f"/press/releases/{release.id}/edit"),
    )
    send_notice(session, "changes_requested", author.language, data, author.email, author.name)


def comment_mention(session: Session, event: OutboxEvent) -> None:
    """comment.mentioned: mail the colleague named in a comment the comment and the review page's
    address, in their language; nothing when they were deactivated since. Once per mention: the
    event is one person's, and its receipt is kept with the handler's transaction."""
    comment = session.get(ReleaseComment, event.subject_id)
    person = session.get(User, event.payload.get("user_id"))
    release = session.get(Release, comment.release_id) if comment else None
    if comment is None or release is None or person is None or not person.active:
        return
    author = session.get(User, comment.author_id)
    data = CommentMentionInput(
        key=f"mention.{comment.id}.{person.id}", title=_title(session, release, person.language),
        author=author.name if author else "", comment=comment.body,
        url=_press_url(f"/press/releases/{release.id}/review#comment-{comment.id}"),
    )
    send_notice(session, "comment_mention", person.language, data, person.email, person.name)


def published_receipt(session: Session, event: OutboxEvent) -> None:
    """Tell the author the release is out, with its public address."""
    release = session.get(Release, event.subject_id)
    author = session.get(User, release.author_id) if release else None
    if release is None or author is None or release.published_at is None:
        return
    content = current_content(session, release)
    data = PublishedReceiptInput(
        key=f"published.{release.id}", title=_title(session, release, author.language),
        published_at=release.published_at, url=release_url(release.id or 0, content.default_language),
        languages=tuple(content.translations),
    )
    send_notice(session, "published_receipt", author.language, data, author.email, author.name)


def mailing_problem(session: Session, event: OutboxEvent) -> None:
    """distribution.finished: when a release's mailing could not start, had failures or reached
    nobody (and was not meant to: a web-only release reaches nobody on purpose), mail its author
    and every approver, each in their language."""
    payload = event.payload
    if payload.get("kind") != "release" or payload.get("release_id") is None:
        return
    release = session.get(Release, payload["release_id"])
    if release is None:
        return
    content = current_content(session, release)
    total, failed = int(payload.get("total") or 0), int(payload.get("failed") or 0)
    reason = str(payload.get("reason") or "")
    if not (reason or failed or (total == 0 and not content.web_only)):
        return
    people = {user.id: user for user in session.exec(
        select(User).where(col(User.role).in_([Role.APPROVER, Role.ADMIN]), User.active == True)
    ).all()}
    author = session.get(User, release.author_id)
    if author is not None and author.active:
        people[author.id] = author
    for person in people.values():
        data = MailingProblemInput(
            key=f"problem.{event.subject_id}", title=_title(session, release, person.language), total=total,
            sent=int(payload.get("sent") or 0), failed=failed, reason=reason,
            url=_press_url(f"/press/distributions/{event.subject_id}"),
        )
        send_notice(session, "mailing_problem", person.language, data, person.email, person.name)


def _account_link(session: Session, user: User, purpose: str, template: str, max_age: int) -> None:
    # The link is signed now, at sending: no event or row ever holds it.
    data = AccountLinkInput(key=f"{template}.{user.id}", url=link_url(user, purpose),
                            valid_hours=max(1, max_age // 3600))
    send_notice(session, template, user.language, data, user.email, user.name)


def invitation(session: Session, event: OutboxEvent) -> None:
    """account.invited: mail a new user the link to choose a password, in their language;
    nothing when they have chosen one or were deactivated since."""
    user = session.get(User, event.subject_id)
    if user is None or not user.active or user.password_hash is not None:
        return
    _account_link(session, user, INVITATION, "invitation", get_settings().invitation_max_age)


def password_reset(session: Session, event: OutboxEvent) -> None:
    """account.password_reset_requested: mail a link to choose a new password to the active user
    whose address was typed, if there is one; anyone else gets nothing."""
    user = reset_requester(session, str(event.payload.get("address", "")))
    if user is None:
        return
    _account_link(session, user, PASSWORD_RESET, "password_reset", get_settings().password_reset_max_age)
