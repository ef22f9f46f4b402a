"""Fault suite (issue 9): a real worker, a real Redis and PostgreSQL, and faults in the middle of
a sync — the pool child or the whole worker killed, Redis stopped, the database connection
dropped. After recovery every fact row exists exactly once and no step is left "running".

The worker is ``tests.faultapp`` (the production app; each demo fetch sleeps
``SMM_FAULT_STEP_DELAY`` seconds so the fault lands inside a step).
"""

import os
import signal
import time

import pytest
from django.db import connection

from ads.models import AdCampaign, AdStatDaily
from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost
from integrations.models import SocialAccount, SyncRun, SyncStatus
from integrations.services import demo_account_connect
from integrations.sync import INTERRUPTED_MESSAGE, PLANS, account_sync
from integrations.tasks import fan_out_due_syncs, sync_account
from moderation.models import InboxItem
from smm_platform.celery import app
from tests.worker import redis_server, require_worker, wait_until, worker_process

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FACT_MODELS = (SocialPost, PostMetricDaily, AccountMetricDaily, AdCampaign, AdStatDaily, InboxItem)
SLOW = {"SMM_FAULT_STEP_DELAY": "1"}


def facts(organization) -> dict[str, int]:
    return {m.__name__: m.objects.filter(organization=organization).count() for m in FACT_MODELS}


def reference_facts(organization, plan: str) -> dict[str, int]:
    """The same demo account synced cleanly in-process in another organization."""
    reference = demo_account_connect(organization=organization, sync=False)
    assert account_sync(account_id=reference.pk, plan=plan, days=7).status == "done"
    return facts(organization)


@pytest.fixture
def accounts(org, other_org):
    """The account under test and the facts a clean full sync of it stores."""
    require_worker()
    return demo_account_connect(organization=org, sync=False), reference_facts(other_org, "full")


def enqueue(account, queue, *, broker_url=None, plan="full"):
    kwargs = {"account_id": account.pk, "plan": plan, "days": 7}
    if broker_url is None:
        return sync_account.apply_async(kwargs=kwargs, queue=queue).id
    with app.connection_for_write(broker_url) as conn:
        return sync_account.apply_async(kwargs=kwargs, queue=queue, connection=conn).id


def running_step(account, *, after: int = 0):
    """A step in flight (``after`` steps already done), for the fault to land in."""
    runs = SyncRun.objects.filter(account=account)
    if runs.filter(status=SyncStatus.SUCCESS).count() >= after:
        return runs.filter(status=SyncStatus.RUNNING).first()
    return None


def complete(account, plan: str = "full") -> bool:
    runs = SyncRun.objects.filter(account=account)
    done = set(runs.filter(status=SyncStatus.SUCCESS).values_list("kind", flat=True))
    return done == set(PLANS[plan].kinds) and not runs.filter(status=SyncStatus.RUNNING).exists()


def assert_recovered(account, expected: dict[str, int]) -> None:
    assert facts(account.organization) == expected
    assert not SyncRun.objects.filter(status=SyncStatus.RUNNING).exists()
    assert SocialAccount.objects.get(pk=account.pk).last_synced_at is not None


def test_killed_pool_child_the_redelivered_task_takes_over_and_completes(accounts):
    account, expected = accounts
    with worker_process(app="tests.faultapp", pool="prefork", env=SLOW) as worker:
        enqueue(account, worker.queue)
        hit = wait_until(lambda: running_step(account, after=1), timeout=60, what="the second step")
        (child,) = worker.pool_children()
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: complete(account), timeout=90, what="the redelivered sync")
        assert worker.alive()
    hit.refresh_from_db()
    assert (hit.status, hit.error) == (SyncStatus.FAILED, INTERRUPTED_MESSAGE)
    assert_recovered(account, expected)


def test_killed_worker_its_message_returns_to_another_worker(accounts):
    account, expected = accounts
    with worker_process(app="tests.faultapp", pool="prefork", env=SLOW) as first:
        enqueue(account, first.queue)
        hit = wait_until(lambda: running_step(account, after=1), timeout=60, what="the second step")
        first.kill_all()
        queue = first.queue
    # A replacement worker (as the supervisor starts one) restores the unacknowledged message once
    # it is older than the visibility timeout (short here so the test does not wait 10 minutes).
    with worker_process(queue=queue, app="tests.faultapp", env={"CELERY_VISIBILITY_TIMEOUT": "1"}):
        wait_until(lambda: complete(account), timeout=90, what="the restored sync")
    hit.refresh_from_db()
    assert (hit.status, hit.error) == (SyncStatus.FAILED, INTERRUPTED_MESSAGE)
    assert_recovered(account, expected)


