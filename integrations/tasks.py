"""Thin Celery wrappers: ids in, a service/sync call, retries with backoff + jitter.

Task names start with ``integrations.`` so they are routed to the ``ingest`` queue.
Periodic entries are in ``smm_platform/schedule.py``:

* ``integrations.tasks.fan_out_due_syncs`` (every minute): accounts whose ``next_sync_at`` is
  due get one ``sync_account`` task each (plan "frequent": posts, comments, mentions, campaigns).
* ``integrations.tasks.fan_out_daily_syncs`` (nightly): one "daily" task per active account
  (profile, trailing 7-day account metrics, post metrics, ad stats).
* ``integrations.tasks.reap_stale_sync_runs`` (every few minutes): steps left "running" by a
  worker that died are marked failed and their accounts synced again.

Both fan-outs claim an account (``sync_claimed_until`` / ``daily_claimed_until``) in the same
transaction that selects it, so an account whose task is still queued is not enqueued twice.
A sync of an account that is already syncing waits (a retry within a minute) instead of
running beside it. Long backfills are split into windows of ``MAX_TASK_WINDOW_DAYS`` so that
every task stays far below the time limits (and the broker's visibility timeout).

Enqueueing a sync (``enqueue_sync_safely``: a queue outage keeps the request instead of losing it)
lives here beside the task it enqueues, so services import tasks and never the other way round.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from datetime import timedelta
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import shared_task
from celery.exceptions import Reject
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import AccountStatus, SocialAccount, SyncRun, SyncStatus
from integrations.sync import (
    INTERRUPTED_MESSAGE,
    MAX_RETRY_COUNTDOWN,
    PLANS,
    STALE_RUN_AFTER,
    WINDOWED_KINDS,
    SyncRetry,
    _infrastructure_errors,
    account_sync,
    save_surviving_reconnect,
)
from tenancy import rls

logger = logging.getLogger(__name__)

MAX_RETRIES = 6
FAN_OUT_BATCH = 500
# A claimed account is not enqueued again for this long: longer than a task waits in a healthy
# queue, short enough that a lost task's account is picked up again soon.
CLAIM_LEASE = timedelta(minutes=30)
DAILY_CLAIM_LEASE = timedelta(hours=20)
# A sync of an account that another task is syncing waits this long (seconds) and tries again.
LOCK_WAIT = (20.0, 60.0)
# First retry after losing our database or Redis: 2.5-5 s, then doubling (a failover takes seconds).
INFRASTRUCTURE_BACKOFF_BASE = 5.0
# Days of daily facts one task reads at most; a longer backfill becomes several tasks.
MAX_TASK_WINDOW_DAYS = 31


def backoff_seconds(
    retries: int, *, advised: float | None = None, base: float = 30.0, cap: float = MAX_RETRY_COUNTDOWN
) -> float:
    """Exponential backoff with full jitter, never earlier than the platform's advice."""
    exponential = min(cap, base * (2**retries))
    delay = random.uniform(exponential / 2, exponential)  # noqa: S311 - jitter, not crypto
    return max(delay, advised or 0.0)


def _reschedule(account_id: int, *, after: timedelta = timedelta(0)) -> None:
    # Crosses organizations on purpose: called with our own task's account id.
    save_surviving_reconnect(
        lambda: (
            SocialAccount.objects.unscoped()
            .filter(pk=account_id)
            .update(next_sync_at=timezone.now() + after, sync_claimed_until=None)
        )
    )


def _release_claim(account_id: int) -> None:
    try:
        SocialAccount.objects.unscoped().filter(pk=account_id).update(sync_claimed_until=None)
    except _infrastructure_errors():  # the lease expires by itself
        logger.warning("could not release the fan-out claim", extra={"account_id": account_id}, exc_info=True)


class RetryNotQueued(Exception):
    """The retry could not be published (Redis is down); the account was made due instead."""


def _retry(task, *, kwargs: dict, countdown: float) -> Exception:
    """``task.retry``, or — when the broker is unreachable so no retry can be queued — make the
    account due (``next_sync_at`` now) for the fan-out to pick up once Redis is back."""
    try:
        return task.retry(kwargs=kwargs, countdown=countdown)
    except (Reject, *queue_errors()) as exc:
        # Celery wraps a failed retry publish in Reject(requeue=False): the message is dropped.
        if isinstance(exc, Reject) and not isinstance(exc.reason, queue_errors()):
            raise
        logger.warning("could not queue the retry; the account stays due", extra={"account_id": kwargs["account_id"]})
        _reschedule(kwargs["account_id"])
        return RetryNotQueued(str(exc))


