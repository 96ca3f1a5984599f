"""Sending test mails (see `workflow.proofs`): the revision that was current when the test was
asked for, rendered by the same code as a subscriber's copy (`delivery.preview`), marked as a
test in its subject, to one member of staff.

The copy carries the preview recipient's links, which lead to harmless pages: a test mail never
unsubscribes anyone, counts nothing and creates no delivery rows. Its access query is a proof
token, so its pictures and documents show (that revision's files only) before publication.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlmodel import Session

from core.outbox import OutboxEvent
from delivery.notices import send_one
from delivery.preview import preview_release
from subscribers.tokens import proof_token
from templates.i18n import translate
from workflow.models import Release, Revision, User

log = logging.getLogger(__name__)


def send_test_mail(session: Session, event: OutboxEvent) -> None:
    """release.test_requested: mail each asked-for language of the asked-for revision to the
    staff member, unless they were deactivated since (then nothing is sent)."""
    payload = event.payload
    release = session.get(Release, event.subject_id)
    revision = session.get(Revision, payload.get("revision_id"))
    person = session.get(User, payload.get("recipient_id"))
    if release is None or revision is None or revision.release_id != release.id:
        return
    if person is None or not person.active:
        log.info("test mail of release %s not sent: its recipient is no longer active", release.id)
        return
    # Mail refused "for now" in a later language makes the event run again, and the earlier
    # languages go twice: for a test mail to a colleague, better than a receipt per language.
    for language in payload.get("languages") or []:
        copy = preview_release(session, release.id or 0, str(language), revision=revision,
                               test_marker=translate("base", str(language), "test_marker"))
        recipient = replace(copy.recipient, email=person.email, name=person.name,
                            access_query=proof_query(release.id or 0, revision.id or 0))
        send_one(copy.prepared.envelope_from, person.email, copy.prepared.build(recipient), "test mail")


def proof_query(release_id: int, revision_id: int) -> str:
    """The access query of a test mail's links: a proof token for the revision it shows."""
    return "?access=" + proof_token(release_id, revision_id)
