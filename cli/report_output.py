"""Printing a mailing report: a text table for people, JSON (`--json`) or CSV (`--csv`) for
scripts and spreadsheets. Used by `pressroom distributions report` and `pressroom releases
report`."""

from __future__ import annotations

import csv
import io

import click

from cli.output import print_json, print_table
from reports.mailing import FAILURE_CLASSES, MailingReport, ReleaseReport, Timing, csv_rows

report_format = click.option("--csv", "as_csv", is_flag=True,
                             help="Print CSV: one row for the total, one per list and per language.")
COLUMNS = ["scope", "key", "label", "recipients", "accepted", "pending", "held", "deferred", "failed",
           "bounced_hard", "bounced_soft", "skipped", "unsubscribed", "complaints"]


def one_format(as_json: bool, as_csv: bool) -> None:
    """Refuse asking for JSON and CSV at once, before any work is done."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")


def print_report(report: MailingReport | ReleaseReport, as_json: bool, as_csv: bool) -> None:
    """The report in the chosen format (see `one_format`)."""
    one_format(as_json, as_csv)
    if as_json:
        print_json(report.as_dict())
    elif as_csv:
        click.echo(_csv(report), nl=False)
    elif isinstance(report, ReleaseReport):
        click.echo(f"release {report.release_id}: {report.title}")
        click.echo(f"published  {_time(report.published_at)}")
        if not report.mailings:
            click.echo("no mailing: the release was not mailed (yet)")
            return
        for mailing in report.mailings:
            click.echo("")
            _print_mailing(mailing)
        if len(report.mailings) != 1:
            click.echo("")
            click.echo("all mailings of the release:")
            _print_counts(report)
    else:
        _print_mailing(report)


def _csv(report: MailingReport | ReleaseReport) -> str:
    rows = csv_rows(report)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _time(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else "—"


def _print_mailing(report: MailingReport) -> None:
    click.echo(f"distribution {report.distribution_id} ({report.kind}): {report.title}")
    click.echo(f"status     {report.status_label}")
    click.echo(f"since      {_time(report.published_at)}")
    if report.held_until is not None:
        click.echo(f"held       {report.totals.held} held for the embargo until {_time(report.held_until)}")
    elif report.embargo_until is not None:
        click.echo(f"embargo    lifted at {_time(report.embargo_until)}")
    _print_counts(report)
    failures = report.totals.failed_by_reason
    if report.totals.failed:
        click.echo("failed by reason: " + ", ".join(f"{name} {failures[name]}" for name in FAILURE_CLASSES
                                                  if failures[name]))
    for timing in report.timing:
        click.echo(_timing_line(timing))


def _print_counts(report: MailingReport | ReleaseReport) -> None:
    print_table(csv_rows(report), COLUMNS)


def _seconds(value: float) -> str:
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    return f"{value / 3600:.1f} h"


def _timing_line(timing: Timing) -> str:
    start = "publication" if timing.phase == "from_publication" else "the embargo's lift"
    return (f"accepted after {start} ({timing.messages} messages): first {_seconds(timing.first)}, "
            f"p50 {_seconds(timing.p50)}, p90 {_seconds(timing.p90)}, p99 {_seconds(timing.p99)}, "
            f"last {_seconds(timing.last)}")
