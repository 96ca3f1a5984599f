"""E-mail addresses, validated and normalised in one place for everyone who has one.

Staff accounts and subscribers are both found by address, so both must spell it the same way:
"Jan.Peeters@Example.BE" and "jan.peeters@example.be" are one user, one subscriber and one
suppression hash.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from core.errors import InvalidInput


class InvalidAddress(InvalidInput):
    """The address is not a valid e-mail address; `reason` is email-validator's explanation."""

    def __init__(self, address: str, reason: str, field: str = "email") -> None:
        super().__init__(field, f"{address!r} is not a valid e-mail address: {reason}")
        self.address = address
        self.reason = reason


def normalise_email(address: str, field: str = "email", check_dns: bool = False) -> str:
    """The address, validated and lower-cased; raises InvalidAddress saying why not.

    With `check_dns`, the domain must also accept mail (an MX or A record); that needs network
    access and is slow, so imports leave it off unless asked.
    """
    try:
        result = validate_email(address.strip(), check_deliverability=check_dns)
    except EmailNotValidError as exc:
        raise InvalidAddress(address, str(exc), field) from None
    return result.normalized.lower()
