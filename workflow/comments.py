"""Comments: the staff's thread on a release, each remark on the revision it was written on.

A comment may be anchored to one paragraph of the body in one language (paragraphs are the
blank-line separated blocks of the Markdown, numbered from 1 where people read them). Its body is
plain text, shown escaped. `@name` mentions a colleague by the part of their e-mail address before
the @ (or by the whole address); each one is mailed once, in their language, through the outbox
(`comment.mentioned`, sent by `delivery.notices.comment_mention`). A name no active colleague has
is refused with the name, and nothing is stored. Writing, resolving and reopening are audit
entries of the release. No public page, feed or mailing reads comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.db import as_utc, utcnow
from core.errors import Conflict, InvalidInput, NotFound, TooLong
from core.outbox import emit
from core.text import refuse_unprintable
from workflow.content import ReleaseContent
from workflow.errors import UnknownMention
from workflow.models import ReleaseComment, Revision, User
from workflow.service import current_revision, get_release, record_note

WRITTEN, RESOLVED, REOPENED, MENTIONED = "comment.written", "comment.resolved", "comment.reopened", "comment.mentioned"
MAX_LENGTH = 4000
# "@marc", "@marc.dubois" or "@marc@example.be"; not the domain of an address in the text.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")


def paragraphs(body: str) -> list[str]:
    """The paragraphs of a Markdown body: blocks separated by blank lines, trimmed."""
    blocks = re.split(r"\n\s*\n", body.replace("\r\n", "\n"))
    return [block.strip() for block in blocks if block.strip()]


def mentioned(session: Session, body: str) -> list[User]:
    """The active colleagues `body` names with @, each once, in order; raises UnknownMention
    naming every @name that is nobody (or more than one person)."""
    people = list(session.exec(select(User).where(User.active == True)).all())
    found: dict[int, User] = {}
    unknown: list[str] = []
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".").lower()
        if "@" in name:
            matches = [person for person in people if person.email.lower() == name]
        else:
            matches = [person for person in people if person.email.lower().split("@")[0] == name]
        if len(matches) != 1:
            if name not in unknown:
                unknown.append(name)
            continue
        found.setdefault(matches[0].id or 0, matches[0])
    if unknown:
        raise UnknownMention(unknown)
    return list(found.values())


def add_comment(session: Session, release_id: int, author: User, body: str,
                language: str | None = None, paragraph: int | None = None) -> ReleaseComment:
    """Write `body` in the release's thread, on its current revision, about `paragraph` (from 1)
    of the body in `language` if given. Raises NotFound, InvalidInput (empty, too long, a
    paragraph the text lacks, a control character) and UnknownMention."""
    release = get_release(session, release_id)
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("body", "write something: the comment is empty")
    if len(text) > MAX_LENGTH:
        raise TooLong("body", MAX_LENGTH, len(text), "comment")
    refuse_unprintable(text, "body")  # as a release's body: PostgreSQL cannot even store a NUL
    if not author.active:
        raise InvalidInput("actor", f"{author.email} is deactivated")
    revision = current_revision(session, release)
    index = _anchor(ReleaseContent.model_validate(revision.content), language, paragraph)
    people = mentioned(session, text)
    comment = ReleaseComment(release_id=release_id, revision_id=revision.id or 0, author_id=author.id or 0,
                             body=text, language=language if index is not None else None, paragraph=index,
                             mentions=[person.id or 0 for person in people])
    session.add(comment)
    session.flush()
    where = f", {language} paragraph {index + 1}" if index is not None else ""
    names = f"; mentions {', '.join(person.email for person in people)}" if people else ""
    record_note(session, release_id, "comment",
                f"comment {comment.id} on revision {revision.number}{where}{names}: {_short(text)}", author)
    emit(session, WRITTEN, comment.id, release_id=release_id, actor_id=author.id, revision_id=revision.id)
    for person in people:
        if person.id != author.id:  # naming yourself ("as I said, @an") tells you nothing new
            emit(session, MENTIONED, comment.id, release_id=release_id, user_id=person.id, actor_id=author.id)
    return comment


def resolve(session: Session, comment_id: int, actor: User) -> ReleaseComment:
    """Mark a comment resolved; Conflict when it is already."""
    comment = _get(session, comment_id)
    if comment.resolved_at is not None:
        raise Conflict(f"comment {comment_id} is resolved already")
    comment.resolved_at, comment.resolved_by_id = utcnow(), actor.id
    return _record(session, comment, actor, "comment_resolved", RESOLVED)


def reopen(session: Session, comment_id: int, actor: User) -> ReleaseComment:
    """Mark a resolved comment open again; Conflict when it is open."""
    comment = _get(session, comment_id)
    if comment.resolved_at is None:
        raise Conflict(f"comment {comment_id} is open already")
    comment.resolved_at, comment.resolved_by_id = None, None
    return _record(session, comment, actor, "comment_reopened", REOPENED)


@dataclass(frozen=True)
class CommentView:
    """A comment as pages, the API and the CLI show it."""

    id: int
    release_id: int
    author: str
    author_name: str
    body: str
    revision: int
    language: str | None
    paragraph: int | None  # from 1, as people count
    excerpt: str  # the start of that paragraph as the revision had it
    mentions: list[str]
    created_at: datetime
    resolved: bool
    resolved_at: datetime | None
    resolved_by: str | None

    def as_json(self) -> dict[str, object]:
        return {**self.__dict__, "created_at": self.created_at.isoformat(),
                "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None}


def thread(session: Session, release_id: int) -> list[CommentView]:
    """The release's comments, oldest first."""
    get_release(session, release_id)
    rows = session.exec(select(ReleaseComment).where(ReleaseComment.release_id == release_id)
                        .order_by(col(ReleaseComment.id))).all()
    people = {user.id: user for user in session.exec(select(User)).all()}
    revisions = {revision.id: revision for revision in session.exec(
        select(Revision).where(Revision.release_id == release_id)).all()}
    views = []
    for row in rows:
        revision = revisions.get(row.revision_id)
        excerpt = ""
        if revision is not None and row.paragraph is not None and row.language:
            text = ReleaseContent.model_validate(revision.content).translations.get(row.language)
            blocks = paragraphs(text.body) if text else []
            excerpt = _short(blocks[row.paragraph], 80) if row.paragraph < len(blocks) else ""
        author = people.get(row.author_id)
        resolver = people.get(row.resolved_by_id) if row.resolved_by_id else None
        views.append(CommentView(
            id=row.id or 0, release_id=row.release_id, author=author.email if author else "",
            author_name=author.name if author else "", body=row.body,
            revision=revision.number if revision else 0, language=row.language,
            paragraph=row.paragraph + 1 if row.paragraph is not None else None, excerpt=excerpt,
            mentions=[people[i].email for i in row.mentions if i in people], created_at=as_utc(row.created_at),
            resolved=row.resolved_at is not None,
            resolved_at=as_utc(row.resolved_at) if row.resolved_at else None,
            resolved_by=resolver.email if resolver else None,
        ))
    return views


