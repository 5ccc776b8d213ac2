"""A worker killed with SIGKILL in the middle of a job: the job still completes, with no duplicate and no
partial artifact. Once a pool child, once the whole worker (main process and children)."""
from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import func, select

from tests.api.conftest import auth
from tests.api.helpers import children, start_worker, wait_for
from tests.api.jobs import client_get, poll

pytestmark = pytest.mark.integration

# Each item sleeps before rendering, so that the kill lands mid-job; hard limit < visibility timeout.
SLOW = {"WENSHU_ITEM_DELAY": "3", "WENSHU_SOFT_TIME_LIMIT": "8", "WENSHU_HARD_TIME_LIMIT": "10",
        "WENSHU_VISIBILITY_TIMEOUT": "12", "WENSHU_STALE_AFTER": "12"}


def _submit(client, token, notice_data, tag: str) -> dict:
    params = dict(notice_data, title=f"{notice_data['title']}{tag}")
    r = client.post("/api/v1/jobs", json={"kind": "notice", "params": params}, headers=auth(token))
    assert r.status_code == 202, r.json
    return r.json


def _item(job_id: str):
    from service.jobs.db import session
    from service.jobs.models import JobItem

    with session() as s:
        return s.get(JobItem, (job_id, 0))


def _running(job_id: str) -> bool:
    item = _item(job_id)
    return item is not None and item.attempts >= 1 and item.state == "pending"


def _assert_clean(job: dict) -> None:
    from service.jobs import storage
    from service.jobs.db import session
    from service.jobs.models import Document

    assert job["state"] == "succeeded", job
    with session() as s:
        docs = s.scalar(select(func.count()).select_from(Document).where(Document.job_id == job["id"]))
    assert docs == 1  # one register entry, not one per attempt
    root = storage.job_dir(job["id"])
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [f"items/00000/{job['result']['filename']}"], files  # no temporaries, no second copy
    assert storage.sha256_file(root / files[0]) == job["result"]["sha256"]


def test_pool_child_killed_mid_job(client, tokens, notice_data, api_env, tmp_path):
    env = dict(os.environ, **SLOW)
    worker = start_worker(env, tmp_path / "worker.log", concurrency=1, beat=False)  # one child: the pool
    try:
        job = _submit(client, tokens["office"], notice_data, "（子进程被杀）")
        wait_for(lambda: _running(job["id"]), 30, 0.05, "item started")
        (child,) = children(worker.pid)
        os.kill(child, signal.SIGKILL)
        done = poll(client_get(client), job["href"], auth(tokens["office"]), timeout=60)
        assert _item(job["id"]).attempts == 2  # re-delivered once, rendered once more
        _assert_clean(done)
    finally:
        worker.stop()


def test_main_process_killed_mid_job(client, tokens, notice_data, api_env, tmp_path):
    env = dict(os.environ, **SLOW)
    first = start_worker(env, tmp_path / "first.log", concurrency=1)
    job = _submit(client, tokens["office"], notice_data, "（主进程被杀）")
    try:
        wait_for(lambda: _running(job["id"]), 30, 0.05, "item started")
        first.kill_group()  # SIGKILL to the main process and its pool child at once
    finally:
        first.stop()
    assert client.get(job["href"], headers=auth(tokens["office"])).json["state"] == "running"
    second = start_worker(env, tmp_path / "second.log", concurrency=1)
    try:
        done = poll(client_get(client), job["href"], auth(tokens["office"]), timeout=90)
        _assert_clean(done)
    finally:
        second.stop()
