"""Cross-worker rate limiting and sync locks.

* ``TokenBucketLimiter`` implements the connectors' ``RateLimiter`` hook
  (``acquire(platform, key)``). With ``REDIS_URL`` set the bucket lives in Redis (one Lua
  script, Redis server time, so every worker on every machine shares it); without Redis (the
  embedded default, eager Celery, one process) an in-process bucket does the same job.
  Celery's own ``rate_limit`` is per worker, which is why this exists.
* ``sync_lock`` is a Redis ``SET NX PX`` lock (released only by its owner) that prevents two
  concurrent syncs of the same account and window; in-process fallback without Redis.

Rates are per (platform, account key): the platforms limit per token/account.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from integrations.connectors.base import RateLimited, platform_label


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
    import redis

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

_RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
_local_locks: dict[str, tuple[str, float]] = {}
_local_locks_guard = threading.Lock()


class SyncLock:
    def __init__(self, name: str, *, ttl_seconds: int, redis=None, prefix: str = "smm:lock") -> None:
        self.key = f"{prefix}:{name}"
        self.ttl = ttl_seconds
        self.token = uuid.uuid4().hex
        self._redis = redis

    def acquire(self) -> bool:
        if self._redis is not None:
            return bool(self._redis.set(self.key, self.token, nx=True, px=self.ttl * 1000))
        with _local_locks_guard:
            now = time.monotonic()
            holder = _local_locks.get(self.key)
            if holder is not None and holder[1] > now:
                return False
            _local_locks[self.key] = (self.token, now + self.ttl)
            return True

    def release(self) -> None:
        if self._redis is not None:
            self._redis.eval(_RELEASE_LUA, 1, self.key, self.token)
            return
        with _local_locks_guard:
            holder = _local_locks.get(self.key)
            if holder is not None and holder[0] == self.token:
                del _local_locks[self.key]


def _default_lock_prefix() -> str:
    # Account ids are only unique per database: deployments (and test databases) that share
    # one Redis must not block each other.
    from django.db import connection

    return f"smm:lock:{connection.settings_dict.get('NAME')}"


@contextlib.contextmanager
def sync_lock(name: str, *, ttl_seconds: int = 900, redis=None, prefix: str | None = None) -> Iterator[bool]:
    """``with sync_lock("account:7:daily") as acquired:`` — ``acquired`` False means another
    worker holds it. The TTL (longer than the task hard time limit) frees a crashed holder."""
    lock = SyncLock(
        name,
        ttl_seconds=ttl_seconds,
        redis=redis if redis is not None else redis_client(),
        prefix=prefix or _default_lock_prefix(),
    )
    acquired = lock.acquire()
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()
