"""Settings of the job pipeline and the API, read from the environment once (service.config holds the shared ones).

Every value has an embedded default; tests and deployments override them with WENSHU_* variables.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from service.config import settings as base_settings


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class JobSettings:
    result_ttl: int  # seconds a produced file stays downloadable; the register entry stays forever
    soft_time_limit: int  # seconds per chunk task before SoftTimeLimitExceeded
    hard_time_limit: int  # seconds per chunk task before the pool child is killed
    visibility_timeout: int  # seconds before Redis re-delivers an unacknowledged message; > hard limit
    chunk_size: int  # items per chunk task in a batch
    sweep_interval: float  # seconds between beat-driven sweeps
    stale_after: int  # seconds without progress before the sweep re-sends a dispatched job
    expire_interval: float  # seconds between beat-driven expiry runs
    rate_limit: str  # Flask-Limiter expression per token
    item_delay: float  # fault-injection for tests/bench: seconds slept before each item (0 in production)
    max_retries: int
    redis_prefix: str  # prepended to every Redis key we use (queue, chord state, rate limits, epoch): "" by default
    lease_seconds: int  # a chunk reserved by a worker is leased this long, renewed by the worker's heartbeat
    outbox_grace: int  # seconds before the sweep re-sends a publish that was not confirmed (outbox row)
    max_child_memory_mb: int  # a pool child above this RSS after a task is replaced (a big import's memory goes back)


@lru_cache(maxsize=1)
def job_settings() -> JobSettings:
    hard = _int("WENSHU_HARD_TIME_LIMIT", 600)
    vis = _int("WENSHU_VISIBILITY_TIMEOUT", max(hard * 2, hard + 60))
    if vis <= hard:
        raise ValueError(f"WENSHU_VISIBILITY_TIMEOUT ({vis}) 必须大于 WENSHU_HARD_TIME_LIMIT ({hard})")
    return JobSettings(
        result_ttl=_int("WENSHU_RESULT_TTL", 7 * 24 * 3600),
        soft_time_limit=_int("WENSHU_SOFT_TIME_LIMIT", max(hard - 30, int(hard * 0.8))),
        hard_time_limit=hard,
        visibility_timeout=vis,
        chunk_size=_int("WENSHU_CHUNK_SIZE", 20),
        sweep_interval=_float("WENSHU_SWEEP_INTERVAL", 10.0),
        stale_after=_int("WENSHU_STALE_AFTER", vis),
        expire_interval=_float("WENSHU_EXPIRE_INTERVAL", 600.0),
        rate_limit=os.environ.get("WENSHU_RATE_LIMIT", "600/minute"),
        item_delay=_float("WENSHU_ITEM_DELAY", 0.0),
        max_retries=_int("WENSHU_MAX_RETRIES", 5),
        redis_prefix=os.environ.get("WENSHU_REDIS_PREFIX", ""),
        lease_seconds=_int("WENSHU_LEASE", 30),
        outbox_grace=_int("WENSHU_OUTBOX_GRACE", 30),
        max_child_memory_mb=_int("WENSHU_MAX_CHILD_MEMORY_MB", 512),
    )


def embedded_socket() -> Path:
    """Where the embedded redis-server listens when REDIS_URL is not set."""
    return base_settings().instance_dir / "redis.sock"


def redis_url() -> str:
    """The configured Redis URL, or the embedded server's socket (redis+socket:// as kombu/Celery spell it)."""
    return base_settings().redis_url or f"redis+socket://{embedded_socket()}"


def _socket_path(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("redis+socket", "socket", "unix", "redis+unix"):
        return parts.path
    return None


def celery_url(url: str | None = None) -> str:
    url = url or redis_url()
    path = _socket_path(url)
    return f"redis+socket://{path}" if path else url


def limits_url(url: str | None = None) -> str:
    url = url or redis_url()
    path = _socket_path(url)
    return f"redis+unix://{path}" if path else url


_clients: dict = {}


def redis_client(url: str | None = None, timeout: float = 2.0):
    """A redis-py client for the configured Redis (embedded socket or URL): one pooled client per process, URL and
    timeout (re-created after fork), so a call opens no connection when a pooled one is free."""
    import redis

    url = url or redis_url()
    key = (os.getpid(), url, timeout)
    client = _clients.get(key)
    if client is None:
        path = _socket_path(url)
        if path:
            client = redis.Redis(unix_socket_path=path, socket_timeout=timeout, socket_connect_timeout=timeout)
        else:
            client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        client = _clients.setdefault(key, client)
    return client
