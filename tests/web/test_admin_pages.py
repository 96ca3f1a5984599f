"""The users page, the contact directory and the password links, as the served app answers them:
who sees and may do what, what is recorded, and that a link works once and only for its account."""

from __future__ import annotations

import html
import re
import time

import httpx
from hypothesis import HealthCheck, assume, given, settings
from sqlmodel import col, select

from core.catalogue import WEB, lookup
from core.db import session_scope
from core.outbox import OutboxEvent
from core.settings import override_settings
from tests.web.conftest import PASSWORD, Web, csrf_of, post, sign_in, signed_in
from tests.web.test_token_fuzzing import TOKENS
from web.i18n import UI_LANGUAGES, translate
from web.passwords import hash_password, verify_password
from workflow import accounts
from workflow.account_log import CHANGES, AccountAction, events
from workflow.models import AccountEvent, ContactChange, Role, User

SIGN_INS = {AccountAction.SIGNED_IN, AccountAction.SIGNED_OUT, AccountAction.SIGN_IN_FAILED,
            AccountAction.SESSION_ENDED}




def _user(email: str) -> User:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        session.expunge(user)
        return user


def _changes(email: str) -> list[tuple[str, str]]:
    """(action, actor) of every event in the account's log but its sign-ins and sign-outs, oldest
    first."""
    user = _user(email)
    with session_scope() as session:
        return [(e.action, e.actor_label) for e in events(session, user.id or 0) if e.action not in SIGN_INS]


def _events(name: str) -> list[int | None]:
    with session_scope() as session:
        return [e.subject_id for e in session.exec(select(OutboxEvent).where(OutboxEvent.name == name)).all()]


def _link(email: str, purpose: str) -> str:
    """The path of a link as the mail would carry it (made the same way, without the mail)."""
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return "/press/" + accounts.LINK_PATHS[purpose].split("/press/")[1] + accounts.link_token(user, purpose)


def _set_password(client: httpx.Client, path: str, password: str, repeat: str | None = None) -> httpx.Response:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"password": password, "repeat": password if repeat is None else repeat,
                                   "csrf_token": csrf_of(page.text)})


# --- the users page ---------------------------------------------------------------------------


def test_only_admins_see_and_use_the_users_page(web: Web) -> None:
    with signed_in(web, web.admin) as client:
        page = client.get("/press/users")
        assert page.status_code == 200
        for person in (web.spokesperson, web.approver2, web.admin):
            assert person.email in page.text
        assert 'href="/press/users"' in client.get("/press").text
    for person in (web.spokesperson, web.approver):
        with signed_in(web, person) as client:
            assert 'href="/press/users"' not in client.get("/press").text
            assert client.get("/press/users").status_code == 403
            refused = post(client, "/press/users/invite", {"name": "Eve", "email": "eve@example.be",
                                                           "role": "admin", "language": "nl"})
            assert refused.status_code == 403
            assert post(client, f"/press/users/{person.id}/role", {"role": "admin"}).status_code == 403
            assert post(client, f"/press/users/{web.admin.id}/deactivate", {}).status_code == 403
    assert _user("root@example.be").active and _user("marc@example.be").role is Role.APPROVER
    assert not _events(accounts.INVITED_EVENT)


def test_an_invitation_creates_a_user_without_a_password_and_is_recorded(web: Web) -> None:
    with signed_in(web, web.admin) as client:
        made = post(client, "/press/users/invite", {"name": "Els Wouters", "email": "Els@Example.be",
                                                    "role": "approver", "language": "fr"}, "/press/users")
        assert made.status_code == 303
        page = client.get("/press/users")
        assert "Invitation sent to els@example.be." in page.text
        assert "els@example.be" in page.text and "invited, no password yet" in page.text
        invited = _user("els@example.be")
        assert invited.password_hash is None and invited.active and invited.language == "fr"
        assert invited.role is Role.APPROVER
        assert _changes("els@example.be") == [("invited", "root@example.be")]
        assert _events(accounts.INVITED_EVENT) == [invited.id]

        # Refused input comes back as typed, the field marked and described by the error.
        bad = post(client, "/press/users/invite", {"name": "X", "email": "not an address", "role": "approver",
                                                   "language": "nl"}, "/press/users")
        assert bad.status_code == 422 and 'value="not an address"' in bad.text
        assert re.search(r'name="email"[^>]*aria-invalid="true" aria-describedby="form-error"', bad.text)
        taken = post(client, "/press/users/invite", {"name": "Els", "email": "els@example.be",
                                                     "role": "admin", "language": "nl"}, "/press/users")
        assert taken.status_code == 409 and "There is already a user with the address els@example.be." in taken.text
        assert _user("els@example.be").role is Role.APPROVER

        again = post(client, f"/press/users/{invited.id}/invite", {}, "/press/users")
        assert again.status_code == 303
        assert _events(accounts.INVITED_EVENT) == [invited.id, invited.id]
        # Someone with a password has nothing to accept.
        assert post(client, f"/press/users/{web.approver.id}/invite", {}, "/press/users").status_code == 422


