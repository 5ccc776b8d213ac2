"""The several-machines configuration on one machine: DATABASE_URL names a PostgreSQL database (created for this
session and dropped after), the API and a real Celery worker share it and the Redis, and a batch completes."""
from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.api.conftest import SAMPLE_DIR, UNIT_A, auth, busiest_month, clear_caches
from tests.api.helpers import start_worker
from tests.api.jobs import client_get, poll

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

PG_MAINTENANCE_URL = os.environ.get("DATABASE_URL_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="module")
def pg_url(api_env):
    name = f"wenshu_api_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = create_engine(PG_MAINTENANCE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL 不可用（{PG_MAINTENANCE_URL}）：{exc}；请运行 make services", pytrace=False)
    url = make_url(PG_MAINTENANCE_URL).set(database=name).render_as_string(hide_password=False)
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    clear_caches()
    yield url
    if saved is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = saved
    clear_caches()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_api_and_worker_on_postgresql(pg_url, app, tmp_path):
    from samples.loader import load_sample
    from service.access import tokens
    from service.db.session import engine, migrate, session
    from service.jobs.models import Document

    migrate()
    assert engine().dialect.name == "postgresql"
    with session() as s:
        load_sample(s, SAMPLE_DIR)
    token = tokens.create("centre", UNIT_A)[1]
    worker = start_worker(dict(os.environ), tmp_path / "worker.log")
    try:
        client = app.test_client()
        year, month, n = busiest_month(UNIT_A)
        body = {"kind": "ledger-cards", "params": {"unit": UNIT_A, "year": year, "month": month}}
        r = client.post("/api/v1/jobs", json=body, headers=auth(token, **{"Idempotency-Key": "pg-1"}))
        assert r.status_code == 202, r.json
        job = poll(client_get(client), r.headers["Location"], auth(token), timeout=120)
        assert job["state"] == "succeeded" and job["progress"]["done"] == n, job
        with session() as s:
            assert s.scalar(select(func.count()).select_from(Document).where(Document.job_id == job["id"])) == 2 * n + 1
        again = client.post("/api/v1/jobs", json=body, headers=auth(token, **{"Idempotency-Key": "pg-1"}))
        assert again.status_code == 200 and again.json["id"] == job["id"]
    finally:
        worker.stop()


def test_submit_on_postgresql_one_insert_statement_and_a_dropped_connection(pg_url, app):
    """On PostgreSQL the submit writes job, audit entry and outbox row with one INSERT statement, read back as
    written; after the server dropped every connection (a restart), the next submit past the idle-ping time still
    gets its 202: the dead pooled connection is pinged and replaced, not used."""
    import time

    from sqlalchemy import event

    from samples.loader import load_sample
    from service.access import tokens
    from service.access.models import AuditEntry
    from service.db.session import engine, migrate, session
    from service.jobs.models import Job, JobOutbox
    from service.records.store.models import Unit

    migrate()
    with session() as s:
        if not s.scalar(select(func.count()).select_from(Unit)):
            load_sample(s, SAMPLE_DIR)
    token = tokens.create("centre", UNIT_A)[1]
    client = app.test_client()
    body = {"kind": "monthly-report", "params": {"unit": UNIT_A, "year": 2020, "month": 6, "filler": "张三"}}
    statements: list[str] = []

    def on_sql(_conn, _cur, sql, *_a):
        statements.append(sql.split()[0].upper())

    event.listen(engine(), "before_cursor_execute", on_sql)
    try:
        r = client.post("/api/v1/jobs", json=body, headers=auth(token))
    finally:
        event.remove(engine(), "before_cursor_execute", on_sql)
    assert r.status_code == 202, r.json
    assert statements.count("WITH") == 1 and "INSERT" not in statements, statements
    with session() as s:
        job = s.get(Job, r.json["id"])
        assert job.params["filler"] == "张三" and job.state == "accepted" and job.expired is False
        assert job.created_at.isoformat() in r.json["created_at"]
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.job_id == job.id)) == "submit"
        assert s.get(JobOutbox, job.id).attempts == 0

    admin = create_engine(PG_MAINTENANCE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE datname = :db AND pid <> pg_backend_pid()"),
                              {"db": make_url(pg_url).database}).scalar()
    admin.dispose()
    assert killed >= 1
    time.sleep(1.5)  # past WENSHU_DB_PING_IDLE (1 s): the pooled connection is pinged before use
    r = client.post("/api/v1/jobs", json=body, headers=auth(token))
    assert r.status_code == 202, r.json
