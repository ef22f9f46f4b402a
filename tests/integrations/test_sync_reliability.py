"""Syncs are never lost, doubled or recorded as success when they failed (issue 9), unit level.

The same faults with a real worker, a real Redis and a real PostgreSQL are in test_faults.py.
"""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import SocialAccount, SyncKind, SyncRun, SyncStatus
from integrations.ratelimit import SYNC_LOCK_TTL, SyncLock, redis_client, sync_lock
from integrations.services import demo_account_connect
from integrations.sync import (
    INTERRUPTED_MESSAGE,
    MAX_RETRY_COUNTDOWN,
    account_lock_name,
    account_sync,
)
from integrations.tasks import (
    backfill_chunks,
    fan_out_daily_syncs,
    fan_out_due_syncs,
    reap_stale_sync_runs,
    sync_account,
)
from smm_platform.celery import app
from smm_platform.schedule import BEAT_SCHEDULE
from tests.integrations.factories import SocialAccountFactory, SyncRunFactory
from tests.integrations.sync_support import NOW, demo, run_task

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- the lock


def test_a_redelivered_task_takes_over_its_own_lock_and_closes_the_steps_left_running(org):
    account = demo_account_connect(organization=org, sync=False)
    # The killed pool child held the lock under this task id and left a step running.
    dead = SyncLock(account_lock_name(account.pk), ttl_seconds=SYNC_LOCK_TTL, redis=redis_client(), owner="task-1")
    dead.key = f"smm:lock:{_db_name()}:{account_lock_name(account.pk)}"
    assert dead.acquire()
    left = SyncRunFactory(account=account, task_id="task-1")
    try:
        outcome = account_sync(account_id=account.pk, plan="full", days=3, task_id="task-1", connector=demo(account))
    finally:
        dead.release()
    left.refresh_from_db()
    assert outcome.status == "done"
    assert (left.status, left.error) == (SyncStatus.FAILED, INTERRUPTED_MESSAGE)
    assert not SyncRun.objects.filter(status=SyncStatus.RUNNING).exists()
    assert SyncRun.objects.filter(task_id="task-1", status=SyncStatus.SUCCESS).count() == 7


def _db_name():
    from django.db import connection

    return connection.settings_dict["NAME"]


def test_one_lock_per_account_whatever_the_plan_and_window(org):
    account = demo_account_connect(organization=org, sync=False)
    with sync_lock(account_lock_name(account.pk), owner="periodic-task") as lock:
        assert lock is not None
        outcome = account_sync(account_id=account.pk, plan="full", days=30, task_id="sync-now", connector=demo(account))
    assert outcome.status == "locked"
    assert not SyncRun.objects.exists()


def test_a_second_sync_of_a_busy_account_queues_behind_it_within_a_minute(org, monkeypatch):
    account = demo_account_connect(organization=org, sync=False)
    with sync_lock(account_lock_name(account.pk), owner="periodic-task"):
        result, retry = run_task(monkeypatch, task_id="sync-now", account_id=account.pk, plan="full")
    assert result is None
    assert 20 <= retry["countdown"] <= 60
    assert retry["kwargs"]["plan"] == "full"
    assert not SyncRun.objects.exists()


def test_out_of_retries_behind_a_busy_account_it_is_rescheduled_not_dropped(org, monkeypatch):
    account = demo_account_connect(organization=org, sync=False)
    SocialAccount.objects.filter(pk=account.pk).update(next_sync_at=None)
    with sync_lock(account_lock_name(account.pk), owner="periodic-task"):
        result, _ = run_task(monkeypatch, task_id="sync-now", retries=6, account_id=account.pk, plan="full")
    account.refresh_from_db()
    assert result["status"] == "locked"
    assert timedelta(0) < account.next_sync_at - timezone.now() <= timedelta(minutes=1)


def test_the_lock_has_a_short_ttl_renewed_while_working_and_is_released_on_failure():
    name = f"t-{uuid.uuid4().hex}"
    client = redis_client()
    seen = {}

    def work():
        with sync_lock(name, ttl_seconds=1, owner="task-9") as lock:
            seen["key"] = lock.key
            seen["first"] = client.get(lock.key)
            time.sleep(2.2)  # two TTLs: only the heartbeat keeps it
            seen["later"], seen["pttl"] = client.get(lock.key), client.pttl(lock.key)
            raise ZeroDivisionError  # the body fails

    with pytest.raises(ZeroDivisionError):
        work()
    assert (seen["first"], seen["later"]) == (b"task-9", b"task-9")
    assert 0 < seen["pttl"] <= 1000
    assert client.get(seen["key"]) is None
    assert SYNC_LOCK_TTL <= 60


# --------------------------------------------------------------------------- reaper, claims, chunks


