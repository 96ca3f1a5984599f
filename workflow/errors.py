"""Errors of the release workflow.

    core.errors.Conflict
    ├── IllegalTransition     the action is not possible from the current state
    ├── StaleVersion          someone else changed the release first
    ├── AlreadyApproved       this approver signed this revision already
    ├── OrganisationChanged   someone else changed the organisation's identity first
    ├── EditLocked            a colleague has the release open in the editor
    ├── DuplicateUser         a user with this address exists already
    └── LastActiveAdmin       the change would leave no active admin
    core.errors.NotAllowed
    ├── NotAuthor             only the author (or an admin) may do this
    ├── RoleRequired          the actor lacks the role
    ├── FourEyesViolation     an author of the text may not approve it
    ├── NotInStepGroup        the actor is not in the group that signs the current step
    ├── SignedOtherStep       the actor signed another step of this revision already
    └── NotContactOwner       only an admin or the contact themselves changes a contact
    core.errors.NotFound
    └── UnusableLink          a password link that is forged, used already or for another account
        └── ExpiredLink       a genuine password link that is too old
    core.errors.InvalidInput
    ├── NotSubmittable        no translation has both a title and a body
    ├── UnknownLists          the release names mailing lists that do not exist
    ├── NoAudience            no lists, and not marked web-only
    ├── MissingLanguages      a required language (PRESSROOM_REQUIRED_LANGUAGES) lacks its text
    ├── InvalidIdentity       one field of the organisation's identity in one language
    ├── NotStaff              a test mail may go to an active member of staff only
    ├── UnknownMention        a comment names (@) someone who is not an active colleague
    ├── PublicationInPast     a publication time that has already gone by
    └── EmbargoLiftsFirst     an embargo that would lift before the release goes out
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from workflow.states import Action, State


class IllegalTransition(Conflict):
    """`action` cannot be taken from `state`; `allowed` lists what can."""

    def __init__(self, release_id: int, state: State, action: Action, allowed: Iterable[Action]):
        self.release_id = release_id
        self.state = state
        self.action = action
        self.allowed = list(allowed)
        names = ", ".join(a.value for a in self.allowed) or "none (final state)"
        super().__init__(
            f"release {release_id} is {state.value}: cannot {action.value}; allowed actions: {names}"
        )


class StaleVersion(Conflict):
    """The caller acted on `expected`, but the release is at `actual` now."""

    def __init__(self, release_id: int, expected: int, actual: int):
        self.release_id = release_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"release {release_id} changed since you loaded it (your version {expected}, "
            f"current {actual}); reload and try again"
        )


class AlreadyApproved(Conflict):
    """One approver counts once per revision."""

    def __init__(self, release_id: int, actor: str):
        self.release_id = release_id
        super().__init__(f"{actor} already approved the current revision of release {release_id}")


class NotAuthor(NotAllowed):
    """Only the release's author or an admin may edit or submit it."""

    def __init__(self, release_id: int, actor: str, action: Action):
        self.release_id = release_id
        super().__init__(
            f"{actor} may not {action.value} release {release_id}: only its author or an admin may"
        )


class RoleRequired(NotAllowed):
    """The actor does not have any of the roles the action needs."""

    def __init__(self, actor: str, action: Action | str, roles: Iterable[str]):
        self.roles = list(roles)
        super().__init__(f"{actor} may not {action}: needs role {' or '.join(self.roles)}")


class FourEyesViolation(NotAllowed):
    """An author of any revision may not approve or reject the release."""

    def __init__(self, release_id: int, actor: str, action: Action):
        self.release_id = release_id
        super().__init__(
            f"{actor} wrote a revision of release {release_id} and so may not "
            f"{action.value} it: another approver must (four-eyes rule)"
        )


class NotInStepGroup(NotAllowed):
    """Each step of an approval chain is signed off by its own group of people."""

    def __init__(self, release_id: int, actor: str, step: str, position: int, total: int):
        self.release_id = release_id
        self.step = step
        self.position = position
        self.total = total
        super().__init__(
            f"{actor} may not approve release {release_id} at step {position} of {total} "
            f"({step}): they are not in the group that signs this step"
        )


class SignedOtherStep(NotAllowed):
    """One person signs one step of a revision, unless the chain allows more."""

    def __init__(self, release_id: int, actor: str, step: int):
        self.release_id = release_id
        self.step = step
        super().__init__(
            f"{actor} signed step {step} of this revision of release {release_id} already and may "
            "not sign another step of it: someone else must (the chain does not allow the same approver twice)"
        )


class NotSubmittable(InvalidInput):
    """A release needs one translation with a title and a body before review."""

    def __init__(self, release_id: int):
        super().__init__(
            "translations",
            f"release {release_id} needs at least one translation with a title and a body "
            "before it can be submitted",
        )


class NotContactOwner(NotAllowed):
    """A contact printed under releases is changed by an admin or by that person only: anyone
    else could put another phone number under the ministry's releases."""

    def __init__(self, actor: str, contact: str):
        super().__init__(
            f"{actor} may not change the contact {contact}: only an admin or {contact} may; "
            "add a new contact instead, or ask an admin"
        )


class UnknownLists(InvalidInput):
    """A target list slug that no mailing list has: refused before anything is stored, so a typo
    never publishes to nobody."""

    def __init__(self, field: str, unknown: list[str], known: list[str]):
        self.unknown = unknown
        self.known = known
        names = ", ".join(repr(slug) for slug in unknown)
        what = f"no mailing list has the slug {names}" if len(unknown) == 1 else f"no mailing lists have the slugs {names}"
        super().__init__(field, f"{what}; known lists: {', '.join(known) or 'none yet'}")


