"""Thin Celery wrappers: ids in, a service/sync call, retries with backoff + jitter.

Task names start with ``integrations.`` so they are routed to the ``ingest`` queue.
Periodic entries are in ``smm_platform/schedule.py``:

* ``integrations.tasks.fan_out_due_syncs`` (every minute): accounts whose ``next_sync_at`` is
  due get one ``sync_account`` task each (plan "frequent": posts, comments, mentions, campaigns).
* ``integrations.tasks.fan_out_daily_syncs`` (nightly): one "daily" task per active account
  (profile, trailing 7-day account metrics, post metrics, ad stats).
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from integrations.models import AccountStatus, SocialAccount
from integrations.sync import SyncRetry, account_sync
from tenancy import rls

logger = logging.getLogger(__name__)

MAX_RETRIES = 6
FAN_OUT_BATCH = 500


def backoff_seconds(retries: int, *, advised: float | None = None, base: float = 30.0, cap: float = 900.0) -> float:
    """Exponential backoff with full jitter, never earlier than the platform's advice."""
    exponential = min(cap, base * (2**retries))
    delay = random.uniform(exponential / 2, exponential)  # noqa: S311 - jitter, not crypto
    return max(delay, advised or 0.0)


@shared_task(bind=True, name="integrations.tasks.sync_account", max_retries=MAX_RETRIES)
@rls.unscoped_session("defers its account by id; account_sync itself runs in the account's organization")
def sync_account(
    self, account_id: int, plan: str = "frequent", kinds: list[str] | None = None, days: int | None = None
):
    try:
        outcome = account_sync(account_id=account_id, plan=plan, kinds=kinds, days=days, task_id=self.request.id or "")
    except SyncRetry as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            # No broker to wait on (embedded mode) or out of retries: let the fan-out pick
            # the account up again later instead of spinning here.
            SocialAccount.objects.unscoped().filter(pk=account_id).update(
                next_sync_at=timezone.now() + timedelta(seconds=max(exc.retry_after, 60))
            )
            return {"account_id": account_id, "status": "deferred", "message": str(exc)}
        countdown = backoff_seconds(self.request.retries, advised=exc.retry_after)
        raise self.retry(
            kwargs={"account_id": account_id, "plan": plan, "kinds": list(exc.remaining), "days": days},
            countdown=countdown,
        ) from exc
    return {"account_id": account_id, "status": outcome.status, "runs": outcome.runs}


def _due_accounts(now, *, daily: bool):
    # Crosses organizations on purpose: the fan-out serves every tenant.
    qs = SocialAccount.objects.unscoped().filter(status__in=[AccountStatus.ACTIVE, AccountStatus.ERROR])
    if not daily:
        qs = qs.filter(next_sync_at__lte=now)
    return qs.order_by("next_sync_at", "pk")


@shared_task(name="integrations.tasks.fan_out_due_syncs")
@rls.unscoped_context("sync fan-out: due accounts of every organization")
def fan_out_due_syncs() -> int:
    """Claim due accounts (move ``next_sync_at`` forward first) and enqueue one task each."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            _due_accounts(now, daily=False)
            .select_for_update(skip_locked=True)
            .values_list("pk", "sync_interval_minutes")[:FAN_OUT_BATCH]
        )
        by_interval: dict[int, list[int]] = defaultdict(list)
        for pk, minutes in due:
            by_interval[minutes].append(pk)
        for minutes, pks in by_interval.items():  # one UPDATE per distinct interval, not per row
            SocialAccount.objects.unscoped().filter(pk__in=pks).update(next_sync_at=now + timedelta(minutes=minutes))
        ids = [pk for pk, _ in due]
        transaction.on_commit(lambda: [sync_account.delay(pk, plan="frequent") for pk in ids])
    return len(ids)


@shared_task(name="integrations.tasks.fan_out_daily_syncs")
@rls.unscoped_context("daily sync fan-out: active accounts of every organization")
def fan_out_daily_syncs() -> int:
    now = timezone.now()
    ids = list(_due_accounts(now, daily=True).values_list("pk", flat=True))
    with transaction.atomic():
        transaction.on_commit(lambda: [sync_account.delay(pk, plan="daily") for pk in ids])
    return len(ids)
