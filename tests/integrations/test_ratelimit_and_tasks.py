"""Token bucket (in-process and real Redis), sync lock, Celery task retry policy and fan-out."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.connectors.base import RateLimited
from integrations.models import AccountStatus, SocialAccount
from integrations.ratelimit import Rate, SyncLock, TokenBucketLimiter
from integrations.sync import SyncRetry
from integrations.tasks import backoff_seconds, fan_out_daily_syncs, fan_out_due_syncs, sync_account
from tests.integrations.factories import SocialAccountFactory

REDIS_URL = "redis://127.0.0.1:6379/15"


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_local_bucket_allows_a_burst_then_paces():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rates={"vk": Rate(3, 3)}, sleep=clock.sleep, monotonic=clock.monotonic)
    for _ in range(3):
        limiter.acquire("vk", "218450731")
    assert clock.slept == []
    limiter.acquire("vk", "218450731")
    assert clock.slept == [0.333]
    limiter.acquire("vk", "other-account")  # separate bucket per account key
    assert clock.slept == [0.333]


def test_local_bucket_gives_up_with_rate_limited_beyond_max_wait():
    clock = FakeClock()
    limiter = TokenBucketLimiter(
        rates={"meta_ads": Rate(0.01, 1)}, max_wait=5, sleep=clock.sleep, monotonic=clock.monotonic
    )
    limiter.acquire("meta_ads", "act_1")
    with pytest.raises(RateLimited) as caught:
        limiter.acquire("meta_ads", "act_1")
    assert caught.value.retry_after == pytest.approx(100.0)
    assert caught.value.user_message == "Meta Ads: many requests queued — sync will continue shortly"


@pytest.fixture
def redis_conn():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    prefix = f"test:{uuid.uuid4().hex}"
    yield client, prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_redis_bucket_is_shared_between_limiters(redis_conn):
    """Two limiters (two workers) draw from one bucket in Redis."""
    client, prefix = redis_conn
    rates = {"vk": Rate(1, 3)}
    worker_a = TokenBucketLimiter(redis=client, prefix=prefix, rates=rates)
    worker_b = TokenBucketLimiter(redis=client, prefix=prefix, rates=rates)
    assert [worker_a.try_acquire("vk", "g1"), worker_b.try_acquire("vk", "g1"), worker_a.try_acquire("vk", "g1")] == [
        0.0,
        0.0,
        0.0,
    ]
    wait = worker_b.try_acquire("vk", "g1")
    assert 0.9 <= wait <= 1.0
    assert worker_b.try_acquire("vk", "g2") == 0.0  # another account: its own bucket
    assert client.ttl(f"{prefix}:vk:g1") > 0  # buckets expire when idle


def test_redis_bucket_acquire_waits_for_refill(redis_conn):
    client, prefix = redis_conn
    slept = []
    limiter = TokenBucketLimiter(redis=client, prefix=prefix, rates={"telegram": Rate(20, 1)}, sleep=slept.append)
    limiter.acquire("telegram", "bot")
    real_sleep = __import__("time").sleep

    def sleep(seconds):
        slept.append(seconds)
        real_sleep(seconds)

    limiter._sleep = sleep
    limiter.acquire("telegram", "bot")
    assert len(slept) >= 1
    assert 0 < slept[0] <= 0.05


def test_redis_lock_is_exclusive_and_released_only_by_its_owner(redis_conn):
    client, prefix = redis_conn
    first = SyncLock("sync:1:daily:7", ttl_seconds=30, redis=client, prefix=prefix)
    second = SyncLock("sync:1:daily:7", ttl_seconds=30, redis=client, prefix=prefix)
    assert first.acquire() is True
    assert second.acquire() is False
    second.release()  # not the owner: no effect
    assert client.get(first.key) == first.token.encode()
    first.release()
    assert second.acquire() is True
    assert 0 < client.pttl(second.key) <= 30_000
    second.release()


def test_local_lock_expires():
    lock = SyncLock(f"x-{uuid.uuid4().hex}", ttl_seconds=0)
    assert lock.acquire() is True
    assert SyncLock(lock.key.removeprefix("smm:lock:"), ttl_seconds=10).acquire() is True


# --------------------------------------------------------------------------- tasks


def test_backoff_grows_with_jitter_and_honours_the_advice():
    for retries in range(3):
        delay = backoff_seconds(retries)
        assert 30 * 2**retries / 2 <= delay <= 30 * 2**retries
    assert backoff_seconds(0, advised=120) == 120
    # Capped below the broker's visibility timeout budget (a waiting retry is held unacked).
    assert 90 <= backoff_seconds(10) <= 180


@pytest.mark.django_db
def test_eager_task_defers_a_rate_limited_account(org, monkeypatch):
    account = SocialAccountFactory(organization=org)

    def limited(**kwargs):
        raise SyncRetry(90, ["posts"], "VK: rate limit reached")

    monkeypatch.setattr("integrations.tasks.account_sync", limited)
    result = sync_account.apply(args=[account.pk]).get()
    account.refresh_from_db()
    assert result["status"] == "deferred"
    assert timedelta(seconds=80) < account.next_sync_at - timezone.now() <= timedelta(seconds=90)


@pytest.mark.django_db
def test_task_retries_the_remaining_steps_with_the_advised_countdown(org, monkeypatch):
    account = SocialAccountFactory(organization=org)
    monkeypatch.setattr(
        "integrations.tasks.account_sync",
        lambda **kwargs: (_ for _ in ()).throw(SyncRetry(45, ["comments", "mentions"], "slow down")),
    )
    captured = {}

    def fake_retry(**kwargs):
        captured.update(kwargs)
        return RuntimeError("retry scheduled")

    task = sync_account
    monkeypatch.setattr(task, "retry", fake_retry)
    task.push_request(id="t-1", retries=1, is_eager=False)
    try:
        with pytest.raises(RuntimeError):
            task.run(account.pk, plan="frequent")
    finally:
        task.pop_request()
    assert captured["kwargs"] == {
        "account_id": account.pk,
        "plan": "frequent",
        "kinds": ["comments", "mentions"],
        "days": None,
        "window_days": None,
        "window_end_days_ago": 0,
    }
    assert captured["countdown"] >= 45


@pytest.mark.django_db
def test_fan_out_enqueues_one_task_per_due_account_and_claims_them(
    org, other_org, monkeypatch, django_capture_on_commit_callbacks
):
    now = timezone.now()
    due = SocialAccountFactory(organization=org)
    due_error = SocialAccountFactory(organization=other_org, status=AccountStatus.ERROR)
    later = SocialAccountFactory(organization=org)
    expired = SocialAccountFactory(organization=org, status=AccountStatus.NEEDS_REAUTH)
    disabled = SocialAccountFactory(organization=org, status=AccountStatus.DISABLED)
    SocialAccount.objects.filter(pk__in=[due.pk, due_error.pk, expired.pk, disabled.pk]).update(
        next_sync_at=now - timedelta(minutes=1)
    )
    SocialAccount.objects.filter(pk=later.pk).update(next_sync_at=now + timedelta(minutes=10))
    queued = []
    monkeypatch.setattr("integrations.tasks.sync_account.delay", lambda pk, **kw: queued.append((pk, kw)))

    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_due_syncs() == 2
    assert sorted(queued) == sorted([(due.pk, {"plan": "frequent"}), (due_error.pk, {"plan": "frequent"})])
    due.refresh_from_db()
    assert due.next_sync_at > now + timedelta(minutes=14)

    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_due_syncs() == 0  # claimed: the next tick does not enqueue them again
    assert queued == []


@pytest.mark.django_db
def test_daily_fan_out_covers_every_working_account(org, monkeypatch, django_capture_on_commit_callbacks):
    working = SocialAccountFactory(organization=org)
    SocialAccountFactory(organization=org, status=AccountStatus.DISABLED)
    queued = []
    monkeypatch.setattr("integrations.tasks.sync_account.delay", lambda pk, **kw: queued.append((pk, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_daily_syncs() == 1
    assert queued == [(working.pk, {"plan": "daily"})]


@pytest.mark.django_db
def test_task_routes_to_the_ingest_queue():
    from smm_platform.celery import app

    route = app.amqp.router.route({}, "integrations.tasks.sync_account")
    assert route["queue"].name == "ingest"
