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


class NotAllowed(PressroomError):
    """The actor's role or relation to the object forbids the action."""


class Conflict(PressroomError):
    """The request clashes with the current state of the object."""


class ConfigurationError(PressroomError):
    """Settings are invalid or a configured service cannot be reached."""
