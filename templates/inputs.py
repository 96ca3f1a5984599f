"""The plain data a message is rendered from, built by the caller from database rows.

Every input is a frozen dataclass of strings, numbers, datetimes and tuples: hashable, so the
renderer can use the input itself as part of its compile-cache key (a changed revision, contact or
organisation address is a different key), and free of ORM objects, so this room needs no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from templates.errors import MissingTranslation


@dataclass(frozen=True)
class Sender:
    """The organisation as printed in the header and footer of every message, in its language."""

    name: str
    address: str = ""
    phone: str = ""
    website: str = ""
    email: str = ""
    logo_url: str = ""


@dataclass(frozen=True)
class ContactCard:
    """A spokesperson as printed under a release; `functions` maps language to job title."""

    name: str
    email: str
    functions: tuple[tuple[str, str], ...] = ()
    phone: str = ""
    mobile: str = ""

    def function(self, language: str, fallback: str = "") -> str:
        """The job title in `language`, else in `fallback`, else any one given."""
        titles = dict(self.functions)
        return titles.get(language) or titles.get(fallback) or next(iter(titles.values()), "")


@dataclass(frozen=True)
class LinkItem:
    """A labelled URL printed with a release ("Download het volledige jaarverslag")."""

    label: str
    url: str


@dataclass(frozen=True)
class ReleaseText:
    """One language version of a release; `url` is its public page (may be empty)."""

    language: str
    title: str
    lead: str = ""
    body: str = ""
    links: tuple[LinkItem, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class MediaWords:
    """What is printed with a file in one language: alt text, caption, credit, a document's title."""

    language: str
    alt: str = ""
    caption: str = ""
    credit: str = ""
    title: str = ""


def _words(words: tuple[MediaWords, ...], language: str, fallback: str) -> MediaWords:
    """The words in `language`, each empty one filled from `fallback`'s (as `MediaItem.text`)."""
    by_language = {entry.language: entry for entry in words}
    own = by_language.get(language, MediaWords(language))
    other = by_language.get(fallback, MediaWords(fallback))
    return MediaWords(
        language,
        alt=own.alt or other.alt,
        caption=own.caption or other.caption,
        credit=own.credit or other.credit,
        title=own.title or other.title,
    )


@dataclass(frozen=True)
class ImageItem:
    """A picture of a release as mail shows it: a hosted rendition (never an attachment) at
    `width` × `height` CSS pixels; `url_2x` is the same picture for high-density screens."""

    url: str
    width: int
    height: int
    words: tuple[MediaWords, ...] = ()
    url_2x: str = ""

    def text(self, language: str, fallback: str) -> MediaWords:
        return _words(self.words, language, fallback)


@dataclass(frozen=True)
class DocumentItem:
    """A downloadable file of a release. `size_labels` maps language to its size as a reader of
    that language writes it ("4,2 MB"); `pages` is a PDF's page count."""

    url: str
    filename: str
    type_label: str
    size_labels: tuple[tuple[str, str], ...] = ()
    pages: int | None = None
    words: tuple[MediaWords, ...] = ()

    def text(self, language: str, fallback: str) -> MediaWords:
        return _words(self.words, language, fallback)

    def size_label(self, language: str, fallback: str) -> str:
        labels = dict(self.size_labels)
        return labels.get(language) or labels.get(fallback) or ""


@dataclass(frozen=True)
class ReleaseInput:
    """A published (or previewed) release: everything its mail shows, in every language.

    `key` names the revision (e.g. "r12.3"): Message-IDs and feedback ids derive from it. The
    media fields are that revision's files (ready ones only), with the facts of their bytes.
    """

    key: str
    kind: str
    default_language: str
    texts: tuple[ReleaseText, ...]
    dateline: datetime
    embargo_until: datetime | None = None
    contacts: tuple[ContactCard, ...] = ()
    lead_image: ImageItem | None = None
    gallery: tuple[ImageItem, ...] = ()
    documents: tuple[DocumentItem, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(text.language for text in self.texts)

    def text(self, language: str) -> ReleaseText:
        """The version in `language`; raises MissingTranslation."""
        for text in self.texts:
            if text.language == language:
                return text
        raise MissingTranslation(language, self.languages)


@dataclass(frozen=True)
class DigestItem:
    """One release in a digest, already in the subscriber's language."""

    title: str
    url: str
    lead: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True)