def backfill_chunks(days: int) -> list[tuple[int, int]]:
    """(window_days, end_days_ago) per task, newest first: 120 → (31, 0), (31, 31), (31, 62), (27, 93)."""
    chunks, end = [], 0
    while end < days:
        size = min(MAX_TASK_WINDOW_DAYS, days - end)
        chunks.append((size, end))
        end += size
    return chunks


# ignore_result: nobody reads the outcome (the SyncRun rows are the record), and a publish that
# expects a result subscribes to the Redis result backend, which retries for 20 s and then breaks
# the web process's result consumer for good when Redis is down.
@shared_task(bind=True, name="integrations.tasks.sync_account", max_retries=MAX_RETRIES, ignore_result=True)
# Unscoped for deferring, retrying and releasing the account by id; account_sync itself runs in the
# account's organization.
@rls.unscoped_session("sync task: bookkeeping of its own account by id")
def sync_account(
    self,
    account_id: int,
    plan: str = "frequent",
    kinds: list[str] | None = None,
    days: int | None = None,
    window_days: int | None = None,
    window_end_days_ago: int = 0,
):
    kwargs: dict[str, Any] = {"account_id": account_id, "plan": plan, "kinds": kinds, "days": days}
    total_days = days or PLANS[plan].days
    if window_days is None and total_days > MAX_TASK_WINDOW_DAYS and not self.request.is_eager:
        # A long backfill: this task reads the newest window (and every post since `days` ago),
        # one task per older window reads the daily facts.
        (window_days, _), *older = backfill_chunks(total_days)
        older_kinds = [k for k in (kinds or PLANS[plan].kinds) if k in WINDOWED_KINDS]
        for size, end in older if older_kinds else ():
            sync_account.apply_async(
                kwargs={**kwargs, "kinds": older_kinds, "window_days": size, "window_end_days_ago": end}
            )
    kwargs.update(window_days=window_days, window_end_days_ago=window_end_days_ago)
    out_of_retries = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        outcome = account_sync(**kwargs, task_id=self.request.id or "")
    except SyncRetry as exc:
        if out_of_retries:
            # No broker to wait on (embedded mode) or out of retries: let the fan-out pick
            # the account up again later instead of spinning here.
            _reschedule(account_id, after=timedelta(seconds=max(exc.retry_after, 60)))
            return {"account_id": account_id, "status": "deferred", "message": str(exc)}
        base = INFRASTRUCTURE_BACKOFF_BASE if exc.infrastructure else 30.0
        countdown = backoff_seconds(self.request.retries, advised=exc.retry_after, base=base)
        raise _retry(self, kwargs={**kwargs, "kinds": list(exc.remaining)}, countdown=countdown) from exc
    except _infrastructure_errors() as exc:
        # PostgreSQL or Redis went away outside a step (creating a run, reading the account).
        if out_of_retries:
            raise
        logger.warning("sync task lost its database or Redis; retrying", extra={"account_id": account_id})
        countdown = backoff_seconds(self.request.retries, base=INFRASTRUCTURE_BACKOFF_BASE)
        raise _retry(self, kwargs=kwargs, countdown=countdown) from exc
    if outcome.status == "locked":
        # Another sync of this account is running: queue behind it, never beside it.
        if out_of_retries:
            _reschedule(account_id, after=timedelta(minutes=1))
            return {"account_id": account_id, "status": "locked", "runs": []}
        raise _retry(self, kwargs=kwargs, countdown=random.uniform(*LOCK_WAIT))  # noqa: S311 - jitter
    if plan == "frequent":
        _release_claim(account_id)
    return {"account_id": account_id, "status": outcome.status, "runs": outcome.runs}


def _due_accounts(now, *, daily: bool):
    # Crosses organizations on purpose: the fan-out serves every tenant.
    qs = SocialAccount.objects.unscoped().filter(status__in=[AccountStatus.ACTIVE, AccountStatus.ERROR])
    if daily:
        return qs.filter(Q(daily_claimed_until__isnull=True) | Q(daily_claimed_until__lte=now)).order_by("pk")
    qs = qs.filter(next_sync_at__lte=now).filter(Q(sync_claimed_until__isnull=True) | Q(sync_claimed_until__lte=now))
    return qs.order_by("next_sync_at", "pk")


