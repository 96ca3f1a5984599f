"""Approval chains through the admin page, the API and the release page: a two-step chain set in
the editor, a release walking it (its page saying where it stands), the next step's approver
mailed in their language, and a three-step chain set through the API reaching only later
submissions."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlmodel import col, select

from core.db import session_scope
from core.outbox import OutboxEvent, handle_event
from tasks.events import HANDLERS
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, post, release_body, signed_in


def _handle(name: str, release_id: int) -> None:
    """Run the handlers of the release's latest `name` event here, as the worker would."""
    with session_scope() as s:
        event_id = s.exec(select(OutboxEvent.id).where(OutboxEvent.name == name, OutboxEvent.subject_id == release_id)
                          .order_by(col(OutboxEvent.created_at).desc())).first()
    assert event_id is not None
    handle_event(event_id, HANDLERS)


def test_a_chain_set_in_the_editor_is_walked_and_shown(web: Web, sink: Sink) -> None:
    head, cabinet = web.approver, web.approver2  # English and Dutch
    with signed_in(web, web.admin) as admin:
        assert 'href="/press/workflows"' in admin.get("/press").text
        form = {"name_0_nl": "Hoofd communicatie", "name_0_en": "Head of communications", "approvers_0": head.email,
                "required_0": "1", "name_1_nl": "Kabinet", "name_1_fr": "Cabinet", "approvers_1": cabinet.email,
                "required_1": "1"}
        refused = post(admin, "/press/workflows/press_release", {**form, "required_1": "2"}, "/press/workflows")
        assert refused.status_code == 422 and 'id="form-error"' in refused.text and "steps.2.required" in refused.text
        assert post(admin, "/press/workflows/press_release", form, "/press/workflows").status_code == 303
        assert 'id="chain-default"' not in admin.get("/press/workflows/event").text  # it has the default
        page = admin.get("/press/workflows/press_release").text
        assert "Kabinet" in page and f'value="{cabinet.email}"' in page and 'id="chain-default"' in page
    with signed_in(web, web.spokesperson) as author:  # the nav offers the page to admins only
        assert 'href="/press/workflows"' not in author.get("/press").text
        assert author.get("/press/workflows").status_code == 403

    with web.api(web.spokesperson) as api:
        release_id = int(api.post("/releases", json=release_body()).json()["id"])
        assert api.post(f"/releases/{release_id}/submit").status_code == 200
    with web.api(cabinet) as api:
        assert api.post(f"/releases/{release_id}/approve").status_code == 403  # step 1 is not theirs
    with web.api(head) as api:
        moved = api.post(f"/releases/{release_id}/approve").json()
    assert moved["event"] == "release.step_reached"
    assert moved["release"]["approval_step"] | {"names": None} == {
        "position": 2, "total": 2, "names": None, "signed": 0, "required": 1, "complete": False}
    with signed_in(web, head) as client:
        assert "Step 2 of 2: Kabinet, 0 of 1" in client.get(f"/press/releases/{release_id}").text

    _handle("release.step_reached", release_id)
    assert [mail.rcpt_tos for mail in sink.received] == [[cabinet.email]]
    mail = message_from_bytes(sink.received[0].content, policy=policy.default)
    assert mail["subject"] == "Ter goedkeuring: Minister bezoekt Kinshasa"  # the approver's Dutch
    assert "Stap 2 van 2 (Kabinet)." in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    with signed_in(web, cabinet) as client:
        review = client.get(f"/press/releases/{release_id}/review").text
        assert "Stap 2 van 2: Kabinet, 0 van 1" in review and 'id="approve"' in review
        done = post(client, f"/press/releases/{release_id}/approve", {"expected_version": moved["release"]["version"]},
                    f"/press/releases/{release_id}/review")
        assert done.status_code == 303
    with web.api(web.spokesperson) as api:
        assert api.get(f"/releases/{release_id}").json()["state"] == "approved"


def test_a_three_step_chain_through_the_api_reaches_later_submissions(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        earlier = int(api.post("/releases", json=release_body()).json()["id"])
        assert api.post(f"/releases/{earlier}/submit").status_code == 200
    chain = {"steps": [{"names": {"nl": "Redactie"}, "approvers": "approver", "required": 2},
                       {"names": {"nl": "Hoofd communicatie"}, "approvers": [web.approver.email]},
                       {"names": {"nl": "Kabinet"}, "approvers": "admin"}]}
    with web.api(web.approver) as api:
        assert api.put("/workflows/statement", json=chain).status_code == 403
    with web.api(web.admin) as api:
        assert api.put("/workflows/press_release", json={"steps": [{"names": {"nl": "X"}, "approvers": ["x@y.be"]}]}
                       ).status_code == 422
        stored = api.put("/workflows/press_release", json=chain)
        assert stored.status_code == 200, stored.text
        assert [step["approvers"] for step in stored.json()["steps"]] == ["approver", [web.approver.email], "admin"]
        assert api.get("/workflows").json()[0]["kind"] == "press_release"
    with web.api(web.spokesperson) as api:
        later = int(api.post("/releases", json=release_body()).json()["id"])
        assert api.post(f"/releases/{later}/submit").json()["release"]["approval_step"]["total"] == 3
        assert api.get(f"/releases/{earlier}").json()["approval_step"]["total"] == 1
    with web.api(web.admin) as api:
        assert api.delete("/workflows/press_release").status_code == 204
        assert api.get("/workflows/press_release").json()["default"] is True