def test_deactivation_ends_sessions_and_tokens_at_once_and_reactivation_restores_them(web: Web) -> None:
    with web.browser() as theirs, signed_in(web, web.admin) as admin:
        assert sign_in(theirs, web.spokesperson.email).status_code == 303
        assert theirs.get("/press").status_code == 200
        assert post(admin, f"/press/users/{web.spokesperson.id}/deactivate", {}, "/press/users").status_code == 303
        assert "an@example.be is deactivated." in admin.get("/press/users").text
        assert theirs.get("/press").status_code == 303  # to the sign-in page
        assert sign_in(theirs, web.spokesperson.email).status_code == 401
        with web.api(web.spokesperson) as api:
            assert api.get("/me").status_code == 401
        assert post(admin, f"/press/users/{web.spokesperson.id}/reactivate", {}, "/press/users").status_code == 303
        with web.browser() as again:
            assert sign_in(again, web.spokesperson.email).status_code == 303
        with web.api(web.spokesperson) as api:
            assert api.get("/me").status_code == 200

        assert post(admin, f"/press/users/{web.spokesperson.id}/role", {"role": "approver"},
                    "/press/users").status_code == 303
        assert "an@example.be is now approver." in admin.get("/press/users").text
        assert post(admin, f"/press/users/{web.spokesperson.id}/role", {"role": "boss"},
                    "/press/users").status_code == 422
    assert _changes("an@example.be") == [("deactivated", "root@example.be"), ("reactivated", "root@example.be"),
                                         ("role_changed", "root@example.be")]
    with session_scope() as session:
        change = session.exec(select(AccountEvent).where(AccountEvent.action == "role_changed")).one()
        assert change.before["role"] == "spokesperson" and change.after["role"] == "approver"  # type: ignore[index]


def test_reactivation_does_not_revive_a_session_from_before_the_deactivation(web: Web) -> None:
    with web.browser() as theirs, signed_in(web, web.admin) as admin:
        assert sign_in(theirs, web.spokesperson.email).status_code == 303
        assert theirs.get("/press").status_code == 200
        # No request of theirs comes between the two: the session must be over all the same.
        for action in ("deactivate", "reactivate"):
            assert post(admin, f"/press/users/{web.spokesperson.id}/{action}", {}, "/press/users").status_code == 303
        assert theirs.get("/press").status_code == 303
        assert sign_in(theirs, web.spokesperson.email).status_code == 303  # a new sign-in works
        assert theirs.get("/press").status_code == 200


def test_the_users_page_lists_changes_from_the_account_log_and_last_sign_ins(web: Web) -> None:
    def row(page: str, person_id: int) -> str:
        return page.split(f'id="user-{person_id}"')[1].split("</tr>")[0]

    def history(page: str) -> str:
        return html.unescape(page.split('id="history"')[1])

    with signed_in(web, web.admin) as admin:
        page = admin.get("/press/users").text
        assert "never" not in row(page, web.admin.id) and "never" in row(page, web.spokesperson.id)
        assert post(admin, f"/press/users/{web.spokesperson.id}/role", {"role": "approver"},
                    "/press/users").status_code == 303
        assert post(admin, "/press/users/invite", {"name": "Els Wouters", "email": "els@example.be",
                                                   "role": "admin", "language": "fr"}, "/press/users").status_code == 303
        with web.browser() as theirs:
            assert sign_in(theirs, web.spokesperson.email).status_code == 303
            with session_scope() as session:
                accounts.request_password_reset(session, web.spokesperson.email)
                [event] = session.exec(select(OutboxEvent).where(OutboxEvent.name == accounts.RESET_EVENT)).all()
                assert accounts.reset_requester(session, event.payload["address"]) is not None
        page = admin.get("/press/users").text
        assert "never" not in row(page, web.spokesperson.id)
        shown = history(page)
        assert "role changed" in shown and "Role: spokesperson → approver" in shown
        assert "invited" in shown and "Role: admin" in shown and "Language: FR" in shown
        # Sign-ins, and reset requests anyone may make for any address, stay in each user's log.
        assert "signed in" not in shown and "password reset form" not in shown
        with session_scope() as session:
            session.get(User, web.admin.id).language = "nl"  # type: ignore[union-attr]
        shown = history(admin.get("/press/users").text)
        assert "rol gewijzigd" in shown and "Rol: woordvoerder → goedkeurder" in shown


