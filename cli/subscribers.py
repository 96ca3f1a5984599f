"""`pressroom lists` and `pressroom subscribers`: audiences, people, import/export, privacy."""

from __future__ import annotations

import dataclasses
import getpass
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click

from cli.output import json_option, print_json, print_mapping, print_table
from cli.relay import relay_now
from core.db import session_scope
from subscribers import (
    Frequency,
    ImportReport,
    SubscribeOutcome,
    SubscriptionStatus,
    SuppressionReason,
    Visibility,
    add_subscriber,
    all_lists,
    create_list,
    export_csv,
    forget,
    get_list,
    get_subscriber,
    import_csv,
    list_counts,
    list_suppressions,
    personal_data,
    suppress,
    unsubscribe,
    unsuppress,
)
from subscribers.import_file import FIELDS, IGNORE, parse_mapping
from subscribers.models import MailingList, id_of


def _actor() -> str:
    """Who did it, for consent records and the suppression list: the CLI has no login."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


# --- lists ------------------------------------------------------------------------------------


@click.group("lists")
def lists() -> None:
    """Manage mailing lists (the audiences a release targets by slug)."""


def _list_row(mailing_list: MailingList, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "slug": mailing_list.slug,
        "name": mailing_list.name,
        "visibility": mailing_list.visibility.value,
        "language": mailing_list.default_language,
        "embargoed": mailing_list.receives_embargoed,
        **counts,
    }


@lists.command("add")
@click.argument("slug")
@click.option("--name", required=True, help='Shown to subscribers, e.g. "Journalists".')
@click.option("--description", default="", help="One or two sentences for the sign-up page.")
@click.option("--language", default=None, help="Default language of new subscribers.")
@click.option("--private", is_flag=True, help="Only admins can add people (no public sign-up).")
@click.option("--receives-embargoed", is_flag=True,
              help="Send releases before their embargo lifts (accredited journalists); needs --private.")
@json_option
def lists_add(
    slug: str, name: str, description: str, language: str | None, private: bool,
    receives_embargoed: bool, as_json: bool,
) -> None:
    """Create a mailing list. A list that receives embargoed releases must be --private: anyone
    can join a public list on the sign-up page (exit 2 otherwise)."""
    visibility = Visibility.PRIVATE if private else Visibility.PUBLIC
    with session_scope() as session:
        mailing_list = create_list(
            session, slug, name, description, language, visibility, receives_embargoed
        )
        row = _list_row(mailing_list, {})
    if as_json:
        print_json(row)
    else:
        click.echo(f"list {row['slug']} ({row['visibility']}, {row['language']}) created")


@lists.command("list")
@json_option
def lists_list(as_json: bool) -> None:
    """List mailing lists with their number of subscriptions per status."""
    with session_scope() as session:
        found = all_lists(session)
        counts = list_counts(session, [id_of(m) for m in found])
        rows = [_list_row(m, counts[id_of(m)]) for m in found]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["slug", "name", "visibility", "language", "embargoed", "confirmed", "pending", "unsubscribed"])


@lists.command("show")
@click.argument("slug")
@json_option
def lists_show(slug: str, as_json: bool) -> None:
    """Show one mailing list."""
    with session_scope() as session:
        mailing_list = get_list(session, slug)
        row = _list_row(mailing_list, list_counts(session, [id_of(mailing_list)])[id_of(mailing_list)])
        row["description"] = mailing_list.description
        row["created_at"] = mailing_list.created_at.isoformat()
    if as_json:
        print_json(row)
    else:
        print_mapping(row)


# --- subscribers ------------------------------------------------------------------------------


@click.group("subscribers")
def subscribers() -> None:
    """Manage subscribers: add, remove, import, export, suppress, show and forget."""


@subscribers.command("add")
@click.argument("email")
@click.option("--list", "list_slug", required=True, metavar="SLUG")
@click.option("--name", default=None)
@click.option("--language", default=None, help="Preferred language (default: the list's).")
@click.option("--organisation", default=None, help="Medium or organisation, for journalists.")
@click.option("--topic", "topics", multiple=True, help="A topic of interest (repeatable).")
@click.option("--frequency", type=click.Choice([f.value for f in Frequency]), default=None)
@click.option(
    "--confirmed", is_flag=True,
    help="The person has consented: confirm now instead of mailing a confirmation link.",
)
@json_option
def subscribers_add(
    email: str,
    list_slug: str,
    name: str | None,
    language: str | None,
    organisation: str | None,
    topics: tuple[str, ...],
    frequency: str | None,
    confirmed: bool,
    as_json: bool,
) -> None:
    """Put EMAIL on a list (double opt-in unless --confirmed)."""
    with session_scope() as session:
        result = add_subscriber(
            session, email, list_slug, name=name, language=language, organisation=organisation,
            topics=list(topics) if topics else None, frequency=frequency, confirmed=confirmed,
            actor=_actor(), source="cli",
        )
    if result.event_id:
        relay_now()
    if as_json:
        print_json({"outcome": result.outcome.value, "subscription_id": result.subscription_id,
                    "subscriber_id": result.subscriber_id})
        return
    messages = {
        SubscribeOutcome.CONFIRMATION_QUEUED: "pending; a confirmation mail is queued",
        SubscribeOutcome.COOLING_DOWN: "a confirmation mail was queued recently; not sent again yet",
        SubscribeOutcome.CONFIRMED: "confirmed",
        SubscribeOutcome.ALREADY_CONFIRMED: "already confirmed",
    }
    click.echo(f"{email.strip()} on {list_slug}: {messages.get(result.outcome, result.outcome.value)}")


@subscribers.command("remove")
@click.argument("email")
@click.option("--list", "list_slug", default=None, metavar="SLUG", help="Only this list (default: all).")
@click.option("--suppress", "and_suppress", is_flag=True, help="Also never mail the address again.")
def subscribers_remove(email: str, list_slug: str | None, and_suppress: bool) -> None:
    """Unsubscribe EMAIL from a list, or from every list."""
    with session_scope() as session:
        subscriber = get_subscriber(session, email)
        list_ids = None if list_slug is None else [id_of(get_list(session, list_slug))]
        left = unsubscribe(session, subscriber, list_ids, source="cli", detail=_actor())
        if and_suppress:
            suppress(session, email, SuppressionReason.ADMIN, "removed with the CLI", _actor())
    what = ", ".join(left) if left else "no list (was not subscribed)"
    click.echo(f"{subscriber.email} unsubscribed from {what}" + ("; suppressed" if and_suppress else ""))


class _ProgressBar:
    """A rich progress bar on stderr when it is a terminal (big files take seconds), shown from
    the first stored chunk on: questions about the columns come before it."""

    def __init__(self, path: Path) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("importing"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            console=console, transient=True, disable=not console.is_terminal,
        )
        self._task = self._progress.add_task("import", total=path.stat().st_size if path.is_file() else None)
        self._started = False

    def update(self, done: int) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
        self._progress.update(self._task, completed=done)

    def stop(self) -> None:
        if self._started:
            self._progress.stop()


def _asker(answers: dict[str, str]) -> Callable[[str, list[str]], str]:
    """Ask on the terminal what an unknown column holds; the answers are kept to print the
    `--map` options that repeat them."""

    def ask(label: str, free: list[str]) -> str:
        click.echo(f"The column {label!r} is not one the import knows.", err=True)
        answer = click.prompt(
            f"Import {label!r} as", type=click.Choice([*free, IGNORE]), default=IGNORE, err=True,
        )
        answers[label] = answer
        return str(answer)

    return ask


def _shown(text: str) -> str:
    """A column name from the file as a terminal may print it: control and format characters
    escaped, so that a header cannot reverse the line or send the terminal commands."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _print_report(report: ImportReport, name: str) -> None:
    state = ("confirmed" if report.confirmed else
             "pending, confirmation mails would be queued" if report.dry_run else "pending, confirmation mails queued")
    columns = ", ".join(f"{_shown(label)}→{column}" for column, label in report.headers.items())
    click.echo(
        f"{name} → list {report.list_slug} (encoding {report.encoding}; separator "
        f"{report.delimiter!r}; columns {columns})"
    )
    if report.dry_run:
        click.echo("dry run: nothing was written; this is what the import would do")
    known = [c for c in report.ignored_columns if c and c not in report.unknown_columns]
    if known:
        click.echo(f"ignored columns: {', '.join(repr(c) for c in known)}")
    fields = ", ".join(f for f in FIELDS if f not in report.columns) or "none left"
    for column in report.unknown_columns:
        click.echo(
            f"unknown column {column!r} ignored: to import it, add --map {shlex.quote(_shown(column) + '=FIELD')} "
            f"(FIELD one of {fields}); --map {shlex.quote(_shown(column) + '=ignore')} leaves it out without this note"
        )
    differing = len(report.changes) - report.subscribers_updated
    print_mapping({
        "rows read": report.rows,
        "new subscribers": report.subscribers_created,
        "new subscriptions": f"{report.subscriptions_created} ({state})",
        "already on the list": report.already_on_list,
        "left unsubscribed": report.left_unsubscribed,
        "details updated": report.subscribers_updated,
        **({"details differing": f"{differing} (not changed without --update)"} if differing else {}),
        "suppressed, skipped": len(report.suppressed),
        "rejected": len(report.rejected),
    })
    lines = [(change.line, str(change)) for change in report.changes]
    lines += [(problem.line, f"line {problem.line}: skipped: {problem.reason}") for problem in report.suppressed]
    lines += [(problem.line, str(problem)) for problem in report.rejected]
    for _, text in sorted(lines, key=lambda entry: entry[0]):
        click.echo(text)


