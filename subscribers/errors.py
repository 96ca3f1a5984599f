"""Errors of the subscribers room.

    core.errors.NotFound
    ├── ListNotFound          no mailing list with this slug (or a private one, to the public)
    └── SubscriberNotFound    no subscriber with this address
    core.errors.InvalidInput
    ├── InvalidAddress        not a syntactically valid e-mail address
    │   └── UndeliverableAddress  valid, but the mail relay cannot deliver to it (non-ASCII local part)
    ├── EmbargoNeedsPrivateList   a public list may not receive embargoed releases
    └── InvalidToken          forged, altered, meant for another purpose, or no longer valid
        └── ExpiredToken      genuine but older than its maximum age
    core.errors.Conflict
    ├── DuplicateList         the slug is taken
    └── AddressSuppressed     an admin tried to subscribe an address on the suppression list
"""

from __future__ import annotations

from datetime import datetime

from core.addresses import InvalidAddress, UndeliverableAddress  # noqa: F401  (shared with staff accounts)
from core.errors import Conflict, InvalidInput, NotFound


class ListNotFound(NotFound):
    """No mailing list has this slug."""

    def __init__(self, slug: str) -> None:
        super().__init__("mailing list", slug)
        self.slug = slug


class SubscriberNotFound(NotFound):
    """Nothing is held on this address."""

    def __init__(self, email: str) -> None:
        super().__init__("subscriber", email)
        self.email = email


class InvalidToken(InvalidInput):
    """A link's token was refused; nothing was changed."""

    def __init__(self, purpose: str, problem: str = "the link is invalid or was altered") -> None:
        super().__init__("token", f"{purpose} link refused: {problem}")
        self.purpose = purpose


class ExpiredToken(InvalidToken):
    """The token is genuine but too old."""

    def __init__(self, purpose: str, issued_at: datetime | None) -> None:
        when = f" (issued {issued_at:%Y-%m-%d %H:%M} UTC)" if issued_at else ""
        super().__init__(purpose, f"the link has expired{when}; please ask for a new one")
        self.issued_at = issued_at


class EmbargoNeedsPrivateList(InvalidInput):
    """Embargo is a property of a closed audience: anyone can join a public list through the
    sign-up form, so a public list that received embargoed releases would hand them to anyone
    hours early. `field` is the setting that asked for the combination."""

    def __init__(self, slug: str, field: str = "receives_embargoed") -> None:
        super().__init__(
            field,
            f"list {slug!r} cannot both be public (visibility) and receive embargoed releases "
            "(receives_embargoed): anyone can join a public list through the sign-up form and "
            "would read the news before its embargo lifts; make the list private (only admins "
            "add its members) or let it receive releases only once they are public",
        )
        self.slug = slug


class DuplicateList(Conflict):
    """Slugs are unique: they appear in release files and in the CLI."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"a mailing list with slug {slug!r} already exists")
        self.slug = slug


class AddressSuppressed(Conflict):
    """The address is on the suppression list; an admin must lift that first."""

    def __init__(self, email: str, reason: str) -> None:
        super().__init__(
            f"{email} is on the suppression list ({reason}); lift it first with "
            "`pressroom subscribers unsuppress` if the person really wants mail again"
        )
        self.email = email
        self.reason = reason


class UnusableRow(InvalidInput):
    """A CSV row the import cannot take. `problem` names why (pages say it in the reader's
    language, with `values` filled in); the English message serves the CLI, the API and logs."""

    def __init__(self, problem: str, message: str, **values: object) -> None:
        super().__init__("", message)
        self.problem = problem
        self.values = values
