"""`pressroom distributions` and `pressroom bounces`: watch and steer mailings."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import select
from sqlmodel import col

from cli.output import json_option, print_json, print_mapping, print_table
from cli.report_output import one_format, print_report, report_format
from core.db import session_scope
from delivery import engine
from delivery.bounces import process_maildir
from delivery.models import DeliveryStatus, Distribution, DistributionStatus
from delivery.progress import distribution_view
from reports.mailing import mailing_report
from workflow.service import local_time

DONE_STATES = {DistributionStatus.DONE, DistributionStatus.CANCELLED, DistributionStatus.FAILED}


@click.group()
def distributions() -> None:
    """Watch and steer mailings."""


@distributions.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List distributions, newest first."""
    with session_scope() as session:
        ids = list(session.execute(select(col(Distribution.id)).order_by(col(Distribution.id).desc()).limit(100)).scalars())
    rows = [distribution_view(i) for i in ids]  # each view is its own transaction
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["id", "key", "status_label", "total", "sent", "deferred", "failed", "bounced", "skipped"])


@distributions.command("show")
@click.argument("distribution_id", type=int)
@json_option
def show(distribution_id: int, as_json: bool) -> None:
    """Counts per status, rate, ETA and the last errors."""
    view = distribution_view(distribution_id)
    if as_json:
        print_json(view)
        return
    errors = view.pop("last_errors")
    print_mapping(readable(view))
    for error in errors:
        click.echo(f"  {error['email']}: {error['status']}: {error['error']}")


def readable(view: dict[str, Any]) -> dict[str, Any]:
    """A distribution's view as `show` prints it: the ETA as a duration for what can go now,
    the held and retrying rows as one line each with the office's local time."""
    shown = dict(view)
    held, held_until = shown.pop("held"), shown.pop("held_until")
    retrying, retry_at = shown.pop("retrying"), shown.pop("retry_at")
    eta, sendable = shown.pop("eta_seconds"), shown.pop("sendable")
    shown["eta"] = f"{_duration(eta)} for the {sendable} that can go now" if eta is not None else "—"
    shown["held"] = f"{held} held until {local_time(datetime.fromisoformat(held_until))}" if held_until else "—"
    if retry_at:
        shown["retrying"] = f"{retrying} waiting to retry, the first at {local_time(datetime.fromisoformat(retry_at))}"
    return shown


def _duration(seconds: float) -> str:
    """"45 s", "12 min 5 s", "3 h 20 min"."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


@distributions.command("report")
@click.argument("distribution_id", type=int)
@json_option
@report_format
def report(distribution_id: int, as_json: bool, as_csv: bool) -> None:
    """What happened to a mailing: accepted, deferred, failed by reason, bounced (hard, soft),
    unsubscribed, complaints, skipped, held for the embargo; per list and language; delays."""
    one_format(as_json, as_csv)
    with session_scope() as session:
        found = mailing_report(session, distribution_id)
    print_report(found, as_json, as_csv)


@distributions.command("watch")
@click.argument("distribution_id", type=int)
@click.option("--interval", type=float, default=0.5, show_default=True)
def watch(distribution_id: int, interval: float) -> None:
    """A live progress bar until the distribution ends (Ctrl-C stops watching, not sending)."""
    watch_progress(distribution_id, interval)


def watch_progress(distribution_id: int, interval: float = 0.5, timeout: float | None = None) -> dict[str, Any]:
    """Show a progress bar for a distribution until it ends; returns its final view."""
    started = time.monotonic()
    # The time left is the view's (the last minute's rate), not one the bar guesses from its own
    # samples: those would take a watch started mid-mailing as a burst of everything sent so far.
    columns = (TextColumn("{task.fields[rate]}/s"), TextColumn("{task.fields[eta]}"))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), *columns,
                  transient=False) as progress:
        view = distribution_view(distribution_id)
        task = progress.add_task(f"distribution {distribution_id}", total=view["total"] or None, rate="0", eta="")
        while True:
            view = distribution_view(distribution_id)
            finished = view["sent"] + view["failed"] + view["bounced"] + view["skipped"]
            # The bar (and the time it estimates) is for what can go now; the held rows are said.
            held = f", {readable(view)['held']}" if view["held"] else ""
            progress.update(task, total=(view["total"] - view["held"]) or None, completed=finished,
                            rate=f"{view['rate_per_second']:.0f}",
                            eta=_duration(view["eta_seconds"]) if view["eta_seconds"] is not None else "",
                            description=f"distribution {distribution_id} [{view['status_label']}{held}]")
            if DistributionStatus(view["status"]) in DONE_STATES:
                return view
            if timeout is not None and time.monotonic() - started > timeout:
                return view
            time.sleep(interval)


def _control(distribution_id: int, action: str) -> None:
    distribution = engine.control(distribution_id, action)
    click.echo(f"distribution {distribution_id}: {action} → {DistributionStatus(distribution.status).value}")
    if distribution.status == DistributionStatus.SENDING:
        from tasks.distribution import fan_out

        fan_out.delay(distribution_id)


@distributions.command("pause")
@click.argument("distribution_id", type=int)
def pause(distribution_id: int) -> None:
    """Stop claiming new batches; batches in flight finish their current messages."""
    _control(distribution_id, "pause")


@distributions.command("resume")
@click.argument("distribution_id", type=int)
def resume(distribution_id: int) -> None:
    """Continue a paused distribution."""
    _control(distribution_id, "resume")


@distributions.command("cancel")
@click.argument("distribution_id", type=int)
def cancel(distribution_id: int) -> None:
    """Stop for good: every unsent delivery becomes skipped."""
    _control(distribution_id, "cancel")


@distributions.command("retry-failed")
@click.argument("distribution_id", type=int)
def retry_failed(distribution_id: int) -> None:
    """Queue the failed deliveries again (suppressed addresses stay skipped)."""
    _control(distribution_id, "retry-failed")


@click.group()
def bounces() -> None:
    """Process bounced mail."""


@bounces.command("process")
@click.argument("maildir", type=click.Path(path_type=Path, file_okay=False))
@json_option
def process(maildir: Path, as_json: bool) -> None:
    """Read unread bounces in MAILDIR, mark deliveries bounced and suppress hard bounces."""
    report = process_maildir(maildir)
    data = vars(report)
    if as_json:
        print_json(data)
        return
    problems = data.pop("problems")
    print_mapping(data)
    for problem in problems:
        click.echo(f"  {problem}", err=True)


__all__ = ["DeliveryStatus", "bounces", "distribution_view", "distributions", "watch_progress"]
