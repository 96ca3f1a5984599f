"""PRESSROOM_REQUIRED_LANGUAGES: a release lacking the title or body of a required language is not
submitted, nor approved after an edit during review dropped it; the refusal names what is missing
per language and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from core.db import session_scope
from core.errors import InvalidInput
from core.outbox import OutboxEvent
from core.settings import override_settings
from tests import factories
from workflow import service
from workflow.errors import MissingLanguages
from workflow.models import Approval, AuditEntry
from workflow.states import State

DUTCH = {"title": "Minister bezoekt Kinshasa", "lead": "Een werkbezoek.", "body": "De minister reist af."}
FRENCH = {"title": "Le ministre visite Kinshasa", "body": "Le ministre se rend."}


def _release(translations: dict[str, dict[str, str]]) -> tuple[int, Any, Any]:
    with session_scope() as s:
        author = factories.user(s)
        approver = factories.user(s, "approver")
        release_id = factories.release(
            s, author, translations=translations, default_language=next(iter(translations))
        ).id or 0
    return release_id, author, approver


def _record(release_id: int) -> tuple[Any, ...]:
    """State, version, audit, events and approvals: what a refused action must leave alone."""
    with session_scope() as s:
        release = service.get_release(s, release_id)
        return (
            release.state, release.version, release.current_revision_id,
            s.exec(select(AuditEntry.action).where(AuditEntry.release_id == release_id)
                   .order_by(col(AuditEntry.id))).all(),
            s.exec(select(OutboxEvent.name).order_by(col(OutboxEvent.created_at), col(OutboxEvent.id))).all(),
            s.exec(select(Approval.id)).all(),
        )


@pytest.mark.parametrize(("required", "translations", "missing"), [
    (["fr"], {"nl": DUTCH}, "fr (title, body)"),
    (["nl", "fr"], {"nl": DUTCH, "fr": {"title": "Le ministre visite Kinshasa"}}, "fr (body)"),
    (["fr", "en"], {"nl": DUTCH, "fr": {"body": "Le ministre se rend."}, "en": {"lead": "A visit."}},
     "fr (title), en (title, body)"),
    (["nl", "de"], {"fr": FRENCH}, "nl (title, body), de (title, body)"),
])
def test_submit_names_what_each_required_language_lacks_and_changes_nothing(
    db: str, required: list[str], translations: dict[str, dict[str, str]], missing: str
) -> None:
    override_settings(required_languages=required)
    release_id, author, _ = _release(translations)
    before = _record(release_id)
    with pytest.raises(MissingLanguages) as caught, session_scope() as s:
        service.submit(s, release_id, author)
    assert caught.value.message == (
        f"translations: cannot submit release {release_id}: required languages are missing: {missing}"
    )
    assert isinstance(caught.value, InvalidInput) and caught.value.field == "translations"
    assert _record(release_id) == before
    assert before[0] is State.DRAFT


def test_a_release_with_every_required_language_is_submitted(db: str) -> None:
    override_settings(required_languages=["nl", "fr"])
    release_id, author, _ = _release({"nl": DUTCH, "fr": FRENCH, "en": {"title": "Only a title"}})
    with session_scope() as s:
        assert service.submit(s, release_id, author).to_state is State.IN_REVIEW


def test_without_required_languages_one_complete_translation_is_enough(db: str) -> None:
    release_id, author, _ = _release({"fr": FRENCH})
    with session_scope() as s:
        assert service.submit(s, release_id, author).to_state is State.IN_REVIEW


def test_an_edit_during_review_that_drops_a_required_language_cannot_be_approved(db: str) -> None:
    override_settings(required_languages=["nl", "fr"])
    release_id, author, approver = _release({"nl": DUTCH, "fr": FRENCH})
    with session_scope() as s:
        service.submit(s, release_id, author)
        # Editing in review stays in review: no second submit would catch the loss.
        step = service.edit_release(s, release_id, author, factories.content(translations={"nl": DUTCH}))
        assert step is not None and step.to_state is State.IN_REVIEW
    before = _record(release_id)
    with pytest.raises(MissingLanguages, match="cannot approve release .*: required languages are "
                                               r"missing: fr \(title, body\)$"), session_scope() as s:
        service.approve(s, release_id, approver)
    assert _record(release_id) == before
