"""Syncs are never lost, doubled or recorded as success when they failed (issue 9), unit level.

The same faults with a real worker, a real Redis and a real PostgreSQL are in test_faults.py.
"""

import time
import uuid
from datetime import timedelta

import kombu.exceptions
import pytest
import redis.exceptions
from celery.exceptions import Reject, SoftTimeLimitExceeded
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from integrations.connectors.base import InvalidRequest
from integrations.models import AccountStatus, SocialAccount, SyncKind, SyncRun, SyncStatus
from integrations.ratelimit import SYNC_LOCK_TTL, SyncLock, redis_client, sync_lock
from integrations.services import demo_account_connect
from integrations.sync import (
    INFRASTRUCTURE_MESSAGE,
    INTERRUPTED_MESSAGE,
    MAX_RETRY_COUNTDOWN,
    TOO_LONG_MESSAGE,
    SyncRetry,
    account_lock_name,
    account_sync,
)
from integrations.tasks import (
    RetryNotQueued,
    backfill_chunks,
    fan_out_daily_syncs,
    fan_out_due_syncs,
    reap_stale_sync_runs,
    sync_account,
)
from smm_platform.celery import app
from smm_platform.schedule import BEAT_SCHEDULE
from tests.integrations.factories import SocialAccountFactory
from tests.integrations.test_sync import NOW, Scripted, demo, vk_account

pytestmark = pytest.mark.django_db


def run_task(monkeypatch, *, task_id="task-1", retries=0, **kwargs):
    """Run ``sync_account`` as a worker would (not eager); returns (result, retry kwargs or None)."""
    captured = {}

    def fake_retry(**retry_kwargs):
        captured.update(retry_kwargs)
        return RuntimeError("retry scheduled")

    monkeypatch.setattr(sync_account, "retry", fake_retry)
    sync_account.push_request(id=task_id, retries=retries, is_eager=False)
    try:
        try:
            return sync_account.run(**kwargs), None
        except RuntimeError:
            return None, captured
    finally:
        sync_account.pop_request()


# --------------------------------------------------------------------------- the lock


def test_a_redelivered_task_takes_over_its_own_lock_and_closes_the_steps_left_running(org):
    account = demo_account_connect(organization=org, sync=False)
    # The killed pool child held the lock under this task id and left a step running.
    dead = SyncLock(account_lock_name(account.pk), ttl_seconds=SYNC_LOCK_TTL, redis=redis_client(), owner="task-1")
    dead.key = f"smm:lock:{_db_name()}:{account_lock_name(account.pk)}"
    assert dead.acquire()
    left = SyncRun.objects.create(organization=org, account=account, kind=SyncKind.POSTS, task_id="task-1")
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
    stale = SyncRun.objects.create(organization=org, account=account, kind=SyncKind.POSTS)
    SyncRun.objects.filter(pk=stale.pk).update(started_at=timezone.now() - timedelta(minutes=11))
    fresh = SyncRun.objects.create(organization=org, account=account, kind=SyncKind.COMMENTS)

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


# --------------------------------------------------------------------------- failures are not success


def test_a_failed_step_does_not_mark_the_account_synced_or_healthy(org):
    account = vk_account(org)
    SocialAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.ERROR, last_error="VK: no access to stats", last_synced_at=None
    )
    connector = Scripted({"comments": InvalidRequest("vk", 100, "One of the parameters specified was missing")})

    outcome = account_sync(account_id=account.pk, plan="full", connector=connector)

    account.refresh_from_db()
    assert outcome.status == "failed"
    assert account.last_synced_at is None
    assert (account.status, account.last_error) == (AccountStatus.ERROR, "VK: no access to stats")
    assert SyncRun.objects.get(kind=SyncKind.COMMENTS).status == SyncStatus.FAILED


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection unexpectedly"), redis.exceptions.ConnectionError("refused")],
)
def test_a_step_that_lost_the_database_or_redis_is_retried_and_not_synced(org, error):
    account = vk_account(org)
    connector = Scripted({"account_metrics": error})

    with pytest.raises(SyncRetry) as raised:
        account_sync(account_id=account.pk, plan="daily", connector=connector)

    account.refresh_from_db()
    assert raised.value.remaining == ("account_metrics", "posts", "campaigns", "ad_stats")
    assert account.last_synced_at is None
    run = SyncRun.objects.get(kind=SyncKind.ACCOUNT_METRICS)
    assert (run.status, run.error) == (SyncStatus.RETRYING, INFRASTRUCTURE_MESSAGE)


def test_a_step_stopped_by_the_soft_time_limit_is_closed_and_ends_the_sync(org):
    account = vk_account(org)
    connector = Scripted({"account_metrics": SoftTimeLimitExceeded()})

    with pytest.raises(SoftTimeLimitExceeded):
        account_sync(account_id=account.pk, plan="daily", connector=connector)

    account.refresh_from_db()
    assert connector.calls == ["profile", "account_metrics"]
    assert account.last_synced_at is None
    run = SyncRun.objects.get(kind=SyncKind.ACCOUNT_METRICS)
    assert (run.status, run.error) == (SyncStatus.FAILED, TOO_LONG_MESSAGE)


