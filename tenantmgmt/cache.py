"""A Redis cache that fails open: when Redis cannot be reached, reads miss and writes are dropped.

The cache only holds what can be recomputed or forgotten (API throttling counters), so an outage of
Redis must not turn pages and the API into 500s. Django's ``RedisCache`` raises on connection
errors; this subclass logs them (at most once a minute) and answers as an empty cache would.
Throttling therefore does not limit while Redis is down: availability over rate limits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60.0


class FailOpenRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to a miss when Redis is down."""

    _last_logged = 0.0

    def _fail_open(self, operation: str, default: Any, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except UNREACHABLE as exc:
            now = time.monotonic()
            if now - FailOpenRedisCache._last_logged >= LOG_EVERY_SECONDS:
                FailOpenRedisCache._last_logged = now
                logger.warning("Cache unavailable (%s failed: %s); carrying on without it", operation, exc)
            return default

    def get(self, key, default=None, version=None):
        return self._fail_open("get", default, lambda: super(FailOpenRedisCache, self).get(key, default, version))

    def get_many(self, keys, version=None):
        return self._fail_open("get_many", {}, lambda: super(FailOpenRedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return self._fail_open("has_key", False, lambda: super(FailOpenRedisCache, self).has_key(key, version))

    def set(self, key, value, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        self._fail_open("set", None, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version))

    def add(self, key, value, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._fail_open("add", False, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version))

    def set_many(self, data, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._fail_open(
            "set_many", list(data), lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version)
        )

    def touch(self, key, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._fail_open("touch", False, lambda: super(FailOpenRedisCache, self).touch(key, timeout, version))

    def delete(self, key, version=None):
        return self._fail_open("delete", False, lambda: super(FailOpenRedisCache, self).delete(key, version))

    def delete_many(self, keys, version=None):
        self._fail_open("delete_many", None, lambda: super(FailOpenRedisCache, self).delete_many(keys, version))

    def incr(self, key, delta=1, version=None):
        return self._fail_open("incr", delta, lambda: super(FailOpenRedisCache, self).incr(key, delta, version))

    def clear(self):
        return self._fail_open("clear", False, lambda: super(FailOpenRedisCache, self).clear())
