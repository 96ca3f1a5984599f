"""`pressroom releases`: write, review, publish and inspect releases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlmodel import Session

from cli.media import process_with_progress
from cli.output import json_option, print_json, print_mapping, print_table
from cli.relay import relay_now
from cli.report_output import one_format, print_report, report_format
from core.db import session_scope
from core.errors import InvalidInput
from delivery.audience import audience_lines, audience_view
from reports.mailing import release_report
from workflow import service, views
from workflow.content import parse_content
from workflow.service import Step
from workflow.sources import read_release_file
from workflow.states import State
from workflow.users import get_user

as_option = click.option("--as", "actor_email", required=True, metavar="EMAIL", help="Acting user.")
version_option = click.option(
    "--version", "expected_version", type=int, default=None,
    help="Act only if the release is still at this version (optimistic lock).",
)


@click.group()
def releases() -> None:
    """Write, review, publish and inspect releases."""


def _act(actor_email: str, run: Callable[[Session, Any], Step | None], show_audience: bool = False) -> None:
    """Run one workflow action as `actor_email` in one transaction, print it, relay its event.
    With `show_audience` (approving, publishing), also who the release reaches."""
    with session_scope() as session:
        step = run(session, get_user(session, actor_email))
        if step is None:
            click.echo("no change: the content is identical to the current revision")
            return
        release = step.release
        click.echo(
            f"release {release.id}: {step.action.value} ({step.from_state.value} → "
            f"{step.to_state.value}), version {release.version}"
        )
        if show_audience:
            for line in audience_lines(audience_view(session, service.current_content(session, release))):
                click.echo(f"  audience: {line}")
    relay_now()


update_contacts_option = click.option(
    "--update-contacts", is_flag=True,
    help="Also update the contact directory with the contacts written out in FILE (admins, or the "
         "contact themselves); otherwise they go into this release only.",
)
web_only_option = click.option(
    "--web-only", is_flag=True, help="Publish on the newsroom only and mail nobody (a release without lists).",
)


def _read(session: Session, file: Path, actor: Any, update_contacts: bool, web_only: bool,
          uploaded: list[int], release_id: int | None = None) -> Any:
    """The file's content; how its contacts differ from the directory goes to stderr, and the
    media files it uploaded into `uploaded` (their renditions are made once it is stored).
    Editing with a file that has no `media:` key keeps the release's files as they are."""
    source = read_release_file(session, file, actor=actor, update_contacts=update_contacts, web_only=web_only)
    for note in source.contact_notes:
        click.echo(f"note: {note}", err=True)
    uploaded.extend(source.uploaded)
    if release_id is None or source.media_given:
        return source.content
    kept = service.current_content(session, service.get_release(session, release_id)).media
    if not kept:
        return source.content
    data = source.content.model_dump(mode="json")
    try:
        return parse_content({**data, "media": [item.model_dump(mode="json") for item in kept]})
    except InvalidInput as exc:
        raise InvalidInput(f"{file}: {exc.field}", f"{exc.problem} (the release's files are kept when the file "
                                                  "has no media: list)") from None


@releases.command("new")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@as_option
@update_contacts_option
@web_only_option
@json_option
def new(file: Path, actor_email: str, update_contacts: bool, web_only: bool, as_json: bool) -> None:
    """Create a draft from a Markdown FILE with YAML front matter (see README)."""
    uploaded: list[int] = []
    with session_scope() as session:
        author = get_user(session, actor_email)
        content = _read(session, file, author, update_contacts, web_only, uploaded)
        release = service.create_release(session, author, content)
        view = views.release_view(session, release)
    relay_now()
    if as_json:
        print_json(view)
    else:
        click.echo(f"release {view['id']} created as draft: {view['title']} ({', '.join(view['languages'])})")
    process_with_progress(uploaded, release_id=view["id"])


@releases.command("edit")
@click.argument("release_id", type=int)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@as_option
@version_option
@update_contacts_option
@web_only_option
@click.option("--comment", default="", help="Why the text changed.")
def edit(release_id: int, file: Path, actor_email: str, expected_version: int | None, update_contacts: bool,
         web_only: bool, comment: str) -> None:
    """Replace the content of a release with FILE, as a new revision."""
    uploaded: list[int] = []
    _act(actor_email, lambda s, u: service.edit_release(
        s, release_id, u, _read(s, file, u, update_contacts, web_only, uploaded, release_id), expected_version,
        comment))
    process_with_progress(uploaded, release_id=release_id)


@releases.command("submit")
@click.argument("release_id", type=int)
@as_option
@version_option
def submit(release_id: int, actor_email: str, expected_version: int | None) -> None:
    """Send a draft to review."""
    _act(actor_email, lambda s, u: service.submit(s, release_id, u, expected_version))


@releases.command("approve")
@click.argument("release_id", type=int)
@as_option
@version_option
@click.option("--comment", default="", help="A note with the approval.")
def approve(release_id: int, actor_email: str, expected_version: int | None, comment: str) -> None:
    """Approve the current revision (an approver who wrote none of it)."""
    _act(actor_email, lambda s, u: service.approve(s, release_id, u, comment, expected_version), show_audience=True)


