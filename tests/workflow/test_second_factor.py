"""Authenticator codes and recovery codes in the domain, on each database: a code counts once,
even for two requests at once; clocks may drift one step; secrets need the secret key."""

from __future__ import annotations

import threading
import time

import pyotp
import pytest
from sqlmodel import Session

from core.db import get_engine, session_scope
from core.settings import override_settings
from workflow import second_factor
from workflow.access_errors import AlreadyEnrolled, SecondFactorRefused, SecondFactorUnreadable
from workflow.models import TotpFactor, User
from workflow.sessions import summarise_user_agent
from workflow.users import add_user


def _enrolled(email: str = "an@example.be") -> tuple[User, str]:
    with session_scope() as s:
        user = add_user(s, email, "An Peeters", "approver")
        secret = second_factor.start_enrolment(s, user)
        assert second_factor.start_enrolment(s, user) == secret  # shown again until confirmed
        second_factor.confirm_enrolment(s, user, pyotp.TOTP(secret).now())
        with pytest.raises(AlreadyEnrolled):
            second_factor.start_enrolment(s, user)
    return user, secret


def _code(secret: str, steps: int) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def test_a_code_counts_once_and_never_after_a_later_one(db: str) -> None:
    user, secret = _enrolled()
    totp = pyotp.TOTP(secret)
    with session_scope() as s:
        factor = s.get(TotpFactor, user.id)
        assert factor is not None
        spent = factor.last_step  # the step of the code that confirmed the enrolment
    for step in (spent, spent - 1):
        with session_scope() as s, pytest.raises(SecondFactorRefused):
            second_factor.verify(s, user, totp.generate_otp(step))
    with session_scope() as s:
        assert second_factor.verify(s, user, _code(secret, 1)) == "totp"  # one step of drift
    with session_scope() as s, pytest.raises(SecondFactorRefused):
        second_factor.verify(s, user, _code(secret, 1))
    with session_scope() as s, pytest.raises(SecondFactorRefused):  # three steps ahead: too far
        second_factor.verify(s, user, _code(secret, 3))


def test_recovery_codes_are_spent_once(db: str) -> None:
    with session_scope() as s:
        user = add_user(s, "an@example.be", "An Peeters", "admin")
        secret = second_factor.start_enrolment(s, user)
        codes = second_factor.confirm_enrolment(s, user, pyotp.TOTP(secret).now())
    assert len(set(codes)) == 10
    with session_scope() as s:
        assert second_factor.verify(s, user, f" {codes[0].upper()} ") == "recovery"
    with session_scope() as s:
        with pytest.raises(SecondFactorRefused):
            second_factor.verify(s, user, codes[0])
        assert second_factor.unused_recovery_codes(s, user.id or 0) == 9


def test_a_changed_secret_key_makes_the_secret_unreadable(db: str) -> None:
    user, secret = _enrolled()
    override_settings(secret_key="another secret key, after a rotation")
    with session_scope() as s, pytest.raises(SecondFactorUnreadable, match="reset-2fa"):
        second_factor.verify(s, user, _code(secret, 1))


def test_two_requests_with_the_same_code_at_once_one_wins(postgresql_db: str) -> None:
    """The second waits for the first's row lock, then finds the step taken."""
    user, secret = _enrolled()
    code = _code(secret, 1)
    outcome: list[str] = []
    first = Session(get_engine(), expire_on_commit=False)
    assert second_factor.verify(first, user, code) == "totp"  # not committed yet: holds the row

    def second() -> None:
        with session_scope() as s:
            try:
                outcome.append(second_factor.verify(s, user, code))
            except SecondFactorRefused:
                outcome.append("refused")

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive() and not outcome  # waiting on the lock
    first.commit()
    first.close()
    thread.join(10)
    assert outcome == ["refused"]


@pytest.mark.parametrize(("agent", "summary"), [
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
     "Chrome on Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0",
     "Edge on Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1",
     "Safari on iOS"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.0; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on macOS"),
    ("curl/8.5.0", "curl/8.5.0"),
    ("", "unknown"),
])
def test_user_agents_are_summarised(agent: str, summary: str) -> None:
    assert summarise_user_agent(agent) == summary