def test_every_change_the_page_lists_is_named_in_every_language() -> None:
    for action in CHANGES:
        assert all(lookup(WEB, f"account_{action}", language) for language in UI_LANGUAGES), action


def test_the_last_active_admin_can_neither_leave_nor_be_demoted(web: Web) -> None:
    with signed_in(web, web.admin) as client:
        page = client.get("/press/users")
        # The page offers neither: the admin's row has no role form and no deactivate button.
        row = page.text.split(f'id="user-{web.admin.id}"')[1].split("</tr>")[0]
        assert "/deactivate" not in row and "/role" not in row and "the only active admin" in row
        for action, data in (("deactivate", {}), ("role", {"role": "approver"})):
            refused = post(client, f"/press/users/{web.admin.id}/{action}", data, "/press/users")
            assert refused.status_code == 409
            assert "this is the last active admin" in refused.text
        client.headers["Accept-Language"] = "nl"
        with session_scope() as session:
            session.get(User, web.admin.id).language = "nl"  # type: ignore[union-attr]
        nl = post(client, f"/press/users/{web.admin.id}/deactivate", {}, "/press/users")
        assert nl.status_code == 409 and "laatste actieve beheerder" in nl.text
        assert _user("root@example.be").active and _user("root@example.be").role is Role.ADMIN
        assert _changes("root@example.be") == []

        # With a second admin, the first may step down; then the second is the last one.
        assert post(client, f"/press/users/{web.approver.id}/role", {"role": "admin"}, "/press/users").status_code == 303
        assert post(client, f"/press/users/{web.admin.id}/deactivate", {}, "/press/users").status_code == 303
        assert client.get("/press/users").status_code == 303  # signed out: deactivated
    with signed_in(web, web.approver) as client:
        assert post(client, f"/press/users/{web.approver.id}/role", {"role": "spokesperson"},
                    "/press/users").status_code == 409


# --- password links -----------------------------------------------------------------------------


def test_a_link_works_once_for_its_purpose_and_account_only(web: Web) -> None:
    with session_scope() as session:
        accounts.invite(session, None, "new@example.be", "Nieuwe Collega", "spokesperson", "nl")
    invitation = _link("new@example.be", accounts.INVITATION)
    with web.browser() as client:
        page = client.get(invitation)
        assert page.status_code == 200 and "Kies een wachtwoord" in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        short = _set_password(client, invitation, "kort")
        assert short.status_code == 422 and "Een wachtwoord heeft 10 tot 1024 tekens" in short.text
        assert re.search(r'name="password"[^>]*aria-describedby="form-error password-rules" aria-invalid="true"',
                         short.text)
        differ = _set_password(client, invitation, "een lang wachtwoord", "een ander wachtwoord")
        assert differ.status_code == 422 and "De twee wachtwoorden verschillen." in differ.text
        assert _user("new@example.be").password_hash is None  # refusals changed nothing

        done = _set_password(client, invitation, "een lang wachtwoord")
        assert done.status_code == 303 and done.headers["location"] == "/press/sign-in"
        assert verify_password("een lang wachtwoord", _user("new@example.be").password_hash)
        assert _changes("new@example.be") == [("invited", "pressroom"), ("invitation_accepted", "new@example.be")]

        used = client.get(invitation)
        assert used.status_code == 404 and translate("link_unusable", "nl") in html.unescape(used.text)
        assert 'href="/press/forgot-password"' in used.text  # where to ask for a new one
        replay = client.post(invitation, data={"password": "nog een wachtwoord", "repeat": "nog een wachtwoord",
                                               "csrf_token": csrf_of(page.text)})
        assert replay.status_code == 404
        assert verify_password("een lang wachtwoord", _user("new@example.be").password_hash)

        # A forged or altered token, and one made for the other purpose, do nothing.
        token = invitation.rsplit("/", 1)[1]
        reset = _link("new@example.be", accounts.PASSWORD_RESET)
        for path in ("/press/password-reset/" + reset.rsplit("/", 1)[1][:-2] + "xx",
                     "/press/password-reset/" + token, "/press/invitation/" + reset.rsplit("/", 1)[1],
                     "/press/invitation/not-a-token-at-all"):
            assert client.get(path).status_code == 404, path
        # A deactivated account's links stop working.
        with session_scope() as session:
            accounts.set_active(session, None, session.get(User, _user("new@example.be").id), False)  # type: ignore[arg-type]
        assert client.get(reset).status_code == 404


