"""Test mails ("proofs"): the current revision of a release, mailed to its writer or a colleague
exactly as a subscriber would get it, before anyone decides to publish.

Asking is a workflow step like the others: checked, written to the audit log and emitted as an
outbox event (`release.test_requested`) in the caller's transaction; the delivery room renders
and sends it. The recipient is always an active member of staff, never a typed address, so a
test copy of unpublished news cannot leave the office.
"""

from __future__ import annotations

from sqlmodel import Session, select

from core.errors import InvalidInput
from core.outbox import emit
from workflow.content import ReleaseContent
from workflow.errors import NotStaff
from workflow.models import User
from workflow.service import current_content, current_revision, get_release, record_note

TEST_REQUESTED = "release.test_requested"


def staff(session: Session) -> list[User]:
    """Everyone a test mail may go to: active users of every role, by name."""
    return list(session.exec(select(User).where(User.active == True).order_by(User.name)).all())


def mailed_languages(content: ReleaseContent) -> list[str]:
    """The languages a release is mailed in (those with a title), its main language first."""
    return sorted((lang for lang, text in content.translations.items() if text.title),
                  key=lambda lang: (lang != content.default_language, lang))


def request_test_mail(session: Session, release_id: int, actor: User, to: str, language: str = "") -> list[str]:
    """Ask for the current revision of the release in `language` ("" for each language it has)
    to be mailed to the member of staff whose address is `to`; returns the languages.

    Raises NotFound, NotStaff (not an active user) and InvalidInput (a language it lacks).
    """
    release = get_release(session, release_id)
    recipient = session.exec(select(User).where(User.email == to.strip().lower())).first()
    if recipient is None or not recipient.active:
        raise NotStaff(to)
    if not actor.active:
        raise InvalidInput("actor", f"{actor.email} is deactivated")
    revision = current_revision(session, release)
    titled = mailed_languages(current_content(session, release))
    if language and language not in titled:
        raise InvalidInput("language", f"the release has no {language} text; it has {', '.join(titled) or 'none'}")
    languages = [language] if language else titled
    if not languages:
        raise InvalidInput("language", "the release has no language with a title yet: there is nothing to mail")
    record_note(session, release_id, "test_mail",
                f"test mail of revision {revision.number} ({', '.join(languages)}) to {recipient.email}", actor)
    emit(session, TEST_REQUESTED, release_id, actor_id=actor.id, recipient_id=recipient.id,
         revision_id=revision.id, languages=languages)
    return languages
