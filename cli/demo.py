"""`pressroom demo`: the whole flow on embedded defaults, in a fresh directory."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
from rich.console import Console

from cli.media import process_with_progress
from cli.relay import relay_now
from cli.sample_media import with_media, write_samples
from core import migrate
from core.broker import broker_url, stop_embedded
from core.db import dispose_engines, session_scope, utcnow
from core.errors import ConfigurationError, InvalidInput
from core.outbox import pending_count
from core.settings import override_settings
from workflow import service, views
from workflow.models import Notification
from workflow.organisation import organisation_identity
from workflow.sources import read_release_file
from workflow.users import add_user

SAMPLES = Path(__file__).parent / "samples"
MARKER = ".pressroom-demo"
SPOKESPERSON = "anouk.peeters@diplomatie.example.be"
APPROVER = "marc.dubois@diplomatie.example.be"

console = Console(highlight=False, soft_wrap=True)


def _fresh_directory(directory: Path) -> Path:
    directory = directory.resolve()
    if directory.exists():
        if not (directory / MARKER).exists() and any(directory.iterdir()):
            raise InvalidInput(
                str(directory), "exists and is not a demo directory; choose another with --dir"
            )
        stop_embedded(directory / ".pressroom")
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / MARKER).write_text("created by `pressroom demo`; deleted by the next run\n")
    return directory


def start_worker_process(log_file: Path) -> subprocess.Popen[bytes]:
    """A Celery worker in a child process, configured by the exported PRESSROOM_* variables."""
    command = [sys.executable, "-c", "from cli.main import main; main()", "worker",
               "--pool", "prefork", "--concurrency", "2", "--beat", "--loglevel", "INFO"]
    with log_file.open("ab") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())


def stop_worker_process(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown: the worker finishes what it holds, then exits."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_events(worker: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until the worker has handled every event in the outbox."""
    deadline = time.monotonic() + timeout
    with console.status("[dim]worker handling events…[/]"):
        while True:
            with session_scope() as session:
                if pending_count(session) == 0:
                    return
            if worker.poll() is not None:
                raise ConfigurationError("the demo worker stopped; see worker.log in the demo directory")
            if time.monotonic() > deadline:
                raise ConfigurationError("events were not handled in time; see worker.log")
            relay_now()
            time.sleep(0.2)


DEMO_EMBARGO_SECONDS = 15  # the journalists' head start in the demo
DEMO_LISTS = (
# slug, name, default language, receives embargoed news (and so is private), share of
    # subscribers, their languages
    ("journalists", "Journalisten / Journalistes", "nl", True, 0.5, ("nl", "fr", "en")),
    ("diplomatic-corps", "Corps diplomatique", "fr", True, 0.2, ("fr", "en", "de")),
    ("public", "Publiek / Public", "nl", False, 0.3, ("nl", "fr")),
)


@click.command()
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False),
              default=Path("pressroom-demo"), show_default=True, help="Demo directory (recreated).")
@click.option("--subscribers", "subscriber_count", type=click.IntRange(0, 1_000_000), default=500,
              show_default=True, help="Subscribers to create across the lists and languages.")
@click.option("--smtp", "use_smtp", is_flag=True,
              help="Send to an SMTP sink on loopback instead of writing the Maildir.")