def test_the_task_retries_an_operational_error_with_backoff(org, monkeypatch):
    account = SocialAccountFactory(organization=org)

    def lost(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("integrations.tasks.account_sync", lost)
    result, retry = run_task(monkeypatch, retries=2, account_id=account.pk, plan="frequent")
    assert result is None
    assert 10 <= retry["countdown"] <= 20  # 5 s doubled twice, with jitter
    assert retry["kwargs"]["account_id"] == account.pk


@pytest.mark.django_db(transaction=True)
def test_a_status_write_survives_a_reconnect(org, monkeypatch):
    account = vk_account(org)
    from django.db import connection

    original = SyncRun.save
    failures = []

    def save(self, *args, **kwargs):
        if self.status == SyncStatus.SUCCESS and not failures:
            failures.append(self.pk)
            connection.close()  # the backend was killed under us
            raise OperationalError("terminating connection due to administrator command")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SyncRun, "save", save)
    outcome = account_sync(account_id=account.pk, plan="daily", connector=Scripted({}))
    assert outcome.status == "done"
    assert failures
    assert set(SyncRun.objects.values_list("status", flat=True)) == {SyncStatus.SUCCESS}


# --------------------------------------------------------------------------- without Redis


def test_a_retry_that_cannot_be_queued_makes_the_account_due(org, monkeypatch):
    account = SocialAccountFactory(organization=org)
    later = timezone.now() + timedelta(minutes=30)
    SocialAccount.objects.filter(pk=account.pk).update(next_sync_at=later, sync_claimed_until=later)

    def lost(**kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def no_broker(**kwargs):
        # What Celery raises when the retry cannot be published.
        raise Reject(kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379."), requeue=False)

    monkeypatch.setattr("integrations.tasks.account_sync", lost)
    sync_account.push_request(id="task-1", retries=0, is_eager=False)
    monkeypatch.setattr(sync_account, "retry", no_broker)
    try:
        with pytest.raises(RetryNotQueued):
            sync_account.run(account_id=account.pk, plan="frequent")
    finally:
        sync_account.pop_request()
    account.refresh_from_db()
    assert abs(account.next_sync_at - timezone.now()) < timedelta(seconds=5)
    assert account.sync_claimed_until is None


@pytest.fixture
def queue_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("integrations.tasks.sync_account.delay", refuse)


QUEUE_DOWN = (
    "The sync queue is unavailable right now. Your request is kept: "
    "the account syncs automatically as soon as the queue is back."
)


def test_sync_now_api_says_the_queue_is_unavailable_and_keeps_the_request(owner_client, org, queue_down):
    account = SocialAccountFactory(organization=org)
    SocialAccount.objects.filter(pk=account.pk).update(next_sync_at=timezone.now() + timedelta(minutes=14))
    response = owner_client.post(f"/api/v1/orgs/{org.slug}/integrations/accounts/{account.pk}/sync/")
    assert response.status_code == 503
    assert response.json() == {"error": {"code": "service_unavailable", "message": QUEUE_DOWN, "fields": {}}}
    account.refresh_from_db()
    assert abs(account.next_sync_at - timezone.now()) < timedelta(seconds=5)


def test_sync_now_page_says_the_queue_is_unavailable(client, owner, org, queue_down):
    account = SocialAccountFactory(organization=org)
    client.force_login(owner)
    url = reverse("integrations:sync_now", kwargs={"org_slug": org.slug, "pk": account.pk})
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [QUEUE_DOWN]


def test_an_enqueue_error_after_commit_never_breaks_the_response(
    owner_client, org, queue_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/api/v1/orgs/{org.slug}/integrations/accounts/connect-demo/")
    assert response.status_code == 201
    account = SocialAccount.objects.get(organization=org)
    assert abs(account.next_sync_at - timezone.now()) < timedelta(seconds=5)


def test_docker_compose_restarts_and_health_checks_every_service():
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"migrate", "web", "worker", "beat", "postgres", "redis"}
    # `migrate` is a one-shot (the owner migrates, then the app role runs everything else).
    assert services.pop("migrate")["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
        assert service.get("healthcheck", {}).get("test"), name
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


def test_a_closed_redis_broker_channel_fails_like_a_lost_connection():
    """The guard in smm_platform/celery.py: kombu 5.7.0 raised AttributeError here, which stops the
    worker ("Unrecoverable error"); a connection error is one the consumer survives."""
    from kombu.transport import redis as kombu_redis

    assert app.conf.broker_transport_options  # the app (and its guard) is loaded
    channel = kombu_redis.Channel.__new__(kombu_redis.Channel)
    channel.connection = None
    with pytest.raises(redis.exceptions.ConnectionError):
        channel._connparams()


def test_stored_sync_messages_are_shown_in_the_reader_language():
    from django.utils import translation

    from integrations.models import SyncRun
    from integrations.selectors import run_problem_text
    from integrations.sync import INTERRUPTED_MESSAGE

    run = SyncRun(status=SyncStatus.FAILED, error=INTERRUPTED_MESSAGE, error_kind="")
    with translation.override("ru"):
        assert run_problem_text(run) == (
            "Синхронизация прервалась (остановился обработчик задач); она запустится снова автоматически."
        )
    with translation.override("en"):
        assert run_problem_text(run) == INTERRUPTED_MESSAGE
