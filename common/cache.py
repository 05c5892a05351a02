"""A Redis cache that a Redis outage does not turn into errors (SPEC section 6, "Outages degrade").

Every operation goes to Redis; when Redis cannot be reached (refused, timed out,
reset), it goes to a cache in the process's own memory instead, and so do all
the operations of the next `fallback_seconds` (OPTIONS; 10 by default), so that a
dead Redis does not cost a connection attempt on every call. Then Redis is tried
again. Pages and the API are served uncached or from that memory, and the rate
limits count per process while Redis is away: they still limit, each worker
apart ("half open"), rather than refusing everyone or no one.

What goes to the memory during an outage stays there: a counter started in
Redis carries on from zero in memory, and what was written to memory is not
copied to Redis when it comes back (the memory is emptied then). Every cached
answer of ours is keyed by the version of what it shows, so none goes stale that way.

An outage is logged as a warning at most once every WARNING_INTERVAL seconds
per Redis location, however many calls fail (a Redis that comes and goes
included); its end is logged at INFO.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: What "Redis cannot be reached" raises; any other error (a bug of ours) still raises.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
#: At most one warning in this many seconds per Redis location.
WARNING_INTERVAL = 60
#: Entries the memory of each process keeps during an outage (the oldest third goes when full).
LOCAL_MAX_ENTRIES = 1000

# Shared by the threads of a process (Django makes one cache object per thread):
# per Redis location, when to try Redis again, and when the last warning was logged.
_lock = threading.Lock()
_retry_at: dict[str, float] = {}
_warned_at: dict[str, float] = {}


class FallbackRedisCache(RedisCache):
    """RedisCache that uses a per-process LocMemCache while Redis is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        # Ours, not a Redis connection option: take it out before RedisCache hands the rest to redis-py.
        self.fallback_seconds = float(options.pop("fallback_seconds", 10))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = ",".join(self._servers)
        self._local = LocMemCache(
            f"redis-fallback:{self._location}", {**params, "OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}}
        )

    def _redis_or_local(self, operation: str, *args, **kwargs):
        retry_at = _retry_at.get(self._location)
        if retry_at is None or time.monotonic() >= retry_at:
            try:
                result = getattr(super(), operation)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._redis_unreachable(exc)
            else:
                if retry_at is not None:
                    self._redis_back()
                return result
        return getattr(self._local, operation)(*args, **kwargs)

    def _redis_unreachable(self, exc: Exception) -> None:
        now = time.monotonic()
        with _lock:
            _retry_at[self._location] = now + self.fallback_seconds
            last = _warned_at.get(self._location)
            if last is not None and now - last < WARNING_INTERVAL:
                return
            _warned_at[self._location] = now
        logger.warning(
            "The Redis cache is unreachable (%s: %s): this process uses a cache in its own memory, "
            "and tries Redis again every %s s; rate limits count per process meanwhile.",
            type(exc).__name__,
            exc,
            self.fallback_seconds,
        )

    def _redis_back(self) -> None:
        with _lock:
            if _retry_at.pop(self._location, None) is None:
                return  # another thread saw it first
        self._local.clear()
        logger.info("The Redis cache is reachable again: this process uses it again.")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._redis_or_local("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._redis_or_local("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._redis_or_local("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._redis_or_local("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._redis_or_local("delete", key, version)

    def get_many(self, keys, version=None):
        return self._redis_or_local("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._redis_or_local("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._redis_or_local("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._redis_or_local("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._redis_or_local("delete_many", keys, version)

    def clear(self):
        return self._redis_or_local("clear")
