"""Benchmark of the marked workbook (a refused import handed back with its errors): today's code against the
baseline in one run.

The workbook is the hostile corpus's "49,000 bad rows" (bench.hostile_imports: 147,000 errors on 147,000 cells).
Each variant runs in a child process of its own (the baseline from a `git archive` copy of BASELINE, with the same
virtualenv): a fresh SQLite instance with samples/baisheng-2020 loaded, the import (import_workbook, which finds
the errors), then `mark_errors`, the step the worker runs for a refused import. Measured per variant: the marking's
seconds and the process's peak RSS above what it held before marking (a sampler thread reads /proc every 20 ms);
then the marked workbook's listed errors, counted with openpyxl (read-only), and its size.

    .venv/bin/python -m bench.marked_workbook

Results: bench/results/marked_workbook.json and .md.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.submit_path import ROOT, _baseline_code

RESULTS = ROOT / "bench" / "results"
BASELINE = "435a699"  # before the comment cap and the streamed 导入错误 sheet

CHILD = r"""
import io, json, os, sys, threading, time
sys.path.insert(0, os.getcwd())
from bench.hostile_imports import corpus
from samples.loader import load_sample
from service.db.session import migrate, session
from service.records.exchange.importer import import_workbook
from service.records.exchange.marking import ERRORS_SHEET, mark_errors

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

name, data = corpus()[3]
migrate()
with session() as s:
    load_sample(s, sys.argv[1])
    s.commit()
with session() as s:
    errors = import_workbook(s, data).errors
peak, stop = [0], threading.Event()
def sample():
    while not stop.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.02)
before = rss()
t = threading.Thread(target=sample, daemon=True)
t.start()
t0 = time.perf_counter()
marked = mark_errors(data, errors)
seconds = time.perf_counter() - t0
stop.set()
t.join()
from openpyxl import load_workbook
wb = load_workbook(io.BytesIO(marked), read_only=True)
listed = sum(1 for n in wb.sheetnames if n.startswith(ERRORS_SHEET) for r in wb[n].iter_rows(min_row=2) if r[0].value)
print(json.dumps({"upload": name, "errors": len(errors), "seconds": round(seconds, 2),
                  "rss_before_mb": round(before / 2**20, 1), "peak_rss_above_mb": round((peak[0] - before) / 2**20, 1),
                  "marked_bytes": len(marked), "listed_errors": listed}))
"""


def _run(name: str, code: Path, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "WENSHU_STORAGE")}
    env.update(WENSHU_INSTANCE=str(tmp / f"instance-{name}"), PYTHONPATH=str(code))
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "samples" / "baisheng-2020")], cwd=code, env=env,
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(name, result, flush=True)
    return result


def main(argv: list[str] | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="wenshu-bench-marked-"))
    try:
        base = _baseline_code(tmp, BASELINE)
        shutil.copytree(ROOT / "bench", base / "bench", dirs_exist_ok=True)  # the same corpus for both
        results = {"baseline": _run("baseline", base, tmp), "current": _run("current", ROOT, tmp)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {"benchmark": "marked_workbook", "when": time.strftime("%Y-%m-%d %H:%M:%S"), "baseline_commit": BASELINE,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "load": " ".join(Path("/proc/loadavg").read_text().split()[:3])}, "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "marked_workbook.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n",
                                                  encoding="utf-8")
    rows = "\n".join(f"| {k} | {r['errors']} | {r['seconds']} | {r['peak_rss_above_mb']} | {r['rss_before_mb']} | "
                     f"{r['listed_errors']} | {r['marked_bytes']} |" for k, r in results.items())
    (RESULTS / "marked_workbook.md").write_text(f"""# The marked workbook of a refused import

Run {out['when']} on {out['machine']['cpus']} CPUs, Python {out['machine']['python']}, load {out['machine']['load']}
at the end. Produced by `python -m bench.marked_workbook`; baseline: commit {BASELINE} from a `git archive` copy, in
the same run. Upload: the hostile corpus's 49,000 bad rows (748,582 bytes). "Peak RSS above" is what `mark_errors`
added to the process at its peak; "listed" counts the rows of the 导入错误 sheets, read back with openpyxl.

| code | errors | marking s | peak RSS above MB | RSS before MB | listed | marked workbook bytes |
|---|---|---|---|---|---|---|
{rows}
""", encoding="utf-8")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
