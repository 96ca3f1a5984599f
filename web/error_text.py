"""How an error reads on a page, in the reader's language.

Domain errors carry an English `message` for the API, the CLI and the logs. A page shows the
catalogue text that `TEXTS` names for the error's class instead, filled in from the error's
attributes, so a Dutch page never prints an English sentence. An error class may name its
sentence itself (`ui_key`, a catalogue key without placeholders). Errors without an entry of their
own read as their family's sentence (`STATUS_TEXTS`); a plain InvalidInput says what its field
needs when the catalogue has an `error_field_<field>` hint, else names the field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta

from core.addresses import InvalidAddress, UndeliverableAddress
from core.catalogue import WEB, lookup
from core.errors import ConfigurationError, Conflict, InvalidInput, NotAllowed, NotFound, TooLong
from delivery.engine import DistributionStateError
from media.errors import MediaNotReady, MediaRefused, WrongMediaRole
from subscribers.errors import (
    AddressSuppressed,
    DuplicateList,
    EmbargoNeedsPrivateList,
    ExpiredToken,
    InvalidToken,
    UnusableRow,
)
from templates.errors import MissingTranslation
from templates.i18n import LOCALES
from web.errors import CsrfRejected, LimiterUnavailable, PageNotFound, RateLimited
from web.forms import ListNotOffered, MissingText, NoListChosen, NotADateTime, UnreadableLink
from web.i18n import action_name, field_name, format_time, role_name, translate
from workflow.errors import (
    AlreadyApproved,
    DuplicateUser,
    EditLocked,
    FourEyesViolation,
    IllegalTransition,
    InvalidIdentity,
    MissingAltText,
    MissingLanguages,
    NoAudience,
    NotAuthor,
    NotContactOwner,
    NotInStepGroup,
    NotSubmittable,
    OrganisationChanged,
    RoleRequired,
    SignedOtherStep,
    StaleVersion,
    UnknownLists,
    UnknownMention,
)

Translate = Callable[..., str]
Values = Callable[[Any, Translate, str], dict[str, object]]
Key = str | Callable[[Any], str]


def _none(error: Any, t: Translate, language: str) -> dict[str, object]:
    return {}


def _wait(error: Any, t: Translate, language: str) -> dict[str, object]:
    wait = format_timedelta(timedelta(seconds=max(int(error.retry_after), 1)), threshold=1.1,
                            locale=LOCALES[language])
    return {"wait": wait}


def _transition(error: Any, t: Translate, language: str) -> dict[str, object]:
    allowed = ", ".join(action_name(a.value, language) for a in error.allowed)
    return {"state": t(f"state_{error.state.value}"), "action": action_name(error.action.value, language),
            "allowed": allowed or t("none")}


def _missing_alt(error: Any, t: Translate, language: str) -> dict[str, object]:
    return {"files": ", ".join(f"{filename} ({t(f'language_{code}')})" for filename, code in error.missing)}


def _role(error: Any, t: Translate, language: str) -> dict[str, object]:
    roles = {"lead": t("press_media_role_lead"), "gallery": t("press_media_role_gallery"),
             "document": t("press_media_role_document")}
    return {"filename": error.filename, "role": roles.get(error.role, error.role)}


def _languages(error: Any, t: Translate, language: str) -> dict[str, object]:
    return {"languages": ", ".join(t(f"language_{code}") for code in error.missing)}


# First match wins: a class before the classes it derives from.
TEXTS: list[tuple[type[Exception], Key, Values]] = [
    (CsrfRejected, "error_csrf", _none),
    (UnusableRow, lambda e: f"import_{e.problem}", lambda e, t, lang: dict(e.values)),
    # A refused file: which one and why (the values of media.errors.REASONS, and its name).
    (MediaRefused, lambda e: f"media_{e.problem}", lambda e, t, lang: dict(e.values)),
    (MediaNotReady, "error_media_not_ready", lambda e, t, lang: {"filename": e.filename}),
    (MissingAltText, "error_missing_alt_text", _missing_alt),
    (WrongMediaRole, "error_wrong_media_role", _role),
    (RoleRequired, "error_role_required",
     lambda e, t, lang: {"roles": " / ".join(role_name(r, lang) for r in e.roles)}),
    (NotAuthor, "error_not_author", _none),
    (FourEyesViolation, "error_four_eyes", _none),
    (NotInStepGroup, "error_not_in_step",
     lambda e, t, lang: {"position": e.position, "total": e.total, "step": e.step}),
    (SignedOtherStep, "error_signed_other_step", _none),
    (NotContactOwner, "error_not_contact_owner", _none),
    (NotAllowed, "error_not_allowed", _none),
    (PageNotFound, "error_page_not_found", _none),
    (NotFound, "error_not_found", _none),
    (IllegalTransition, "error_illegal_transition", _transition),
    (StaleVersion, "error_stale", lambda e, t, lang: {"expected": e.expected, "actual": e.actual}),
    (OrganisationChanged, "error_stale", lambda e, t, lang: {"expected": e.expected, "actual": e.actual}),
    (AlreadyApproved, "error_already_approved", _none),
    (EditLocked, "error_edit_locked",
     lambda e, t, lang: {"who": e.holder_name, "since": format_time(e.since, lang)}),
    (DuplicateList, "error_duplicate_list", lambda e, t, lang: {"slug": e.slug}),
    (DuplicateUser, "error_duplicate_user", lambda e, t, lang: {"email": e.email}),
    (AddressSuppressed, "error_address_suppressed", lambda e, t, lang: {"email": e.email}),
    (DistributionStateError, "error_mailing_state", lambda e, t, lang: {"action": t(e.action)}),
    (Conflict, "error_conflict", _none),
    (EmbargoNeedsPrivateList, "embargo_needs_private", _none),
    # The organisation's fields: how to write the one that was refused.
    (InvalidIdentity, lambda e: f"error_identity_{e.name}", _none),
    (UndeliverableAddress, "error_undeliverable_address", lambda e, t, lang: {"address": e.address}),
    (InvalidAddress, "error_invalid_address", lambda e, t, lang: {"address": e.address}),
    (ExpiredToken, "error_link_expired", _none),
    (InvalidToken, "error_link_invalid", _none),
    (NotSubmittable, "error_not_submittable", _none),
    (MissingTranslation, "error_missing_translation",
     lambda e, t, lang: {"wanted": t(f"language_{e.language}")}),
    (NoAudience, "error_no_audience", _none),
    (UnknownLists, "error_unknown_lists", lambda e, t, lang: {"lists": ", ".join(e.unknown)}),
    (UnknownMention, "error_unknown_mention", lambda e, t, lang: {"names": ", ".join(f"@{n}" for n in e.names)}),
    (MissingLanguages, "error_missing_languages", _languages),
    (NotADateTime, "error_not_a_date_time", lambda e, t, lang: {"value": e.value}),
    (UnreadableLink, "error_unreadable_link", _none),
    (MissingText, "error_missing_text", _none),
    (NoListChosen, "error_no_list_chosen", _none),
    (ListNotOffered, "error_list_not_offered", lambda e, t, lang: {"list": e.slug}),
    (RateLimited, "error_rate_limited", _wait),
    (TooLong, "error_too_long", lambda e, t, lang: {"limit": e.limit, "length": e.length}),
    (LimiterUnavailable, "limiter_down", _none),
    (ConfigurationError, "error_unavailable", _none),
]

# The sentence of an HTTP status when nothing more precise is known.
STATUS_TEXTS = {400: "error_refused", 403: "error_not_allowed", 404: "error_no_page", 405: "error_method",
                409: "error_conflict", 422: "error_invalid", 429: "error_rate_limited_plain",
                503: "error_unavailable"}


def describe(error: Exception, language: str, *, labelled: bool = False) -> str:
    """The sentence a page shows for `error`, in `language`. `labelled`: the page already names
    the refused field next to the sentence, so a plain InvalidInput need not repeat it."""
    t: Translate = lambda key, **values: translate(key, language, **values)
    own = getattr(error, "ui_key", None)
    if isinstance(own, str) and lookup(WEB, own, language) is not None:
        return t(own)
    for kind, key, values in TEXTS:
        if isinstance(error, kind):
            name = key if isinstance(key, str) else key(error)
            if lookup(WEB, name, language) is not None:
                return t(name, **values(error, t, language))
            break
    if isinstance(error, InvalidInput):
        hint = _field_hint(error.field)
        if hint is not None:
            return t(hint)
        return t("error_invalid") if labelled else describe_field(error.field, language)
    return t("error_refused")


def _field_hint(field: str) -> str | None:
    """The `error_field_…` key of a refused field ("comment", "lists.2.slug" → slug), if any."""
    parts = [part for part in field.split(".") if part and not part.isdigit()]
    key = f"error_field_{parts[-1]}" if parts else ""
    return key if parts and lookup(WEB, key, "en") is not None else None


def describe_field(field: str, language: str) -> str:
    """The sentence for a refused field, named as the form labels it."""
    if not field:
        return translate("error_invalid", language)
    return translate("error_invalid_field", language, field=field_name(field, language))


def describe_status(status: int, language: str) -> str:
    """The sentence for an HTTP status that no domain error explains."""
    return translate(STATUS_TEXTS.get(status, "error_refused"), language)
