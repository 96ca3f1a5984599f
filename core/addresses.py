"""E-mail addresses, validated and normalised in one place for everyone who has one.

Staff accounts and subscribers are both found by address, so both must spell it the same way:
"Jan.Peeters@Example.BE" and "jan.peeters@example.be" are one user, one subscriber and one
suppression hash.

An address that comes in must also be one Pressroom can send to. Its local part (before the @)
must be ASCII: a non-ASCII one needs SMTPUTF8, which Pressroom's relay path does not use
(`delivery.message.ascii_address` refuses it), so accepting it would only mean a failure at every
send. An internationalised domain is fine: it is sent in its IDNA (xn--) form. Addresses that are
only looked up (to find, show, erase or suppress what is already stored) skip that rule, so that
anything stored before it stays reachable.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from core.errors import InvalidInput


class InvalidAddress(InvalidInput):
    """The address cannot be used; `reason` says why in plain words."""

    verdict = "is not a valid e-mail address"

    def __init__(self, address: str, reason: str, field: str = "email") -> None:
        super().__init__(field, f"{address!r} {self.verdict}: {reason}")
        self.address = address
        self.reason = reason


class UndeliverableAddress(InvalidAddress):
    """A well-formed address that Pressroom's mail relay cannot deliver to (a non-ASCII local
    part): refused where it comes in rather than failing at every send."""

    verdict = "cannot be used"


def normalise_email(
    address: str, field: str = "email", check_dns: bool = False, *, lookup: bool = False
) -> str:
    """The address, validated and lower-cased; raises InvalidAddress saying why not.

    With `check_dns`, the domain must also accept mail (an MX or A record); that needs network
    access and is slow, so imports leave it off unless asked. Unless `lookup` (the address is
    only used to find what is stored), a non-ASCII local part raises UndeliverableAddress.
    """
    try:
        result = validate_email(address.strip(), check_deliverability=check_dns)
    except EmailNotValidError as exc:
        raise InvalidAddress(address, str(exc), field) from None
    if not lookup and not result.local_part.isascii():
        characters = "".join(dict.fromkeys(c for c in result.local_part if not c.isascii()))
        raise UndeliverableAddress(
            address,
            f"the part before @ contains non-ASCII characters ({characters}); Pressroom's mail "
            "relay cannot deliver to such addresses",
            field,
        )
    return result.normalized.lower()
