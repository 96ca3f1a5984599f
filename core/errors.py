"""Base errors of Pressroom. Every room's domain errors derive from these.

    PressroomError            anything the user can act on; never a programming error
    ├── NotFound              a named thing does not exist
    ├── InvalidInput          input refused; says what and where (`field`)
    ├── NotAllowed            the actor may not do this (role, four-eyes)
    ├── Conflict              the request clashes with the current state
    └── ConfigurationError    settings or services are wrong or unreachable

The CLI and the web app map these to exit codes and HTTP statuses in one place each.
"""

from __future__ import annotations


class PressroomError(Exception):
    """Base of all errors a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(PressroomError):
    """A named thing does not exist."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!s} not found")
        self.kind = kind
        self.key = key


class InvalidInput(PressroomError):
    """Input was refused; `field` says where (a dotted path, a line number or a file)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


class TooLong(InvalidInput):
    """A text longer than its field holds. Pages give both numbers in the reader's language:
    a long text refused with no number leaves its writer guessing how much to cut."""

    def __init__(self, field: str, limit: int, length: int, what: str = "text") -> None:
        super().__init__(field, f"a {what} holds at most {limit} characters, this one {length}")
        self.limit = limit
        self.length = length


class NotAllowed(PressroomError):
    """The actor's role or relation to the object forbids the action."""


class Conflict(PressroomError):
    """The request clashes with the current state of the object."""


class ConfigurationError(PressroomError):
    """Settings are invalid or a configured service cannot be reached."""


def heals_by_waiting(error: BaseException) -> bool:
    """Whether trying the same work again later may succeed: not after an error the user must
    act on first (a setting, a missing row, refused input, a value that does not validate), unless
    the error says itself that it is transient (a mail server that answered "try later")."""
    from pydantic import ValidationError

    if isinstance(error, PressroomError):
        return bool(getattr(error, "transient", False))
    return not isinstance(error, ValidationError)


def error_text(error: BaseException, limit: int = 500) -> str:
    """`Class: message`, one line, at most `limit` characters: what a failure record keeps."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text[:limit]
