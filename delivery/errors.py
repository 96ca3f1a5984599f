"""Errors of the delivery room.

    PressroomError
    ├── InvalidInput
    │   └── UnsafeHeader          a value would break or inject a mail header; refused
    └── ConfigurationError
        ├── InvalidMailURL        PRESSROOM_MAIL_URL cannot be understood
        ├── DkimKeyError          the configured DKIM key cannot be read or used
        └── TransportUnavailable  the mail server cannot be reached or refuses the session

What a server says about single recipients (250, 451, 550, …) is not an exception: transports
return it per recipient in a `SendResult`.
"""

from __future__ import annotations

from core.errors import ConfigurationError, InvalidInput


class UnsafeHeader(InvalidInput):
    """A header value with line breaks, control characters or an unusable address."""


class InvalidMailURL(ConfigurationError):
    """The mail URL names no transport we know or lacks a part it needs."""

    def __init__(self, url: str, problem: str) -> None:
        # Never echo a password back: show the URL without its userinfo.
        shown = url.split("@", 1)[-1] if "@" in url.split("?", 1)[0] else url
        scheme = url.split("://", 1)[0] + "://" if "://" in url else ""
        display = shown if shown.startswith(scheme) else scheme + shown
        super().__init__(f"mail URL {display!r}: {problem}")
        self.problem = problem


class DkimKeyError(ConfigurationError):
    """The DKIM private key is missing, unreadable or not a key."""


class TransportUnavailable(ConfigurationError):
    """No session with the mail server: connection, TLS or login failed.

    `transient` says whether trying again later may help (a refused connection, a 4xx greeting)
    or not (bad credentials, a 5xx greeting); `code` is the SMTP reply code when there was one.
    """

    def __init__(self, target: str, problem: str, *, transient: bool, code: int | None = None) -> None:
        super().__init__(f"mail server {target}: {problem}")
        self.target = target
        self.problem = problem
        self.transient = transient
        self.code = code
