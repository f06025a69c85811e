"""The Redis cache, failing soft: the cache is an optimisation, never something a write
or a page depends on.

Django's RedisCache raises redis' ConnectionError when Redis is down, which turns every
page that reads the cache, and every write whose signals replace the data version, into
a 500. This backend catches connection and timeout errors: a read is a miss, a write is
skipped, and a warning is logged. After a failure it stops asking Redis for
`BREAKER_SECONDS` (a circuit breaker), so a page making many cache calls during an outage
pays the connect timeout once, not once per call.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a new redis-py client for every cache call, and redis-py 8 fills a
    table of about 170 response callbacks in each (about 0.2 ms: a third of a warm API
    page's cache time). A client is only a handle on the connection pool and is
    thread-safe, so one per pool is kept and reused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailSoftRedisCache(RedisCache):
    """RedisCache whose get/set/add/delete/... answer as if the cache were empty while
    Redis does not answer. OPTIONS["BREAKER_SECONDS"] sets how long it stops trying after
    a failure (default 5 s); the other OPTIONS go to redis-py as usual."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.breaker_seconds = float(options.pop("BREAKER_SECONDS", BREAKER_SECONDS))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._open_until = 0.0
        self._lock = threading.Lock()

    def _errors(self):
        import redis

        return (redis.ConnectionError, redis.TimeoutError, ConnectionError, TimeoutError)

    def _call(self, name, default, *args, **kwargs):
        if time.monotonic() < self._open_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except self._errors() as error:
            self._call_failed(name, error)
            return default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError in Django; while Redis is down, so does this.
        if time.monotonic() < self._open_until:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        try:
            return super().incr(key, delta, version)
        except self._errors() as error:
            self._call_failed("incr", error)
            raise ValueError(f"Key '{key}' not found (cache unavailable).") from error

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)

    def _call_failed(self, name, error):
        with self._lock:
            already_open = time.monotonic() < self._open_until
            self._open_until = time.monotonic() + self.breaker_seconds
        if not already_open:
            logger.warning(
                "cache unavailable, serving uncached for %.0f s (%s: %s)",
                self.breaker_seconds,
                name,
                error,
            )
