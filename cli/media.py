"""`pressroom media`: attach images and documents to a release, list them, take them off.

Adding a file checks it (a refused file stores nothing), stores it, makes its renditions here
with a progress bar (the worker would make them too; making them twice changes nothing) and
then attaches it as a new revision of the release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn
from sqlmodel import Session

from cli.output import json_option, print_json, print_table
from cli.relay import relay_now
from core.db import session_scope
from core.errors import InvalidInput
from media.checks import human_size, inspect
from media.errors import WrongMediaRole
from media.models import MediaFile, MediaKind, MediaStatus
from media.processing import process
from workflow.content import MediaItem, MediaRole, MediaText
from workflow.errors import IllegalTransition, StaleVersion
from workflow.guards import Context, check
from workflow.models import User
from workflow.service import current_content, get_release
from workflow.states import Action, State, allowed_actions, target
from workflow.users import get_user

LANGUAGES = ("nl", "fr", "en", "de")  # the catalogue's languages: one --alt-xx option each
TEXTS = ("alt", "caption", "credit", "title")
_HELP = {
    "alt": "Alt text (what a screen reader says in place of the image; required for images)",
    "caption": "Caption printed under the image",
    "credit": "Credit or copyright line",
    "title": "Title a document is listed by",
}


def _text_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--alt, --alt-fr, … --title-de: each text in the release's main language or in one named."""
    for name in reversed(TEXTS):
        for language in reversed(LANGUAGES):
            command = click.option(f"--{name}-{language}", f"{name}_{language}", default=None, metavar="TEXT",
                                   help=f"{_HELP[name]}, in {language}.", hidden=True)(command)
        command = click.option(f"--{name}", name, default=None, metavar="TEXT",
                               help=f"{_HELP[name]}, in the release's main language; "
                                    f"{', '.join(f'--{name}-{lang}' for lang in LANGUAGES)} in that "
                                    "language.")(command)
    return command


def gather_texts(values: dict[str, str | None], main_language: str) -> dict[str, MediaText]:
    """The texts per language from the options; `--alt` is the main language's."""
    texts: dict[str, dict[str, str]] = {}
    for name in TEXTS:
        if values.get(name) is not None:
            texts.setdefault(main_language, {})[name] = str(values[name])
        for language in LANGUAGES:
            value = values.get(f"{name}_{language}")
            if value is None:
                continue
            if language == main_language and values.get(name) not in (None, value):
                raise InvalidInput(f"--{name}-{language}", f"gives another text than --{name}, which is "
                                                           f"{main_language} for this release: give one")
            texts.setdefault(language, {})[name] = value
    chosen: dict[str, MediaText] = {}
    for language, fields in texts.items():
        try:
            chosen[language] = MediaText(**fields)
        except ValidationError as exc:  # a text with a line break, an invisible one, too long …
            first = exc.errors()[0]
            option = f"--{first['loc'][0]}" + ("" if language == main_language and values.get(str(first["loc"][0]))
                                               is not None else f"-{language}")
            raise InvalidInput(option, str(first["msg"]).removeprefix("Value error, ")) from None
    return chosen


def process_with_progress(ids: Iterable[int], console: Console | None = None, release_id: int | None = None) -> None:
    """Make the renditions of each file here, with a progress bar on a terminal; raises
    InvalidInput naming the file and why when one cannot be processed (and, for a file already
    on `release_id`, how to take it off)."""
    console = console or Console(stderr=True, highlight=False)
    for media_id in ids:
        with session_scope() as session:
            row = session.get(MediaFile, media_id)
            filename = row.filename if row else str(media_id)
        if console.is_terminal:
            with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                          console=console) as bar:
                task = bar.add_task(f"renditions of {filename}", total=None)

                def advance(done: int, total: int, task: TaskID = task) -> None:
                    bar.update(task, completed=done, total=total)

                status = process(media_id, progress=advance)
                bar.update(task, completed=1, total=1)
        else:  # a log or a pipe: no bar redrawn line by line
            status = process(media_id)
        if status is not MediaStatus.READY:
            with session_scope() as session:
                failed = session.get(MediaFile, media_id)
                error = (failed.error if failed else "") or f"file {filename!r} could not be processed"
            advice = ("nothing was attached" if release_id is None else
                      f"it stays on release {release_id} until `pressroom media remove {release_id} {media_id}`; "
                      "the release cannot be submitted with it")
            raise InvalidInput("", f"{error}; {advice}")


def _role(kind: MediaKind, lead: bool, gallery: bool, document: bool, filename: str) -> MediaRole:
    """The role asked for; without one, images go to the gallery and documents to the documents."""
    chosen = [role for role, asked in ((MediaRole.LEAD, lead), (MediaRole.GALLERY, gallery),
                                       (MediaRole.DOCUMENT, document)) if asked]
    if len(chosen) > 1:
        raise InvalidInput("--lead/--gallery/--document", "give one of them")
    role = chosen[0] if chosen else (MediaRole.DOCUMENT if kind is MediaKind.DOCUMENT else MediaRole.GALLERY)
    if (kind is MediaKind.IMAGE) != (role is not MediaRole.DOCUMENT):
        raise WrongMediaRole(filename, role.value, kind.value)
    return role


