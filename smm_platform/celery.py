"""Celery application: JSON only, late acks, one task prefetched, queues per workload."""

import os

import redis.exceptions
from celery import Celery
from kombu import Queue
from kombu.transport import redis as kombu_redis

from smm_platform.schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

app = Celery("smm_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "ingest", "publish", "reports")
VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT") or 600)

app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    # A task whose worker died is redelivered, not lost (tasks are idempotent).
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=300,
    task_time_limit=360,
    task_default_queue="default",
    task_queues=[Queue(name) for name in QUEUES],
    task_routes={
        "integrations.*": {"queue": "ingest"},
        "analytics.tasks.sync_*": {"queue": "ingest"},
        "content.tasks.publish_*": {"queue": "publish"},
        "reports.tasks.*": {"queue": "reports"},
        "portability.tasks.build_export": {"queue": "reports"},
    },
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    # Keep reconnecting to a Redis that is down (None = forever) instead of exiting after 100 tries.
    broker_connection_max_retries=None,
    # Let a task that is running when the broker connection drops finish its work (its writes are
    # idempotent; the message is acked afterwards or runs once more). Cancelling it instead
    # (True) lost the message in our Redis-restart test (celery/kombu 5.7.0): the cancelled task
    # was acknowledged and never ran again.
    worker_cancel_long_running_tasks_on_connection_loss=False,
    # Redis hands an unacked message to another worker after this many seconds: it must exceed
    # the longest task (hard limit 360 s) plus the longest retry countdown a worker holds
    # (MAX_RETRY_COUNTDOWN 180 s), or a healthy task runs twice; every second above that is how
    # long the tasks of a worker that died wait. See docs/operations.md, "Celery and Redis".
    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    timezone="UTC",
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
)


def _guard_redis_closed_channel() -> None:
    """Keep the worker alive when Redis goes away with tasks in flight (celery/kombu 5.7.0, the
    latest releases). After the consumer closed the lost connection, the old Redis channel is
    still used — to put its unacked messages back while closing, and to ack a task that finishes
    after the reconnect — and builds a client from a connection that is gone:
    ``AttributeError: 'NoneType' object has no attribute 'hostname'`` (or ``'client'``). That is
    not one of the errors the consumer tolerates, so the worker stops with "Unrecoverable error"
    (reproduced in tests/integrations/test_faults.py). Raising a Redis connection error instead
    lets the consumer treat it like any lost connection; the message stays in Redis's unacked set
    and runs again after the visibility timeout (tasks are idempotent)."""
    original = kombu_redis.Channel._connparams
    if getattr(original, "guarded", False):
        return

    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise redis.exceptions.ConnectionError("this broker channel's connection is closed")
        return original(self, asynchronous=asynchronous)

    _connparams.guarded = True  # type: ignore[attr-defined]  # a marker on the function: patch once
    kombu_redis.Channel._connparams = _connparams  # type: ignore[method-assign]  # the patch itself


_guard_redis_closed_channel()


# The one place periodic tasks are declared.
app.conf.beat_schedule = BEAT_SCHEDULE
app.autodiscover_tasks()
