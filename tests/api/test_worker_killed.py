"""A worker killed with SIGKILL in the middle of a batch job: the job still completes, with no duplicate and no
partial artifact. Once a pool child, once the whole worker (main process and its children)."""
from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import select

from tests.api.conftest import UNIT_A, auth, busiest_month
from tests.api.helpers import children, start_worker, wait_for
from tests.api.jobs import client_get, poll

pytestmark = pytest.mark.integration

# Each item sleeps before rendering, so that the kill lands mid-job; hard limit < visibility timeout.
SLOW = {"WENSHU_ITEM_DELAY": "1.5", "WENSHU_SOFT_TIME_LIMIT": "8", "WENSHU_HARD_TIME_LIMIT": "10",
        "WENSHU_VISIBILITY_TIMEOUT": "12", "WENSHU_STALE_AFTER": "12"}


def _items(job_id: str):
    from service.db.session import session
    from service.jobs.models import JobItem

    with session() as s:
        return list(s.scalars(select(JobItem).where(JobItem.job_id == job_id).order_by(JobItem.idx)))


def _mid_job(job_id: str) -> int | None:
    """The index of the item being rendered once at least one item is done, else None."""
    items = _items(job_id)
    if not any(i.state == "done" for i in items):
        return None
    return next((i.idx for i in items if i.state == "pending" and i.attempts >= 1), None)


def _submit(client, token) -> tuple[dict, int]:
    year, month, n = busiest_month(UNIT_A)
    body = {"kind": "ledger-cards", "params": {"unit": UNIT_A, "year": year, "month": month, "formats": ["xlsx"]}}
    r = client.post("/api/v1/jobs", json=body, headers=auth(token))
    assert r.status_code == 202, r.json
    return r.json, n


def _assert_complete_and_clean(job: dict, n: int, killed_idx: int) -> None:
    from service.db.session import session
    from service.jobs import storage
    from service.jobs.models import Document

    assert job["state"] == "succeeded" and job["progress"]["done"] == n, job
    with session() as s:
        docs = list(s.scalars(select(Document).where(Document.job_id == job["id"])))
    assert len(docs) == n + 1  # one register entry per card plus the bundle: none per attempt
    root = storage.job_dir(job["id"])
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == sorted(d.storage_path.split(f"{job['id']}/", 1)[1] for d in docs), files  # nothing else
    assert not list(root.rglob(".tmp-*"))  # no partial artifact left behind
    for d in docs:
        assert storage.sha256_file(storage.absolute(d.storage_path)) == d.file_hash
    attempts = {i.idx: i.attempts for i in _items(job["id"])}
    assert attempts[killed_idx] == 2  # the item being rendered when the worker died was rendered again


def test_pool_child_killed_mid_job(client, tokens, api_env, tmp_path):
    env = dict(os.environ, **SLOW)
    worker = start_worker(env, tmp_path / "worker.log", concurrency=1, beat=False)  # one child: the pool
    try:
        job, n = _submit(client, tokens["A"])
        killed = wait_for(lambda: _mid_job(job["id"]), 60, 0.05, "mid-job")
        (child,) = children(worker.pid)
        os.kill(child, signal.SIGKILL)
        done = poll(client_get(client), job["href"], auth(tokens["A"]), timeout=90)
        _assert_complete_and_clean(done, n, killed)
    finally:
        worker.stop()


def test_main_process_killed_mid_job(client, tokens, api_env, tmp_path):
    env = dict(os.environ, **SLOW)
    first = start_worker(env, tmp_path / "first.log", concurrency=1)
    job, n = _submit(client, tokens["A"])
    try:
        killed = wait_for(lambda: _mid_job(job["id"]), 60, 0.05, "mid-job")
        first.kill_group()  # SIGKILL to the main process, its pool child and beat at once
    finally:
        first.stop()
    assert client.get(job["href"], headers=auth(tokens["A"])).json["state"] == "running"
    second = start_worker(env, tmp_path / "second.log", concurrency=1)
    try:
        done = poll(client_get(client), job["href"], auth(tokens["A"]), timeout=120)
        _assert_complete_and_clean(done, n, killed)
    finally:
        second.stop()


def test_main_process_killed_with_a_backlog_recovers_within_a_minute(client, tokens, api_env, tmp_path):
    """The main process dies with chunks reserved (prefetched) and running, while a backlog of other jobs waits.
    Redis would hide those messages for its visibility timeout (here 600 s); the chunk leases run out instead
    (WENSHU_LEASE, default 30 s) and the sweep (every 10 s by default) re-sends them: the job completes well inside
    90 s of the death, with no duplicate in the register."""
    import time

    env = dict(os.environ, **{**SLOW, "WENSHU_HARD_TIME_LIMIT": "25", "WENSHU_SOFT_TIME_LIMIT": "20",
                              "WENSHU_VISIBILITY_TIMEOUT": "600", "WENSHU_STALE_AFTER": "600"})
    for k in ("WENSHU_LEASE", "WENSHU_SWEEP_INTERVAL"):
        env.pop(k, None)  # the defaults are what is being shown
    first = start_worker(env, tmp_path / "first.log", concurrency=2)
    job, n = _submit(client, tokens["A"])
    backlog = [_submit(client, tokens["A"])[0] for _ in range(3)]
    try:
        killed = wait_for(lambda: _mid_job(job["id"]), 60, 0.05, "mid-job")
        first.kill_group()
        died = time.monotonic()
    finally:
        first.stop()
    second = start_worker(env, tmp_path / "second.log", concurrency=2)
    try:
        done = poll(client_get(client), job["href"], auth(tokens["A"]), timeout=90)
        recovered_in = time.monotonic() - died
        _assert_complete_and_clean(done, n, killed)
        for other in backlog:
            assert poll(client_get(client), other["href"], auth(tokens["A"]), timeout=90)["state"] == "succeeded"
        print(f"job completed {recovered_in:.1f} s after the worker's death")
        assert "leases of items" in second.log.read_text(errors="replace")  # recovered by the lease sweep
    finally:
        second.stop()


def test_item_that_keeps_killing_its_worker_fails_alone(client, tokens, api_env, tmp_path):
    """An item whose rendering dies three times (here: its pool child is killed each time) is given up with a
    Chinese per-item error; the other items complete and the job ends `partial` with their zip."""
    env = dict(os.environ, **SLOW)
    worker = start_worker(env, tmp_path / "worker.log", concurrency=1, beat=False)
    try:
        job, n = _submit(client, tokens["A"])
        for attempt in (1, 2, 3):
            wait_for(lambda: (lambda i: bool(i) and i[0].state == "pending" and i[0].attempts == attempt)(  # noqa: B023
                _items(job["id"])), 60, 0.05, f"attempt {attempt}")  # items appear once the worker planned them
            (child,) = wait_for(lambda: children(worker.pid), 30, 0.05, "pool child")
            os.kill(child, signal.SIGKILL)
        done = poll(client_get(client), job["href"], auth(tokens["A"]), timeout=120)
        assert done["state"] == "partial", done
        assert done["progress"] == {"done": n - 1, "failed": 1, "total": n}
        (error,) = done["errors"]
        assert error["item"] == 0 and "已尝试3次" in error["message"] and UNIT_A in error["label"]
        assert done["result"]["role"] == "bundle" and len(done["documents"]) == n - 1
    finally:
        worker.stop()
