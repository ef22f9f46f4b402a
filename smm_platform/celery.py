"""Celery application: JSON only, late acks, one task prefetched, queues per workload."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

app = Celery("smm_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "ingest", "publish", "reports")

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
        "analytics.tasks.report_*": {"queue": "reports"},
        "portability.tasks.build_export": {"queue": "reports"},
    },
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    # Redis redelivers unacked tasks after this; nothing here runs longer than the hard limit.
    broker_transport_options={"visibility_timeout": 3600},
    timezone="UTC",
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
)


def _beat_schedule() -> dict:
    # The one place periodic tasks are declared; imported lazily to keep this module light.
    from smm_platform.schedule import BEAT_SCHEDULE

    return BEAT_SCHEDULE


app.conf.beat_schedule = _beat_schedule()
app.autodiscover_tasks()