def test_reaper_fails_stale_running_steps_and_reschedules_the_account(org):
    account = SocialAccountFactory(organization=org)
    later = timezone.now() + timedelta(hours=1)
    SocialAccount.objects.filter(pk=account.pk).update(next_sync_at=later, sync_claimed_until=later)
    stale = SyncRunFactory(account=account)
    SyncRun.objects.filter(pk=stale.pk).update(started_at=timezone.now() - timedelta(minutes=11))
    fresh = SyncRunFactory(account=account, kind=SyncKind.COMMENTS)

    assert reap_stale_sync_runs() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    account.refresh_from_db()
    assert (stale.status, stale.error) == (SyncStatus.FAILED, INTERRUPTED_MESSAGE)
    assert stale.finished_at is not None
    assert fresh.status == SyncStatus.RUNNING
    assert abs(account.next_sync_at - timezone.now()) < timedelta(seconds=5)
    assert account.sync_claimed_until is None
    assert BEAT_SCHEDULE["integrations-reap-stale-sync-runs"]["task"] == "integrations.tasks.reap_stale_sync_runs"


def test_visibility_timeout_fits_the_longest_task_and_retry_countdown():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert app.conf.task_time_limit + MAX_RETRY_COUNTDOWN < visibility <= 900
    assert app.conf.broker_connection_max_retries is None
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is False


def test_long_backfills_are_split_into_windows_of_at_most_31_days(org, monkeypatch):
    assert backfill_chunks(120) == [(31, 0), (31, 31), (31, 62), (27, 93)]
    assert backfill_chunks(30) == [(30, 0)]
    account = SocialAccountFactory(organization=org)
    calls, queued = [], []
    monkeypatch.setattr("integrations.tasks.account_sync", lambda **kw: calls.append(kw) or _done(kw))
    monkeypatch.setattr(sync_account, "apply_async", lambda **kw: queued.append(kw["kwargs"]))
    result, _ = run_task(monkeypatch, account_id=account.pk, plan="full", days=120)
    assert result["status"] == "done"
    assert [(c["window_days"], c["window_end_days_ago"], c["kinds"]) for c in calls] == [(31, 0, None)]
    assert [(q["window_days"], q["window_end_days_ago"], q["kinds"]) for q in queued] == [
        (31, 31, ["account_metrics", "ad_stats"]),
        (31, 62, ["account_metrics", "ad_stats"]),
        (27, 93, ["account_metrics", "ad_stats"]),
    ]


def _done(kwargs):
    from integrations.sync import SyncOutcome

    return SyncOutcome(account_id=kwargs["account_id"], plan=kwargs["plan"])


def test_an_older_window_reads_only_its_days(org):
    account = demo_account_connect(organization=org, sync=False)
    account_sync(
        account_id=account.pk,
        plan="full",
        kinds=["account_metrics"],
        days=120,
        window_days=31,
        window_end_days_ago=31,
        connector=demo(account),
    )
    run = SyncRun.objects.get()
    today = NOW.date()
    assert (run.window_start, run.window_end) == (today - timedelta(days=61), today - timedelta(days=31))
    from analytics.models import AccountMetricDaily

    assert AccountMetricDaily.objects.count() == 31


def test_fan_out_does_not_enqueue_an_account_whose_task_is_still_queued(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("integrations.tasks.sync_account.delay", lambda pk, **kw: queued.append(pk))
    account = SocialAccountFactory(organization=org)
    SocialAccount.objects.filter(pk=account.pk).update(next_sync_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_due_syncs() == 1
    # The queue is slow: the interval passed, the task has not run yet.
    SocialAccount.objects.filter(pk=account.pk).update(next_sync_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_due_syncs() == 0
    assert queued == [account.pk]
    # The lease ends (the task was lost): the account is enqueued again.
    SocialAccount.objects.filter(pk=account.pk).update(sync_claimed_until=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_due_syncs() == 1
    assert queued == [account.pk, account.pk]


def test_the_daily_fan_out_claims_each_account_once(org, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("integrations.tasks.sync_account.delay", lambda pk, **kw: queued.append((pk, kw)))
    account = SocialAccountFactory(organization=org)
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_daily_syncs() == 1
        assert fan_out_daily_syncs() == 0
    assert queued == [(account.pk, {"plan": "daily"})]


def test_a_finished_frequent_task_releases_its_claim(org, monkeypatch):
    account = SocialAccountFactory(organization=org)
    SocialAccount.objects.filter(pk=account.pk).update(sync_claimed_until=timezone.now() + timedelta(minutes=30))
    monkeypatch.setattr("integrations.tasks.account_sync", lambda **kw: _done(kw))
    run_task(monkeypatch, account_id=account.pk, plan="frequent")
    account.refresh_from_db()
    assert account.sync_claimed_until is None
