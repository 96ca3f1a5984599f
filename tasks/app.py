"""The Celery application: broker from settings, safe acknowledgement, JSON only.

Tasks are idempotent, so they are acknowledged late and re-queued when a worker dies; the
visibility timeout is longer than any task may run so Redis does not hand a running task to a
second worker.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import setup_logging, task_postrun, task_prerun, worker_process_init
from kombu import Exchange, Queue

from core.broker import broker_url
from core.db import dispose_engines
from core.logging import bind_task, call_ids, clear_task, configure_logging
from core.settings import get_settings
from tasks.queues import DEFAULT, QUEUES, TASK_QUEUES

app = Celery("pressroom", include=["tasks.events", "tasks.distribution", "tasks.media", "tasks.reports",
                                       "tasks.webhooks"])
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    task_ignore_result=True,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    # Longer than any batch may take (lease + SMTP timeouts), so Redis never re-delivers a task
    # that is still running.
    broker_transport_options={"visibility_timeout": 3600},
    timezone="UTC",
    enable_utc=True,
    # Each kind of work has its queue (tasks/queues.py): mail someone waits for never queues
    # behind a mailing, and the scheduler's work behind neither.
    task_default_queue=DEFAULT,
    task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
    task_routes={name: {"queue": queue} for name, queue in TASK_QUEUES.items()},
)


@app.on_configure.connect
def _configure(sender: Celery, **_: Any) -> None:
    """Resolve the broker when the app is first used, not at import (it may start Redis)."""
    sender.conf.broker_url = broker_url()
    settings = get_settings()
    sender.conf.beat_schedule = {
        "outbox-relay": {"task": "outbox.relay", "schedule": settings.outbox_relay_interval},
        "publish-due": {"task": "releases.publish_due", "schedule": settings.scheduler_interval},
        "delivery-sweep": {"task": "distribution.sweep", "schedule": settings.sweep_interval},
        "webhooks-sweep": {"task": "webhooks.sweep", "schedule": settings.sweep_interval},
        # Digests of the previous day / ISO week; an issue is prepared once however often this runs.
        "digest-daily": {"task": "digests.send", "schedule": crontab(minute=0, hour=6), "args": ["daily"]},
        "digest-weekly": {"task": "digests.send", "schedule": crontab(minute=0, hour=6, day_of_week=1),
                          "args": ["weekly"]},
        # Raw report events past PRESSROOM_REPORT_RETENTION_DAYS become daily counts; whole days only.
        "reports-fold": {"task": "reports.fold", "schedule": crontab(minute=30, hour=3)},
    }
    if settings.bounce_maildir is not None:
        sender.conf.beat_schedule["bounces-poll"] = {"task": "bounces.poll", "schedule": 60.0}


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    """A forked worker process must not share its parent's database connections."""
    dispose_engines()


@setup_logging.connect
def _logging(loglevel: int | str | None = None, **_: Any) -> None:
    """Celery leaves logging to us: the same JSON or text lines as every Pressroom process."""
    settings = get_settings()
    configure_logging(settings.log_level or loglevel or "INFO", settings.log_json)


@task_prerun.connect
def _bind_log_context(
    task_id: str | None = None, task: Task | None = None, args: Any = None, kwargs: Any = None, **_: Any
) -> None:
    """Every line a task logs carries its name, id and the ids of what it works on."""
    if task is None:
        return
    ids = call_ids(task.run, args, kwargs)
    bind_task(task.name, task_id, {**ids, **_related_ids(ids)})


@task_postrun.connect
def _clear_log_context(**_: Any) -> None:
    clear_task()


def _related_ids(ids: dict[str, Any]) -> dict[str, Any]:
    """The release (and distribution) behind an event or a distribution: one key lookup each.
    Best effort: a log context is never a reason for a task to fail."""
    from sqlalchemy.exc import SQLAlchemyError

    from core.db import session_scope
    from core.outbox import OutboxEvent
    from delivery.models import Distribution

    found: dict[str, Any] = {}
    if "event_id" not in ids and "distribution_id" not in ids:
        return found
    try:
        with session_scope() as session:
            event = session.get(OutboxEvent, ids["event_id"]) if "event_id" in ids else None
            if event is not None:
                found["event"] = event.name
                kind = event.name.partition(".")[0]
                if kind in ("release", "distribution") and event.subject_id is not None:
                    found[f"{kind}_id"] = event.subject_id
                for key in ("release_id", "distribution_id", "subscriber_id"):
                    if isinstance(event.payload.get(key), int):
                        found.setdefault(key, event.payload[key])
            distribution_id = ids.get("distribution_id", found.get("distribution_id"))
            if distribution_id is not None and "release_id" not in found:
                distribution = session.get(Distribution, distribution_id)
                if distribution is not None and distribution.release_id is not None:
                    found["release_id"] = distribution.release_id
    except SQLAlchemyError:
        pass
    return found
