"""Errors of signing in: second factors and single sign-on.

    core.errors.NotAllowed
    ├── SecondFactorRefused        a wrong, used or expired code
    ├── EnrolmentRequired          the user's role must enrol a second factor first
    ├── NoInvitation               single sign-on for an address no user has
    ├── AccountDeactivated         single sign-on for a deactivated user
    ├── EmailNotVerified           the identity provider does not vouch for the address
    └── SingleSignOnFailed         the provider's answer did not check out (state, nonce, token)
    core.errors.Conflict
    └── AlreadyEnrolled            the user has a confirmed second factor already
    core.errors.ConfigurationError
    └── SecondFactorUnreadable     the stored secret does not decrypt (PRESSROOM_SECRET_KEY changed)

Pages show the error's `ui_key` in the reader's language where it has one; the message is
the English text for logs, the CLI and the API.
"""

from __future__ import annotations

from core.errors import ConfigurationError, Conflict, NotAllowed


class SecondFactorRefused(NotAllowed):
    """The code matches neither the authenticator (in this or a neighbouring time step, not yet
    used) nor an unused recovery code."""

    ui_key = "code_refused"

    def __init__(self) -> None:
        super().__init__("the code is wrong, was used already, or has expired")


class EnrolmentRequired(NotAllowed):
    """PRESSROOM_REQUIRE_2FA names the user's role and the user has no second factor yet: pages
    send them to the enrolment page, and nothing else opens until they enrol."""

    def __init__(self, email: str, role: str) -> None:
        self.email = email
        super().__init__(f"{email} ({role}) must set up two-step sign-in before anything else")


class NoInvitation(NotAllowed):
    """Single sign-on never creates users: an address nobody invited is turned away."""

    ui_key = "sso_no_invitation"

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"no user has the address {email}: ask an admin for an invitation")


class AccountDeactivated(NotAllowed):
    """The identity provider may still know a person whom the press office has deactivated."""

    ui_key = "sso_deactivated"

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"the user {email} is deactivated")


class EmailNotVerified(NotAllowed):
    """Users are matched by address; an address the provider has not verified proves nothing."""

    ui_key = "sso_unverified"

    def __init__(self) -> None:
        super().__init__("the identity provider did not send a verified e-mail address")


class SingleSignOnFailed(NotAllowed):
    """The callback's state is not this browser's, the provider refused, or its token did not
    verify: nobody is signed in."""

    ui_key = "sso_failed"

    def __init__(self, why: str) -> None:
        super().__init__(f"single sign-on failed: {why}")


class AlreadyEnrolled(Conflict):
    """A second enrolment would silently replace the authenticator the user has."""

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} has set up two-step sign-in already; an admin resets it "
                         "with `pressroom users reset-2fa`")


class SecondFactorUnreadable(ConfigurationError):
    """Authenticator secrets are encrypted with a key derived from PRESSROOM_SECRET_KEY; after the
    key changes, they cannot be read and the user's factor must be reset."""

    def __init__(self, email: str) -> None:
        super().__init__(f"the authenticator secret of {email} cannot be decrypted (has "
                         "PRESSROOM_SECRET_KEY changed?); an admin resets it with `pressroom users reset-2fa`")