def _enqueue_all(ids: list[int], plan: str) -> None:
    """After commit; one unreachable broker must not lose the whole batch's claims silently."""
    for pk in ids:
        enqueue_sync_safely(pk, plan=plan)


@shared_task(name="integrations.tasks.fan_out_due_syncs")
# Session-level, so the after-commit enqueue (and its fallback write when Redis is down) is in scope too.
@rls.unscoped_session("sync fan-out: due accounts of every organization")
def fan_out_due_syncs() -> int:
    """Claim due accounts (``next_sync_at`` forward, ``sync_claimed_until`` set) and enqueue one task each."""
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
            SocialAccount.objects.unscoped().filter(pk__in=pks).update(
                next_sync_at=now + timedelta(minutes=minutes), sync_claimed_until=now + CLAIM_LEASE
            )
        ids = [pk for pk, _ in due]
        transaction.on_commit(lambda: _enqueue_all(ids, "frequent"), robust=True)
    return len(ids)


@shared_task(name="integrations.tasks.fan_out_daily_syncs")
@rls.unscoped_session("daily sync fan-out: active accounts of every organization")
def fan_out_daily_syncs() -> int:
    """Claim every active account for today's daily sync (a second run the same night finds none)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            _due_accounts(now, daily=True)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:FAN_OUT_BATCH]
        )
        SocialAccount.objects.unscoped().filter(pk__in=ids).update(daily_claimed_until=now + DAILY_CLAIM_LEASE)
        transaction.on_commit(lambda: _enqueue_all(ids, "daily"), robust=True)
    return len(ids)


@shared_task(name="integrations.tasks.reap_stale_sync_runs")
@rls.unscoped_session("reaper: stale runs of every organization")
def reap_stale_sync_runs() -> int:
    """Steps still "running" long after any task could run (its worker was killed and the task
    not redelivered) become failed, and their accounts are synced again at the next fan-out."""
    cutoff = timezone.now() - STALE_RUN_AFTER
    with transaction.atomic():
        # Crosses organizations on purpose: the reaper serves every tenant.
        stale = (
            SyncRun.objects.unscoped()
            .select_for_update(skip_locked=True)
            .filter(status=SyncStatus.RUNNING, started_at__lt=cutoff)
        )
        rows = list(stale.values_list("pk", "account_id"))
        SyncRun.objects.unscoped().filter(pk__in=[pk for pk, _ in rows]).update(
            status=SyncStatus.FAILED, finished_at=timezone.now(), error=INTERRUPTED_MESSAGE
        )
        accounts = {account_id for _, account_id in rows}
        SocialAccount.objects.unscoped().filter(
            pk__in=accounts, status__in=[AccountStatus.ACTIVE, AccountStatus.ERROR]
        ).update(next_sync_at=timezone.now(), sync_claimed_until=None)
    if rows:
        logger.warning("reaped interrupted sync steps", extra={"runs": len(rows), "accounts": len(accounts)})
    return len(rows)


# --------------------------------------------------------------------------- enqueueing


def queue_errors() -> tuple[type[BaseException], ...]:
    """The broker is unreachable: the request is kept (the account made due) instead of lost."""
    return (kombu.exceptions.OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _enqueue(account_id: int, plan: str) -> None:
    sync_account.delay(account_id, plan=plan)


def enqueue_sync_safely(account_id: int, *, plan: str) -> bool:
    """Enqueue a sync; when the queue is down, log it and keep the request instead: the account
    becomes due (``next_sync_at`` now, claim released) and the fan-out enqueues it once the
    queue is back. Never raises for a queue outage, so it is safe inside ``on_commit``."""
    try:
        _enqueue(account_id, plan)
    except queue_errors():
        logger.warning("sync queue unavailable; the account stays due", extra={"account_id": account_id}, exc_info=True)
        # Crosses organizations on purpose: our own id, from a scoped service or the fan-out. After a
        # request's commit its row-level security scope has ended, hence the explicit one.
        with rls.unscoped_context("keep a sync request whose enqueue failed"):
            SocialAccount.objects.unscoped().filter(pk=account_id).update(
                next_sync_at=timezone.now(), sync_claimed_until=None
            )
        return False
    return True