def test_an_expired_link_says_so(web: Web) -> None:
    override_settings(password_reset_max_age=1)
    reset = _link(web.approver.email, accounts.PASSWORD_RESET)
    time.sleep(2.2)
    with web.browser() as client:
        client.headers["Accept-Language"] = "fr"
        page = client.get(reset)
        assert page.status_code == 404 and "Ce lien a expiré." in html.unescape(page.text)


def test_forgot_password_answers_the_same_for_every_address(web: Web) -> None:
    with web.browser() as client:
        sign_in_page = client.get("/press/sign-in")
        assert 'href="/press/forgot-password"' in sign_in_page.text
        answers = []
        for address in ("marc@example.be", "nobody@example.be", "not an address", web.approver.email.upper()):
            form = client.get("/press/forgot-password")
            response = client.post("/press/forgot-password", data={"email": address, "csrf_token": csrf_of(form.text)})
            assert response.status_code == 200
            answers.append(re.sub(r'name="csrf_token" value="[^"]+"', "", response.text))
        assert len(set(answers)) == 1 and translate("reset_sent", "nl") in html.unescape(answers[0])
    # Every request did the same: one event holding a digest of what was typed, nothing else.
    with session_scope() as session:
        events = session.exec(select(OutboxEvent).where(OutboxEvent.name == accounts.RESET_EVENT)
                              .order_by(col(OutboxEvent.created_at))).all()
        assert [(e.subject_id, list(e.payload)) for e in events] == [(None, ["address"])] * 4
        assert not any("example.be" in str(e.payload) for e in events)
        # The handler finds the account: the approver (twice, whatever the case), nobody else.
        found = [accounts.reset_requester(session, e.payload["address"]) for e in events]
        assert [user.email if user else None for user in found] == [
            web.approver.email, None, None, web.approver.email]
    assert _changes(web.approver.email) == [("password_reset_requested", "password reset form")] * 2
    # A deactivated account gets nothing either.
    with session_scope() as session:
        accounts.set_active(session, None, session.get(User, web.spokesperson.id), False)  # type: ignore[arg-type]
        accounts.request_password_reset(session, web.spokesperson.email)
        event = session.exec(select(OutboxEvent).where(OutboxEvent.name == accounts.RESET_EVENT)
                             .order_by(col(OutboxEvent.created_at).desc())).first()
        assert event is not None and accounts.reset_requester(session, event.payload["address"]) is None


