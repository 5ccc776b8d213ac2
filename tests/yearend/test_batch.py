"""The year-end batch as an API job with a real Celery worker (2 processes) on the real Redis: it reports progress
as units done / total, completes, and its bundle holds the 考核结果, the 表彰决定, the certificates and one archive
zip per unit; a second job on unchanged data gives the same unit archives byte for byte."""
from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from tests.api.conftest import NOTICE_SAMPLE, api_env, auth, worker  # noqa: F401 (fixtures)
from tests.yearend.test_archive import YEAR, small_year

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def yearend_app(api_env):  # noqa: F811
    import os

    from service.access import tokens
    from service.api import create_app
    from service.db.session import session
    from service.jobs.settings import job_settings

    # A unit's first archive converts its documents with LibreOffice: longer than the API tests' 20 s limit on
    # a busy machine. The worker (started after this fixture) reads these; api_env restores them afterwards.
    os.environ.update(WENSHU_SOFT_TIME_LIMIT="300", WENSHU_HARD_TIME_LIMIT="330", WENSHU_VISIBILITY_TIMEOUT="400",
                      WENSHU_STALE_AFTER="400", WENSHU_CHUNK_SIZE="1")
    job_settings.cache_clear()
    app = create_app({"TESTING": True})
    with session() as s:
        units = small_year(s)
    return app, units, tokens.create("office", label="year-end test")[1]


def _run_job(client, token: str, key: str) -> tuple[dict, list[tuple[int, int]]]:
    body = {"kind": "year-end", "params": {"year": YEAR, "notice": json.loads(NOTICE_SAMPLE.read_text("utf-8"))}}
    r = client.post("/api/v1/jobs", json=body, headers=auth(token, **{"Idempotency-Key": key}))
    assert r.status_code == 202, r.json
    seen = []
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline:
        job = client.get(r.headers["Location"], headers=auth(token)).json
        seen.append((job["progress"]["done"], job["progress"]["total"]))
        if job["state"] in ("succeeded", "partial", "failed"):
            return job, seen
        time.sleep(0.3)
    raise AssertionError(f"year-end job did not finish: {job}")


def test_year_end_job_reports_progress_and_completes(yearend_app, worker):  # noqa: F811
    app, units, token = yearend_app
    client = app.test_client()
    job, seen = _run_job(client, token, "year-end-1")
    assert job["state"] == "succeeded", (job["errors"], worker.tail(20))
    total = len(units) + 1  # the township's documents, then one item per unit
    assert job["progress"] == {"done": total, "failed": 0, "total": total}
    # total is 0 until the worker has planned the job (the records are read there), then units + 1 throughout
    planned = [t for _, t in seen if t]
    assert planned and all(t == total for t in planned) and [t for _, t in seen] == sorted(t for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    r = client.get(f"{job['href']}/result", headers=auth(token))
    assert r.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(r.data))
    names = bundle.namelist()
    assert any("考核结果" in n for n in names) and any("表彰决定" in n and n.endswith(".pdf") for n in names)
    assert any("荣誉证书" in n and n.endswith(".pdf") for n in names)
    archives = {n: bundle.read(n) for n in names if n.endswith("社区教育档案.zip")}
    assert sorted(archives) == sorted(f"{u}{YEAR}年度社区教育档案.zip" for u in units)
    for data in archives.values():
        inner = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert all(any(e.startswith(v) for e in inner) for v in ("卷一", "卷二", "卷三", "卷四", "卷五"))

    again, _ = _run_job(client, token, "year-end-2")
    assert again["state"] == "succeeded"
    second = zipfile.ZipFile(io.BytesIO(client.get(f"{again['href']}/result", headers=auth(token)).data))
    assert {n: second.read(n) for n in archives} == archives


@pytest.fixture(scope="module")
def pg_yearend(api_env, tmp_path_factory):  # noqa: F811
    """The same job on PostgreSQL: a database of its own, its own Redis key prefix (the SQLite worker of this
    session never takes its messages) and its own real Celery worker."""
    import os
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from service.access import tokens
    from service.api import create_app
    from service.db.session import engine, migrate, session
    from tests.api.conftest import REDIS_PREFIX, clear_caches
    from tests.api.helpers import start_worker
    from tests.records.conftest import PG_MAINTENANCE_URL

    name = f"wenshu_ye_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(PG_MAINTENANCE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL 不可用（{PG_MAINTENANCE_URL}）：{exc}", pytrace=False)
    url = make_url(PG_MAINTENANCE_URL).set(database=name).render_as_string(hide_password=False)
    changes = {"DATABASE_URL": url, "WENSHU_REDIS_PREFIX": REDIS_PREFIX + "pg-", "WENSHU_SOFT_TIME_LIMIT": "300",
               "WENSHU_HARD_TIME_LIMIT": "330", "WENSHU_VISIBILITY_TIMEOUT": "400", "WENSHU_STALE_AFTER": "400",
               "WENSHU_CHUNK_SIZE": "1"}
    saved = {k: os.environ.get(k) for k in changes}
    os.environ.update(changes)
    clear_caches()
    proc = None
    try:
        migrate()
        assert engine().dialect.name == "postgresql"
        with session() as s:
            units = small_year(s)
        token = tokens.create("office", label="year-end pg test")[1]
        proc = start_worker(dict(os.environ), tmp_path_factory.mktemp("pg-worker") / "worker.log")
        yield create_app({"TESTING": True}), units, token
    finally:
        if proc is not None:
            proc.stop()
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        clear_caches()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_year_end_job_on_postgresql(pg_yearend):
    from service.db.session import engine

    app, units, token = pg_yearend
    assert engine().dialect.name == "postgresql"
    client = app.test_client()
    job, _ = _run_job(client, token, "year-end-pg-1")
    assert job["state"] == "succeeded", job["errors"]
    assert job["progress"] == {"done": len(units) + 1, "failed": 0, "total": len(units) + 1}
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"{job['href']}/result", headers=auth(token)).data))
    archives = {n: bundle.read(n) for n in bundle.namelist() if n.endswith("社区教育档案.zip")}
    assert sorted(archives) == sorted(f"{u}{YEAR}年度社区教育档案.zip" for u in units)
    again, _ = _run_job(client, token, "year-end-pg-2")
    second = zipfile.ZipFile(io.BytesIO(client.get(f"{again['href']}/result", headers=auth(token)).data))
    assert again["state"] == "succeeded" and {n: second.read(n) for n in archives} == archives
