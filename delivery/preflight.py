"""What a worker needs before it may send: checked at its start and by `pressroom check`.

A mail URL that does not parse, a DKIM key that does not load or a template that does not
compile fails every message the same way; found at start, the worker refuses to run with one
line naming the setting, instead of claiming deliveries and failing them one batch at a time.
"""

from __future__ import annotations

from core.errors import ConfigurationError
from core.settings import Settings, get_settings
from delivery.signing import signer_from_settings
from delivery.transports import default_mail_url, transport_from_url
from templates import default_renderer


def sending_problems(settings: Settings | None = None) -> list[str]:
    """One line per problem of the mail URL, the DKIM key and the templates; empty when none."""
    settings = settings or get_settings()
    problems: list[str] = []
    try:
        transport_from_url(default_mail_url(settings))
    except ConfigurationError as exc:
        problems.append(f"PRESSROOM_MAIL_URL: {exc.message}")
    try:
        signer_from_settings(settings.dkim_domain or "example.org", settings)
    except ConfigurationError as exc:
        problems.append(f"PRESSROOM_DKIM_PRIVATE_KEY_PATH: {exc.message}")
    try:
        default_renderer().check_templates()
    except ConfigurationError as exc:
        problems.append(exc.message)
    return problems


def check_sending(settings: Settings | None = None) -> None:
    """Raise ConfigurationError with every problem of `sending_problems` on one line."""
    problems = sending_problems(settings)
    if problems:
        raise ConfigurationError("cannot send mail: " + "; ".join(problems))
