"""Plain render inputs for tests: a release in four languages and one input per message kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from templates import (
    AccountLinkInput,
    AlreadySubscribedInput,
    ChangesRequestedInput,
    CommentMentionInput,
    ConfirmSubscriptionInput,
    ContactCard,
    DigestInput,
    DigestItem,
    LinkItem,
    MailingProblemInput,
    PublishedReceiptInput,
    ReleaseInput,
    ReleaseText,
    ReviewRequestInput,
    Sender,
    WebhookDisabledInput,
    WelcomeInput,
    WithdrawalInput,
)

LANGUAGES = ("nl", "fr", "en", "de")
SITE = "https://diplomatie.example.be"
# 20 April 2026, 09:05 UTC is 11:05 in Brussels (summer time).
DATELINE = datetime(2026, 4, 20, 9, 5, tzinfo=UTC)
NOW = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)

BODY = """Het ministerie publiceert vandaag zijn jaarverslag.

## Kerncijfers

- 41.200 consulaire dossiers;
- 3 evacuaties.

Lees meer op [onze website](https://diplomatie.example.be/jaarverslag) of mail
[de persdienst](mailto:pers@diplomatie.example.be).
"""

TITLES = {
    "nl": "Jaarverslag 2025 — diplomatie in een veranderende wereld",
    "fr": "Rapport annuel 2025 — la diplomatie dans un monde en mutation",
    "en": "Annual report 2025 — diplomacy in a changing world",
    "de": "Jahresbericht 2025 — Diplomatie in einer Welt im Wandel",
}
DOCUMENT_LABELS = {
    "nl": "Download het volledige jaarverslag",
    "fr": "Télécharger le rapport annuel complet",
    "en": "Download the full annual report",
    "de": "Den vollständigen Jahresbericht herunterladen",
}


def sender(**overrides: Any) -> Sender:
    values: dict[str, Any] = {
        "name": "FOD Buitenlandse Zaken — SPF Affaires étrangères",
        "address": "Karmelietenstraat 15, 1000 Brussel",
        "website": SITE,
        "email": "pers@diplomatie.example.be",
        "logo_url": f"{SITE}/static/logo.png",
    }
    values.update(overrides)
    return Sender(**values)


CONTACTS = (
    ContactCard(
        name="Anouk Peeters",
        email="anouk.peeters@diplomatie.example.be",
        functions=(("de", "Sprecherin"), ("en", "Spokesperson"), ("fr", "Porte-parole"), ("nl", "Woordvoerder")),
        phone="+32 2 501 81 11",
        mobile="+32 477 12 34 56",
    ),
    ContactCard(name="Luc Dubois", email="luc.dubois@diplomatie.example.be", functions=(("fr", "Attaché de presse"),)),
)


def text(language: str, **overrides: Any) -> ReleaseText:
    values: dict[str, Any] = {
        "language": language,
        "title": TITLES[language],
        "lead": f"Lead {language}: het ministerie legt verantwoording af.",
        "body": BODY,
        "links": (LinkItem(DOCUMENT_LABELS[language], f"{SITE}/jaarverslag-2025-{language}.pdf"),),
        "url": f"{SITE}/releases/7/{language}",
    }
    values.update(overrides)
    return ReleaseText(**values)


def release(kind: str = "press_release", **overrides: Any) -> ReleaseInput:
    values: dict[str, Any] = {
        "key": "r7.3",
        "kind": kind,
        "default_language": "nl",
        "texts": tuple(text(language) for language in LANGUAGES),
        "dateline": DATELINE,
        "embargo_until": None,
        "contacts": CONTACTS,
    }
    values.update(overrides)
    return ReleaseInput(**values)


def with_text(data: ReleaseInput, language: str, **overrides: Any) -> ReleaseInput:
    """`data` with the text in `language` changed."""
    texts = tuple(replace(t, **overrides) if t.language == language else t for t in data.texts)
    return replace(data, texts=texts)


def digest(period: str = "daily") -> DigestInput:
    return DigestInput(
        key="digest-daily-2026-04-20",
        period=period,
        first_day=DATELINE.date() if period == "daily" else DATELINE.date() - timedelta(days=6),
        last_day=DATELINE.date(),
        items=(
            DigestItem("Minister bezoekt Kinshasa", f"{SITE}/releases/5/nl", "Een werkbezoek.", DATELINE - timedelta(hours=3)),
            DigestItem("Jaarverslag 2025", f"{SITE}/releases/7/nl", "Het jaarverslag is uit.", DATELINE),
        ),
    )


def confirm() -> ConfirmSubscriptionInput:
    return ConfirmSubscriptionInput(
        key="s42", lists=("Journalisten", "Consulaire zaken"), confirm_url=f"{SITE}/subscriptions/confirm/tok-42"
    )


def already() -> AlreadySubscribedInput:
    return AlreadySubscribedInput(key="s42", lists=("Journalisten",), preferences_url=f"{SITE}/subscriptions/preferences/tok-42")


def welcome() -> WelcomeInput:
    return WelcomeInput(key="welcome.s42", lists=("Journalisten",),
                        preferences_url=f"{SITE}/subscriptions/preferences/tok-42",
                        newsroom_url=f"{SITE}/newsroom/nl", privacy_url=f"{SITE}/privacy/nl")


def review() -> ReviewRequestInput:
    return ReviewRequestInput(key="r7.3", title=TITLES["nl"], author="Anouk Peeters", review_url=f"{SITE}/releases/7/review")


def changes() -> ChangesRequestedInput:
    return ChangesRequestedInput(
        key="r7.3", title=TITLES["nl"], reviewer="Marc Janssens",
        comment="Cijfers nakijken.\nDe lead is te lang.", edit_url=f"{SITE}/releases/7/edit",
    )


def mention() -> CommentMentionInput:
    return CommentMentionInput(key="mention.4.2", title=TITLES["nl"], author="Marc Janssens",
                               comment="@an klopt dit cijfer?\nZie alinea 2.",
                               url=f"{SITE}/press/releases/7/review#comment-4")


def receipt() -> PublishedReceiptInput:
    return PublishedReceiptInput(
        key="r7.3", title=TITLES["nl"], published_at=DATELINE, url=f"{SITE}/releases/7/nl", languages=("nl", "fr"),
    )


def mailing_problem() -> MailingProblemInput:
    return MailingProblemInput(key="r7.problem", title=TITLES["nl"], total=120, sent=118, failed=2,
                               url=f"{SITE}/press/distributions/3")


def webhook_disabled() -> WebhookDisabledInput:
    return WebhookDisabledInput(key="webhook.4.disabled", endpoint_id=4, url="https://news.example.org/hooks/pressroom",
                                failures=15, last_error="HTTP 503", url_of_deliveries=f"{SITE}/press/webhooks/4")


def account_link(purpose: str) -> AccountLinkInput:
    hours = 7 * 24 if purpose == "invitation" else 1
    return AccountLinkInput(key=f"{purpose}.5", url=f"{SITE}/press/{purpose.replace('_', '-')}/tok-5",
                            valid_hours=hours)


def withdrawal(**overrides: Any) -> WithdrawalInput:
    values: dict[str, Any] = {
        "key": "r7.3-withdrawn",
        "default_language": "nl",
        "titles": tuple((language, TITLES[language]) for language in LANGUAGES),
        "dateline": DATELINE,
        "reason": "De cijfers van hoofdstuk 3 bevatten een fout.\nEen verbeterde versie volgt.",
        "withdrawn_at": DATELINE + timedelta(days=1, hours=1),
    }
    values.update(overrides)
    return WithdrawalInput(**values)


def input_for(template: str) -> Any:
    """A representative input for every template."""
    return {
        "press_release": lambda: release(),
        "annual_report": lambda: release("annual_report"),
        "digest": digest,
        "confirm_subscription": confirm,
        "already_subscribed": already,
        "welcome": welcome,
        "review_request": review,
        "changes_requested": changes,
        "comment_mention": mention,
        "published_receipt": receipt,
        "withdrawal_notice": withdrawal,
        "mailing_problem": mailing_problem,
        "webhook_disabled": webhook_disabled,
        "invitation": lambda: account_link("invitation"),
        "password_reset": lambda: account_link("password_reset"),
    }[template]()
