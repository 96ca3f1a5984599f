"""Lists, subscribers, CSV import and distributions through the API."""

from __future__ import annotations

from sqlmodel import select

from core.db import session_scope
from core.outbox import OutboxEvent
from tests.delivery.distribution_helpers import prepare
from tests.web.conftest import Web, release_body


def test_list_crud(web: Web) -> None:
    with web.api(web.spokesperson) as api:  # list settings decide who gets embargoed news
        refused = api.post("/lists", json={"slug": "journalists", "name": "Journalists", "receives_embargoed": True})
        assert refused.status_code == 403 and "needs role approver or admin" in refused.json()["message"]
    with web.api(web.approver) as api:
        made = api.post("/lists", json={"slug": "journalists", "name": "Journalists", "default_language": "nl",
                                        "visibility": "private", "receives_embargoed": True})
        assert made.status_code == 201, made.text
        assert made.json()["counts"] == {"pending": 0, "confirmed": 0, "unsubscribed": 0}
        assert api.post("/lists", json={"slug": "journalists", "name": "Again"}).status_code == 409
        assert api.post("/lists", json={"slug": "Bad Slug!", "name": "x"}).status_code == 422
        assert api.post("/lists", json={"slug": "x", "name": "x", "visibility": "secret"}).status_code == 422
        changed = api.patch("/lists/journalists", json={"name": "Accredited journalists", "visibility": "private"})
        assert changed.json()["name"] == "Accredited journalists" and changed.json()["visibility"] == "private"
        assert api.patch("/lists/journalists", json={"default_language": "xx"}).status_code == 422
        assert api.get("/lists/nope").status_code == 404
        assert [m["slug"] for m in api.get("/lists").json()] == ["journalists"]
    with web.api(web.spokesperson) as api:
        assert api.patch("/lists/journalists", json={"visibility": "public"}).status_code == 403
        assert api.get("/lists/journalists").json()["visibility"] == "private"


def test_subscribers_add_read_update_remove_erase(web: Web) -> None:
    with web.api(web.admin) as api:
        api.post("/lists", json={"slug": "public", "name": "Public"})
        added = api.post("/lists/public/subscribers", json={"email": "Jan@Example.org", "name": "Jan",
                                                            "language": "fr", "topics": ["africa"]})
        assert added.status_code == 201, added.text
        assert added.json()["outcome"] == "confirmation_queued"
        person = added.json()["subscriber"]
        assert person["email"] == "jan@example.org" and person["subscriptions"][0]["status"] == "pending"
        vouched = api.post("/lists/public/subscribers", json={"email": "eva@example.org", "confirmed": True})
        assert vouched.json()["outcome"] == "confirmed"
        assert api.post("/lists/public/subscribers", json={"email": "nope"}).status_code == 422
        assert api.post("/lists/ghost/subscribers", json={"email": "a@example.org"}).status_code == 404

        page = api.get("/lists/public/subscribers", params={"status": "confirmed"}).json()
        assert [p["email"] for p in page["items"]] == ["eva@example.org"]
        found = api.get("/subscribers", params={"email": "JAN@example.org"}).json()
        assert found["total"] == 1
        updated = api.patch(f"/subscribers/{person['id']}", json={"frequency": "weekly", "topics": []})
        assert updated.json()["frequency"] == "weekly" and updated.json()["topics"] == []
        assert api.patch(f"/subscribers/{person['id']}", json={"frequency": "hourly"}).status_code == 422
        removed = api.delete(f"/lists/public/subscribers/{person['id']}")
        assert removed.json()["subscriptions"][0]["status"] == "unsubscribed"
        with web.api(web.approver) as other:  # erasure cannot be undone: admins only
            assert other.delete(f"/subscribers/{person['id']}").status_code == 403
            assert other.get(f"/subscribers/{person['id']}").status_code == 200
        erased = api.delete(f"/subscribers/{person['id']}")
        assert erased.status_code == 200 and erased.json()["subscriber_id"] == person["id"]
        assert api.get(f"/subscribers/{person['id']}").status_code == 404
        assert api.get("/subscribers/999999").status_code == 404
    with session_scope() as s:
        names = s.exec(select(OutboxEvent.name)).all()
    assert "subscription.requested" in names and "subscriber.erased" in names


