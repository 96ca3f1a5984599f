"""/api/webhooks as an admin's script uses it, and the webhook document's schema in the OpenAPI:
the payload a release would carry validates against the schema the API publishes."""

from __future__ import annotations

import re

from core.db import session_scope
from tests.web.conftest import Web, post, release_body, sign_in
from webhooks.endpoints import list_endpoints


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


def test_an_admin_adds_an_endpoint_on_the_press_pages_and_sees_its_secret_once(web: Web) -> None:
    with web.browser() as browser:
        sign_in(browser, web.spokesperson.email)
        assert browser.get("/press/webhooks").status_code == 403
    with web.browser() as browser:
        sign_in(browser, web.admin.email)
        assert 'href="/press/webhooks"' in browser.get("/press").text
        refused = post(browser, "/press/webhooks", page="/press/webhooks", data={"url": "https://user:pw@news.example.org/h", "events": "release.published"})
        assert refused.status_code == 422 and "without a user name or password" in refused.text
        added = post(browser, "/press/webhooks", page="/press/webhooks", data={"url": "https://news.example.org/h", "events": ["release.published", "release.withdrawn"],
                           "embargoed": "on", "description": "Agency intake"})
        assert added.status_code == 201
        secret = re.search(r"<code>(whsec_[0-9a-f]{64})</code>", added.text)
        assert secret is not None
        listed = browser.get("/press/webhooks").text
        assert "https://news.example.org/h" in listed and "Agency intake" in listed and secret.group(1) not in listed
        with session_scope() as s:
            (endpoint,) = list_endpoints(s)
        assert endpoint.embargoed and endpoint.event_list == ["release.published", "release.withdrawn"]
        assert endpoint.secret == secret.group(1)
        page = browser.get(f"/press/webhooks/{endpoint.id}")
        assert page.status_code == 200 and "https://news.example.org/h" in page.text
        rotated = post(browser, f"/press/webhooks/{endpoint.id}/rotate", page="/press/webhooks", data={})
        assert "the old one signs too until" in rotated.text
        post(browser, f"/press/webhooks/{endpoint.id}/remove", page="/press/webhooks", data={})
        after = browser.get("/press/webhooks").text
        assert "Webhook https://news.example.org/h removed." in after and 'id="webhooks"' not in after
