"""Request and response bodies of the JSON API, one family per entity.

Requests are checked for shape here (types, lengths, time zones); the domain then checks
meaning (a title on one line, a configured language, a list that exists) and its InvalidInput
becomes the same 422. Texts refuse NUL and lone surrogates, which no database stores.
"""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from workflow.models import ReleaseKind
from workflow.states import State

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    return value


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("date and time out of range") from None


_Clean = AfterValidator(_clean_text)
# Strings of at most N characters (Required: at least one), without NUL.
Str40 = Annotated[str, Field(max_length=40), _Clean]
Str200 = Annotated[str, Field(max_length=200), _Clean]
Str250 = Annotated[str, Field(max_length=250), _Clean]
Str2000 = Annotated[str, Field(max_length=2000), _Clean]
Body = Annotated[str, Field(max_length=200_000), _Clean]
Required200 = Annotated[str, Field(min_length=1, max_length=200), _Clean]
Required254 = Annotated[str, Field(min_length=1, max_length=254), _Clean]
Required2000 = Annotated[str, Field(min_length=1, max_length=2000), _Clean]
Required4000 = Annotated[str, Field(min_length=1, max_length=4000), _Clean]


UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
Version = Annotated[int | None, Field(ge=1, le=MAX_ID,
                                      description="act only if the release is still at this version")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- releases -----------------------------------------------------------------------------------


class LinkIn(Strict):
    label: Required200
    url: Required2000


class TranslationIn(Strict):
    title: Str250 = ""
    lead: Str2000 = ""
    body: Body = ""
    links: list[LinkIn] = Field(default_factory=list, max_length=20)


Language = Annotated[str, Field(min_length=2, max_length=5, pattern=r"^[a-z]{2}$")]
Slug = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_clean_text)]


class ReleaseCreate(Strict):
    """The whole content of a release; every language in `translations`."""

    kind: ReleaseKind = ReleaseKind.PRESS_RELEASE
    default_language: Annotated[str, Field(max_length=5, pattern=r"^([a-z]{2})?$")] = ""
    translations: dict[Language, TranslationIn] = Field(
        ..., min_length=1, max_length=8, description="language code → text"
    )
    contacts: list[Id] = Field(default_factory=list, max_length=20, description="contact ids")
    topics: list[Slug] = Field(default_factory=list, max_length=50)
    lists: list[Slug] = Field(default_factory=list, max_length=50, description="mailing list slugs")
    embargo_until: UtcDateTime | None = None
    publish_at: UtcDateTime | None = None
    web_only: bool = Field(False, description="newsroom only, mailed to nobody: required when `lists` is empty")

    def content_data(self) -> dict[str, Any]:
        return self.model_dump(include=set(ReleaseCreate.model_fields))


class ReleaseUpdate(ReleaseCreate):
    """New content for a release: replaces every language, stored as a new revision."""

    expected_version: Version = None
    comment: Str2000 = ""


class LinkOut(BaseModel):
    label: str
    url: str


class TranslationOut(BaseModel):
    title: str
    lead: str
    body: str
    links: list[LinkOut]


class ContactDetailsOut(BaseModel):
    email: str
    name: str
    function: dict[str, str]
    phone: str
    mobile: str


class ContentOut(BaseModel):
    kind: str
    default_language: str
    translations: dict[str, TranslationOut]
    contacts: list[int]
    contact_details: list[ContactDetailsOut] = Field(
        default_factory=list, description="the contacts as reviewed: what pages and mails print")
    topics: list[str]
    lists: list[str]
    embargo_until: datetime | None
    publish_at: datetime | None
    web_only: bool = False


class AudienceListOut(BaseModel):
    slug: str
    name: str
    recipients: int


class AudienceEmbargoOut(BaseModel):
    until: datetime
    now: int = Field(description="recipients on lists that receive embargoed releases: mailed at once")
    held: int = Field(description="recipients whose copy waits for the lift")
    early_lists: list[str]


class AudienceOut(BaseModel):
    """Who the release reaches, counted now with the distribution's own audience resolution."""

    web_only: bool
    total: int
    lists: list[AudienceListOut]
    missing_lists: list[str]
    languages: dict[str, int]
    embargo: AudienceEmbargoOut | None