def _anchor(content: ReleaseContent, language: str | None, paragraph: int | None) -> int | None:
    """The 0-based index of paragraph `paragraph` (from 1) of the body in `language`."""
    if paragraph is None:
        return None
    if not language or language not in content.translations:
        have = ", ".join(sorted(content.translations)) or "none"
        raise InvalidInput("language", f"name the language of the paragraph: the release has {have}")
    count = len(paragraphs(content.translations[language].body))
    if not 1 <= paragraph <= count:
        raise InvalidInput("paragraph", f"the {language} body has {count} paragraph(s); {paragraph} is not one")
    return paragraph - 1


def _get(session: Session, comment_id: int) -> ReleaseComment:
    comment = session.get(ReleaseComment, comment_id)
    if comment is None:
        raise NotFound("comment", comment_id)
    return comment


def _record(session: Session, comment: ReleaseComment, actor: User, action: str, event: str) -> ReleaseComment:
    if not actor.active:
        raise InvalidInput("actor", f"{actor.email} is deactivated")
    session.add(comment)
    session.flush()
    record_note(session, comment.release_id, action, f"comment {comment.id}: {_short(comment.body)}", actor)
    emit(session, event, comment.id, release_id=comment.release_id, actor_id=actor.id)
    return comment


def _short(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
