"""Thin Celery wrappers of the inbox work (``replies.py``, ``sla.py``).

* ``moderation.tasks.send_reply``: one queued reply, sent at most once (row-lock claim).
* ``moderation.tasks.watch_inbox`` (beat, every minute): breach alerts per organization, and
  replies stuck in "sending" (a dead worker) marked failed for a person to check.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from tenancy import rls
from tenancy.models import Organization

from . import replies, sla
from .models import ReplyServiceLevel


@shared_task(name="moderation.tasks.send_reply", ignore_result=True)
@rls.unscoped_session("inbox reply sender: its own reply by id")
def send_reply(organization_id: int, reply_id: int) -> str:
    return replies.reply_send(organization_id=organization_id, reply_id=reply_id)


@shared_task(name="moderation.tasks.watch_inbox", ignore_result=True)
@rls.unscoped_session("inbox watchdog: service-level alerts of every organization")
def watch_inbox() -> int:
    replies.release_stuck(older_than=dt.timedelta(minutes=10))
    org_ids = ReplyServiceLevel.objects.unscoped().values_list("organization_id", flat=True)  # orgs with a level
    alerted = 0
    for organization in Organization.objects.filter(pk__in=list(org_ids)):
        alerted += sla.alert_about_to_breach(organization)
    return alerted
