"""The release API through a real HTTP client: authentication, every role and transition rule,
every error code, optimistic locking, pagination, audit log and previews."""

from __future__ import annotations

from typing import Any

import pytest

from core.db import session_scope
from tests import factories
from tests.web.conftest import Person, Web, release_body
from workflow import service
from workflow.users import get_user


def create(web: Web, person: Person, **overrides: Any) -> dict[str, Any]:
    with web.api(person) as api:
        response = api.post("/releases", json=release_body(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def act(web: Web, person: Person, release_id: int, action: str, **body: Any) -> Any:
    with web.api(person) as api:
        return api.post(f"/releases/{release_id}/{action}", json=body)


def to_state(web: Web, release_id: int, state: str) -> None:
    """Walk a release authored by web.spokesperson to `state` through the domain."""
    with session_scope() as s:
        author = get_user(s, web.spokesperson.email)
        approver = get_user(s, web.approver2.email)
        path = {
            "draft": [],
            "in_review": ["submit"],
            "changes_requested": ["submit", "request_changes"],
            "approved": ["submit", "approve"],
            "scheduled": ["submit", "approve", "schedule"],
            "published": ["submit", "approve", "publish"],
        }[state]
        for step in path:
            if step == "submit":
                service.submit(s, release_id, author)
            elif step == "approve":
                service.approve(s, release_id, approver)
            elif step == "request_changes":
                service.request_changes(s, release_id, approver, "more figures")
            elif step == "schedule":
                from datetime import timedelta

                from core.db import utcnow

                service.publish(s, release_id, author, at=utcnow() + timedelta(days=2))
            elif step == "publish":
                service.publish(s, release_id, author)


# --- authentication -----------------------------------------------------------------------------


def test_no_token_is_401_with_bearer_challenge(web: Web) -> None:
    with web.api() as api:
        response = api.get("/releases")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"] == "unauthenticated"


@pytest.mark.parametrize("header", ["Bearer prt_not-a-real-token", "Basic YTpi", "Bearer", "Bearer x y"])
def test_bad_credentials_are_401(web: Web, header: str) -> None:
    with web.api() as api:
        response = api.get("/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_revoked_token_and_deactivated_user_are_401(web: Web) -> None:
    from sqlmodel import select

    from workflow.models import ApiToken, User

    with session_scope() as s:
        user = s.get(User, web.spokesperson2.id)
        user.active = False  # type: ignore[union-attr]
        s.add(user)
        token = s.exec(select(ApiToken).where(ApiToken.user_id == web.approver2.id)).one()
        token.revoked_at = token.created_at
        s.add(token)
    for person in (web.spokesperson2, web.approver2):
        with web.api(person) as api:
            assert api.get("/me").status_code == 401


def test_me(web: Web) -> None:
    with web.api(web.approver) as api:
        assert api.get("/me").json() == {"id": web.approver.id, "email": "marc@example.be",
                                         "name": "Marc Dubois", "role": "approver", "language": "en"}


# --- create, read, update -----------------------------------------------------------------------


def test_create_and_read(web: Web) -> None:
    created = create(web, web.spokesperson)
    assert created["state"] == "draft" and created["version"] == 1
    assert created["author"] == web.spokesperson.email
    assert created["languages"] == ["fr", "nl"]
    assert created["allowed_actions"] == ["edit", "submit", "archive"]
    assert created["content"]["translations"]["fr"]["title"] == "Le ministre visite Kinshasa"
    with web.api(web.approver) as api:
        again = api.get(f"/releases/{created['id']}").json()
    assert again == created


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"translations": {"nl": {"title": "Twee\nregels", "body": "x"}}}, "translations.nl.title"),
        ({"translations": {"xx": {"title": "t", "body": "b"}}}, "translations"),
        ({"translations": {}}, "translations"),
        ({"translations": {"nl": {"title": "t", "links": [{"label": "x", "url": "javascript:alert(1)"}]}}},
         "translations.nl.links.0.url"),
        ({"lists": ["no-such-list"]}, "lists.0"),
        ({"contacts": [999]}, "contacts.0"),
        ({"embargo_until": "2026-04-20T09:00:00"}, "embargo_until"),
        ({"publish_at": "0001-01-01T00:00:00+05:00"}, "publish_at"),
        ({"kind": "novel"}, "kind"),
        ({"unknown": 1}, "unknown"),
        ({"topics": ["Not A Slug"]}, "topics"),
    ],
)
def test_invalid_content_is_422_naming_the_field(web: Web, change: dict[str, Any], field: str) -> None:
    with web.api(web.spokesperson) as api:
        response = api.post("/releases", json=release_body(**change))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["field"].startswith(field), body


