"""API memory and time through a corpus of hostile imports (issue 8, items 7-9), against a real `wenshu serve`.

Uploads, one after another, with an office token: 1.8 M rows with blank template columns; 50,001 blank rows;
a sheet declaring 16,384 columns; 49,000 bad rows (147,000 errors); then the all-units roster export.
Imports and exports are jobs (issue 8 item 9): the request answers 202 (or 413 at once); the bench then polls the
import's report (GET /records/imports/<job>) or the export job and downloads its result.
Sampler threads read the RSS of the server's processes (gunicorn master and workers) and, apart, of the worker's
processes, from /proc every 50 ms. Reports per upload: the request's status and seconds, the outcome's status,
bytes and seconds (request to report), and the peak RSS of the API (sum and largest process) and of the worker.

    .venv/bin/python -m bench.hostile_imports
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.submit_path import ROOT, Variant

RESULTS = ROOT / "bench" / "results"
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            kids.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except OSError:
        return 0


class Sampler(threading.Thread):
    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.stop_flag = root, threading.Event()
        self.peak_sum = self.peak_one = 0

    def reset(self) -> None:
        """Start a new peak from what the processes hold now (a request shorter than one tick still reads)."""
        self.peak_sum = self.peak_one = 0
        self.sample()

    def sample(self) -> None:
        sizes = [_rss(p) for p in _tree(self.root) if "redis" not in _cmd(p)]
        self.peak_sum = max(self.peak_sum, sum(sizes))
        self.peak_one = max(self.peak_one, max(sizes, default=0))

    def run(self) -> None:
        while not self.stop_flag.wait(0.05):
            self.sample()


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _post_file(port: int, token: str, data: bytes) -> tuple[int, int]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/api/v1/records/imports", body=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    r = c.getresponse()
    return r.status, r.read()


def _get(port: int, token: str, path: str) -> tuple[int, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    r = c.getresponse()
    return r.status, r.read()


def _outcome(port: int, token: str, status: int, body: bytes) -> tuple[int, int]:
    """Follow a 202 to its end: an import's report, or an export job's result. (status, bytes) of the outcome."""
    if status != 202:
        return status, len(body)
    job = json.loads(body)
    while True:
        if "report" in job:
            s, b = _get(port, token, job["report"])
            if s != 202:
                return s, len(b)
        else:
            s, b = _get(port, token, job["href"])
            if json.loads(b)["state"] not in ("accepted", "running"):
                s, b = _get(port, token, job["href"] + "/result")
                return s, len(b)
        time.sleep(0.2)


def corpus() -> list[tuple[str, bytes]]:
    sys.path.insert(0, str(ROOT))
    from service.records.exchange.upload import MAX_ROWS_PER_SHEET
    from tests.api.test_import_limits import _inline, blank_column_rows, raw_xlsx

    bad = (_inline(f"A{i}", "某村") + _inline(f"B{i}", f"学员{i}") + _inline(f"C{i}", "未知") for i in range(2, 49_002))
    return [
        ("1.8 M rows, blank template columns", raw_xlsx(blank_column_rows(1_800_000))),
        (f"{MAX_ROWS_PER_SHEET + 1} blank-column rows", raw_xlsx(blank_column_rows(MAX_ROWS_PER_SHEET + 1))),
        ("200 rows declared 16,384 columns wide", raw_xlsx(blank_column_rows(200), dimension="A1:XFD201")),
        ("49,000 bad rows (147,000 errors)", raw_xlsx(bad)),
    ]


def _layout() -> tuple[int, int]:
    from service.run import server_layout

    return server_layout()


def main(argv: list[str] | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="wenshu-bench-hostile-"))
    rows = []
    v = Variant("current", ROOT, tmp)
    try:
        v.start()
        sampler = Sampler(v.procs[0].pid)
        sampler.start()
        time.sleep(1)
        idle = sampler.peak_sum
        worker = Sampler(v.procs[1].pid)
        worker.start()

        def measure(name: str, size: int, request) -> None:
            sampler.reset()
            worker.reset()
            t0 = time.perf_counter()
            status, body = request()
            t1 = time.perf_counter()
            final, final_bytes = _outcome(v.port, v.token, status, body)
            rows.append({"upload": name, "bytes": size, "status": status, "request_seconds": round(t1 - t0, 2),
                         "outcome_status": final, "outcome_bytes": final_bytes,
                         "seconds": round(time.perf_counter() - t0, 2),
                         "peak_rss_mb": round(sampler.peak_sum / 2**20, 1),
                         "peak_rss_one_process_mb": round(sampler.peak_one / 2**20, 1),
                         "worker_peak_rss_mb": round(worker.peak_sum / 2**20, 1)})
            print(rows[-1], flush=True)

        for name, data in corpus():
            measure(name, len(data), lambda data=data: _post_file(v.port, v.token, data))
        measure("GET all-units roster export", 0, lambda: _get(v.port, v.token, "/api/v1/records/export/roster"))
        worker.stop_flag.set()
        sampler.stop_flag.set()
    finally:
        v.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    out = {"benchmark": "hostile_imports", "when": time.strftime("%Y-%m-%d %H:%M:%S"),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
           "server": "wenshu serve (default layout: gunicorn %d process(es) x %d threads), SQLite, sample data loaded"
                     % _layout(),
           "idle_rss_mb": round(idle / 2**20, 1), "rows": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hostile_imports.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    table = "\n".join(f"| {r['upload']} | {r['bytes']} | {r['status']} | {r['request_seconds']} | {r['outcome_status']} | "
                      f"{r['outcome_bytes']} | {r['seconds']} | {r['peak_rss_mb']} | {r['peak_rss_one_process_mb']} | "
                      f"{r['worker_peak_rss_mb']} |" for r in rows)
    (RESULTS / "hostile_imports.md").write_text(f"""# API memory through hostile imports (issue 8, items 7-9)

Run {out['when']} on {out['machine']['cpus']} CPUs; {out['server']}. Server RSS (all its processes, Redis excluded)
idle: {out['idle_rss_mb']} MB. Produced by `python -m bench.hostile_imports`. Imports and exports run as jobs: "request"
is the API request (202, or 413 at once), "outcome" the import's report (200/422) or the export's result, seconds
from the request to the outcome; API RSS is the server's processes only, the worker's is apart.

Before (run 03:42, imports and exports inside the request): 49,000 bad rows 69.73 s in the request, API peak 438.6 MB
(largest process 227.0 MB); all-units roster export 18.66 s in the request, API peak 402.7 MB. The marked workbook's
own cost, old and new code side by side: bench/results/marked_workbook.md.

| upload | bytes | request status | request s | outcome status | outcome bytes | seconds | peak API RSS MB | largest API process MB | peak worker RSS MB |
|---|---|---|---|---|---|---|---|---|---|
{table}
""", encoding="utf-8")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