@releases.command("request-changes")
@click.argument("release_id", type=int)
@as_option
@version_option
@click.option("--comment", required=True, help="What must change.")
def request_changes(release_id: int, actor_email: str, expected_version: int | None, comment: str) -> None:
    """Send a release in review back to its author."""
    _act(actor_email, lambda s, u: service.request_changes(s, release_id, u, comment, expected_version))


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("--at", f"{value!r} is not an ISO-8601 date and time") from None
    if moment.tzinfo is None:
        raise InvalidInput("--at", f"{value!r} has no time zone; add one, e.g. +02:00 or Z")
    return moment


@releases.command("publish")
@click.argument("release_id", type=int)
@as_option
@version_option
@click.option("--at", "at", default=None, metavar="ISO-8601", help="Schedule instead of publishing now.")
def publish(release_id: int, actor_email: str, expected_version: int | None, at: str | None) -> None:
    """Publish an approved release now, or schedule it with --at."""
    moment = _parse_at(at)
    _act(actor_email, lambda s, u: service.publish(s, release_id, u, moment, expected_version), show_audience=True)


@releases.command("unschedule")
@click.argument("release_id", type=int)
@as_option
@version_option
def unschedule(release_id: int, actor_email: str, expected_version: int | None) -> None:
    """Take a scheduled release off the schedule."""
    _act(actor_email, lambda s, u: service.unschedule(s, release_id, u, expected_version))


@releases.command("withdraw")
@click.argument("release_id", type=int)
@as_option
@version_option
@click.option("--reason", required=True, help="Why it is withdrawn (kept in the audit log).")
@click.option("--notify", is_flag=True,
              help="Mail a short withdrawal notice, with the reason, to everyone who already received it.")
@click.option("--publish-reason", is_flag=True, help="Show the reason on the release's public page.")
@click.option("--corrected-by", type=click.IntRange(1, 2**31 - 1), default=None,
              help="Id of the release that corrects this one; its page links there once it is public.")
def withdraw(release_id: int, actor_email: str, expected_version: int | None, reason: str, notify: bool,
             publish_reason: bool, corrected_by: int | None) -> None:
    """Withdraw a published release: its page answers 410 (saying so, with the reason if
    published) and every unsent message of its mailing is cancelled, embargo-held ones included."""
    _act(actor_email, lambda s, u: service.withdraw(s, release_id, u, reason, expected_version, notify,
                                                    publish_reason=publish_reason, corrected_by=corrected_by))


@releases.command("archive")
@click.argument("release_id", type=int)
@as_option
@version_option
def archive(release_id: int, actor_email: str, expected_version: int | None) -> None:
    """Archive a draft that will not be published."""
    _act(actor_email, lambda s, u: service.archive(s, release_id, u, expected_version))


@releases.command("show")
@click.argument("release_id", type=int)
@json_option
def show(release_id: int, as_json: bool) -> None:
    """Show a release and its current text."""
    with session_scope() as session:
        release = service.get_release(session, release_id)
        view = views.release_view(session, release, full=True)
        view["audience"] = audience_view(session, service.current_content(session, release))
    if as_json:
        print_json(view)
        return
    content = view.pop("content")
    audience = view.pop("audience")
    print_mapping(view)
    for line in audience_lines(audience):
        click.echo(f"audience: {line}")
    for language, text in content["translations"].items():
        click.echo(f"\n[{language}] {text['title']}")
        if text["lead"]:
            click.echo(text["lead"])
        click.echo(f"({len(text['body'])} characters of body, {len(text['links'])} links)")


@releases.command("list")
@click.option("--state", type=click.Choice([s.value for s in State]), default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@json_option
def list_(state: str | None, limit: int, as_json: bool) -> None:
    """List releases, newest first."""
    with session_scope() as session:
        rows = [views.release_view(session, r) for r in views.list_releases(session, state, limit)]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "state", "kind", "version", "author", "title"])


@releases.command("log")
@click.argument("release_id", type=int)
@json_option
def log(release_id: int, as_json: bool) -> None:
    """Show the audit log of a release."""
    with session_scope() as session:
        numbers = views.revision_numbers(session, release_id)
        rows = [views.audit_view(e) for e in service.audit_log(session, release_id)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["revision"] = f"r{numbers.get(row['revision_hash'], '?')} {str(row['revision_hash'])[:10]}"
        row["move"] = f"{row['from'] or '·'} → {row['to']}"
    print_table(rows, ["at", "actor", "action", "move", "revision", "comment"])


@releases.command("report")
@click.argument("release_id", type=int)
@json_option
@report_format
def report(release_id: int, as_json: bool, as_csv: bool) -> None:
    """The report of every mailing of a release (its mailing, a withdrawal notice) and their sums."""
    one_format(as_json, as_csv)
    with session_scope() as session:
        found = release_report(session, release_id)
    print_report(found, as_json, as_csv)
