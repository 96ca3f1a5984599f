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
from workflow import chains, service, views
from workflow.content import parse_content
from workflow.imports import Document, Imported, ImportOptions, import_release, is_document
from workflow.models import ReleaseKind
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
        if release.state is State.IN_REVIEW:
            click.echo(f"  approval: {chains.progress_line(chains.progress_view(session, release))}")
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
    if release_id is not None and is_document(file.name):
        raise InvalidInput(str(file), "a Word or LibreOffice document makes a new release (releases new); change "
                                      "an existing one in the editor, or with a Markdown release file")
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


def _options_list(values: tuple[str, ...]) -> list[str]:
    """Repeated or comma-separated option values, as one list."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _when_option(value: str | None, name: str) -> datetime | None:
    return None if value is None else _parse_at(value, name)


@releases.command("new")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@as_option
@update_contacts_option
@web_only_option
@click.option("--translation", "translations", nargs=2, multiple=True, metavar="LANG FILE",
              help="Word or LibreOffice document: the release in another language, e.g. --translation fr "
                   "release.fr.docx (repeatable).")
@click.option("--language", default=None, metavar="LANG",
              help="Word or LibreOffice document: the language it is written in (default: the document's "
                   "language property, else PRESSROOM_DEFAULT_LANGUAGE).")
@click.option("--kind", type=click.Choice([kind.value for kind in ReleaseKind]), default=None,
              help="Word or LibreOffice document: the kind of release (default press_release).")
@click.option("--lists", "lists", multiple=True, metavar="SLUG[,SLUG…]",
              help="Word or LibreOffice document: the mailing lists to send to.")
@click.option("--topics", "topics", multiple=True, metavar="SLUG[,SLUG…]",
              help="Word or LibreOffice document: the topics it is filed under.")
@click.option("--embargo-until", default=None, metavar="ISO-8601",
              help="Word or LibreOffice document: the embargo, with its time zone.")
@click.option("--publish-at", default=None, metavar="ISO-8601",
              help="Word or LibreOffice document: when to publish once approved, with its time zone.")
@json_option
def new(file: Path, actor_email: str, update_contacts: bool, web_only: bool, translations: tuple[tuple[str, str], ...],
        language: str | None, kind: str | None, lists: tuple[str, ...], topics: tuple[str, ...],
        embargo_until: str | None, publish_at: str | None, as_json: bool) -> None:
    """Create a draft from FILE: a Markdown file with YAML front matter, or a press release
    written in Word (.docx) or LibreOffice (.odt).

    From a document: the title is the first heading (or the paragraph in the Title style), the
    lead the first paragraph entirely in bold, the rest the body, with subheadings, lists, bold,
    italic, links and quotes; the contact block after a "Contact" / "Perscontact" / "Contact
    presse" line gives the contacts, and pictures (with their descriptions) become the release's
    images. What could not be carried over is printed as notes on stderr (and under "notes" with
    --json). Documents with macros or links to templates are refused (exit 2). See the README.
    """
    uploaded: list[int] = []
    notes: list[str] = []
    imported: Imported | None = None
    document_options = {"--translation": translations, "--language": language, "--kind": kind, "--lists": lists,
                        "--topics": topics, "--embargo-until": embargo_until, "--publish-at": publish_at}
    with session_scope() as session:
        author = get_user(session, actor_email)
        if is_document(file.name):
            options = ImportOptions(
                kind=kind or "press_release", language=language, lists=_options_list(lists),
                topics=_options_list(topics), web_only=web_only,
                embargo_until=_when_option(embargo_until, "--embargo-until"),
                publish_at=_when_option(publish_at, "--publish-at"), update_contacts=update_contacts)
            imported = import_release(
                session, _document(file), {lang: _document(Path(path)) for lang, path in translations},
                actor=author, options=options)
            notes = imported.contact_notes + imported.notes
            uploaded = imported.uploaded
            content = imported.content
        else:
            given = [name for name, value in document_options.items() if value]
            if given:
                raise InvalidInput(given[0], f"is for Word and LibreOffice documents; {file.name} says this in "
                                             "its front matter")
            content = _read(session, file, author, update_contacts, web_only, uploaded)
        release = service.create_release(session, author, content)
        view = views.release_view(session, release)
    relay_now()
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if as_json:
        print_json({**view, "notes": imported.notes} if imported is not None else view)
    else:
        click.echo(f"release {view['id']} created as draft: {view['title']} ({', '.join(view['languages'])})")
        if imported is not None and imported.notes:
            click.echo(f"{len(imported.notes)} thing(s) could not be carried over: see the notes above", err=True)
    process_with_progress(uploaded, release_id=view["id"])


def _document(path: Path) -> Document:
    """A Word or LibreOffice document read from disk, refused with its name if unreadable."""
    if not is_document(path.name):
        raise InvalidInput(str(path), "a translation must be a Word (.docx) or LibreOffice (.odt) document")
    try:
        return Document(path.read_bytes(), path.name)
    except FileNotFoundError:
        raise InvalidInput(str(path), "file not found") from None
    except OSError as exc:
        raise InvalidInput(str(path), f"cannot be read ({exc.strerror or exc})") from None


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


def _parse_at(value: str | None, option: str = "--at") -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(option, f"{value!r} is not an ISO-8601 date and time") from None
    if moment.tzinfo is None:
        raise InvalidInput(option, f"{value!r} has no time zone; add one, e.g. +02:00 or Z")
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
    step = view.pop("approval_step")
    if view["state"] == State.IN_REVIEW:
        view["approval"] = chains.progress_line(step)
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
