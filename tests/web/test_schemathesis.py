"""Property-based tests of the API against its own OpenAPI schema (schemathesis): no request,
however malformed, gets a 500, and every response matches the schema (status code, content type,
body). Runs as an admin (every operation is allowed) on SQLite, with few examples per operation
to stay within a couple of minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import Web, release_body

EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]


@pytest.fixture
def api_schema(web: Web):  # type: ignore[no-untyped-def]
    # Something for the operations to find: a list with a subscriber and a release in review.
    with web.api(web.admin) as api:
        api.post("/lists", json={"slug": "journalists", "name": "Journalists"})
    with web.api(web.spokesperson) as api:
        api.post("/lists/journalists/subscribers", json={"email": "p1@example.org", "confirmed": True})
        release = api.post("/releases", json=release_body(lists=["journalists"])).json()
        api.post(f"/releases/{release['id']}/submit")
    return schemathesis.openapi.from_url(f"{web.url}/api/openapi.json")


MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def test_api_conforms_to_its_schema(web: Web, api_schema: schemathesis.BaseSchema) -> None:
    """Every operation, with valid and with invalid data (schemathesis' pytest plugin does not
    run under this pytest, so the operations are driven here with hypothesis directly)."""
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 25
    for operation in operations:
        for mode in MODES:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.generate])
            def run(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=web.admin.auth, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
