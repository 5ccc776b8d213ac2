"""Fixtures of the API tests.

The package runs against the real Redis at 127.0.0.1:6379 on its own db number (TEST_REDIS_DB, default 7),
flushed before and after; tests that stop Redis start their own private redis-server instead. Settings are
read from the environment, so the session sets its variables, clears the cached settings, and restores both
at the end (other test packages run in the same pytest process).
"""
from __future__ import annotations

import json
import os
import secrets

import pytest
import redis

from tests.api.helpers import ROOT, start_worker

TEST_REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "7"))
# Every key of this session (queue, chord state, rate limits) carries this prefix: sessions sharing the Redis
# (another checkout's `make test`, say) never take each other's messages, and cleaning up touches only ours.
REDIS_PREFIX = f"wenshu-test-{os.getpid()}-{secrets.token_hex(3)}:"
REDIS_URL = f"redis://127.0.0.1:6379/{TEST_REDIS_DB}"
SAMPLE_DIR = ROOT / "samples" / "baisheng-2020"
NOTICE_SAMPLE = SAMPLE_DIR / "notice.json"
# Centre A and centre B: two units of the sample data set.
_UNIT_NAMES = [u["name"] for u in json.loads((SAMPLE_DIR / "units.json").read_text(encoding="utf-8"))["units"]]
UNIT_A, UNIT_B = _UNIT_NAMES[2], _UNIT_NAMES[1]

# Small limits so that re-delivery after a killed worker happens within seconds (visibility > hard limit).
TEST_ENV = {
    "WENSHU_SOFT_TIME_LIMIT": "20",
    "WENSHU_HARD_TIME_LIMIT": "25",
    "WENSHU_VISIBILITY_TIMEOUT": "30",
    "WENSHU_STALE_AFTER": "30",
    "WENSHU_SWEEP_INTERVAL": "1",
    "WENSHU_EXPIRE_INTERVAL": "3600",
    "WENSHU_RATE_LIMIT": "100000/minute",
    "WENSHU_SIGNIN_LIMIT": "100000/minute",  # the auth matrix and schemathesis send many bad tokens
    "WENSHU_MAX_BODY": str(2 * 1024 * 1024),
    "WENSHU_CHUNK_SIZE": "2",
    "WENSHU_REDIS_PREFIX": REDIS_PREFIX,
}


def purge_redis() -> None:
    """Delete this session's keys (queue, unacked messages, chord state, epoch) and nothing else."""
    r = redis.Redis.from_url(REDIS_URL)
    keys = list(r.scan_iter(match=REDIS_PREFIX + "*", count=1000))
    if keys:
        r.delete(*keys)


def clear_caches() -> None:
    from service.config import settings
    from service.db import session as db
    from service.jobs.settings import job_settings

    settings.cache_clear()
    job_settings.cache_clear()
    db.reset()


@pytest.fixture(scope="package")
def api_env(tmp_path_factory):
    """The process environment of this test session (and of the workers it starts)."""
    instance = tmp_path_factory.mktemp("instance")
    env = dict(TEST_ENV, WENSHU_INSTANCE=str(instance), REDIS_URL=REDIS_URL)
    env.pop("DATABASE_URL", None)
    saved = {k: os.environ.get(k) for k in (*env, "DATABASE_URL", "WENSHU_STORAGE")}
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("WENSHU_STORAGE", None)
    os.environ.update(env)
    clear_caches()
    purge_redis()
    from service.db.session import migrate

    migrate()  # as `wenshu db upgrade` does before the service starts (create_app runs no migration)
    yield instance
    purge_redis()  # purge the queue and chord state of this session
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    clear_caches()


@pytest.fixture(scope="package")
def app(api_env):
    from samples.loader import load_sample
    from service.api import create_app
    from service.db.session import session

    app = create_app({"TESTING": True})
    with session() as s:  # the records store the record kinds read (same database as the jobs)
        load_sample(s, SAMPLE_DIR)
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="package")
def tokens(app):
    from service.access import tokens as t

    return {
        "office": t.create("office", label="test office")[1],
        "A": t.create("centre", UNIT_A, label="test centre A")[1],
        "B": t.create("centre", UNIT_B, label="test centre B")[1],
    }


def auth(token: str, **extra) -> dict:
    return {"Authorization": f"Bearer {token}", **extra}


@pytest.fixture(scope="package")
def notice_data() -> dict:
    return json.loads(NOTICE_SAMPLE.read_text(encoding="utf-8"))


def busiest_month(unit: str) -> tuple[int, int, int]:
    """(year, month, classes) of the unit's month with the most classes in the loaded sample."""
    from collections import Counter

    from sqlalchemy import select

    from service.db.session import session
    from service.records.store.models import TrainingClass, Unit

    with session() as s:
        starts = s.scalars(select(TrainingClass.start_date).join(Unit).where(Unit.name == unit))
        (ym, n), = Counter((d.year, d.month) for d in starts).most_common(1)
    return ym[0], ym[1], n


@pytest.fixture(scope="module")
def worker(api_env, tmp_path_factory):
    """A real Celery worker (prefork, 2 children, with beat) on the session's Redis db."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    proc = start_worker(dict(os.environ), log)
    yield proc
    proc.stop()


@pytest.fixture(scope="module", autouse=True)
def purge_after_module(request):
    """After each test module: jobs that no worker will run (submitted by contract tests) are closed, and the
    session's Redis db (queue, chord state) is emptied, so that the next module's workers start clean."""
    yield
    if "api_env" not in request.fixturenames and "app" not in request.fixturenames:
        return
    from sqlalchemy import update

    from service.db import utcnow
    from service.db.session import session
    from service.jobs.models import Job

    with session() as s:
        s.execute(update(Job).where(Job.state.in_(("accepted", "running")))
                  .values(state="failed", error="测试结束，未执行", finished_at=utcnow()))
    purge_redis()
