"""Processes the API tests start for real: Celery workers, a private redis-server, `wenshu` commands."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
def _redis_server() -> str:
    from service.embedded import executable

    return executable()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


class Proc:
    """A subprocess in its own process group, logged to a file; stopped on exit of the test."""

    def __init__(self, cmd: list[str], env: dict, log: Path):
        self.log = log
        self.fh = open(log, "ab")
        self.p = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self.fh, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.p.pid

    def alive(self) -> bool:
        return self.p.poll() is None

    def kill_group(self) -> None:
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait(10)

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill_group()
            except ProcessLookupError:
                pass
        else:  # the main process is gone: its orphans must not outlive the test
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.fh.close()

    def tail(self, n: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def start_worker(env: dict, log: Path, concurrency: int = 2, beat: bool = True) -> Proc:
    cmd = [sys.executable, "-m", "celery", "-A", "tasks.celery_app:app", "worker", "--loglevel", "INFO",
           "--concurrency", str(concurrency), "--hostname", f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
           "--without-gossip", "--without-mingle"]
    if beat:
        cmd += ["--beat", "--schedule", str(log.parent / f"beat-{time.monotonic_ns()}")]
    proc = Proc(cmd, env, log)
    wait_for(lambda: "ready." in log.read_text(errors="replace") or not proc.alive(), 60, 0.2, "worker ready")
    assert proc.alive(), proc.tail()
    return proc


class PrivateRedis:
    """A redis-server on its own port that a test may stop and start (never the shared 6379 one)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [_redis_server(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--logfile", str(self.workdir / f"redis-{self.port}.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, 10, 0.05, "private redis")

    def ping(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


def filled_template(which: str, sheet: str, rows: list[dict]) -> bytes:
    """The store's blank `which` template (学员名册 or 培训班计划表) with `rows` (column title -> value) in `sheet`."""
    import io

    from openpyxl import load_workbook

    from service.db.session import session
    from service.records.exchange.cells import header_key
    from service.records.renderers.outputs import store_blank_files

    with session() as s:
        template = next(f for f in store_blank_files(s) if which in f.name)
    wb = load_workbook(io.BytesIO(template.data))
    ws = wb[sheet]
    cols = {header_key(c.value): c.column for c in ws[1] if c.value}
    for r, row in enumerate(rows, start=2):
        for title, value in row.items():
            ws.cell(row=r, column=cols[title], value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload_workbook(client, headers: dict, data: bytes, name: str = "学员名册.xlsx", timeout: float = 120):
    """POST a workbook to the import endpoint (multipart, as a browser sends it); when it is accepted as a job
    (202), wait for the worker and return the import's report (GET /records/imports/<job>: 200 or 422)."""
    import io

    resp = client.post("/api/v1/records/imports", data={"file": (io.BytesIO(data), name)}, headers=headers,
                       content_type="multipart/form-data")
    if resp.status_code != 202:
        return resp
    report = resp.get_json()["report"]
    deadline = time.monotonic() + timeout
    while True:
        resp = client.get(report, headers=headers)
        if resp.status_code != 202 or time.monotonic() > deadline:
            return resp
        time.sleep(0.2)