@subscribers.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True, allow_dash=True))
@click.option("--list", "list_slug", required=True, metavar="SLUG")
@click.option(
    "--confirmed", is_flag=True,
    help="The people in the file have consented: confirm them without confirmation mails.",
)
@click.option("--check-dns", is_flag=True, help="Also require each domain to accept mail (slow).")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="What a column holds: email, name, language, organisation, topics or ignore "
                   "(repeatable), e.g. --map 'Functie=ignore'.")
@click.option("--update", "update_details", is_flag=True,
              help="Change the name, language and organisation of people already held to the "
                   "file's (never their consent or subscriptions).")
@click.option("--dry-run", is_flag=True, help="Report what the import would do; write nothing.")
@json_option
def subscribers_import(
    file: Path, list_slug: str, confirmed: bool, check_dns: bool, mapping: tuple[str, ...],
    update_details: bool, dry_run: bool, as_json: bool,
) -> None:
    """Import subscribers from a CSV FILE (`-` for standard input) onto a list.

    Columns: email (required), name, language, organisation, topics, named in nl, fr, en or
    de (E-mail;Naam;Taal;Organisatie) in any case; other columns are asked about on a
    terminal, else ignored and listed (name them with --map). UTF-8 with or without BOM,
    UTF-16 or Excel's cp1252, detected and printed; separated by `;`, `,` or tabs. Bad rows
    are reported as `line N: reason` and skipped; the good rows are imported. Exits 0 even
    if rows were rejected (count in the report, `rejected` in --json), and 2 if the file is
    unusable. Running it again changes nothing; people already held keep their details
    unless --update.
    """
    columns = parse_mapping(mapping)
    answers: dict[str, str] = {}
    stream: IO[bytes]
    bar: _ProgressBar | None = None
    if str(file) == "-":
        stream, name = sys.stdin.buffer, "stdin"
    else:
        stream, name = file.open("rb"), file.name
        bar = _ProgressBar(file)
    ask = _asker(answers) if stream is not sys.stdin.buffer and sys.stdin.isatty() else None
    try:
        report = import_csv(
            session_scope, stream, list_slug, confirmed=confirmed, check_dns=check_dns,
            source_name=name, mapping=columns, ask=ask, update_details=update_details,
            dry_run=dry_run, progress=bar.update if bar else None,
        )
    finally:
        if bar is not None:
            bar.stop()
        if stream is not sys.stdin.buffer:
            stream.close()
    if not dry_run and ((not confirmed and report.subscriptions_created) or report.subscribers_updated):
        relay_now()
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report, name)
    if answers:
        repeat = " ".join(f"--map {shlex.quote(f'{_shown(label)}={field}')}" for label, field in answers.items())
        click.echo(f"to import such a file again without questions: {repeat}", err=True)