def demo(directory: Path, subscriber_count: int, use_smtp: bool) -> None:
    """Walk a bilingual annual-report release from draft to published and mail it to
    subscribers through real Celery workers."""
    started = time.monotonic()
    directory = _fresh_directory(directory)
    data_dir = directory / ".pressroom"
    dispose_engines()
    sink = _start_sink() if use_smtp else None
    override_settings(
        environment="development",
        data_dir=str(data_dir),
        database_url=f"sqlite:///{directory / 'pressroom.db'}",
        broker_url="embedded",
        mail_url=sink.url if sink else f"maildir://{directory / 'maildir'}",
        outbox_relay_interval=1,
        sweep_interval=5,
    )
    console.print(f"[bold]Pressroom demo[/] in {directory}")
    migrate.upgrade()
    console.print("✓ database created (SQLite) and migrated")
    console.print(f"✓ embedded Redis running ({broker_url()})")

    with session_scope() as session:
        identity = organisation_identity(session)
        org_name = identity.in_language(identity.default_language).name
        add_user(session, SPOKESPERSON, "Anouk Peeters", "spokesperson")
        add_user(session, APPROVER, "Marc Dubois", "approver", language="fr")
    console.print(f"✓ organisation {org_name!r}, spokesperson {SPOKESPERSON}, approver {APPROVER}")
    _make_audience(subscriber_count)

    releases_dir = directory / "releases"
    releases_dir.mkdir()
    for sample in SAMPLES.glob("*.md"):
        shutil.copy(sample, releases_dir / sample.name)
    # The release's photo and report, drawn now and listed in its front matter as an author would.
    write_samples(releases_dir)
    main_file = releases_dir / "jaarverslag-2025.md"
    main_file.write_text(with_media(main_file.read_text(encoding="utf-8")), encoding="utf-8")
    worker = start_worker_process(directory / "worker.log")
    try:
        with session_scope() as session:
            author = session.exec(_user(SPOKESPERSON)).one()
            source = read_release_file(session, releases_dir / "jaarverslag-2025.md", actor=author,
                                       update_contacts=True)  # the first release fills the directory
            # The sample's embargo date has passed: the demo moves it to just after publication,
            # so that journalists get the release at once and everyone else at the lift.
            lift = utcnow() + timedelta(seconds=DEMO_EMBARGO_SECONDS)
            release = service.create_release(session, author, source.content.model_copy(update={"embargo_until": lift}))
            release_id = release.id or 0
        console.print(f"✓ release {release_id} imported from releases/jaarverslag-2025.md (nl + fr), "
                      f"under embargo for {DEMO_EMBARGO_SECONDS} s")
        relay_now()
        process_with_progress(source.uploaded, console, release_id)
        _report_media(release_id)
        _step(release_id, SPOKESPERSON, "submit")
        _wait_for_events(worker)
        _step(release_id, APPROVER, "approve")
        _wait_for_events(worker)
        published_at = time.monotonic()
        _step(release_id, APPROVER, "publish")
        _wait_for_events(worker)
        _report(release_id)
        _distribute(release_id, published_at, sink, directory)
    finally:
        stop_worker_process(worker)
        stop_embedded(data_dir)
        dispose_engines()
        if sink:
            sink.stop()
    console.print(f"\n[bold green]demo finished[/] in {time.monotonic() - started:.1f} s")


def _report_media(release_id: int) -> None:
    from cli.media import media_rows

    for row in media_rows(release_id):
        console.print(f"✓ {row['role']} {row['filename']} ({row['type']}, {row['size_label']}, "
                      f"{row['dimensions']}): {row['status']}")


def _user(email: str):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from workflow.models import User

    return select(User).where(User.email == email)


def _step(release_id: int, actor_email: str, action: str) -> None:
    with session_scope() as session:
        actor = session.exec(_user(actor_email)).one()
        if action == "submit":
            step = service.submit(session, release_id, actor)
        elif action == "approve":
            step = service.approve(session, release_id, actor, comment="Akkoord / d'accord")
        else:
            step = service.publish(session, release_id, actor)
    relay_now()
    console.print(
        f"✓ {actor_email} → {action}: {step.from_state.value} → {step.to_state.value} "
        f"(event {step.event_name})"
    )


