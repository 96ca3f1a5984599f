"""/api/webhooks as an admin's script uses it, and the webhook document's schema in the OpenAPI:
the payload a release would carry validates against the schema the API publishes."""

from __future__ import annotations

from tests.web.conftest import Web, release_body


def test_admins_manage_endpoints_and_the_payload_schema_is_published(web: Web) -> None:
    with web.api(web.spokesperson) as api:
        assert api.get("/webhooks").status_code == 403
        assert api.post("/webhooks", json={"url": "https://news.example.org/h", "events": ["release.published"]}
                        ).status_code == 403
        release = api.post("/releases", json=release_body()).json()
        document = api.get(f"/releases/{release['id']}/webhook-payload").json()
    assert document["schema_version"] == 1 and document["type"] == "release.published"
    assert set(document["release"]["translations"]) == set(release["languages"])
    assert document["release"]["translations"]["nl"]["url"] == f"{web.url}/releases/{release['id']}/nl"
    with web.api(web.admin) as api:
        made = api.post("/webhooks", json={"url": "https://news.example.org/h", "events": ["release.published"],
                                           "embargoed": True})
        assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
        endpoint_id = made.json()["endpoint"]["id"]
        listed = api.get("/webhooks").json()
        assert [e["url"] for e in listed] == ["https://news.example.org/h"] and "secret" not in listed[0]
        refused = api.post("/webhooks", json={"url": "https://user:pw@news.example.org/h", "events": ["release.published"]})
        assert refused.status_code == 422 and "password" in refused.text
        rotated = api.post(f"/webhooks/{endpoint_id}/rotate", json={"overlap_seconds": 60}).json()
        assert rotated["secret"] != made.json()["secret"] and rotated["endpoint"]["rotating_until"]
        assert api.get(f"/webhooks/{endpoint_id}/deliveries").json() == []
        assert api.post("/webhooks/deliveries/99/redeliver").status_code == 404
        assert api.delete(f"/webhooks/{endpoint_id}").json()["active"] is False
        assert api.get("/webhooks").json() == []
        schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert {"WebhookPayload", "ReleaseDoc", "EmbargoDoc"} <= set(schemas)
    assert "under_embargo" in schemas["EmbargoDoc"]["properties"]
