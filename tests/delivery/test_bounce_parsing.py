"""Reading bounces: RFC 3464 reports, plain bounces, and VERP addresses that cannot be forged."""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message

import pytest

from delivery.bounces import (
    Complaint,
    delivery_id_from_address,
    parse_bounce,
    parse_complaint,
    verp_address,
)


def _dsn(to: str, status: str, action: str = "failed", diagnostic: str = "smtp; 550 5.1.1 No such user") -> Message:
    raw = f"""From: MAILER-DAEMON@mx.example.org
To: {to}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; jan@example.org
Action: {action}
Status: {status}
Diagnostic-Code: {diagnostic}

--B
Content-Type: text/rfc822-headers

Message-ID: <r1.nl.42@pressroom.example.be>
Subject: Jaarverslag

--B--
"""
    return message_from_bytes(raw.encode())


def test_verp_round_trip_and_forgery() -> None:
    address = verp_address(123456, "bounce.example.be")
    assert address.startswith("bounces+") and address.endswith("@bounce.example.be")
    assert delivery_id_from_address(f"Jan <{address}>") == 123456
    forged = address.replace(address.split("+")[1].split("-")[0], "2n9d")  # another id, same signature
    assert delivery_id_from_address(forged) is None
    assert delivery_id_from_address("someone@example.be") is None


def test_hard_dsn_is_read_field_by_field() -> None:
    bounce = parse_bounce(_dsn(verp_address(7, "b.example.be"), "5.1.1"))
    assert bounce is not None
    assert (bounce.delivery_id, bounce.status, bounce.hard) == (7, "5.1.1", True)
    assert "No such user" in bounce.diagnostic
    assert bounce.message_id == "<r1.nl.42@pressroom.example.be>"


def test_delayed_dsn_is_soft() -> None:
    bounce = parse_bounce(_dsn(verp_address(8, "b.example.be"), "4.2.2", action="delayed",
                               diagnostic="smtp; 452 4.2.2 Mailbox full"))
    assert bounce is not None and (bounce.status, bounce.hard) == ("4.2.2", False)


def test_plain_bounce_without_report() -> None:
    raw = (
        f"From: postmaster@old.example\nTo: {verp_address(9, 'b.example.be')}\nSubject: failure notice\n\n"
        "Hi. This is the qmail-send program.\n<jan@old.example>:\n550 5.7.1 Rejected by policy\n"
    ).encode()
    bounce = parse_bounce(message_from_bytes(raw))
    assert bounce is not None and (bounce.delivery_id, bounce.status, bounce.hard) == (9, "5.7.1", True)
    assert "Rejected by policy" in bounce.diagnostic


@pytest.mark.parametrize("raw", [
    b"From: a@b.example\nTo: press@example.be\nSubject: Question\n\nWhen is the embargo lifted?\n",
    b"Not even headers",
])
def test_ordinary_mail_is_not_a_bounce(raw: bytes) -> None:
    assert parse_bounce(message_from_bytes(raw)) is None


@pytest.mark.parametrize("headers", ["Auto-Submitted: auto-replied\n", "Subject: Automatisch antwoord: Persbericht\n"])
def test_an_out_of_office_reply_to_the_return_path_is_no_bounce(headers: str) -> None:
    """Vacation replies go to the envelope sender (RFC 3834), our VERP address; a date such as
    5.1.26 or a phone number such as 02 501 81 11 in one is no status code: a journalist away
    for a week is not suppressed as a hard bounce."""
    raw = (f"From: Jan Peeters <jan@krant.example>\nTo: {verp_address(9, 'b.example.be')}\n{headers}\n"
           "Ik ben afwezig tot 5.1.26. Dringend? Bel de redactie op 02 501 81 11.\n").encode()
    assert parse_bounce(message_from_bytes(raw)) is None


def _feedback(feedback_type: str, mail_from: str = "", original: str = "", report_type: str = "feedback-report") -> Message:
    raw = f"""From: fbl@provider.example
To: abuse@example.be
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type={report_type}; boundary="ARF"

--ARF
Content-Type: text/plain

A user marked this message as spam.
--ARF
Content-Type: message/feedback-report

Feedback-Type: {feedback_type}
User-Agent: ExampleFBL/1.0
Version: 1
{f"Original-Mail-From: <{mail_from}>" if mail_from else "Arrival-Date: Sat, 05 Dec 2026 12:00:00 +0000"}

--ARF
Content-Type: text/rfc822-headers

{original}Subject: Jaarverslag

--ARF--
"""
    return message_from_bytes(raw.encode())


def test_arf_complaints_name_their_delivery_by_verp_return_path_or_message_id() -> None:
    verp = verp_address(4242, "diplomatie.example.be")
    assert parse_complaint(_feedback("abuse", mail_from=verp)) == Complaint(4242, "abuse", "")
    assert parse_complaint(_feedback("fraud", original=f"Return-Path: <{verp}>\n")) == Complaint(4242, "fraud", "")
    by_id = parse_complaint(_feedback("abuse", original="Message-ID: <x.1@example.be>\n"))
    assert by_id == Complaint(None, "abuse", "<x.1@example.be>")
    forged = verp.replace(verp.split("-")[1][:10], "0" * 10)
    assert parse_complaint(_feedback("abuse", mail_from=forged)) == Complaint(None, "abuse", "")


@pytest.mark.parametrize("feedback_type", ["not-spam", "virus"])
def test_feedback_that_is_no_complaint_counts_nothing(feedback_type: str) -> None:
    assert parse_complaint(_feedback(feedback_type, mail_from=verp_address(1, "example.be"))) is None


def test_a_delivery_status_report_is_no_complaint() -> None:
    assert parse_complaint(_dsn(verp_address(7, "example.be"), "5.1.1")) is None
    assert parse_complaint(_feedback("abuse", report_type="delivery-status")) is None
