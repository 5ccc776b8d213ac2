"""Benchmark of the submit path (issue 8, performance goal P4), today's code against the baseline in one run.

The baseline is the code of commit BASELINE (before the cheap submit path), unpacked with `git archive` into a
temporary folder and run from there with the same virtualenv. Each variant gets its own temporary instance
(embedded redis-server on a Unix socket, samples/baisheng-2020 loaded) and database (SQLite in the instance, or a
fresh PostgreSQL database with --database postgresql), its own `wenshu serve` (the baseline: gunicorn 2 processes
x 4 threads as it was run; current: its default layout, `service.run.server_layout`, loopback only) and
`wenshu worker` (2 processes, each variant's default priority), and the rate limit raised for the benchmark only.
Measured, for `monthly-report` jobs of random units and months:

1. API CPU per submit: CPU seconds of the server's processes (from /proc; the embedded redis-server, which also
   serves the worker, is counted apart) over N closed-loop submits / N;
2. open loop: a fixed arrival rate (default 200 submits/s for 30 s) with the worker running; latency counted from
   each request's scheduled time (no coordinated omission): p50/p99/max and errors;
3. closed loop: 100 clients submitting back to back for a while: throughput and p50/p99.

Results: bench/results/submit_path.json and .md.

    .venv/bin/python -m bench.submit_path [--rate 200] [--seconds 30] [--clients 100] [--closed-seconds 15]
        [--database sqlite|postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--settle-load 1.5] [--settle-seconds 180]

Before each variant the run waits (up to --settle-seconds) for the 1-minute load average to fall below
--settle-load, so that one variant's leftover work (or another session's) is not measured as the next one's.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "baisheng-2020"
RESULTS = ROOT / "bench" / "results"
BASELINE = "4cd43ab"
TICK = os.sysconf("SC_CLK_TCK")

SETUP = """
import sys
from sqlalchemy import select
try:  # this tree's layout
    from service.access import tokens
    from service.db.session import migrate, session
    from service.records.store.models import Unit
    from samples.loader import load_sample
except ImportError:  # the baseline commit's layout (before the records split and service.access)
    from service.jobs import tokens
    from service.jobs.db import migrate, session
    from service.records.models import Unit
    from service.records.sample import load_sample
migrate()
with session() as s:
    load_sample(s, sys.argv[1])
    units = list(s.scalars(select(Unit.name)))
print(tokens.create("office", label="bench")[1])
print("\\t".join(units))
"""


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def _tree_cpu(root: int, redis: bool = False) -> float:
    """CPU seconds (user + system) of a process and all its descendants but the redis-server (or only it)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        head, rest = stat.rsplit(")", 1)
        fields = rest.split()
        parents[int(d.name)] = int(fields[1])
        if ("redis-server" in head) == redis:
            times[int(d.name)] = (int(fields[11]) + int(fields[12])) / TICK
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        for c, pp in parents.items():
            if pp == p and c not in tree:
                tree.add(c)
                frontier.append(c)
    return sum(times.get(p, 0.0) for p in tree)


def _started_at(pid: int) -> str | None:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split())[19]
    except (OSError, IndexError):
        return None


