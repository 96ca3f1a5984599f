"""CSV export: formula injection neutralised, suppressed people left out, re-importable."""

from __future__ import annotations

import csv
import io

from core.db import session_scope
from subscribers import (
    SuppressionReason,
    add_subscriber,
    export_csv,
    import_csv,
    neutralise,
    personal_data,
    suppress,
)
from tests.subscribers.conftest import confirmed


def test_neutralise_guards_every_formula_prefix() -> None:
    for dangerous in ("=1+1", "+32 2 501 81 11", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Jan = Peeters") == "Jan = Peeters" and neutralise("") == ""


def test_export_neutralises_cells_skips_suppressed_and_reimports_unchanged(lists: dict[str, int]) -> None:
    with session_scope() as s:
        add_subscriber(
            s, "=cmd@example.be", "journalists", name='=HYPERLINK("http://evil","x")',
            organisation="@Le Soir", topics=["africa", "trade"], language="fr", confirmed=True,
        )
        add_subscriber(s, "pending@example.be", "journalists")
    confirmed("plain@example.be", ["journalists"], name="Marie-Claire Dubois")
    confirmed("bounced@example.be", ["journalists"])
    with session_scope() as s:
        suppress(s, "bounced@example.be", SuppressionReason.HARD_BOUNCE)
    out = io.StringIO()
    assert export_csv(session_scope, "journalists", out, delimiter=";") == 2
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert rows[0][:6] == ["email", "name", "language", "organisation", "topics", "status"]
    assert rows[1][:6] == ["'=cmd@example.be", "'=HYPERLINK(\"http://evil\",\"x\")", "fr", "'@Le Soir", "africa trade", "confirmed"]
    assert rows[2][:2] == ["plain@example.be", "Marie-Claire Dubois"]
    everything = io.StringIO()
    export_csv(session_scope, "journalists", everything, statuses=["confirmed", "pending"])
    assert "pending@example.be" in everything.getvalue() and "bounced" not in everything.getvalue()

    report = import_csv(session_scope, io.BytesIO(out.getvalue().encode()), "public", confirmed=True)
    assert report.rejected == [] and report.subscriptions_created == 2
    with session_scope() as s:
        person = personal_data(s, "=cmd@example.be")["subscriber"]
    assert person["name"] == '=HYPERLINK("http://evil","x")' and person["organisation"] == "@Le Soir"
    assert {x["list"] for x in person["subscriptions"]} == {"journalists", "public"}
