"""Comments on a release: on the revision they were written on, anchored to a paragraph when
given, @mentions mailed once to the named colleague in their language, resolve and reopen, every
step in the audit log; bad input refused with nothing stored."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest
from sqlmodel import col, select

from core.db import session_scope
from core.errors import Conflict, InvalidInput
from core.outbox import OutboxEvent, handle_event, relay_pending
from core.settings import override_settings
from delivery.transports import memory_outbox
from tasks.events import HANDLERS
from tests import factories
from workflow import comments, service
from workflow.errors import UnknownMention
from workflow.models import Notification, ReleaseComment
from workflow.users import add_user

BODY = "Eerste alinea.\n\nTweede alinea met cijfers.\n\nDerde alinea."


def _handle_all() -> list[str]:
    ids: list[str] = []
    relay_pending(lambda event: ids.append(event.id))
    for event_id in ids:
        handle_event(event_id, HANDLERS)
    return ids


def test_a_thread_with_an_anchor_a_mention_mailed_once_resolve_and_reopen(sqlite_db: str) -> None:
    outbox = memory_outbox("mentions")
    outbox.clear()
    override_settings(mail_url="memory://mentions")
    with session_scope() as s:
        author = add_user(s, "an@example.be", "An Peeters", "spokesperson", "nl")
        marc = add_user(s, "marc@example.be", "Marc Dubois", "approver", "fr")
        release_id = factories.release(s, author, translations={
            "nl": {"title": "Jaarverslag", "lead": "Kort.", "body": BODY}}).id or 0
    _handle_all()
    with session_scope() as s:
        written = comments.add_comment(s, release_id, s.get(type(author), author.id),  # type: ignore[arg-type]
                                       "@marc klopt <b>dit</b> cijfer? Mail an@example.be.", "nl", 2)
        comment_id = written.id or 0
    with session_scope() as s:
        service.edit_release(s, release_id, s.get(type(author), author.id),  # type: ignore[arg-type]
                             factories.content(translations={"nl": {"title": "Jaarverslag 2025", "body": BODY}}))
        [view] = comments.thread(s, release_id)
    # Written on revision 1, about its second paragraph, as that revision had it.
    assert (view.revision, view.language, view.paragraph, view.excerpt) == (1, "nl", 2, "Tweede alinea met cijfers.")
    assert view.mentions == ["marc@example.be"] and not view.resolved

    handled = _handle_all()
    [sent] = outbox.messages
    assert sent.recipients == ("marc@example.be",)
    mail = message_from_bytes(sent.message, policy=default)
    assert "An Peeters" in str(mail["Subject"]) and "mentionné" in str(mail["Subject"])  # Marc reads French
    assert "<b>dit</b>" not in mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;b&gt;dit&lt;/b&gt;" in mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"/press/releases/{release_id}/review#comment-{comment_id}" in text
    assert "@marc klopt <b>dit</b> cijfer?" in text
    for event_id in handled:  # a redelivered event mails nobody twice
        handle_event(event_id, HANDLERS)
    assert len(outbox.messages) == 1
    with session_scope() as s:  # and Marc finds it among his notifications, once
        notes = s.exec(select(Notification).where(Notification.user_id == marc.id)).all()
        assert [(n.kind, n.release_id) for n in notes] == [("mentioned", release_id)]

    with session_scope() as s:
        marc_row = s.get(type(marc), marc.id)
        comments.resolve(s, comment_id, marc_row)  # type: ignore[arg-type]
        with pytest.raises(Conflict, match="resolved already"):
            comments.resolve(s, comment_id, marc_row)  # type: ignore[arg-type]
    with session_scope() as s:
        [view] = comments.thread(s, release_id)
        assert view.resolved and view.resolved_by == "marc@example.be"
        comments.reopen(s, comment_id, s.get(type(author), author.id))  # type: ignore[arg-type]
    with session_scope() as s:
        [view] = comments.thread(s, release_id)
        assert not view.resolved and view.resolved_by is None
        log = [(e.action, e.actor_label, e.comment) for e in service.audit_log(s, release_id)]
        names = {e.name for e in s.exec(select(OutboxEvent)).all()}
    assert [a for a, _, _ in log] == ["create", "comment", "edit", "comment_resolved", "comment_reopened"]
    assert log[1][2].startswith(f"comment {comment_id} on revision 1, nl paragraph 2; mentions marc@example.be: ")
    assert log[3][1] == "marc@example.be"
    assert {"comment.written", "comment.mentioned", "comment.resolved", "comment.reopened"} <= names


def test_naming_yourself_in_a_comment_mails_and_notifies_nobody(sqlite_db: str) -> None:
    outbox = memory_outbox("self-mention")
    outbox.clear()
    override_settings(mail_url="memory://self-mention")
    with session_scope() as s:
        author = add_user(s, "an@example.be", "An Peeters", "spokesperson", "nl")
        add_user(s, "marc@example.be", "Marc Dubois", "approver", "fr")
        release_id = factories.release(s, author, translations={"nl": {"title": "T", "body": BODY}}).id or 0
    _handle_all()
    outbox.clear()
    with session_scope() as s:
        comments.add_comment(s, release_id, s.get(type(author), author.id),  # type: ignore[arg-type]
                             "Zoals @an al zei: @marc, kijk jij?")
    _handle_all()
    assert [m.recipients for m in outbox.messages] == [("marc@example.be",)]  # Marc only, not An
    with session_scope() as s:
        [view] = comments.thread(s, release_id)
        notes = s.exec(select(Notification).where(Notification.user_id == author.id,
                                                  Notification.kind == "mentioned")).all()
    assert view.mentions == ["an@example.be", "marc@example.be"] and notes == []


@pytest.mark.parametrize(("text", "language", "paragraph", "error", "names"), [
    ("Zie @nina en @marc en @els.", None, None, UnknownMention, "@nina, @els"),
    ("   ", None, None, InvalidInput, "body: write something"),
    ("Over alinea vier", "nl", 4, InvalidInput, "paragraph: the nl body has 3 paragraph(s)"),
    ("Over alinea", "de", 1, InvalidInput, "language: name the language"),
    ("x" * 4001, None, None, InvalidInput, "at most 4000 characters"),
])
def test_bad_comments_are_refused_naming_the_problem_and_store_nothing(
        sqlite_db: str, text: str, language: str | None, paragraph: int | None,
        error: type[Exception], names: str) -> None:
    with session_scope() as s:
        author = add_user(s, "an@example.be", "An Peeters", "spokesperson", "nl")
        add_user(s, "marc@example.be", "Marc Dubois", "approver", "fr")
        release_id = factories.release(s, author, translations={"nl": {"title": "T", "body": BODY}}).id or 0
    with session_scope() as s, pytest.raises(error, match=names.replace("(", r"\(").replace(")", r"\)")):
        comments.add_comment(s, release_id, s.get(type(author), author.id), text,  # type: ignore[arg-type]
                             language, paragraph)
    with session_scope() as s:
        assert s.exec(select(ReleaseComment)).all() == []
        assert [e.action for e in service.audit_log(s, release_id)] == ["create"]
        assert s.exec(select(OutboxEvent).where(col(OutboxEvent.name).like("comment.%"))).all() == []


def test_mentions_are_names_before_the_at_or_whole_addresses_not_addresses_in_the_text(sqlite_db: str) -> None:
    with session_scope() as s:
        add_user(s, "marc@example.be", "Marc Dubois", "approver")
        add_user(s, "nina.janssens@example.be", "Nina Janssens", "approver")
        found = comments.mentioned(s, "@Marc, @nina.janssens. Mail marc@example.be or @marc@example.be")
        assert [u.email for u in found] == ["marc@example.be", "nina.janssens@example.be"]
        assert comments.mentioned(s, "no one: jan@example.be, 5 @ 3") == []


@pytest.mark.parametrize("text", ["Zie\x00hier", "Bel\x07 mij", "Zie\ufffe"])
def test_control_characters_and_nul_are_refused_naming_the_body(db: str, text: str) -> None:
    # PostgreSQL cannot store NUL at all; a bell or a non-character is noise nobody typed.
    with session_scope() as s:
        author = add_user(s, "an@example.be", "An Peeters", "spokesperson", "nl")
        release_id = factories.release(s, author, translations={"nl": {"title": "T", "body": BODY}}).id or 0
    with session_scope() as s, pytest.raises(InvalidInput, match="body: character U\\+"):
        comments.add_comment(s, release_id, s.get(type(author), author.id), text)  # type: ignore[arg-type]
    with session_scope() as s:
        assert s.exec(select(ReleaseComment)).all() == []