class Client:
    """Keep-alive HTTP/1.1 connection to the loopback server (one per thread)."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None

    def submit(self, body: dict) -> int:
        data = json.dumps(body).encode()
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request("POST", "/api/v1/jobs", body=data, headers={
                    "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
                resp = self.conn.getresponse()
                resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt:
                    return 0
        return 0


class Variant:
    def __init__(self, name: str, code: Path, tmp: Path, serve_args: tuple[str, ...] = (),
                 database_url: str | None = None):
        self.name, self.code = name, code
        self.instance = tmp / f"instance-{name}"
        self.port = 19000 + random.randrange(1000)
        self.env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "WENSHU_STORAGE")}
        self.env.update(WENSHU_INSTANCE=str(self.instance), WENSHU_RATE_LIMIT="100000000/minute",
                        PYTHONPATH=str(code))
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.serve_args = list(serve_args)
        self.procs: list[subprocess.Popen] = []

    def start(self) -> None:
        run = [sys.executable, "-m", "service.run"]
        self.instance.mkdir(parents=True)
        logs = self.instance
        # The embedded redis-server is started by `serve` and found by `worker` (same instance folder).
        self.procs.append(subprocess.Popen(run + ["serve", "--host", "127.0.0.1", "--port", str(self.port),
                                                  *self.serve_args], env=self.env, cwd=self.code,
                                           stdout=open(logs / "serve.log", "w"), stderr=subprocess.STDOUT))
        self._wait_health()
        out = subprocess.run([sys.executable, "-c", SETUP, str(SAMPLE)], env=self.env, cwd=self.code,
                             capture_output=True, text=True, check=True).stdout.splitlines()
        self.token, self.units = out[-2], out[-1].split("\t")
        self.procs.append(subprocess.Popen(run + ["worker", "--concurrency", "2", "--loglevel", "WARNING"],
                                           env=self.env, cwd=self.code, stdout=open(logs / "worker.log", "w"),
                                           stderr=subprocess.STDOUT))
        time.sleep(5)  # the worker's start-up sweep

    def _wait_health(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/api/v1/health")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name}: server did not start (see {self.instance / 'serve.log'})")

    def server_processes(self) -> list[dict]:
        """The server's processes (redis-server apart) with their RSS, as they are after the load."""
        from bench.hostile_imports import _cmd, _rss, _tree

        return [{"pid": p, "rss_mb": round(_rss(p) / 2**20, 1), "cmd": _cmd(p).replace("\0", " ")[:90]}
                for p in _tree(self.procs[0].pid) if "redis" not in _cmd(p)]

    def stop(self) -> None:
        from bench.hostile_imports import _tree

        started = {(pid, _started_at(pid)) for p in self.procs for pid in _tree(p.pid)}  # gunicorn, redis-server
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        time.sleep(1)
        for pid, since in started:  # what the supervisors left behind (the baseline's outlived its `serve`)
            if since is not None and _started_at(pid) == since:  # the same process, not a reused pid
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass

    def bodies(self, n: int, seed: int) -> list[dict]:
        rng = random.Random(seed)
        return [{"kind": "monthly-report", "params": {"unit": rng.choice(self.units), "year": 2020,
                                                       "month": rng.randint(1, 12)}} for _ in range(n)]

    # 1. CPU per submit ----------------------------------------------------------------------------------------
    def cpu_per_submit(self, n: int, clients: int = 4) -> dict:
        bodies = self.bodies(n, 1)
        server = self.procs[0].pid
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def run(chunk):
            c = Client(self.port, self.token)
            for b in chunk:
                s = c.submit(b)
                with lock:
                    statuses[s] = statuses.get(s, 0) + 1

        self._warm()
        before, redis_before = _tree_cpu(server), _tree_cpu(server, redis=True)
        t0 = time.perf_counter()
        threads = [threading.Thread(target=run, args=(bodies[i::clients],)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        cpu = _tree_cpu(server) - before
        redis_cpu = _tree_cpu(server, redis=True) - redis_before
        return {"submits": n, "clients": clients, "statuses": statuses,
                "api_cpu_ms_per_submit": round(cpu / n * 1000, 2), "submits_per_s": round(n / wall, 1),
                "redis_cpu_ms_per_submit": round(redis_cpu / n * 1000, 2)}

    def _warm(self) -> None:
        c = Client(self.port, self.token)
        for b in self.bodies(40, 9):
            c.submit(b)

    # 2. open loop ---------------------------------------------------------------------------------------------
    def open_loop(self, rate: float, seconds: float, senders: int = 48) -> dict:
        n = int(rate * seconds)
        bodies = self.bodies(n, 2)
        work: queue.Queue = queue.Queue()
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def sender():
            c = Client(self.port, self.token)
            while True:
                item = work.get()
                if item is None:
                    return
                due, body = item
                s = c.submit(body)
                done = time.perf_counter()
                with lock:
                    latencies.append(done - due)
                    statuses[s] = statuses.get(s, 0) + 1

        threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
        for t in threads:
            t.start()
        start = time.perf_counter() + 0.2
        for i, body in enumerate(bodies):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            work.put((due, body))
        for _ in threads:
            work.put(None)
        for t in threads:
            t.join()
        ms = [x * 1000 for x in latencies]
        errors = sum(v for k, v in statuses.items() if k != 202)
        return {"rate_per_s": rate, "seconds": seconds, "submits": n, "statuses": statuses, "errors": errors,
                "p50_ms": round(_pct(ms, 0.5), 1), "p99_ms": round(_pct(ms, 0.99), 1),
                "max_ms": round(max(ms), 1)}

    # 3. closed loop -------------------------------------------------------------------------------------------
    def closed_loop(self, clients: int, seconds: float) -> dict:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds
        bodies = self.bodies(2000, 3)

        def run(k):
            c = Client(self.port, self.token)
            i = k
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                s = c.submit(bodies[i % len(bodies)])
                dt = time.perf_counter() - t0
                i += clients
                with lock:
                    latencies.append(dt)
                    statuses[s] = statuses.get(s, 0) + 1

        t0 = time.perf_counter()
        threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        ms = [x * 1000 for x in latencies]
        return {"clients": clients, "seconds": round(wall, 1), "submits": len(ms), "statuses": statuses,
                "submits_per_s": round(len(ms) / wall, 1), "p50_ms": round(_pct(ms, 0.5), 1),
                "p99_ms": round(_pct(ms, 0.99), 1), "max_ms": round(max(ms), 1)}


def _baseline_code(tmp: Path, commit: str = BASELINE) -> Path:
    """The code of `commit`, unpacked from `git archive` into tmp/baseline."""
    dest = tmp / "baseline"
    dest.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


@contextmanager
def _database(kind: str, pg_url: str, name: str):
    """None (SQLite in the variant's instance folder) or the URL of a fresh PostgreSQL database, dropped after."""
    if kind == "sqlite":
        yield None
        return
    import psycopg

    admin = pg_url.replace("postgresql+psycopg://", "postgresql://")
    db = f"wenshu_bench_{name}_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{db}"')
        c.execute(f'CREATE DATABASE "{db}"')
    try:
        yield pg_url.rsplit("/", 1)[0] + "/" + db
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _settle(below: float, longest: float) -> None:
    """Wait (at most `longest` seconds) until the 1-minute load average is below `below`: the previous variant's
    backlog (the baseline's worker renders for minutes after its open loop) is not charged to the next one."""
    deadline = time.monotonic() + longest
    while os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(5)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--closed-seconds", type=float, default=15)
    ap.add_argument("--cpu-submits", type=int, default=1000)
    ap.add_argument("--only", choices=("baseline", "current"), default=None)
    ap.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--pg-url", default=os.environ.get("DATABASE_URL_PG",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--serve-args", default="", help="extra `wenshu serve` options of the current variant")
    ap.add_argument("--settle-load", type=float, default=1.5, help="wait for the 1-minute load to fall below this")
    ap.add_argument("--settle-seconds", type=float, default=180, help="... before each variant, at most this long")
    args = ap.parse_args(argv or [])
    tmp = Path(tempfile.mkdtemp(prefix="wenshu-bench-submit-"))
    results: dict = {}
    layouts = {"baseline": ("--workers", "2"), "current": tuple(args.serve_args.split())}
    try:
        variants = [("baseline", _baseline_code(tmp)), ("current", ROOT)]
        for name, code in variants:
            if args.only and name != args.only:
                continue
            _settle(args.settle_load, args.settle_seconds)
            with _database(args.database, args.pg_url, name) as url:
                v = Variant(name, code, tmp, layouts[name], url)
                v.start()
                try:
                    r = {"load_before": _load(), "cpu": v.cpu_per_submit(args.cpu_submits)}
                    print(name, "cpu:", r["cpu"], flush=True)
                    time.sleep(5)
                    r["open_loop"] = v.open_loop(args.rate, args.seconds)
                    print(name, "open loop:", r["open_loop"], flush=True)
                    time.sleep(5)
                    r["closed_loop"] = v.closed_loop(args.clients, args.closed_seconds)
                    print(name, "closed loop:", r["closed_loop"], flush=True)
                    r["load_after"] = _load()
                    r["server_processes"] = v.server_processes()
                    results[name] = r
                finally:
                    v.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    from service.run import server_layout

    database = "SQLite (WAL)" if args.database == "sqlite" else "PostgreSQL (fresh database per variant)"
    workers, threads = server_layout(*(int(a) if a else None for a in _layout_args(layouts["current"])))
    out = {"benchmark": "submit_path", "when": time.strftime("%Y-%m-%d %H:%M:%S"), "baseline_commit": BASELINE,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
           "setup": {"web": f"gunicorn: baseline 2 processes x 4 threads; current {workers} process(es) x "
                            f"{threads} threads (wenshu serve defaults)",
                     "celery_workers": "2 (each variant's `wenshu worker` default priority: baseline normal, current "
                                       "nice 10)", "broker": "embedded redis-server (Unix socket)", "database": database,
                     "job": "monthly-report, random unit and month of 2020", "rate_limit": "raised for the bench"},
           "settle": f"{args.settle_seconds:g} s, below {args.settle_load:g}", "results": results}
    if not args.only:
        stem = "submit_path" if args.database == "sqlite" else f"submit_path_{args.database}"
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{stem}.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
        (RESULTS / f"{stem}.md").write_text(_markdown(out), encoding="utf-8")
    return out


def _layout_args(args: tuple[str, ...]) -> tuple[str | None, str | None]:
    opts = dict(zip(args[::2], args[1::2]))
    return opts.get("--workers"), opts.get("--threads")


HEADER = ("| path | API CPU ms / submit | redis-server CPU ms / submit | open loop p50 ms | p99 ms | max ms | errors "
          "| closed 100 clients submits/s | p50 ms | p99 ms | load 1/5/15 min |\n" + "|---" * 11 + "|")


def _markdown(r: dict) -> str:
    rows = []
    for name in ("baseline", "current"):
        x = r["results"].get(name)
        if not x:
            continue
        c, o, k = x["cpu"], x["open_loop"], x["closed_loop"]
        rows.append(f"| {name} | {c['api_cpu_ms_per_submit']} | {c.get('redis_cpu_ms_per_submit', '')} | "
                    f"{o['p50_ms']} | {o['p99_ms']} | {o['max_ms']} | {o['errors']} | {k['submits_per_s']} | "
                    f"{k['p50_ms']} | {k['p99_ms']} | {x.get('load_before', '')} |")
    first = r["results"].get("current", {}).get("open_loop", {})
    return f"""# Submit path benchmark (issue 8, P4)

Run {r['when']} on {r['machine']['cpus']} CPUs, Python {r['machine']['python']}; {r['setup']['web']},
{r['setup']['celery_workers']} Celery worker processes running throughout, {r['setup']['broker']}, {r['setup']['database']};
jobs: {r['setup']['job']}. Baseline: commit {r['baseline_commit']} run from a `git archive` copy in the same run.
Produced by `python -m bench.submit_path` (figures also in the .json beside this file). Loopback only. API CPU
is the CPU time (user + system, /proc) of the server's processes; the embedded redis-server (which also serves the
worker) is counted apart. Load is /proc/loadavg when the variant's measurement began, after waiting up to
{r.get('settle', '')} for the load to settle (other sessions share this 2-core machine).

{HEADER}
{chr(10).join(rows)}

Open loop: {first.get('rate_per_s')} submits/s for {first.get('seconds')} s ({first.get('submits')} submits),
latency counted from each request's scheduled send time. Targets: API CPU <= 2 ms per submit; open-loop p99 < 50 ms
with 0 errors.
"""


if __name__ == "__main__":
    main(sys.argv[1:])
