"""The submit path (issue 8, item 11 and P4): one transaction for job, audit and the dispatch mark (outbox row);
a database locked by another writer gives a fast 503 with Retry-After and leaves nothing behind; a failed publish
is covered by the outbox row, which the sweep re-sends; the records snapshot is taken by the worker."""
from __future__ import annotations

import os
import sqlite3
import threading
from datetime import timedelta

import redis
from sqlalchemy import event, func, select, update

from tests.api.conftest import REDIS_URL, UNIT_A, auth

PROBLEM = "application/problem+json"
BODY = {"kind": "monthly-report", "params": {"unit": UNIT_A, "year": 2020, "month": 6}}


def _jobs_with_key(key: str) -> int:
    from service.db.session import session
    from service.jobs.models import Job

    with session() as s:
        return s.scalar(select(func.count()).select_from(Job).where(Job.idempotency_key == key))


def _db_path() -> str:
    from service.config import settings

    return settings().database_url.split("///", 1)[1]


def test_locked_database_gives_fast_503_and_leaves_nothing(client, tokens):
    """Another connection holds SQLite's write lock for 15 s: the submit does not wait for it (answers 503 with
    Retry-After while the lock is still held) and, once the lock is gone, no job of that request exists."""
    holder = sqlite3.connect(_db_path(), timeout=1, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as a worker stalled inside a write holds it
    released = threading.Event()

    def release():
        if not released.wait(15):
            released.set()
        holder.execute("ROLLBACK")
        holder.close()

    t = threading.Thread(target=release)
    t.start()
    try:
        r = client.post("/api/v1/jobs", json=BODY, headers=auth(tokens["A"], **{"Idempotency-Key": "locked-db-1"}))
        answered_while_locked = not released.is_set()
    finally:
        released.set()
        t.join()
    assert answered_while_locked, "the submit waited for the lock to be released"
    assert r.status_code == 503 and r.content_type == PROBLEM, r.json
    assert int(r.headers["Retry-After"]) >= 1 and "数据库" in r.json["detail"]
    assert _jobs_with_key("locked-db-1") == 0
    r = client.post("/api/v1/jobs", json=BODY, headers=auth(tokens["A"], **{"Idempotency-Key": "locked-db-1"}))
    assert r.status_code == 202 and _jobs_with_key("locked-db-1") == 1  # the retry is accepted once


def test_submit_is_one_transaction_and_takes_no_snapshot(app, client, tokens):
    """One write transaction (job, audit entry, outbox row); no item rows yet: the worker plans the items."""
    from service.access.models import AuditEntry
    from service.db.session import engine, session
    from service.jobs.models import JobItem, JobOutbox

    statements: list[str] = []
    commits: list[int] = []

    def on_sql(_conn, _cur, sql, *_a):
        statements.append(sql.split()[0].upper())

    eng = engine()
    event.listen(eng, "before_cursor_execute", on_sql)
    event.listen(eng, "commit", lambda _c: commits.append(1))
    try:
        r = client.post("/api/v1/jobs", json=BODY, headers=auth(tokens["A"]))
    finally:
        event.remove(eng, "before_cursor_execute", on_sql)
    assert r.status_code == 202, r.json
    job_id = r.json["id"]
    assert statements.count("INSERT") == 3 and "UPDATE" not in statements, statements
    assert len(statements) <= 6, statements  # token lookup, unit check, three inserts (today: 14)
    assert r.json["state"] == "accepted" and r.headers["Location"] == f"/api/v1/jobs/{job_id}"
    with session() as s:
        assert s.scalar(select(func.count()).select_from(JobItem).where(JobItem.job_id == job_id)) == 0
        assert s.get(JobOutbox, job_id) is not None
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.job_id == job_id)) == "submit"


def test_failed_publish_is_resent_by_the_sweep(app, client, tokens, monkeypatch):
    """The broker refuses the publish after the commit: still 202 (the job is recorded), its outbox row stays,
    and the sweep publishes the planning task once the row is past its grace."""
    from service.db import utcnow
    from service.db.session import session
    from service.jobs import publish
    from service.jobs.dispatch import sweep
    from service.jobs.models import JobOutbox

    def refuse(*_a, **_kw):
        raise redis.exceptions.ConnectionError("broker down (test)")

    with monkeypatch.context() as m:
        m.setattr(publish, "send", refuse)
        r = client.post("/api/v1/jobs", json=BODY, headers=auth(tokens["A"]))
    assert r.status_code == 202 and r.json["state"] == "accepted", r.json
    job_id = r.json["id"]
    with session() as s:
        s.execute(update(JobOutbox).where(JobOutbox.job_id == job_id).values(sent_at=utcnow() - timedelta(hours=1)))
    sweep()
    queued = redis.Redis.from_url(REDIS_URL).lrange(os.environ["WENSHU_REDIS_PREFIX"] + "wenshu.control", 0, -1)
    assert any(f'"{job_id}.plan"'.encode() in m for m in queued)
    with session() as s:
        assert s.get(JobOutbox, job_id).attempts == 1  # re-sent once; the next grace is twice as long


def test_refused_checks_leave_nothing_behind(client, tokens):
    """The kind's check inside the submit transaction: an unknown unit (the one-statement lookup) and a month
    without classes (the check that reads through an ORM session) are 404 problems in Chinese, and no job, audit
    entry or outbox row of either request is written."""
    from service.access.models import AuditEntry
    from service.db.session import session
    from service.jobs.models import Job, JobOutbox

    def counts():
        with session() as s:
            return [s.scalar(select(func.count()).select_from(m)) for m in (Job, AuditEntry, JobOutbox)]

    before = counts()
    r = client.post("/api/v1/jobs", headers=auth(tokens["office"]),
                    json={"kind": "monthly-report", "params": {"unit": "不存在的村", "year": 2020, "month": 6}})
    assert r.status_code == 404 and r.content_type == PROBLEM and "不存在的村" in r.json["detail"], r.json
    r = client.post("/api/v1/jobs", headers=auth(tokens["office"]),
                    json={"kind": "ledger-cards", "params": {"unit": UNIT_A, "year": 2001, "month": 1}})
    assert r.status_code == 404 and r.content_type == PROBLEM and "没有可生成的文书" in r.json["detail"], r.json
    assert counts() == before