def test_malformed_json_is_422(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        response = api.post("/releases", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/releases/0", "/releases/abc", "/releases/99999999999999999999"])
def test_bad_ids_are_422(web: Web, path: str) -> None:
    with web.api(web.spokesperson) as api:
        assert api.get(path).status_code == 422


def test_missing_release_is_404(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        response = api.get("/releases/4242")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "release 4242 not found"}


def test_update_makes_a_revision_and_checks_the_version(web: Web) -> None:
    release = create(web, web.spokesperson)
    changed = release_body(translations={"nl": {"title": "Nieuwe titel", "body": "Tekst."}})
    with web.api(web.spokesperson) as api:
        response = api.put(f"/releases/{release['id']}", json={**changed, "expected_version": 1, "comment": "korter"})
        assert response.status_code == 200, response.text
        assert response.json()["revision"] == 2 and response.json()["version"] == 2
        stale = api.put(f"/releases/{release['id']}", json={**release_body(), "expected_version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2 and stale.json()["expected_version"] == 1
    with web.api(web.spokesperson) as api:
        same = api.put(f"/releases/{release['id']}", json=changed)
    assert same.status_code == 200 and same.json()["version"] == 2  # identical content: nothing recorded


def test_only_the_author_or_an_admin_edits(web: Web) -> None:
    release = create(web, web.spokesperson)
    for person, status in ((web.spokesperson2, 403), (web.approver, 403), (web.admin, 200)):
        with web.api(person) as api:
            body = release_body(translations={"nl": {"title": f"Door {person.email}", "body": "b"}})
            response = api.put(f"/releases/{release['id']}", json=body)
        assert response.status_code == status, (person.email, response.text)
    assert response.json()["revision"] == 2


# --- the workflow: every role and rule ----------------------------------------------------------

# (action, state it is taken from, body, {who: expected status})
RULES = [
    ("submit", "draft", {}, {"author": 200, "other": 403, "approver": 403, "admin": 200}),
    ("archive", "draft", {}, {"author": 200, "other": 403, "approver": 403, "admin": 200}),
    ("approve", "in_review", {}, {"author": 403, "other": 403, "approver": 200, "admin": 200}),
    ("request-changes", "in_review", {"comment": "Add the 2024 figures"},
     {"author": 403, "other": 403, "approver": 200, "admin": 200}),
    ("publish", "approved", {}, {"author": 200, "other": 403, "approver": 200, "admin": 200}),
    ("unschedule", "scheduled", {}, {"author": 200, "other": 403, "approver": 200, "admin": 200}),
    ("withdraw", "published", {"reason": "Wrong figures"}, {"author": 200, "other": 403, "approver": 200, "admin": 200}),
]
CASES = [(a, s, b, who, status) for a, s, b, table in RULES for who, status in table.items()]


@pytest.mark.parametrize(("action", "state", "body", "who", "status"), CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_role_rules(web: Web, action: str, state: str, body: dict[str, Any], who: str, status: int) -> None:
    release = create(web, web.spokesperson)
    to_state(web, release["id"], state)
    person = {"author": web.spokesperson, "other": web.spokesperson2, "approver": web.approver,
              "admin": web.admin}[who]
    response = act(web, person, release["id"], action, **body)
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["error"] == "not_allowed"
    else:
        result = response.json()
        assert result["from_state"] == state
        assert result["release"]["state"] == result["to_state"]
        assert result["release"]["version"] == result["release"]["version"]


def test_four_eyes_an_approver_who_wrote_a_revision_may_not_review(web: Web) -> None:
    release = create(web, web.approver)  # any role may write
    assert act(web, web.approver, release["id"], "submit").status_code == 200
    for action, body in (("approve", {}), ("request-changes", {"comment": "mine"})):
        refused = act(web, web.approver, release["id"], action, **body)
        assert refused.status_code == 403
        assert "four-eyes" in refused.json()["message"]
    # an admin who edited the text is an author of it too
    with web.api(web.admin) as api:
        body = release_body(translations={"nl": {"title": "Bijgewerkt", "body": "Door admin."}})
        assert api.put(f"/releases/{release['id']}", json=body).status_code == 200
    assert act(web, web.admin, release["id"], "approve").status_code == 403
    assert act(web, web.approver2, release["id"], "approve").json()["to_state"] == "approved"


def test_illegal_transition_is_409_with_the_allowed_actions(web: Web) -> None:
    release = create(web, web.spokesperson)
    response = act(web, web.spokesperson, release["id"], "publish")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict" and body["state"] == "draft"
    assert body["allowed_actions"] == ["edit", "submit", "archive"]


def test_stale_version_is_409_with_the_current_version(web: Web) -> None:
    release = create(web, web.spokesperson)
    act(web, web.spokesperson, release["id"], "submit")
    response = act(web, web.approver, release["id"], "approve", expected_version=1)
    assert response.status_code == 409
    assert response.json()["current_version"] == 2


def test_two_approvals_needed_and_one_approver_counts_once(web: Web) -> None:
    from core.settings import override_settings

    override_settings(required_approvals=2)
    release = create(web, web.spokesperson)
    act(web, web.spokesperson, release["id"], "submit")
    first = act(web, web.approver, release["id"], "approve", comment="ok")
    assert first.json()["to_state"] == "in_review" and first.json()["event"] == "release.approval_recorded"
    again = act(web, web.approver, release["id"], "approve")
    assert again.status_code == 409
    second = act(web, web.approver2, release["id"], "approve")
    assert second.json()["to_state"] == "approved"


def test_comment_and_reason_are_required(web: Web) -> None:
    release = create(web, web.spokesperson)
    act(web, web.spokesperson, release["id"], "submit")
    with web.api(web.approver) as api:
        assert api.post(f"/releases/{release['id']}/request-changes", json={}).status_code == 422
        blank = api.post(f"/releases/{release['id']}/request-changes", json={"comment": "   "})
    assert blank.status_code == 422 and blank.json()["field"] == "comment"
    to_state(web, create(web, web.spokesperson)["id"], "published")


def test_a_missing_required_language_is_422_naming_it(web: Web) -> None:
    from core.settings import override_settings

    override_settings(required_languages=["nl", "fr", "en"])
    release = create(web, web.spokesperson)  # Dutch and French
    refused = act(web, web.spokesperson, release["id"], "submit")
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "translations"
    assert "required languages are missing: en (title, body)" in refused.json()["message"]
    with web.api(web.spokesperson) as api:
        assert api.get(f"/releases/{release['id']}").json()["state"] == "draft"


def test_full_cycle_with_changes_requested_schedule_and_withdrawal(web: Web) -> None:
    release = create(web, web.spokesperson)
    rid = release["id"]
    assert act(web, web.spokesperson, rid, "submit").json()["to_state"] == "in_review"
    back = act(web, web.approver, rid, "request-changes", comment="Voeg de cijfers toe")
    assert back.json()["to_state"] == "changes_requested"
    with web.api(web.spokesperson) as api:
        edited = api.put(f"/releases/{rid}", json=release_body(
            translations={"nl": {"title": "Met cijfers", "body": "42 %."}}))
    assert edited.json()["state"] == "draft"
    act(web, web.spokesperson, rid, "submit")
    assert act(web, web.approver, rid, "approve").json()["to_state"] == "approved"
    scheduled = act(web, web.spokesperson, rid, "publish", at="2099-01-01T09:00:00+01:00")
    assert scheduled.json()["to_state"] == "scheduled"
    assert scheduled.json()["release"]["publish_at"].startswith("2099-01-01T08:00:00")
    assert act(web, web.approver, rid, "unschedule").json()["to_state"] == "approved"
    published = act(web, web.approver, rid, "publish")
    assert published.json()["to_state"] == "published" and published.json()["event"] == "release.published"
    assert act(web, web.approver, rid, "withdraw").status_code == 422
    assert act(web, web.approver, rid, "withdraw", reason="Verkeerde cijfers").json()["to_state"] == "withdrawn"
    with web.api(web.approver) as api:
        log = api.get(f"/releases/{rid}/audit").json()
        revisions = api.get(f"/releases/{rid}/revisions").json()
    assert [e["action"] for e in log] == ["create", "submit", "request_changes", "edit", "submit", "approve",
                                          "schedule", "unschedule", "publish", "withdraw"]
    assert log[2]["comment"] == "Voeg de cijfers toe" and log[2]["actor"] == web.approver.email
    assert [r["number"] for r in revisions] == [1, 2]
    assert revisions[1]["approved_by"] == [web.approver.email]


def test_editing_approved_text_sends_it_back_to_review(web: Web) -> None:
    release = create(web, web.spokesperson)
    to_state(web, release["id"], "approved")
    with web.api(web.spokesperson) as api:
        edited = api.put(f"/releases/{release['id']}", json=release_body(
            translations={"nl": {"title": "Na goedkeuring", "body": "b"}}))
    assert edited.json()["state"] == "in_review" and edited.json()["approvals"] == 0


# --- listing and pagination ---------------------------------------------------------------------


def test_pagination_and_filters(web: Web) -> None:
    with session_scope() as s:
        author = get_user(s, web.spokesperson.email)
        other = get_user(s, web.spokesperson2.email)
        ids = [factories.release(s, author if i % 2 else other).id or 0 for i in range(23)]
        service.submit(s, ids[0], other)
    with web.api(web.approver) as api:
        first = api.get("/releases", params={"per_page": 10}).json()
        third = api.get("/releases", params={"per_page": 10, "page": 3}).json()
        beyond = api.get("/releases", params={"per_page": 10, "page": 9}).json()
        mine = api.get("/releases", params={"author": web.spokesperson.email, "per_page": 100}).json()
        review = api.get("/releases", params={"state": "in_review"}).json()
        both = api.get("/releases", params=[("state", "in_review"), ("state", "draft")]).json()
        assert api.get("/releases", params={"per_page": 0}).status_code == 422
        assert api.get("/releases", params={"per_page": 101}).status_code == 422
        assert api.get("/releases", params={"page": 0}).status_code == 422
        assert api.get("/releases", params={"state": "nonsense"}).status_code == 422
    assert (first["total"], first["pages"], len(first["items"])) == (23, 3, 10)
    assert [r["id"] for r in first["items"]] == sorted(ids, reverse=True)[:10]
    assert [r["id"] for r in third["items"]] == sorted(ids, reverse=True)[20:]
    assert beyond["items"] == [] and beyond["total"] == 23
    assert mine["total"] == 11 and {r["author"] for r in mine["items"]} == {web.spokesperson.email}
    assert [r["id"] for r in review["items"]] == [ids[0]]
    assert both["total"] == 23


# --- previews -----------------------------------------------------------------------------------


def test_preview_formats(web: Web) -> None:
    release = create(web, web.spokesperson)
    with web.api(web.approver) as api:
        html = api.get(f"/releases/{release['id']}/preview", params={"language": "fr"})
        text = api.get(f"/releases/{release['id']}/preview", params={"format": "text"})
        eml = api.get(f"/releases/{release['id']}/preview", params={"format": "eml", "language": "nl"})
        fallback = api.get(f"/releases/{release['id']}/preview", params={"language": "en"})
        unsupported = api.get(f"/releases/{release['id']}/preview", params={"language": "xx"})
        bad = api.get(f"/releases/{release['id']}/preview", params={"format": "pdf"})
    assert html.headers["content-type"].startswith("text/html") and "Le ministre visite Kinshasa" in html.text
    assert text.headers["content-type"].startswith("text/plain") and "Minister bezoekt Kinshasa" in text.text
    assert eml.headers["content-type"] == "message/rfc822" and b"Subject:" in eml.content
    # English subscribers of a Dutch and French release get the Dutch copy: so does the preview.
    assert fallback.status_code == 200 and "Minister bezoekt Kinshasa" in fallback.text
    assert fallback.headers["x-pressroom-language"] == "nl" and "x-pressroom-fallback" in fallback.headers
    assert unsupported.status_code == 422 and bad.status_code == 422


def test_contacts(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        made = api.post("/contacts", json={"email": "Woord@Example.be", "name": "Anouk Peeters",
                                           "function": {"nl": "Woordvoerder", "fr": "Porte-parole"},
                                           "phone": "+32 2 501 81 11"})
        assert made.status_code == 200, made.text
        contact = made.json()
        assert contact["email"] == "woord@example.be"
        assert api.post("/contacts", json={"email": "not-an-address"}).status_code == 422
        assert api.post("/contacts", json={"email": "new@example.be"}).status_code == 422  # needs a name
        release = api.post("/releases", json=release_body(contacts=[contact["id"]])).json()
        listed = api.get("/contacts").json()
    assert release["content"]["contacts"] == [contact["id"]]
    assert [c["email"] for c in listed] == ["woord@example.be"]
