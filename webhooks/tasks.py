"""Thin Celery wrappers of the webhook deliveries (docs/webhooks.md).

* ``webhooks.tasks.deliver``: one attempt of one delivery, queued after the commit that made it.
* ``webhooks.tasks.fan_out_due_deliveries`` (beat, every minute): the retries whose time has come —
  the backoff lives in the database (`next_attempt_at`), not in long ETAs sitting in Redis.
"""

from __future__ import annotations

from celery import shared_task

from tenancy import rls

from . import services


@shared_task(name="webhooks.tasks.deliver", ignore_result=True)
def deliver(organization_id: int, delivery_id: int) -> bool:
    with rls.organization_session(organization_id):
        return services.attempt_delivery(organization_id=organization_id, delivery_id=delivery_id) is not None


@shared_task(name="webhooks.tasks.fan_out_due_deliveries", ignore_result=True)
def fan_out_due_deliveries() -> int:
    with rls.unscoped_session("webhook fan-out: due deliveries of every organization"):
        due = services.due_deliveries()
    for organization_id, delivery_id in due:
        deliver.delay(organization_id, delivery_id)
    return len(due)