class NoAudience(InvalidInput):
    """A release with no target lists must say it is web-only: forgetting the lists would
    otherwise publish it to the newsroom and mail it to nobody without a word."""

    def __init__(self) -> None:
        super().__init__(
            "lists", "the release names no mailing lists: add the lists to mail it to, or mark it "
            "web-only (--web-only, web_only: true) to publish it on the newsroom without mail"
        )


class MissingLanguages(InvalidInput):
    """A release lacks the title or body of a language every release must have.

    `missing` maps each such language to the parts it lacks, e.g. {"fr": ["title", "body"]}.
    """

    def __init__(self, release_id: int, action: Action, missing: dict[str, list[str]]):
        self.release_id = release_id
        self.missing = missing
        listed = ", ".join(f"{language} ({', '.join(parts)})" for language, parts in missing.items())
        super().__init__(
            "translations",
            f"cannot {action.value} release {release_id}: required languages are missing: {listed}",
        )


class OrganisationChanged(Conflict):
    """The caller edited version `expected` of the organisation's identity; it is at `actual` now."""

    def __init__(self, expected: int, actual: int):
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"the organisation's identity changed since you loaded it (your version {expected}, "
            f"current {actual}); reload and try again"
        )


class InvalidIdentity(InvalidInput):
    """A field of the organisation's identity in one language was refused: `field` is
    "<language>.<field>", e.g. "fr.website"."""

    def __init__(self, language: str, name: str, problem: str):
        self.language = language
        self.name = name
        super().__init__(f"{language}.{name}", problem)


class NotStaff(InvalidInput):
    """A test mail goes to a signed-up, active member of staff only: the form offers a list of
    colleagues, and anything else (a typed address, a deactivated account) is refused, so a test
    copy of unpublished news can never be sent outside the office."""

    ui_key = "test_mail_not_staff"  # pages say it in the reader's language

    def __init__(self, address: str):
        self.address = address
        super().__init__("to", f"{address!r} is not an active member of staff: a test mail goes only to "
                               "you or a colleague with an account")


class PublicationInPast(InvalidInput):
    """A publication time that has gone by is a mistake to point out, not to carry out at once."""

    def __init__(self, at: datetime, shown: str):
        self.at = at
        super().__init__("at", f"{shown} is in the past: publish now, or choose a later time")


class EmbargoLiftsFirst(InvalidInput):
    """An embargo that lifts before the release goes out would hold nothing back."""

    def __init__(self, lift: datetime, goes_out: datetime, shown_lift: str, shown_out: str):
        self.lift = lift
        self.goes_out = goes_out
        super().__init__("embargo_until", f"the embargo lifts at {shown_lift}, not after the release goes out "
                                          f"({shown_out}): it would hold nothing back; remove it or set a "
                                          "later time, and submit again")


class DuplicateUser(Conflict):
    """Addresses are unique among users: they sign in with it and are found by it."""

    def __init__(self, email: str):
        self.email = email
        super().__init__(f"a user with e-mail {email} already exists")


class LastActiveAdmin(Conflict):
    """Deactivating or demoting the last active admin would leave nobody who can manage users,
    the organisation or erasures: refused, from the web and the CLI alike."""

    ui_key = "last_admin"

    def __init__(self, email: str, change: str):
        self.email = email
        super().__init__(
            f"cannot {change} {email}: they are the last active admin; make another user admin first"
        )


class UnusableLink(NotFound):
    """A one-time password link (invitation or reset) that does not work: never issued, already
    used (the password changed since), or for an account that was deactivated. One message for
    all of these, so the page tells nothing about the account. `ui_key` names the page text."""

    ui_key = "link_unusable"

    def __init__(self, purpose: str):
        self.purpose = purpose
        NotFound.__init__(self, f"{purpose} link", "")
        self.message = ("this link does not work: it was used already, or the account changed since, "
                        "or it was never valid; ask for a new one")
        self.args = (self.message,)


class ExpiredLink(UnusableLink):
    """A genuine one-time link older than its purpose allows."""

    ui_key = "link_expired"

    def __init__(self, purpose: str):
        super().__init__(purpose)
        self.message = "this link has expired; ask for a new one"
        self.args = (self.message,)


class MissingAltText(InvalidInput):
    """An image without alt text in a language the release goes out in: a screen reader would
    say nothing (or the file name) where the picture is."""

    def __init__(self, missing: list[tuple[str, str]]):
        self.missing = missing
        listed = ", ".join(f"{filename} ({language})" for filename, language in missing)
        super().__init__("media", f"images need an alt text in every language of the release: {listed}")


class EditLocked(Conflict):
    """`holder` has the release open in the editor since `since` and has not gone quiet: a save,
    or taking the editor over, waits until their heartbeat lapses at `lapses_at`."""

    def __init__(self, release_id: int, holder: str, holder_name: str, since: datetime, lapses_at: datetime):
        self.release_id = release_id
        self.holder = holder
        self.holder_name = holder_name
        self.since = since
        self.lapses_at = lapses_at
        super().__init__(
            f"release {release_id} is being edited by {holder} since {since.isoformat(timespec='minutes')}; "
            f"your text is not saved (it can be taken over from {lapses_at.isoformat(timespec='seconds')} "
            "if they stop)"
        )


class UnknownMention(InvalidInput):
    """A comment's @names must each be one active colleague: a mention nobody receives would
    leave its writer believing someone was told."""

    def __init__(self, names: Iterable[str]):
        self.names = list(names)
        super().__init__("body", "no active colleague is called " + ", ".join(f"@{n}" for n in self.names)
                         + " (mention someone by the part of their e-mail address before the @)")