def test_csv_import_reports_bad_rows(web: Web) -> None:
    csv = "email;name;language\njan@example.org;Jan;nl\nnot-an-address;X;nl\njan@example.org;Dup;nl\nmia@example.org;Mia;xx\n"
    with web.api(web.approver) as api:
        api.post("/lists", json={"slug": "journalists", "name": "Journalists"})
    with web.api(web.spokesperson) as api:  # importing people is everyday work for every role
        response = api.post("/lists/journalists/import", files={"file": ("people.csv", csv.encode(), "text/csv")},
                            data={"confirmed": "true"})
        assert response.status_code == 200, response.text
        report = response.json()
        again = api.post("/lists/journalists/import", files={"file": ("people.csv", csv.encode(), "text/csv")},
                         data={"confirmed": "true"}).json()
        unusable = api.post("/lists/journalists/import", files={"file": ("x.csv", b"name\nJan\n", "text/csv")})
        unknown = api.post("/lists/ghost/import", files={"file": ("x.csv", b"email\na@b.be\n", "text/csv")})
        missing = api.post("/lists/journalists/import")
        header_only = api.post("/lists/journalists/import", files={"file": ("x.csv", b"email;name\r\n", "text/csv")})
        mac = api.post("/lists/journalists/import", data={"confirmed": "true"},  # Excel for Mac: CR alone
                       files={"file": ("mac.csv", b"email;name\rpiet@example.org;Piet\r", "text/csv")})
    assert report["rows"] == 4 and report["subscriptions_created"] == 1
    assert [p["line"] for p in report["rejected"]] == [3, 4, 5]
    assert "duplicate of line 2" in report["rejected"][1]["reason"]
    assert again["subscriptions_created"] == 0 and again["already_on_list"] == 1
    assert unusable.status_code == 422 and unknown.status_code == 404 and missing.status_code == 422
    assert header_only.status_code == 422 and "line 1: the header is the only line" in header_only.text
    assert (mac.status_code, mac.json()["subscriptions_created"]) == (200, 1)


def test_distribution_status_and_controls(web: Web) -> None:
    with web.api(web.admin) as api:
        api.post("/lists", json={"slug": "journalists", "name": "Journalists"})
    with web.api(web.spokesperson) as api:
        api.post("/lists/journalists/subscribers", json={"email": "p1@example.org", "confirmed": True})
        release = api.post("/releases", json=release_body(lists=["journalists"])).json()
        api.post(f"/releases/{release['id']}/submit")
        assert api.get(f"/releases/{release['id']}/distribution").status_code == 404
    with web.api(web.approver) as api:
        api.post(f"/releases/{release['id']}/approve")
        api.post(f"/releases/{release['id']}/publish")
    distribution_id = prepare(release["id"])  # what the worker's handler does
    with web.api(web.spokesperson) as api:
        shown = api.get(f"/releases/{release['id']}/distribution").json()
        assert shown["id"] == distribution_id and shown["total"] == 1
        listed = api.get("/distributions").json()
        assert [d["id"] for d in listed["items"]] == [distribution_id]
        refused = api.post(f"/distributions/{distribution_id}/cancel")  # a spokesperson watches
        assert refused.status_code == 403 and "may not control distributions" in refused.json()["message"]
        assert api.get(f"/distributions/{distribution_id}").json()["status"] == "sending"
    with web.api(web.approver) as api:
        paused = api.post(f"/distributions/{distribution_id}/pause")
        assert paused.status_code == 200 and paused.json()["status"] == "paused"
        again = api.post(f"/distributions/{distribution_id}/pause")
        assert again.status_code == 409 and "resume" in again.json()["message"]
        assert api.post(f"/distributions/{distribution_id}/explode").status_code == 422
        assert api.post(f"/distributions/{distribution_id}/cancel").json()["status"] == "cancelled"
        cancelled = api.get(f"/distributions/{distribution_id}").json()
        assert cancelled["skipped"] + cancelled["sent"] == 1
        assert api.get("/distributions/777").status_code == 404
