"""`pressroom releases comment | comments | resolve-comment | reopen-comment`: the staff's thread
on a release (workflow/comments.py). Never part of the public page or a mailing."""

from __future__ import annotations

import click

from cli.output import json_option, print_json, print_table
from cli.relay import relay_now
from cli.releases import as_option, releases
from core.db import session_scope
from workflow import comments
from workflow.users import get_user


@releases.command("comment")
@click.argument("release_id", type=int)
@click.argument("text")
@as_option
@click.option("--language", default=None, metavar="LANG", help="The language of the paragraph it is about.")
@click.option("--paragraph", type=click.IntRange(1, 100_000), default=None,
              help="The paragraph of the body it is about, from 1 (needs --language).")
def comment(release_id: int, text: str, actor_email: str, language: str | None, paragraph: int | None) -> None:
    """Comment on the current revision; each @name (the part of an address before the @) is mailed."""
    with session_scope() as session:
        written = comments.add_comment(session, release_id, get_user(session, actor_email), text,
                                       language, paragraph)
        comment_id = written.id
        mentioned = next(view.mentions for view in comments.thread(session, release_id) if view.id == comment_id)
    click.echo(f"comment {comment_id} on release {release_id}"
               + (f"; mailed {', '.join(mentioned)}" if mentioned else ""))
    relay_now()


@releases.command("comments")
@click.argument("release_id", type=int)
@click.option("--open", "only_open", is_flag=True, help="Only the comments not resolved.")
@json_option
def list_comments(release_id: int, only_open: bool, as_json: bool) -> None:
    """The release's comments, oldest first."""
    with session_scope() as session:
        found = [c for c in comments.thread(session, release_id) if not (only_open and c.resolved)]
    if as_json:
        print_json([c.as_json() for c in found])
        return
    rows = [{"id": c.id, "at": c.created_at.isoformat(timespec="minutes"), "author": c.author,
             "on": f"r{c.revision}" + (f" {c.language} ¶{c.paragraph}" if c.paragraph else ""),
             "status": f"resolved by {c.resolved_by}" if c.resolved else "open",
             "text": " ".join(c.body.split())} for c in found]
    print_table(rows, ["id", "at", "author", "on", "status", "text"])


@releases.command("resolve-comment")
@click.argument("comment_id", type=int)
@as_option
def resolve_comment(comment_id: int, actor_email: str) -> None:
    """Mark a comment resolved."""
    with session_scope() as session:
        comments.resolve(session, comment_id, get_user(session, actor_email))
    click.echo(f"comment {comment_id}: resolved")
    relay_now()


@releases.command("reopen-comment")
@click.argument("comment_id", type=int)
@as_option
def reopen_comment(comment_id: int, actor_email: str) -> None:
    """Open a resolved comment again."""
    with session_scope() as session:
        comments.reopen(session, comment_id, get_user(session, actor_email))
    click.echo(f"comment {comment_id}: reopened")
    relay_now()
