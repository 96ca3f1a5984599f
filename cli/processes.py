"""`pressroom worker` and `pressroom beat`: the Celery processes."""

from __future__ import annotations

import click

from core.settings import get_settings
from tasks.queues import HOUSEKEEPING, QUEUES, parse_queues


@click.command()
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option("--pool", type=click.Choice(["prefork", "threads", "solo"]), default="prefork", show_default=True)
@click.option("--beat", "with_beat", is_flag=True, help="Also run the scheduler (only ever one).")
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--queues", "-Q", default="", metavar="NAMES",
              help=f"Comma-separated queues to consume ({', '.join(QUEUES)}); default: all. "
                   "See docs/operations.md.")
def worker(concurrency: int, pool: str, with_beat: bool, loglevel: str, queues: str) -> None:
    """Run a Celery worker that handles events and sends mail.

    A worker that may send mail (any queue but housekeeping) first checks the mail URL, the
    DKIM key and the templates, and refuses to start, with one line, when one is unusable.
    """
    from tasks.app import app

    names = parse_queues(queues)
    if set(names) - {HOUSEKEEPING}:
        from delivery.preflight import check_sending

        check_sending()
    argv = ["worker", f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}",
            f"--queues={','.join(names)}"]
    if set(names) != set(QUEUES):  # workers on one host need names of their own
        argv.append(f"--hostname={'+'.join(names)}@%h")
    if with_beat:
        argv += ["--beat", f"--schedule={_schedule_file()}"]
    app.worker_main(argv)


@click.command()
@click.option("--loglevel", default="INFO", show_default=True)
def beat(loglevel: str) -> None:
    """Run the scheduler: relays the outbox and publishes due releases. Run exactly one."""
    from tasks.app import app

    app.start(["beat", f"--loglevel={loglevel}", f"--schedule={_schedule_file()}"])


def _schedule_file() -> str:
    data_dir = get_settings().data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    return str(data_dir / "celerybeat-schedule")
