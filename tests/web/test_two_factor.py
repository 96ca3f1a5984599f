"""Two-step sign-in through the pages: enrolment, the code step after the password (which
grants nothing on its own), replayed codes, recovery codes, PRESSROOM_REQUIRE_2FA, the code
limit, and an admin's reset from the CLI."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlmodel import select

from core.db import session_scope
from core.settings import override_settings
from tests.cli.helpers import fails, invoker, ok
from tests.delivery.smtp_sink import free_port
from tests.web.conftest import Web, csrf_of, enrol, enter_code, sign_in, totp_code
from workflow.account_log import events
from workflow.models import RecoveryCode, SignInSession, TotpFactor


def test_enrol_then_sign_in_with_a_code(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.approver.email)
        page = client.get("/press/account/two-factor")
        assert "<svg" in page.text and 'autocomplete="one-time-code"' in page.text
        secret, _ = enrol(client)
        assert "Two-step sign-in is on" in client.get("/press/account").text
        assert client.get("/press/account/two-factor").status_code == 303  # enrolled: nothing to set up
    with web.browser() as client:
        first = sign_in(client, web.approver.email)
        assert first.status_code == 303 and first.headers["location"] == "/press/sign-in/code"
        assert client.get("/press").status_code == 303  # the password alone opens nothing
        assert client.get("/press/account").status_code == 303
        signed = enter_code(client, totp_code(secret, 1))
        assert signed.status_code == 303 and signed.headers["location"] == "/press"
        assert client.get("/press").status_code == 200
    with session_scope() as s:
        [row] = s.exec(select(SignInSession).where(SignInSession.method == "password+totp")).all()
        assert row.user_id == web.approver.id
        actions = [e.action for e in events(s, web.approver.id)]
    assert actions == ["signed_in", "second_factor_enrolled", "signed_in"]


def test_a_code_is_accepted_once(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.approver.email)
        secret, _ = enrol(client)
    code = totp_code(secret, 1)
    with web.browser() as client:
        sign_in(client, web.approver.email)
        assert enter_code(client, code).status_code == 303
    with web.browser() as thief:
        thief.headers["Accept-Language"] = "en"
        sign_in(thief, web.approver.email)
        replayed = enter_code(thief, code)
        assert replayed.status_code == 401 and "was used already" in replayed.text
        assert 'aria-describedby="code-help code-error"' in replayed.text
        assert enter_code(thief, totp_code(secret)).status_code == 401  # an older step: too late
        assert thief.get("/press").status_code == 303


def test_a_recovery_code_works_once(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.admin.email)
        _, codes = enrol(client)
    with web.browser() as client:
        sign_in(client, web.admin.email)
        assert enter_code(client, codes[3].upper()).status_code == 303  # case and dash do not matter
        assert "Unused recovery codes: 9" in client.get("/press/account").text
    with web.browser() as client:
        sign_in(client, web.admin.email)
        assert enter_code(client, codes[3]).status_code == 401
        assert enter_code(client, codes[4].replace("-", "")).status_code == 303
    with session_scope() as s:
        assert [e.detail for e in events(s, web.admin.id) if e.action == "recovery_code_used"] == ["9 left", "8 left"]


def test_the_database_holds_no_secret_and_no_code_in_clear(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.approver.email)
        secret, codes = enrol(client)
    with session_scope() as s:
        factor = s.get(TotpFactor, web.approver.id)
        hashes = [r.code_hash for r in s.exec(select(RecoveryCode)).all()]
    assert factor is not None and secret not in factor.secret and factor.secret.startswith("gAAAA")  # Fernet
    assert len(hashes) == 10 and not any(code.replace("-", "") in h for code in codes for h in hashes)


def test_the_code_step_is_bound_to_the_password(web: Web) -> None:
    from web.passwords import hash_password
    from workflow.models import User

    with web.browser() as client:
        sign_in(client, web.approver.email)
        secret, _ = enrol(client)
    with web.browser() as client:
        sign_in(client, web.approver.email)
        token = csrf_of(client.get("/press/sign-in/code").text)
        with session_scope() as s:  # the password changes between the two steps
            user = s.get(User, web.approver.id)
            assert user is not None
            user.password_hash = hash_password("a brand new password")
            s.add(user)
        assert client.get("/press/sign-in/code").headers["location"] == "/press/sign-in"
        late = client.post("/press/sign-in/code", data={"code": totp_code(secret, 1), "csrf_token": token})
        assert late.status_code == 303 and late.headers["location"] == "/press/sign-in"
        assert client.get("/press").status_code == 303


def test_required_roles_must_enrol_before_anything_else(web: Web) -> None:
    override_settings(require_2fa="approver,admin")
    with web.browser() as client:
        sign_in(client, web.approver.email)
        for path in ("/press", "/press/releases", "/press/lists"):
            response = client.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/press/account/two-factor"
        page = client.get("/press/account/two-factor")
        assert "Your role requires two-step sign-in" in page.text
        enrol(client)
        assert client.get("/press").status_code == 200
    with web.browser() as client:
        sign_in(client, web.spokesperson.email)  # not a required role
        assert client.get("/press").status_code == 200


def test_code_attempts_are_limited_and_the_limit_fails_closed(web: Web) -> None:
    override_settings(sign_in_limit=3)
    with web.browser() as client:
        sign_in(client, web.approver.email)
        secret, _ = enrol(client)
    with web.browser() as client:
        sign_in(client, web.approver.email)
        codes = [enter_code(client, "000000").status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        assert enter_code(client, totp_code(secret, 1)).status_code == 429  # even the right one, for now
    with web.browser() as client:
        sign_in(client, web.approver.email)  # the password's count was cleared by its success
        override_settings(broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
        assert enter_code(client, totp_code(secret, 1)).status_code == 503
        assert client.get("/press").status_code == 303


def test_a_wrong_code_at_enrolment_is_refused_with_the_form_again(web: Web) -> None:
    with web.browser() as client:
        sign_in(client, web.approver.email)
        page = client.get("/press/account/two-factor")
        secret = re.sub(r"\s", "", re.search(r"data-secret>([A-Z2-7 ]+)<", page.text).group(1))  # type: ignore[union-attr]
        wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
        refused = client.post("/press/account/two-factor", data={"code": wrong, "csrf_token": csrf_of(page.text)})
        assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
        assert secret in refused.text.replace(" ", "")  # the same secret: the app need not be set up again
        assert "Two-step sign-in is off" in client.get("/press/account").text


@pytest.fixture
def run(web: Web):  # type: ignore[no-untyped-def]
    return invoker()


def test_an_admin_resets_a_lost_factor_from_the_cli(web: Web, run) -> None:  # type: ignore[no-untyped-def]
    with web.browser() as client:
        sign_in(client, web.approver.email)
        enrol(client)
        assert client.get("/press").status_code == 200
        fails(run("users", "reset-2fa", web.approver.email, "--as", web.spokesperson.email), 4, "needs role admin")
        result = ok(run("users", "reset-2fa", web.approver.email, "--as", web.admin.email))
        assert "two-step sign-in reset for marc@example.be" in result.output
        assert client.get("/press").status_code == 303  # the reset ended their sessions
    with web.browser() as client:
        assert sign_in(client, web.approver.email).headers["location"] == "/press"  # password only now
    with session_scope() as s:
        assert s.get(TotpFactor, web.approver.id) is None and not s.exec(select(RecoveryCode)).all()
        [reset] = [e for e in events(s, web.approver.id) if e.action == "second_factor_reset"]
    assert reset.actor_label == web.admin.email and "1 sessions ended" in reset.detail
    shown = ok(run("users", "log", web.approver.email, "--json")).output
    assert '"action": "second_factor_reset"' in shown and f'"actor": "{web.admin.email}"' in shown
    assert "second_factor_enrolled" in ok(run("users", "log", web.approver.email)).output


def test_an_old_pending_step_opens_nothing(web: Web) -> None:
    """A pending step is signed, but it is only good for five minutes."""
    import time

    from itsdangerous import URLSafeTimedSerializer

    from core.settings import get_settings

    with web.browser() as client:
        sign_in(client, web.approver.email)
        enrol(client)
    stale = {"csrf": "t" * 43, "second_step": {"uid": web.approver.id, "method": "password", "next": "/press",
                                               "at": int(time.time()) - 301, "pw": _fingerprint(web.approver.id)}}
    cookie = URLSafeTimedSerializer(get_settings().secret_key, salt="pressroom.web.session").dumps(stale)
    with web.browser() as client:
        client.cookies.set("pressroom_session", cookie, domain="127.0.0.1")
        assert client.get("/press/sign-in/code").headers["location"] == "/press/sign-in"
        fresh = {**stale, "second_step": {**stale["second_step"], "at": int(time.time())}}
        client.cookies.set("pressroom_session",
                           URLSafeTimedSerializer(get_settings().secret_key, salt="pressroom.web.session").dumps(fresh),
                           domain="127.0.0.1")
        assert client.get("/press/sign-in/code").status_code == 200  # the same, recent: the code form


def _fingerprint(user_id: int) -> str:
    from workflow.models import User
    from workflow.sessions import fingerprint

    with session_scope() as s:
        user = s.get(User, user_id)
        assert user is not None
        return fingerprint(user.password_hash)