def test_redis_stopped_during_a_task_the_worker_survives_and_the_sync_completes(org, other_org, tmp_path, monkeypatch):
    require_worker()
    account = demo_account_connect(organization=org, sync=False)
    expected = reference_facts(other_org, "frequent")
    with redis_server(tmp_path) as redis:
        env = SLOW | {"REDIS_URL": redis.url}
        with worker_process(app="tests.faultapp", pool="prefork", env=env) as worker:
            enqueue(account, worker.queue, broker_url=redis.url, plan="frequent")
            wait_until(lambda: running_step(account), timeout=60, what="the first step")
            redis.stop()
            time.sleep(4)
            assert worker.alive(), worker.output()[-3000:]
            redis.start()
            # The task finishes its step, cannot queue its retry and makes the account due; the
            # beat's fan-out (here against this test's Redis and queue) enqueues it again, and the
            # new task waits until the lock the old one could not release expires (30 s).
            wait_until(
                lambda: complete(account, "frequent") or _due_and_idle(account), timeout=60, what="a settled sync"
            )
            monkeypatch.setattr(
                "integrations.tasks._enqueue",
                lambda pk, plan: enqueue(account, worker.queue, broker_url=redis.url, plan=plan),
            )
            fan_out_due_syncs()
            try:
                wait_until(lambda: complete(account, "frequent"), timeout=120, what="the sync after Redis came back")
            except TimeoutError as exc:
                raise AssertionError(worker.output()[-6000:]) from exc
            assert worker.alive()
            assert "Unrecoverable error" not in worker.output()
    assert facts(org) == expected
    assert not SyncRun.objects.filter(status=SyncStatus.RUNNING).exists()


def _due_and_idle(account) -> bool:
    from django.utils import timezone

    fresh = SocialAccount.objects.get(pk=account.pk)
    idle = not SyncRun.objects.filter(account=account, status=SyncStatus.RUNNING).exists()
    return idle and fresh.next_sync_at is not None and fresh.next_sync_at <= timezone.now()


def test_database_connection_dropped_mid_step_the_step_is_retried(accounts):
    account, expected = accounts
    with worker_process(app="tests.faultapp", env=SLOW) as worker:
        enqueue(account, worker.queue)
        hit = wait_until(lambda: running_step(account, after=1), timeout=60, what="the second step")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [connection.settings_dict["NAME"]],
            )
            assert cursor.fetchall()  # the worker's connection was there and is gone
        wait_until(lambda: complete(account), timeout=90, what="the retried sync")
        assert worker.alive()
    hit.refresh_from_db()
    assert hit.status in (SyncStatus.RETRYING, SyncStatus.SUCCESS)
    assert_recovered(account, expected)


def test_redis_stopped_with_several_tasks_in_flight_the_worker_main_process_survives(tmp_path):
    """celery/kombu 5.7.0: closing the lost broker connection restores the unacknowledged messages
    through a channel whose connection is already gone → "Unrecoverable error: AttributeError
    'NoneType' object has no attribute 'hostname'" and the worker main process exits."""
    require_worker()
    from tests.faultapp import sleep

    with (
        redis_server(tmp_path) as redis,
        worker_process(app="tests.faultapp", pool="prefork", concurrency=4, env={"REDIS_URL": redis.url}) as w,
    ):
        with app.connection_for_write(redis.url) as conn:
            for seconds in (4, 8, 12):
                sleep.apply_async(args=[seconds], queue=w.queue, connection=conn)
        wait_until(lambda: w.output().count(" received") >= 3, timeout=30, what="three tasks in flight")
        redis.stop()
        time.sleep(3)
        assert w.alive(), w.output()[-4000:]
        redis.start()
        try:
            wait_until(lambda: "Connected to redis" in w.output().split("Connection to broker lost")[-1], timeout=30)
        except TimeoutError as exc:
            raise AssertionError(w.output()[-4000:]) from exc
        output = w.output()
        assert w.alive()
        assert "Unrecoverable error" not in output, output[output.find("Unrecoverable") :][:6000]
