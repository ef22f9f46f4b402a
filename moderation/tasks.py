"""Thin Celery wrappers of the inbox work (``replies.py``, ``sla.py``, the tone in ``services.py``).

* ``moderation.tasks.send_reply``: one queued reply, sent at most once (row-lock claim).
* ``moderation.tasks.watch_inbox`` (beat, every minute): breach alerts per organization, and
  replies stuck in "sending" (a dead worker) marked failed for a person to check.
* ``moderation.tasks.classify_tone``: queued after each comments/mentions sync step of an
  account (``services.queue_tone``) and by ``fan_out_tone`` (beat, the safety net) — the tone of
  new items in batches; idempotent, never touches a person's label; then the negative-mention
  spike check (``reputation.spike_check``).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from tenancy import rls
from tenancy.models import Organization

from . import replies, reputation, services, sla
from .models import InboxItem, ReplyServiceLevel

# Per beat run and organization; the next run (every few minutes) continues where this stopped.
MAX_BATCHES = 10


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


@shared_task(name="moderation.tasks.classify_tone")
def classify_tone(organization_id: int, max_batches: int = MAX_BATCHES) -> int:
    """Labels the organization's unlabelled items; idempotent, never touches a person's label."""
    written = 0
    with rls.organization_session(organization_id):
        for _ in range(max_batches):
            done = services.tone_classify_pending(organization_id=organization_id)
            written += done
            if done < services.TONE_BATCH:
                break
        if written:  # new labels may be negative mentions: the spike alert looks at them now
            reputation.spike_check(organization_id=organization_id)
    return written


@shared_task(name="moderation.tasks.fan_out_tone")
@rls.unscoped_session("tone fan-out: organizations with unlabelled inbox items")
def fan_out_tone() -> int:
    """One ``classify_tone`` per organization that has unlabelled items."""
    ids = sorted(
        set(
            InboxItem.objects.unscoped()
            .filter(sentiment__isnull=True, is_from_account=False)
            .values_list("organization_id", flat=True)
            .distinct()
        )
    )
    for organization_id in ids:
        classify_tone.delay(organization_id)
    return len(ids)