def _may_edit(session: Session, release_id: int, actor: User, expected_version: int | None) -> str:
    """The release's main language, if `actor` may edit it now. Attaching checks this again; asking
    first means a file is not stored and processed only to be refused (wrong person, wrong state,
    stale version). Raises what the edit itself would."""
    release = get_release(session, release_id)
    if expected_version is not None and expected_version != release.version:
        raise StaleVersion(release_id, expected_version, release.version)
    state = State(release.state)
    if target(state, Action.EDIT) is None:
        raise IllegalTransition(release_id, state, Action.EDIT, allowed_actions(state))
    check(Context(session, release, actor, Action.EDIT))
    return current_content(session, release).default_language


@click.group()
def media() -> None:
    """Attach images and documents to releases."""


@media.command("add")
@click.argument("release_id", type=int)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_text_options
@click.option("--lead", is_flag=True, help="The lead image, shown under the title (replaces the current one, "
                                            "which moves to the gallery).")
@click.option("--gallery", is_flag=True, help="An image of the gallery (the default for images).")
@click.option("--document", is_flag=True, help="A document to download (the default for PDF and Office files).")
@click.option("--name", "filename", default=None, help="The name readers see (default: FILE's name).")
@click.option("--as", "actor_email", required=True, metavar="EMAIL", help="Acting user.")
@click.option("--version", "expected_version", type=int, default=None,
              help="Act only if the release is still at this version (optimistic lock).")
@json_option
def add(release_id: int, file: Path, lead: bool, gallery: bool, document: bool, filename: str | None,
        actor_email: str, expected_version: int | None, as_json: bool, **texts: str | None) -> None:
    """Check FILE, make its renditions and attach it to the release as a new revision."""
    from media import library

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InvalidInput(str(file), f"cannot be read ({exc.strerror or exc})") from None
    name = filename or file.name
    with session_scope() as session:
        main_language = _may_edit(session, release_id, get_user(session, actor_email), expected_version)
    inspected = inspect(data, file.name)  # refused here: nothing stored
    role = _role(inspected.kind, lead, gallery, document, name)
    chosen = gather_texts(texts, main_language)
    try:  # the name as the release will carry it, before anything is stored
        MediaItem(sha256="0" * 64, role=role, filename=name, texts=chosen)
    except ValidationError as exc:
        raise InvalidInput("--name", str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    if role is not MediaRole.DOCUMENT and not chosen.get(main_language, MediaText()).alt:
        raise InvalidInput("--alt", f"{name} is an image and needs an alt text in {main_language}, the "
                                    "release's main language: what a screen reader says in its place")
    with session_scope() as session:
        row = library.upload(session, data, file.name, get_user(session, actor_email))
        media_id = row.id or 0
    relay_now()
    process_with_progress([media_id])
    with session_scope() as session:
        row = library.find(session, media_id)
        step = library.attach(session, release_id, get_user(session, actor_email), row, role, chosen,
                              filename=name, expected_version=expected_version)
        version = get_release(session, release_id).version
        sha256 = row.sha256
    relay_now()
    result = {"release_id": release_id, "media_id": media_id, "sha256": sha256, "role": role.value,
              "filename": name, "version": version, "changed": step is not None}
    if as_json:
        print_json(result)
    elif step is None:
        click.echo(f"no change: {name} is already attached to release {release_id} as {role.value}")
    else:
        click.echo(f"release {release_id}: {name} attached as {role.value} (media {media_id}, "
                   f"{sha256[:12]}), version {version}")


def media_rows(release_id: int) -> list[dict[str, Any]]:
    """The files of the release's current revision, as `media list` prints them."""
    from media.views import attached

    with session_scope() as session:
        content = current_content(session, get_release(session, release_id))
        files = attached(session, content.media)
    rows = []
    for entry in files:
        dimensions = (f"{entry.width}×{entry.height}" if entry.width and entry.height
                      else f"{entry.pages} pages" if entry.pages else "")
        rows.append({
            "id": entry.media_id, "sha256": entry.sha256, "role": entry.role.value, "filename": entry.filename,
            "type": entry.type_label, "size": entry.size, "size_label": human_size(entry.size),
            "width": entry.width, "height": entry.height, "pages": entry.pages, "dimensions": dimensions,
            "status": entry.status.value, "progress": entry.progress, "error": entry.error,
            "texts": {language: text.model_dump() for language, text in sorted(entry.item.texts.items())},
        })
    return rows


@media.command("list")
@click.argument("release_id", type=int)
@json_option
def list_(release_id: int, as_json: bool) -> None:
    """List the files of a release's current revision, in print order."""
    rows = media_rows(release_id)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["size"] = row["size_label"]
        row["sha"] = row["sha256"][:12]
        row["status"] = row["status"] + (f" ({row['error']})" if row["error"] else "")
        row["alt"] = "; ".join(f"{language}: {text['alt'] or text['title']}"
                               for language, text in row["texts"].items() if text["alt"] or text["title"])
    print_table(rows, ["id", "sha", "role", "filename", "type", "size", "dimensions", "status", "alt"])


@media.command("remove")
@click.argument("release_id", type=int)
@click.argument("media_id")
@click.option("--as", "actor_email", required=True, metavar="EMAIL", help="Acting user.")
@click.option("--version", "expected_version", type=int, default=None,
              help="Act only if the release is still at this version (optimistic lock).")
def remove(release_id: int, media_id: str, actor_email: str, expected_version: int | None) -> None:
    """Take a file (by id, or SHA-256 prefix of 8+ digits) off a release, as a new revision."""
    from media import library

    with session_scope() as session:
        row = library.find(session, media_id)
        library.detach(session, release_id, get_user(session, actor_email), row, expected_version)
        version = get_release(session, release_id).version
        filename = row.filename
    relay_now()
    click.echo(f"release {release_id}: {filename} removed, version {version}")
