"""Cross-worker rate limiting and sync locks.

* ``TokenBucketLimiter`` implements the connectors' ``RateLimiter`` hook
  (``acquire(platform, key)``). With ``REDIS_URL`` set the bucket lives in Redis (one Lua
  script, Redis server time, so every worker on every machine shares it); without Redis (the
  embedded default, eager Celery, one process) an in-process bucket does the same job.
  Celery's own ``rate_limit`` is per worker, which is why this exists.
* ``sync_lock`` is a Redis lock per account owned by the task id (released only by its owner,
  taken over by a redelivery of the same task, short TTL renewed by a heartbeat) that prevents
  two concurrent syncs of one account; in-process fallback without Redis.

Rates are per (platform, account key): the platforms limit per token/account.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.db import connection

from integrations.connectors.base import RateLimited, platform_label

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rate:
    per_second: float
    burst: int


# Conservative defaults from the platforms' documented limits:
# VK: 3 req/s for user tokens (20 for community tokens); VK Ads: 1 req/s per account in practice
# (2 documented, shared with the cabinet UI); Telegram: ~30 msg/s per bot; Meta Graph/Marketing:
# hourly business-use-case quotas, spread out here to 1 req/s per account.
PLATFORM_RATES: dict[str, Rate] = {
    "vk": Rate(3, 3),
    "vk_ads": Rate(1, 2),
    "telegram": Rate(20, 20),
    "instagram": Rate(1, 10),
    "facebook": Rate(1, 10),
    "meta_ads": Rate(1, 5),
    "demo": Rate(1000, 1000),
}
DEFAULT_RATE = Rate(1, 5)
# Longer than this and the acquire gives up with RateLimited so the task retries later instead
# of holding a worker.
MAX_WAIT_SECONDS = 10.0


@lru_cache(maxsize=4)
def _redis_client(url: str):
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def redis_client():
    """The shared Redis client, or None in the embedded (no Redis) configuration."""
    url = getattr(settings, "REDIS_URL", "")
    return _redis_client(url) if url else None


# KEYS[1] = bucket; ARGV = rate per second, capacity. Returns 0 when a token was taken, else the
# milliseconds until one will be available (nothing is taken then).
_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return wait
"""