@subscribers.command("export")
@click.option("--list", "list_slug", required=True, metavar="SLUG")
@click.option(
    "--status", "statuses", multiple=True, default=[SubscriptionStatus.CONFIRMED.value],
    show_default=True, type=click.Choice([s.value for s in SubscriptionStatus]),
    help="Subscriptions to include (repeatable).",
)
@click.option("--delimiter", type=click.Choice([",", ";"]), default=",", show_default=True)
@click.option("--bom", is_flag=True, help="Start with a UTF-8 byte order mark (for Excel).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
def subscribers_export(
    list_slug: str, statuses: tuple[str, ...], delimiter: str, bom: bool, output: Path | None
) -> None:
    """Write a list's subscribers as CSV (formula-like cells neutralised with a leading ')."""
    out: IO[str]
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if bom:
            out.write("\ufeff")
        count = export_csv(session_scope, list_slug, out, statuses=statuses, delimiter=delimiter)
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"{count} subscribers written to {output}", err=True)


@subscribers.command("show")
@click.argument("email")
@json_option
def subscribers_show(email: str, as_json: bool) -> None:
    """Everything held on EMAIL: details, topics, subscriptions, consent records, suppression."""
    with session_scope() as session:
        data = personal_data(session, email)
    if as_json:
        print_json(data)
        return
    person = data["subscriber"]
    if person is not None:
        print_mapping({k: v for k, v in person.items() if k != "subscriptions"})
        for subscription in person["subscriptions"]:
            click.echo("")
            click.echo(f"list {subscription['list']}: {subscription['status']} "
                       f"(since {subscription['created_at']}, source {subscription['source'] or '-'})")
            for record in subscription["consent"]:
                click.echo(f"  consent {record['action']} {record['at']} via {record['source']} "
                           f"ip={record['ip'] or '-'} text v{record['text_version'] or '-'}")
    else:
        click.echo(f"{data['email']}: no subscriber data held")
    suppression = data["suppression"]
    if suppression is not None:
        click.echo("")
        click.echo(f"suppressed since {suppression['since']}: {suppression['reason']} "
                   f"{suppression['detail']}".rstrip())


