"""The Celery application: broker from settings, safe acknowledgement, JSON only.

Tasks are idempotent, so they are acknowledged late and re-queued when a worker dies; the
visibility timeout is longer than any task may run so Redis does not hand a running task to a
second worker.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from core.broker import broker_url
from core.db import dispose_engines
from core.settings import get_settings

app = Celery("pressroom", include=["tasks.events", "tasks.distribution"])
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
    task_default_queue="pressroom",
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
    }


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    """A forked worker process must not share its parent's database connections."""
    dispose_engines()