def _report(release_id: int) -> None:
    from sqlmodel import select

    with session_scope() as session:
        view = views.release_view(session, service.get_release(session, release_id))
        log = service.audit_log(session, release_id)
        notes = session.exec(select(Notification).order_by(Notification.id)).all()  # type: ignore[arg-type]
        numbers = views.revision_numbers(session, release_id)
    console.print(f"\n[bold]Release {release_id}[/]: {view['title']} — state [bold]{view['state']}[/]")
    console.print("\n[bold]Audit log[/]")
    for entry in log:
        console.print(
            f"  {entry.at:%Y-%m-%d %H:%M:%S}Z  {entry.actor_label:<38} {entry.action:<8} "
            f"{entry.from_state or '·':>9} → {entry.to_state:<10} r{numbers.get(entry.revision_hash or '', '?')} "
            f"{(entry.revision_hash or '')[:10]}  {entry.comment}"
        )
    console.print("\n[bold]Notifications recorded by the worker[/]")
    for note in notes:
        console.print(f"  {note.kind:<18} → user {note.user_id}: {note.message}")


def _make_audience(count: int) -> None:
    """Lists of the sample release, and `count` confirmed subscribers spread over them."""
    from subscribers import create_list, import_csv

    with session_scope() as session:
        for slug, name, language, embargoed, _share, _languages in DEMO_LISTS:
            # Embargoed news goes only to closed audiences: those lists are private, filled by import.
            create_list(session, slug, name, default_language=language, receives_embargoed=embargoed,
                        visibility="private" if embargoed else "public")
    made = 0
    for index, (slug, _name, _language, _embargoed, share, languages) in enumerate(DEMO_LISTS):
        n = count - made if index == len(DEMO_LISTS) - 1 else int(count * share)
        rows = ["email;name;language"] + [
            f"{slug}.{i}@subscribers.example.org;Subscriber {i};{languages[i % len(languages)]}" for i in range(n)
        ]
        import_csv(session_scope, io.BytesIO("\n".join(rows).encode()), slug, confirmed=True)
        made += n
    console.print(f"✓ {count} confirmed subscribers on {', '.join(s[0] for s in DEMO_LISTS)} (nl, fr, en, de)")


def _distribute(release_id: int, published_at: float, sink: _Sink | None, directory: Path) -> None:
    """Follow the release's distribution with a progress bar, then print the summary."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from cli.distributions import watch_progress
    from delivery.models import Delivery, DeliveryStatus, Distribution

    def distribution_id() -> int | None:
        with session_scope() as session:
            return session.execute(select(col(Distribution.id)).where(col(Distribution.release_id) == release_id)).scalar()

    deadline = time.monotonic() + 60
    while (found := distribution_id()) is None:
        if time.monotonic() > deadline:
            raise ConfigurationError("no distribution was prepared; see worker.log")
        time.sleep(0.2)
    console.print("\n[bold]Distribution[/]")
    view = watch_progress(found, interval=0.3)
    elapsed = time.monotonic() - published_at
    with session_scope() as session:
        per_language = session.execute(
            select(col(Delivery.language), func.count())
            .where(col(Delivery.distribution_id) == found, col(Delivery.status) == DeliveryStatus.SENT)
            .group_by(col(Delivery.language))
        ).all()
    console.print(f"\n[bold]Summary[/]: distribution {found} {view['status']}: {view['sent']} sent, "
                  f"{view['failed']} failed, {view['skipped']} skipped")
    console.print("  sent per language: " + ", ".join(f"{lang} {n}" for lang, n in sorted(per_language)))
    rate = view["sent"] / elapsed if elapsed > 0 else 0.0
    console.print(f"  publish to last delivery: {elapsed:.1f} s, {rate:.0f} messages per second")
    if sink:
        console.print(f"  the SMTP sink on {sink.url} received {sink.count()} messages (with the staff notices)")
    else:
        console.print(f"  mail is in the Maildir {directory / 'maildir'} (open it with any mail client)")


class _Sink:
    """A loopback SMTP server (aiosmtpd) that accepts and counts mail, for `demo --smtp`."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self._count = 0

        class Handler:
            async def handle_DATA(inner, server, session, envelope):  # type: ignore[no-untyped-def]
                self._count += 1
                return "250 2.0.0 accepted"

        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    def count(self) -> int:
        return self._count

    def stop(self) -> None:
        self.controller.stop()


def _start_sink() -> _Sink:
    return _Sink()
