"""`pressroom webhooks` as an admin uses it: add (the secret shown once), list, test against a
real receiver that checks the signature, rotate with an overlap, see deliveries, redeliver,
remove; refusals with their exit codes."""

from __future__ import annotations

import json

from core.db import session_scope
from core.settings import override_settings
from tests import factories
from tests.cli.helpers import fails, invoker, ok
from tests.webhooks.helpers import quick
from tests.webhooks.receiver import OK, running_receiver


def test_an_admin_adds_tests_rotates_and_removes_an_endpoint(sqlite_db: str) -> None:
    quick()
    run = invoker()
    with session_scope() as s:
        factories.user(s, "admin", email="admin@example.be")
        factories.user(s, "spokesperson", email="an@example.be")
    with running_receiver() as rx:
        url = rx.url("/hook")
        fails(run("webhooks", "add", url, "--events", "release.published", "--as", "an@example.be"), 4, "admin")
        fails(run("webhooks", "add", url, "--events", "release.edited"), 2, "unknown event release.edited")
        added = ok(run("webhooks", "add", url, "--events", "release.published,release.withdrawn", "--embargoed",
                       "--as", "admin@example.be")).output
        secret = added.split("secret (shown once, keep it with the receiver): ")[1].strip()
        assert "webhook 1:" in added and "embargoed releases too" in added
        listed = json.loads(ok(run("webhooks", "list", "--json")).output)
        assert listed[0]["events"] == ["release.published", "release.withdrawn"] and listed[0]["embargoed"] is True
        assert secret not in json.dumps(listed)  # shown once, never listed

        rx.on("/hook", OK, secret=secret)
        assert "test delivered, HTTP 200" in ok(run("webhooks", "test", "1")).output
        assert rx.requests[-1].signed and rx.requests[-1].body["type"] == "webhook.test"

        rotated = ok(run("webhooks", "rotate", "1", "--overlap", "3600", "--as", "admin@example.be")).output
        new_secret = rotated.split("new secret (shown once): ")[1].split(";")[0].strip()
        assert new_secret != secret and "the old one signs too until" in rotated
        ok(run("webhooks", "test", "1"))  # the receiver still has the old secret: accepted
        assert rx.requests[-1].signed
        rx.on("/hook", OK, secret=new_secret)  # it switches
        ok(run("webhooks", "test", "1"))
        assert rx.requests[-1].signed

        rx.on("/hook", (503, {}, 0.0))
        fails(run("webhooks", "test", "1"), 1, "did not accept the test: HTTP 503")
        shown = json.loads(ok(run("webhooks", "deliveries", "1", "--json")).output)
        assert [d["status"] for d in shown] == ["failed", "delivered", "delivered", "delivered"]
        assert shown[0]["attempts"][0]["status_code"] == 503 and shown[0]["attempts"][0]["response"] == "not this time"
        assert "503" in ok(run("webhooks", "deliveries", "1")).output
        failed_id = str(shown[0]["id"])
        assert "queued again" in ok(run("webhooks", "redeliver", failed_id, "--as", "admin@example.be")).output
        fails(run("webhooks", "redeliver", failed_id), 5, "only a delivered or failed one is sent again")

        assert "removed" in ok(run("webhooks", "remove", "1")).output
        assert ok(run("webhooks", "list")).output.strip() == "(none)"
        fails(run("webhooks", "test", "1"), 3, "webhook endpoint 1 not found")

    override_settings(environment="production", secret_key="s" * 40)
    fails(run("webhooks", "add", url, "--events", "release.published"), 2, "must be an https URL in production")
    fails(run("webhooks", "add", "https://127.0.0.1/h", "--events", "release.published"), 2, "loopback")