class ApprovalStepOut(BaseModel):
    """Where a release stands in its approval chain: step `position` of `total`, `signed` of
    `required` sign-offs there; `complete` once every step is signed."""

    position: int
    total: int
    names: dict[str, str]
    signed: int
    required: int
    complete: bool


class ReleasePublic(BaseModel):
    """A release as the API shows it; `allowed_actions` are what the state permits next."""

    id: int
    kind: str
    state: State
    version: int
    author: str | None
    title: str
    languages: list[str]
    default_language: str
    revision: int
    revision_hash: str
    approvals: int
    approval_step: ApprovalStepOut
    allowed_actions: list[str]
    embargo_until: datetime | None
    publish_at: datetime | None
    published_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    content: ContentOut | None = None
    audience: AudienceOut | None = None


class ActionIn(Strict):
    expected_version: Version = None


class ApproveIn(ActionIn):
    comment: Str2000 = ""


class RequestChangesIn(ActionIn):
    comment: Annotated[Required4000, Field(description="what must change (required)")]


class PublishIn(ActionIn):
    at: Annotated[UtcDateTime | None, Field(description="schedule for this time instead of now")] = None


class WithdrawIn(ActionIn):
    reason: Annotated[Required4000, Field(description="why (kept in the audit log)")]
    notify: bool = Field(False, description="mail a withdrawal notice to everyone who already received it")
    publish_reason: bool = Field(False, description="show the reason on the release's public page")
    corrected_by: int | None = Field(None, ge=1, le=MAX_ID,
                                     description="id of the release that corrects this one, linked from its page")


class TransitionOut(BaseModel):
    """What an action did, and the release as it is now."""

    action: str
    from_state: State
    to_state: State
    event: str
    release: ReleasePublic


class AuditOut(BaseModel):
    at: datetime | None
    actor: str
    action: str
    from_state: str | None
    to_state: str
    revision: int | None
    revision_hash: str | None
    comment: str


