"""Request limits, checked in one Redis round trip per API request (issue 8, P4).

Fixed windows of the `limits` library (the one Flask-Limiter is built on), with its key layout, in the storage
RATELIMIT_STORAGE_URI (the broker's Redis by default), all keys under REDIS_PREFIX:

- RATE_LIMIT per token and endpoint for the API (per client address and endpoint for the pages), counted on every
  request but the public ones (service.api.auth.require_token);
- SIGNIN_LIMIT of failed sign-ins per client address (issue 8.3): the API's Bearer tokens, and the sign-in page's
  form (its own counter, service.web.auth), tested before authentication.

`Limits.check` reads the address's failed sign-ins and counts the token's request with one Lua script: one round
trip on the thread's own connection (service.jobs.redisconn), used for a token the process accepted moments ago
(no database read either). Storage unreachable: the
limits are counted in process memory until it answers again (tried every FALLBACK_SECONDS), as Flask-Limiter's
in-memory fallback did. Flask-Limiter evaluated the same one counter for about 0.4 ms of CPU per request.
"""
from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from functools import lru_cache

from flask import Flask
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from service.jobs.redisconn import ThreadConnections

log = logging.getLogger(__name__)

SIGNIN_LIMIT = "20/minute"
SIGNIN_SCOPE = "signin"
FALLBACK_SECONDS = 5.0
STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1}

# KEYS: the address's failed sign-ins, the token's request counter. ARGV: the sign-in limit, the request limit and
# its window in seconds. Returns {0, 0} (go on), {1, ttl} (address blocked) or {2, ttl} (request limit exceeded).
# The count is the `limits` library's incr_expire script: a fixed window that starts with its first hit.
_CHECK = """
local failed = tonumber(redis.call('get', KEYS[1]) or '0')
if failed >= tonumber(ARGV[1]) then return {1, redis.call('ttl', KEYS[1])} end
local n = redis.call('incrby', KEYS[2], 1)
if n == 1 then redis.call('expire', KEYS[2], ARGV[3]) end
if n > tonumber(ARGV[2]) then return {2, redis.call('ttl', KEYS[2])} end
return {0, 0}
"""
_CHECK_SHA = hashlib.sha1(_CHECK.encode()).hexdigest()


@lru_cache(maxsize=32)
def items(text: str) -> tuple[RateLimitItem, ...]:
    """A limit expression ("600/minute", "5/minute;30/hour"), parsed once per process."""
    return tuple(parse_many(text))


def _seconds(delta: float) -> int:
    return max(1, math.ceil(delta))


class Limits:
    """An app's limits: the storage, its in-memory fallback, and the one-trip script."""

    def __init__(self, uri: str, prefix: str = "", options: dict | None = None):
        self.prefix = prefix
        self.storage = storage_from_string(uri, **(STORAGE_OPTIONS if options is None else options))
        self.strategy = FixedWindowRateLimiter(self.storage)
        self.memory = FixedWindowRateLimiter(MemoryStorage())
        self._wire: ThreadConnections | None = None  # the one-trip script on each thread's connection
        self._dead_until = 0.0
        self._lock = threading.Lock()

    # -- storage or memory ------------------------------------------------------------------------------------
    def _in_memory(self) -> bool:
        return time.monotonic() < self._dead_until

    def _died(self) -> None:
        with self._lock:
            if not self._in_memory():
                log.warning("rate-limit storage unreachable: limits counted in memory for %ss", FALLBACK_SECONDS,
                            exc_info=True)
            self._dead_until = time.monotonic() + FALLBACK_SECONDS

    def _run(self, action):
        """`action(strategy)` on the storage, or in memory while the storage is unreachable."""
        if self._in_memory():
            return action(self.memory)
        try:
            return action(self.strategy)
        except Exception:  # noqa: BLE001 - storage gone: the limits still hold, per process
            self._died()
            return action(self.memory)

    # -- keys -------------------------------------------------------------------------------------------------
    def signin_key(self, address: str, scope: str = SIGNIN_SCOPE) -> tuple[str, ...]:
        return self.prefix, scope, address

    def rate_key(self, who: str, endpoint: str) -> tuple[str, ...]:
        return self.prefix, who, endpoint  # as Flask-Limiter's default limits: prefix, key, endpoint scope

    # -- the limits -------------------------------------------------------------------------------------------
    def _retry(self, items_: tuple[RateLimitItem, ...], key: tuple[str, ...], counted: bool) -> int | None:
        """Seconds until the longest exceeded window of `items_` resets, or None when none is exceeded; the
        request is counted (hit) or only tested."""
        def verdict(strategy):
            within = strategy.hit if counted else strategy.test
            waits = [strategy.get_window_stats(i, *key).reset_time - time.time()
                     for i in items_ if not within(i, *key)]
            return _seconds(max(waits)) if waits else None
        return self._run(verdict)

    def signin_retry(self, signin: tuple[RateLimitItem, ...], address: str, scope: str = SIGNIN_SCOPE) -> int | None:
        """Seconds until the address may sign in again (its longest exceeded window), or None when it may."""
        return self._retry(signin, self.signin_key(address, scope), counted=False)

    def signin_failed(self, signin: tuple[RateLimitItem, ...], address: str, scope: str = SIGNIN_SCOPE) -> None:
        key = self.signin_key(address, scope)
        self._run(lambda strategy: [strategy.hit(i, *key) for i in signin])

    def hit(self, rate: tuple[RateLimitItem, ...], key: tuple[str, ...]) -> int | None:
        """Count a request: None when within its limits, else the seconds until the exceeded windows reset."""
        return self._retry(rate, key, counted=True)

    def check(self, signin: tuple[RateLimitItem, ...], address: str, rate: tuple[RateLimitItem, ...],
              key: tuple[str, ...]) -> tuple[int, int]:
        """The address's sign-in test, then the request's count, in one round trip: (0, 0) go on, (1, retry) the
        address is blocked, (2, retry) the request limit is exceeded."""
        if len(signin) != 1 or len(rate) != 1 or self._in_memory() or not hasattr(self.storage, "get_connection"):
            retry = self.signin_retry(signin, address)
            if retry is not None:
                return 1, retry
            retry = self.hit(rate, key)
            return (0, 0) if retry is None else (2, retry)
        try:
            if self._wire is None:
                self._wire = ThreadConnections(self.storage.get_connection())
            keys = [self.storage.prefixed_key(signin[0].key_for(*self.signin_key(address))),
                    self.storage.prefixed_key(rate[0].key_for(*key))]
            verdict, ttl = self._wire.script(_CHECK_SHA, _CHECK, keys,
                                             [signin[0].amount, rate[0].amount, rate[0].get_expiry()])
        except Exception:  # noqa: BLE001
            self._died()
            return self.check(signin, address, rate, key)
        return int(verdict), max(1, int(ttl))


def init_limits(app: Flask) -> Limits:
    limits = Limits(app.config["RATELIMIT_STORAGE_URI"], app.config.get("REDIS_PREFIX", ""))
    app.extensions["wenshu_limits"] = limits
    return limits


def limits_of(app: Flask) -> Limits | None:
    return app.extensions.get("wenshu_limits")
