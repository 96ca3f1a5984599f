"""One classification of permanent failures, run by the database the report counts in."""

from __future__ import annotations

import pytest

from core.db import session_scope
from reports.mailing import FAILURE_CLASSES, classify_failure

CASES = [
    (550, "5.1.1 No such user", "recipient_refused"),
    (550, "5.1.10 Recipient address rejected: User unknown", "recipient_refused"),
    (553, "sorry, that domain isn't in my list of allowed rcpthosts", "recipient_refused"),
    (550, "Requested action not taken: mailbox unavailable", "recipient_refused"),
    (554, "5.7.1 Message rejected as spam", "policy"),
    (550, "Blocked by policy: sender reputation", "policy"),
    (554, "5.7.26 Unauthenticated email is not accepted (DMARC)", "policy"),
    (552, "5.2.2 Mailbox full", "mailbox_full"),
    (550, "User over quota", "mailbox_full"),
    (None, "mail server 127.0.0.1:1: cannot connect: [Errno 111] Connection refused", "connection"),
    (421, "4.4.2 Connection timed out", "connection"),
    (554, "5.4.4 Unable to route", "connection"),
    (550, "Rejected", "recipient_refused"),
    (554, "Transaction failed", "other"),
    (None, "not sendable: the address cannot be used in a header", "other"),
]


@pytest.mark.parametrize(("code", "text", "expected"), CASES)
def test_each_failure_has_one_reason_class(sqlite_db: str, code: int | None, text: str, expected: str) -> None:
    with session_scope() as session:
        assert classify_failure(session, code, text) == expected


def test_the_classes_are_the_same_on_every_database(db: str) -> None:
    with session_scope() as session:
        found = {(code, text): classify_failure(session, code, text) for code, text, _ in CASES}
    assert found == {(code, text): expected for code, text, expected in CASES}
    assert set(found.values()) == set(FAILURE_CLASSES)
