"""The README's promises about who is mailed, held to as people would test them: the one-click
POST from a mail, the CLI's erasure and suppression, a withdrawal through the API. A real Celery
worker, the served app and an SMTP sink; the assertions are on what the sink received."""

from __future__ import annotations

import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
from click.testing import CliRunner

from cli.main import cli
from core.db import utcnow
from tasks.distribution import sweep
from tests.conftest import wait_until
from tests.delivery.smtp_sink import Sink
from tests.web.conftest import Web, publish_through_api
from web.deps import relay_events


def _mails(sink: Sink, address: str) -> list[EmailMessage]:
    return [message_from_bytes(r.content, policy=policy.default)  # type: ignore[misc]
            for r in sink.received if address in r.rcpt_tos]


def _subjects(sink: Sink, address: str) -> list[str]:
    return [str(m["Subject"]) for m in _mails(sink, address)]


def _setup_audience(web: Web) -> None:
    with web.api(web.admin) as api:
        made = api.post("/lists", json={"slug": "journalists", "name": "Journalisten", "visibility": "private",
                                        "receives_embargoed": True})
        assert made.status_code == 201, made.text
        assert api.post("/lists", json={"slug": "citizens", "name": "Burgers"}).status_code == 201
        api.post("/lists/journalists/subscribers", json={"email": "desk@krant.example", "confirmed": True})
        for name in ("leaver", "forgotten", "complainer", "stayer"):
            added = api.post("/lists/citizens/subscribers",
                             json={"email": f"{name}@burger.example", "confirmed": True, "language": "nl"})
            assert added.status_code in (200, 201), added.text




def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_nobody_who_left_before_their_message_went_out_is_mailed(web: Web, worker: Any, sink: Sink) -> None:
    """README: "a suppressed address is never mailed"; unsubscribing and erasure stop mail at
    once, also mail held back until an embargo lifts."""
    _setup_audience(web)
    first = publish_through_api(web, lists=["citizens"], translations={"nl": {"title": "Eerste bericht", "body": "Tekst."}})
    wait_until(lambda: len(_mails(sink, "leaver@burger.example")) == 1, 60, "the first release to arrive")
    lift = utcnow() + timedelta(seconds=6)
    publish_through_api(web, lists=["journalists", "citizens"], embargo_until=lift.isoformat(),
             translations={"nl": {"title": "Tweede bericht", "body": "Onder embargo."}})
    wait_until(lambda: _mails(sink, "desk@krant.example"), 60, "the journalists' embargoed copy")
    assert "EMBARGO" in _subjects(sink, "desk@krant.example")[0].upper()

    # The leaver uses the one-click link of the first mail (RFC 8058): a POST, no cookie.
    link = _mails(sink, "leaver@burger.example")[0]["List-Unsubscribe"]
    url = next(part.strip("<> ") for part in str(link).split(",") if "http" in part)
    posted = httpx.post(url, data={"List-Unsubscribe": "One-Click"}, timeout=10)
    assert posted.status_code == 200
    _cli("subscribers", "forget", "forgotten@burger.example", "--yes")
    _cli("subscribers", "suppress", "complainer@burger.example", "--reason", "complaint")
    relay_events()

    time.sleep(max(0.0, (lift - utcnow()).total_seconds()) + 0.5)
    sweep.delay()  # what beat does every PRESSROOM_SWEEP_INTERVAL seconds
    wait_until(lambda: len(_mails(sink, "stayer@burger.example")) == 2, 60, "the lifted release")
    time.sleep(1)  # anything else would have come in the same batch
    for gone in ("leaver", "forgotten", "complainer"):
        assert _subjects(sink, f"{gone}@burger.example") == ["Eerste bericht"], gone
    after_lift = _subjects(sink, "stayer@burger.example")[1]
    assert after_lift == "Tweede bericht"  # built after the lift: no EMBARGO subject
    assert first


def test_withdrawing_stops_the_held_mailing_and_notifies_who_had_it(web: Web, worker: Any, sink: Sink) -> None:
    _setup_audience(web)
    release_id = publish_through_api(web, lists=["journalists", "citizens"],
                          embargo_until=(utcnow() + timedelta(hours=1)).isoformat(),
                          translations={"nl": {"title": "Jaarcijfers", "body": "Cijfers."}})
    wait_until(lambda: _mails(sink, "desk@krant.example"), 60, "the journalists' embargoed copy")
    with web.api(web.approver) as api:
        withdrawn = api.post(f"/releases/{release_id}/withdraw",
                             json={"reason": "verkeerde cijfers", "notify": True})
        assert withdrawn.status_code == 200, withdrawn.text
    relay_events()
    wait_until(lambda: len(_mails(sink, "desk@krant.example")) == 2, 60, "the withdrawal notice")
    notice = _mails(sink, "desk@krant.example")[1]
    assert str(notice["Subject"]) == "Ingetrokken: Jaarcijfers"
    assert "verkeerde cijfers" in notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    with web.api(web.spokesperson) as api:
        shown = api.get(f"/releases/{release_id}/distribution").json()
    assert shown["status_label"] == "cancelled: withdrawn" and shown["note"] == "withdrawn: verkeerde cijfers"
    assert (shown["sent"], shown["skipped"]) == (1, 4)
    assert "cancelled: withdrawn" in _cli("distributions", "show", str(shown["id"]))
    with web.api(web.spokesperson) as api:
        log = api.get(f"/releases/{release_id}/audit").json()
    assert any(entry["action"] == "mailing_stopped" for entry in log), log
    # Even if the lift came now, nobody on the citizens' list gets the withdrawn release.
    sweep.delay()
    time.sleep(1)
    assert not any(_mails(sink, f"{name}@burger.example")
                   for name in ("leaver", "forgotten", "complainer", "stayer"))