class RevisionOut(BaseModel):
    number: int
    content_hash: str
    author: str | None
    created_at: datetime
    approved_by: list[str]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a listing; `total` counts every match."""

    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int


# --- contacts -----------------------------------------------------------------------------------


class ContactIn(Strict):
    email: Required254
    name: Str200 = ""
    function: dict[Language, Str200] = Field(default_factory=dict, max_length=8)
    phone: Str40 = ""
    mobile: Str40 = ""


class ContactOut(BaseModel):
    id: int
    email: str
    name: str
    function: dict[str, str]
    phone: str
    mobile: str


# --- lists and subscribers ----------------------------------------------------------------------


EMBARGOED = ("gets releases before their embargo lifts; only a private list may (anyone can join a "
             "public one), otherwise 422")


class ListCreate(Strict):
    slug: Slug
    name: Required200
    description: Str2000 = ""
    default_language: Annotated[str | None, Field(max_length=5)] = None
    visibility: Annotated[str, Field(pattern=r"^(public|private)$")] = "public"
    receives_embargoed: bool = Field(False, description=EMBARGOED)


class ListUpdate(Strict):
    name: Required200 | None = None
    description: Str2000 | None = None
    default_language: Annotated[str | None, Field(max_length=5)] = None
    visibility: Annotated[str | None, Field(pattern=r"^(public|private)$")] = None
    receives_embargoed: bool | None = Field(None, description=EMBARGOED)


class ListOut(BaseModel):
    slug: str
    name: str
    description: str
    default_language: str
    visibility: str
    receives_embargoed: bool
    counts: dict[str, int]


class SubscriberAdd(Strict):
    email: Required254
    name: Str200 | None = None
    language: Annotated[str | None, Field(max_length=5)] = None
    organisation: Str200 | None = None
    topics: list[Slug] | None = Field(None, max_length=50)
    frequency: Annotated[str | None, Field(pattern=r"^(immediate|daily|weekly)$")] = None
    confirmed: bool = Field(False, description="the caller vouches for consent: no confirmation mail")


class SubscriberUpdate(Strict):
    name: Str200 | None = None
    language: Annotated[str | None, Field(max_length=5)] = None
    frequency: Annotated[str | None, Field(pattern=r"^(immediate|daily|weekly)$")] = None
    topics: list[Slug] | None = Field(None, max_length=50)


class SubscriptionOut(BaseModel):
    list: str
    status: str
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None


class SubscriberOut(BaseModel):
    id: int
    email: str | None
    name: str
    language: str
    organisation: str
    frequency: str
    status: str
    topics: list[str]
    subscriptions: list[SubscriptionOut]
    created_at: datetime


class SubscribeOut(BaseModel):
    outcome: str
    subscriber: SubscriberOut | None


class ProblemOut(BaseModel):
    line: int
    reason: str


class ImportOut(BaseModel):
    """The import report: counts, and every row that was not imported with its reason."""

    list: str
    confirmed: bool
    delimiter: str
    encoding: str = Field(description='as detected: "UTF-8", "UTF-8 with BOM", "UTF-16 LE with BOM", "cp1252", …')
    columns: builtins.list[str]
    headers: dict[str, str] = Field(description="each imported field and the column name it was read from")
    ignored_columns: builtins.list[str]
    unknown_columns: builtins.list[str] = Field(description="ignored columns whose name is not a known alias")
    rows: int
    subscribers_created: int
    subscriptions_created: int
    already_on_list: int
    left_unsubscribed: int
    suppressed: builtins.list[ProblemOut]
    rejected: builtins.list[ProblemOut]


class ErasureOut(BaseModel):
    address_hash: str
    subscriber_id: int | None
    subscriptions_closed: int
    consent_records_deleted: int
    topics_deleted: int


# --- distributions ------------------------------------------------------------------------------


class DeliveryErrorOut(BaseModel):
    email: str
    status: str
    error: str


class DeadLetterOut(BaseModel):
    """An event whose handlers failed PRESSROOM_EVENT_MAX_ATTEMPTS times (or once, for good)."""

    id: str
    name: str = Field(description="what happened, e.g. release.published")
    subject_id: int | None = None
    state: str = Field(description="dead (open), discarded, handled (after a retry) or pending (retried, not yet handled)")
    failures: int
    last_error: str = Field(description="the error's class and message, and the handler that raised it")
    created_at: datetime
    dead_at: datetime | None
    discarded_at: datetime | None
    handled_at: datetime | None


class DistributionOut(BaseModel):
    """A mailing's status, deliveries per status, send rate and the latest errors."""

    id: int
    key: str
    kind: str = ""
    release_id: int | None = None
    title: str = Field("", description="the release's title (what the mailing sends)")
    actions: list[str] = Field(default_factory=list, description="control actions possible now")
    held: int = Field(0, description="deliveries held on purpose until a later time: an embargo's lift")
    held_until: datetime | None = Field(None, description="when the first held deliveries go")
    retrying: int = Field(0, description="deferred deliveries waiting for their retry")
    retry_at: datetime | None = Field(None, description="when the first retry is due")
    sendable: int = Field(0, description="deliveries that can go now: what eta_seconds is for")
    status: str
    status_label: str = Field(description='the status, with its cause when a withdrawal stopped it: "cancelled: withdrawn"')
    note: str = Field(description="why it ended as it did, e.g. the withdrawal's reason")
    total: int
    queued: int
    sending: int
    sent: int
    deferred: int
    failed: int
    bounced: int
    skipped: int
    rate_per_second: float = Field(description="messages per second over the last minute (the throttle while too few went)")
    eta_seconds: int | None = Field(description="at the last minute's rate, for the sendable deliveries only")
    started_at: datetime | None
    finished_at: datetime | None
    last_errors: list[DeliveryErrorOut]


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    language: str


# --- the organisation ---------------------------------------------------------------------------


class OrganisationIn(Strict):
    """The organisation in one language; replaces that language's values. An empty field is
    taken from the default language in mail. The domain checks meaning (one line, http(s) URLs,
    a plausible phone number) and names the language and field it refuses."""

    name: Str200 = ""
    address: Annotated[str, Field(max_length=500), _Clean] = ""
    phone: Str40 = ""
    website: Annotated[str, Field(max_length=300), _Clean] = ""
    logo_url: Annotated[str, Field(max_length=500), _Clean] = ""
    email: Annotated[str, Field(max_length=254), _Clean] | None = Field(
        None, description="sender address, the same in every language; omitted: unchanged, '': none"
    )
    expected_version: Annotated[int | None, Field(
        ge=1, le=MAX_ID, description="change only if the identity is still at this version")] = None

    def values(self) -> dict[str, str]:
        return self.model_dump(include={"name", "address", "phone", "website", "logo_url"})


