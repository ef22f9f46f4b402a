"""Celery app for the webhook worker test: the production app with the webhook tasks routed to the
test's own queue (``SMM_TEST_WEBHOOKS_QUEUE``), so the retries the fan-out queues reach this worker
and no other."""

import os

from smm_platform.celery import app

app.conf.task_routes = {**app.conf.task_routes, "webhooks.*": {"queue": os.environ["SMM_TEST_WEBHOOKS_QUEUE"]}}