@subscribers.command("forget")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
def subscribers_forget(email: str, yes: bool, as_json: bool) -> None:
    """Erase all personal data of EMAIL; keep only a hash that stops mail to it, and counts."""
    if not yes:
        click.confirm(f"Erase everything held on {email.strip()}? This cannot be undone", abort=True)
    with session_scope() as session:
        result = forget(session, email, _actor())
    relay_now()
    if as_json:
        print_json(dataclasses.asdict(result))
    else:
        click.echo(
            f"{email.strip()} erased: {result.subscriptions_closed} subscriptions closed, "
            f"{result.consent_records_deleted} consent records and {result.topics_deleted} topics "
            "deleted; the address stays suppressed (by hash)"
        )


@subscribers.command("suppress")
@click.argument("email")
@click.option("--reason", type=click.Choice([r.value for r in SuppressionReason if r is not SuppressionReason.ERASED]),
              default=SuppressionReason.ADMIN.value, show_default=True)
@click.option("--note", default="", help="Why, for the next admin.")
def subscribers_suppress(email: str, reason: str, note: str) -> None:
    """Never mail EMAIL again, on any list, until unsuppressed."""
    with session_scope() as session:
        entry = suppress(session, email, reason, note, _actor())
        since = entry.created_at.isoformat(timespec="seconds")
        cause = entry.reason.value
    click.echo(f"{email.strip()} suppressed ({cause}, since {since})")


@subscribers.command("unsuppress")
@click.argument("email")
def subscribers_unsuppress(email: str) -> None:
    """Lift the suppression of EMAIL (its confirmed subscriptions receive mail again)."""
    with session_scope() as session:
        entry = unsuppress(session, email, _actor())
    click.echo(f"{email.strip()} no longer suppressed (was: {entry.reason.value})")


@subscribers.command("suppressions")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@json_option
def subscribers_suppressions(limit: int, as_json: bool) -> None:
    """List the suppression list, newest first (erased people show only a hash)."""
    with session_scope() as session:
        rows = [
            {
                "email": entry.email or f"(erased) {entry.address_hash[:12]}…",
                "reason": entry.reason.value,
                "since": entry.created_at.isoformat(timespec="seconds"),
                "by": entry.created_by,
                "detail": entry.detail,
            }
            for entry in list_suppressions(session, limit)
        ]
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["email", "reason", "since", "by", "detail"])
