"""Errors of the templates room.

    PressroomError
    ├── ConfigurationError
    │   └── BrokenTemplate        a template file does not compile (checked at worker start)
    ├── NotFound
    │   └── UnknownTemplate       no message kind of that name
    └── InvalidInput
        ├── UnsupportedLanguage   no fixed strings for the language
        ├── MissingTranslation    the release has no text in the requested language
        ├── UnsafeURL             a URL handed to a template is not absolute http(s)/mailto
        └── WrongInput            the data given does not fit the template (a caller's mistake)

Rendering problems inside MJML itself are programming errors of our own templates and are not
PressroomErrors: they should fail loudly in tests, not be shown to users as refusals.
"""

from __future__ import annotations

from core.errors import ConfigurationError, InvalidInput, NotFound


class BrokenTemplate(ConfigurationError):
    """A mail template file does not compile: a deployment's edit, found before any mail is sent."""

    def __init__(self, name: str, line: int | None, problem: str) -> None:
        where = f"{name}, line {line}" if line else name
        super().__init__(f"mail template {where} does not compile: {problem}")
        self.name = name
        self.line = line


class UnknownTemplate(NotFound):
    """No message kind of that name exists."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__("mail template", name)
        self.message = f"mail template {name!r} not found; known: {', '.join(known)}"
        self.args = (self.message,)
        self.known = known


class UnsupportedLanguage(InvalidInput):
    """The fixed strings of the templates are not translated into this language."""

    def __init__(self, language: str, supported: tuple[str, ...]) -> None:
        super().__init__("language", f"{language!r} is not supported; choose {', '.join(supported)}")
        self.language = language


class MissingTranslation(InvalidInput):
    """The release has no text in the language a message was asked for."""

    def __init__(self, language: str, available: tuple[str, ...]) -> None:
        super().__init__(
            "language", f"the release has no {language!r} text (available: {', '.join(available)})"
        )
        self.language = language
        self.available = available


class UnsafeURL(InvalidInput):
    """A URL meant for a message is not an absolute http(s) or mailto URL."""

    def __init__(self, field: str, url: str) -> None:
        super().__init__(field, f"{url[:80]!r} is not an absolute http(s) or mailto URL")
        self.url = url


class WrongInput(InvalidInput):
    """The data handed to a template is of the wrong type for it."""

    def __init__(self, template: str, expected: str, got: str) -> None:
        super().__init__("template", f"{template} renders {expected}, not {got}")