def test_forgot_password_is_rate_limited_and_closes_without_the_limiter(web: Web) -> None:
    override_settings(sign_in_limit=2)
    with web.browser() as client:
        statuses = []
        for _ in range(3):
            form = client.get("/press/forgot-password")
            statuses.append(client.post("/press/forgot-password",
                                        data={"email": "marc@example.be", "csrf_token": csrf_of(form.text)}).status_code)
        assert statuses == [200, 200, 429]
        assert len(_events(accounts.RESET_EVENT)) == 2
        from tests.delivery.smtp_sink import free_port

        override_settings(broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
        client.headers["Accept-Language"] = "nl"
        form = client.get("/press/forgot-password")
        down = client.post("/press/forgot-password", data={"email": "nina@example.be", "csrf_token": csrf_of(form.text)})
        assert down.status_code == 503 and "Aanmelden lukt even niet" in down.text
    assert len(_events(accounts.RESET_EVENT)) == 2


def test_a_new_password_ends_the_sessions_made_with_the_old_one(web: Web) -> None:
    with web.browser() as old, web.browser() as other:
        assert sign_in(old, web.approver.email).status_code == 303
        assert _set_password(other, _link(web.approver.email, accounts.PASSWORD_RESET),
                             "a brand new password").status_code == 303
        assert old.get("/press").status_code == 303
        assert sign_in(other, web.approver.email).status_code == 401
        assert sign_in(other, web.approver.email, "a brand new password").status_code == 303
    assert _changes(web.approver.email) == [("password_reset", web.approver.email)]


# --- the contact directory ----------------------------------------------------------------------


def test_everyone_adds_contacts_and_only_admins_and_the_person_change_them(web: Web) -> None:
    with signed_in(web, web.spokesperson) as client:
        assert 'href="/press/contacts"' in client.get("/press").text
        made = post(client, "/press/contacts", {"name": "Anouk Peeters", "email": "anouk@example.be",
                                                "function_nl": "Woordvoerder", "function_fr": "",
                                                "phone": "+32 2 501 81 11", "mobile": ""}, "/press/contacts")
        assert made.status_code == 303
        page = client.get("/press/contacts")
        assert "Contactpersoon Anouk Peeters opgeslagen." in page.text and "+32 2 501 81 11" in page.text
        with session_scope() as session:
            contact_id = session.exec(select(ContactChange)).one().contact_id
        assert f'href="/press/contacts/{contact_id}"' not in page.text  # not theirs to change
        assert client.get(f"/press/contacts/{contact_id}").status_code == 403
        refused = post(client, f"/press/contacts/{contact_id}", {"name": "Anouk", "phone": "+32 470 00 00 00"},
                       "/press/contacts")
        assert refused.status_code == 403
        bad = post(client, "/press/contacts", {"name": "Twee\u2028regels", "email": "twee@example.be"},
                   "/press/contacts")
        assert bad.status_code == 422 and 'value="twee@example.be"' in bad.text
        assert re.search(r'name="name"[^>]*aria-invalid="true" aria-describedby="form-error"', bad.text)
    with signed_in(web, web.admin) as client:
        assert f'href="/press/contacts/{contact_id}"' in client.get("/press/contacts").text
        form = client.get(f"/press/contacts/{contact_id}")
        assert form.status_code == 200 and 'value="Woordvoerder"' in form.text
        changed = post(client, f"/press/contacts/{contact_id}",
                       {"name": "Anouk Peeters", "email": "someone@else.example", "function_nl": "Woordvoerder",
                        "function_fr": "Porte-parole", "phone": "+32 2 999 99 99", "mobile": ""},
                       f"/press/contacts/{contact_id}")
        assert changed.status_code == 303
        assert "+32 2 999 99 99" in client.get("/press/contacts").text
    with session_scope() as session:
        changes = session.exec(select(ContactChange).order_by(col(ContactChange.id))).all()
        assert [c.actor_label for c in changes] == ["an@example.be", "root@example.be"]
        assert changes[1].after["email"] == "anouk@example.be"  # the address is the entry's key
        assert changes[1].after["function"] == {"nl": "Woordvoerder", "fr": "Porte-parole"}


def test_the_contact_themselves_may_change_their_entry(web: Web) -> None:
    with session_scope() as session:
        user = session.get(User, web.spokesperson2.id)
        assert user is not None
        from workflow.users import save_contact

        contact_id = save_contact(session, None, {"email": user.email, "name": "Bert Claes"}).id
        user.password_hash = hash_password(PASSWORD)
    with signed_in(web, web.spokesperson2) as client:
        assert f'href="/press/contacts/{contact_id}"' in client.get("/press/contacts").text
        assert post(client, f"/press/contacts/{contact_id}", {"name": "Bert Claes", "mobile": "+32 470 12 34 56"},
                    f"/press/contacts/{contact_id}").status_code == 303
        assert "+32 470 12 34 56" in client.get("/press/contacts").text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=TOKENS)
def test_password_links_refuse_any_token_with_a_4xx(web: Web, token: str) -> None:
    assume(set(token) != {"."})  # "." and ".." are another path, not a token
    with httpx.Client(base_url=web.url, timeout=10, follow_redirects=False) as client:
        csrf = csrf_of(client.get("/press/forgot-password").text)
        for path in ("/press/invitation/", "/press/password-reset/"):
            page = client.get(path + token)
            assert 400 <= page.status_code < 500, (path, token, page.status_code)
            posted = client.post(path + token, data={"password": "a long password", "repeat": "a long password",
                                                     "csrf_token": csrf})
            assert 400 <= posted.status_code < 500, (path, token, posted.status_code)