class IdentityOut(BaseModel):
    name: str
    address: str
    phone: str
    website: str
    logo_url: str


class OrganisationOut(BaseModel):
    """One version of the organisation's identity: `own` as stored per language, `effective`
    what mail in each language prints (empty fields taken from `default_language`)."""

    version: int
    created_at: datetime
    created_by: str
    change: str
    default_language: str
    email: str
    own: dict[str, IdentityOut]
    effective: dict[str, IdentityOut]


# --- mailing reports ----------------------------------------------------------------------------


class ReportCountsOut(BaseModel):
    """The figures of a mailing, a list or a language. No field names a person."""

    recipients: int = Field(description="deliveries: one per person the mailing was for")
    accepted: int = Field(description="messages the mail relay accepted (a later bounce included)")
    pending: int = Field(description="queued or being sent now")
    held: int = Field(description="waiting on purpose for the embargo to lift (not late)")
    deferred: int = Field(description="refused for now by the relay, to be tried again")
    failed: int = Field(description="refused for good by the relay")
    failed_by_reason: dict[str, int] = Field(
        description="failed per reason class: recipient_refused, policy, mailbox_full, connection, other")
    bounced_hard: int = Field(description="bounced for good after the relay accepted them")
    bounced_soft: int = Field(description="bounced for now (mailbox full, delayed …)")
    skipped: int = Field(description="not sent: unsubscribed, suppressed, erased, withdrawn or cancelled first")
    unsubscribed: int = Field(description="unsubscribed through this mailing's link (one-click or the page)")
    complaints: int = Field(description="ARF complaints (RFC 5965) about this mailing's messages")


class ReportPartOut(BaseModel):
    key: str = Field(description="the list's id, or the language code")
    label: str = Field(description="the list's slug, or the language code")
    counts: ReportCountsOut


class ReportTimingOut(BaseModel):
    """Seconds from `since` until the relay accepted the first, the median, the 90th and 99th
    percentile and the last message (nearest rank)."""

    phase: Literal["from_publication", "from_embargo_lift"]
    since: datetime
    messages: int
    first: float
    last: float
    p50: float
    p90: float
    p99: float


class MailingReportOut(BaseModel):
    """What happened to one mailing, in numbers, in total and per list and language."""

    distribution_id: int
    key: str
    kind: str = Field(description="release, withdrawal or digest")
    release_id: int | None
    title: str
    status: str
    status_label: str
    published_at: datetime | None = Field(description="the delays' starting point: publication, else the mailing's start")
    embargo_until: datetime | None = Field(description="the embargo that held part of the mailing back, if any")
    held_until: datetime | None = Field(description="set while messages are held for the embargo: until when")
    totals: ReportCountsOut
    by_list: list[ReportPartOut]
    by_language: list[ReportPartOut]
    timing: list[ReportTimingOut]


class ReleaseReportOut(BaseModel):
    """Every mailing of a release (its mailing, a withdrawal notice) and their sums."""

    release_id: int
    title: str
    published_at: datetime | None
    mailings: list[MailingReportOut]
    totals: ReportCountsOut
    by_list: list[ReportPartOut]
    by_language: list[ReportPartOut]


class ChainStepIn(Strict):
    """One step of an approval chain: its name per language, who signs it, how many must."""

    names: dict[Language, Annotated[str, Field(max_length=100)]] = Field(
        description="the step's name per language, at least one")
    approvers: Annotated[str, Field(max_length=20)] | list[Annotated[str, Field(max_length=254)]] = Field(
        "approver", description='a role ("approver": approvers and admins; "admin") or users\' addresses')
    required: int = Field(1, ge=1, le=5, description="how many of them must sign")


class ChainIn(Strict):
    steps: list[ChainStepIn] = Field(min_length=1, max_length=10)
    allow_same_approver: bool = Field(False, description="one person may sign several steps of a revision")


class ChainStepOut(BaseModel):
    names: dict[str, str]
    approvers: str | list[str]
    required: int


class ChainOut(BaseModel):
    """The approval chain of one kind; `default`: none is set, one step of
    PRESSROOM_REQUIRED_APPROVALS approvers applies."""

    kind: ReleaseKind
    default: bool
    steps: list[ChainStepOut]
    allow_same_approver: bool
    updated_at: datetime | None
    updated_by: str | None