class TokenBucketLimiter:
    """``acquire`` blocks until a request may go out, or raises ``RateLimited`` when the wait
    would exceed ``max_wait`` (the Celery task then retries after ``retry_after``)."""

    def __init__(
        self,
        *,
        redis=None,
        prefix: str = "smm:rl",
        rates: dict[str, Rate] | None = None,
        max_wait: float = MAX_WAIT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._rates = rates if rates is not None else PLATFORM_RATES
        self._max_wait = max_wait
        self._sleep = sleep
        self._monotonic = monotonic
        self._script = redis.register_script(_BUCKET_LUA) if redis is not None else None
        self._local: dict[str, tuple[float, float]] = {}
        self._local_lock = threading.Lock()

    def rate(self, platform: str) -> Rate:
        return self._rates.get(platform, DEFAULT_RATE)

    def bucket_key(self, platform: str, key: str) -> str:
        return f"{self._prefix}:{platform}:{key}"

    def try_acquire(self, platform: str, key: str) -> float:
        """Take a token if one is there: returns 0.0, else the seconds to wait (nothing taken)."""
        rate = self.rate(platform)
        bucket = self.bucket_key(platform, key)
        if self._script is not None:
            return int(self._script(keys=[bucket], args=[rate.per_second, rate.burst])) / 1000.0
        with self._local_lock:
            now = self._monotonic()
            tokens, ts = self._local.get(bucket, (float(rate.burst), now))
            tokens = min(float(rate.burst), tokens + max(0.0, now - ts) * rate.per_second)
            if tokens >= 1:
                self._local[bucket] = (tokens - 1, now)
                return 0.0
            self._local[bucket] = (tokens, now)
            return (1 - tokens) / rate.per_second

    def acquire(self, platform: str, key: str) -> None:
        waited = 0.0
        while True:
            wait = self.try_acquire(platform, key)
            if wait <= 0:
                return
            if waited + wait > self._max_wait:
                raise RateLimited(
                    platform,
                    "local_rate_limit",
                    f"local token bucket for {platform} is empty",
                    retry_after=max(wait, 1.0),
                    user_message=f"{platform_label(platform)}: many requests queued — sync will continue shortly",
                )
            self._sleep(wait)
            waited += wait


def get_rate_limiter() -> TokenBucketLimiter:
    """One limiter per process: Redis-backed when configured, in-process otherwise."""
    return _limiter_for(getattr(settings, "REDIS_URL", ""))


@lru_cache(maxsize=4)
def _limiter_for(url: str) -> TokenBucketLimiter:
    return TokenBucketLimiter(redis=_redis_client(url) if url else None)


# --------------------------------------------------------------------------- locks

# Take the lock when free, or take it over when it already belongs to this owner (a redelivered
# task after its worker died): 1 = acquired, 2 = taken over, 0 = held by someone else.
_ACQUIRE_LUA = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 2
end
if holder then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
_RENEW_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
_local_locks: dict[str, tuple[str, float]] = {}
_local_locks_guard = threading.Lock()

# Short enough that the lock of a worker that died (or could not release it because Redis was
# down) frees itself within half a minute, long enough for a few missed renewals (the heartbeat
# renews every TTL/4).
SYNC_LOCK_TTL = 30


class SyncLock:
    """A lock owned by ``owner`` (the Celery task id, so a redelivery of the same task can take
    over the lock its dead predecessor held); a random owner when none is given."""

    def __init__(
        self, name: str, *, ttl_seconds: int, redis=None, prefix: str = "smm:lock", owner: str | None = None
    ) -> None:
        self.key = f"{prefix}:{name}"
        self.ttl = ttl_seconds
        self.token = owner or uuid.uuid4().hex
        self._redis = redis
        self.taken_over = False

    def acquire(self) -> bool:
        if self._redis is not None:
            result = int(self._redis.eval(_ACQUIRE_LUA, 1, self.key, self.token, max(1, self.ttl * 1000)))
            self.taken_over = result == 2
            return result > 0
        with _local_locks_guard:
            now = time.monotonic()
            holder = _local_locks.get(self.key)
            if holder is not None and holder[1] > now and holder[0] != self.token:
                return False
            self.taken_over = holder is not None and holder[1] > now
            _local_locks[self.key] = (self.token, now + self.ttl)
            return True

    def renew(self) -> bool:
        """Extend the TTL; False when the lock is no longer ours (expired and taken by another)."""
        if self._redis is not None:
            return bool(self._redis.eval(_RENEW_LUA, 1, self.key, self.token, max(1, self.ttl * 1000)))
        with _local_locks_guard:
            holder = _local_locks.get(self.key)
            if holder is None or holder[0] != self.token:
                return False
            _local_locks[self.key] = (self.token, time.monotonic() + self.ttl)
            return True

    def release(self) -> None:
        if self._redis is not None:
            self._redis.eval(_RELEASE_LUA, 1, self.key, self.token)
            return
        with _local_locks_guard:
            holder = _local_locks.get(self.key)
            if holder is not None and holder[0] == self.token:
                del _local_locks[self.key]


class LockHeartbeat(threading.Thread):
    """Renews a lock every ``interval`` seconds while the work runs (also during one long page
    fetch). Dies with the process, so a killed worker's lock expires after one TTL."""

    def __init__(self, lock: SyncLock, *, interval: float) -> None:
        super().__init__(name=f"lock-heartbeat {lock.key}", daemon=True)
        self.lock = lock
        self.interval = interval
        self.lost = False
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.lock.renew():
                    self.lost = True
                    return
            except Exception:  # Redis away for a moment: the next beat (or the TTL) decides
                logger.warning("sync lock renewal failed", extra={"lock": self.lock.key}, exc_info=True)

    def stop(self) -> None:
        self._stop.set()


def _default_lock_prefix() -> str:
    # Account ids are only unique per database: deployments (and test databases) that share
    # one Redis must not block each other.
    return f"smm:lock:{connection.settings_dict.get('NAME')}"


@contextlib.contextmanager
def sync_lock(
    name: str,
    *,
    ttl_seconds: int = SYNC_LOCK_TTL,
    redis=None,
    prefix: str | None = None,
    owner: str | None = None,
    heartbeat: bool = True,
) -> Iterator[SyncLock | None]:
    """``with sync_lock("sync:7", owner=task_id) as lock:`` — ``lock`` is None when another owner
    holds it. While held, a heartbeat thread renews the short TTL; the lock is released on any
    exit (success or exception); a killed process's lock expires after ``ttl_seconds``."""
    lock = SyncLock(
        name,
        ttl_seconds=ttl_seconds,
        redis=redis if redis is not None else redis_client(),
        prefix=prefix or _default_lock_prefix(),
        owner=owner,
    )
    if not lock.acquire():
        yield None
        return
    beat = LockHeartbeat(lock, interval=max(ttl_seconds / 4, 0.05)) if heartbeat else None
    if beat is not None:
        beat.start()
    try:
        yield lock
    finally:
        if beat is not None:
            beat.stop()
        try:
            lock.release()
        except Exception:  # Redis gone: the TTL frees it; never hide the body's own error
            logger.warning("sync lock release failed", extra={"lock": lock.key}, exc_info=True)