class DigestInput:
    """Several releases in one mailing; `period` is "daily" or "weekly", `key` names the issue."""

    key: str
    period: str
    first_day: date
    last_day: date
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class ConfirmSubscriptionInput:
    """Double opt-in: the lists asked for and the link that confirms them."""

    key: str
    lists: tuple[str, ...]
    confirm_url: str
    origin: str = "web"  # how the address was given: web, office or import (the footer says it)


@dataclass(frozen=True)
class AlreadySubscribedInput:
    """A sign-up for lists the address is already on: where to change what it receives."""

    key: str
    lists: tuple[str, ...]
    preferences_url: str
    origin: str = "web"  # as ConfirmSubscriptionInput.origin


@dataclass(frozen=True)
class WelcomeInput:
    """After a confirmed sign-up: what the person now receives, where to change it, where to read."""

    key: str
    lists: tuple[str, ...]
    preferences_url: str
    newsroom_url: str
    privacy_url: str = ""
    origin: str = "web"  # as ConfirmSubscriptionInput.origin


@dataclass(frozen=True)
class ReviewRequestInput:
    """To an approver: a release waits for review, and whom it will reach (so the audience is
    reviewed with the text: lists with their recipients, recipients per language, how many wait
    for the embargo). `web_only`: the newsroom only, mailed to nobody."""

    key: str
    title: str
    author: str
    review_url: str
    web_only: bool = False
    recipients: int = 0
    lists: tuple[tuple[str, int], ...] = ()
    languages: tuple[tuple[str, int], ...] = ()
    embargo_until: datetime | None = None
    held: int = 0
    # The step of its approval chain the release is at, named in the approver's language; a
    # chain of one step (the default) is not mentioned.
    step: str = ""
    position: int = 0
    total: int = 0


@dataclass(frozen=True)
class ChangesRequestedInput:
    """To the author: a reviewer wants changes."""

    key: str
    title: str
    reviewer: str
    comment: str
    edit_url: str


@dataclass(frozen=True)
class CommentMentionInput:
    """To a colleague named with @ in a comment on a release: who wrote what, on which release,
    and the review page where the thread is. Staff mail only, never a subscriber's."""

    key: str
    title: str
    author: str
    comment: str
    url: str


@dataclass(frozen=True)
class PublishedReceiptInput:
    """To the author: the release is out."""

    key: str
    title: str
    published_at: datetime
    url: str = ""
    languages: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class MailingProblemInput:
    """To the author and the approvers: a release's mailing ended badly (messages failed, or it
    reached nobody), which they must hear of from more than a worker's log."""

    key: str
    title: str
    total: int
    sent: int
    failed: int
    reason: str = ""  # why it could not start at all, e.g. a list that no longer exists
    url: str = ""


@dataclass(frozen=True)
class WebhookDisabledInput:
    """To the admins: a webhook endpoint failed `failures` times in a row and was disabled, so
    receivers downstream get nothing until someone looks."""

    key: str
    endpoint_id: int
    url: str
    failures: int
    last_error: str
    url_of_deliveries: str = ""  # the press page of its deliveries
    gone: bool = False  # disabled at once: the receiver answered 410 Gone


@dataclass(frozen=True)
class WithdrawalInput:
    """To everyone who received a release: it has been withdrawn, and why.

    The notice goes to the same people as the release, each in their own language; `titles`
    maps language to the release's title, and a reader whose language the release had no text
    in is shown the `default_language` title (the one they most likely received). `dateline` is
    the original publication, so the reader can tell which mail to disregard. `reason` is the
    withdrawer's plain text: it is shown escaped, with its line breaks, and never in the subject.
    """

    key: str
    default_language: str
    titles: tuple[tuple[str, str], ...]
    dateline: datetime
    reason: str
    withdrawn_at: datetime

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(language for language, _title in self.titles)

    def title(self, language: str) -> tuple[str, str]:
        """(language, title) in `language`, else in the default language; raises MissingTranslation."""
        titles = dict(self.titles)
        for candidate in (language, self.default_language):
            if titles.get(candidate):
                return candidate, titles[candidate]
        raise MissingTranslation(language, self.languages)


@dataclass(frozen=True)
class AccountLinkInput:
    """To a member of staff: a one-time link to choose a password (an invitation or a reset),
    valid for `valid_hours`."""

    key: str
    url: str
    valid_hours: int


RenderData = (
    ReleaseInput
    | DigestInput
    | ConfirmSubscriptionInput
    | AlreadySubscribedInput
    | WelcomeInput
    | ReviewRequestInput
    | ChangesRequestedInput
    | CommentMentionInput
    | PublishedReceiptInput
    | WithdrawalInput
    | MailingProblemInput
    | WebhookDisabledInput
    | AccountLinkInput
)
