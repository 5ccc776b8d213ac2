"""Benchmark: the year-end batch (考核结果, 表彰决定, 荣誉证书, every unit's archive volumes) of the sample year.

    .venv/bin/python -m bench.yearend [--work DIR] [--skip-cold] [--memory-classes 100 1000]

1. Cold: every item PDF converted by LibreOffice (fresh storage), units over 2 worker processes.
2. Warm: item PDFs in the cache (the unit-zip shortcut is off, so every unit's volumes, catalogues and zip are
   rebuilt), with 1 and with 2 worker processes -> the speed-up. Target: <= 20 s with 2 workers, speed-up >= 1.8.
3. Documents per second of the warm batch against the same documents' sources rendered by a plain sequential
   docxtpl (DocxTemplate per document) / openpyxl loop, in the same run.
4. Peak RSS of a worker process building every unit's archive as the year grows from 100 to 1,000 classes
   (samples.synthetic, generated in a separate process). LibreOffice runs in its own process and does
   not count in the worker's RSS, so for this measurement only it is replaced by a writer of one-page PDFs (same
   files, same cache, no soffice); the notice and the 公示 are still laid out (and measured) through LibreOffice.
Workers are processes running service.yearend.batch.run_unit / office_outputs, the functions the Celery items and
the CLI run, forked after planning and service.yearend.batch.warm(). The database is SQLite: each unit writes
only two short transactions (its new cache rows, its zip's row), so PostgreSQL would not change the figures.
Results: bench/results/yearend.json and .md.
"""
from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "samples" / "baisheng-2020"
YEAR = 2020
_STORE: dict = {}


def _env(work: Path) -> None:
    os.environ["WENSHU_STORAGE"] = str(work / "storage")
    from service.config import settings

    settings.cache_clear()


def _store(url: str):
    from service.records.store.session import open_store

    if _STORE.get("pid") != os.getpid():
        _STORE.update(pid=os.getpid(), store=open_store(url, migrate=False))
    return _STORE["store"]


def _load(url: str, spec_update: dict | None = None) -> None:
    import yaml

    from samples.loader import load_sample, write_extras
    from samples.synthetic import generate
    from service.records.store.session import open_store, upsert_units
    from service.records.store.writer import write_batch
    from service.units import load_units

    store = open_store(url)
    with store.transaction() as s:
        if not spec_update:
            load_sample(s, SAMPLE)
            return
        units = load_units(SAMPLE / "units.json")
        spec = yaml.safe_load((SAMPLE / "records" / "dataset.yaml").read_text(encoding="utf-8"))
        spec.update(spec_update)
        upsert_units(s, units)
        data = generate(units, spec)
        write_batch(s, data.batch)
        write_extras(s, data)


def _one_page_pdfs(sources: list[Path], outdir: Path) -> list[Path]:
    import pikepdf

    outdir.mkdir(parents=True, exist_ok=True)
    out = []
    for src in sources:
        pdf = pikepdf.new()
        pdf.add_blank_page(page_size=(595, 842))
        path = outdir / (src.stem + ".pdf")
        pdf.save(path)
        out.append(path)
    return out


def _unit_task(args) -> tuple[str, str | None, float, int, float]:
    url, plan_json, unit, fake = args
    from service.yearend.batch import Plan, office_outputs, run_unit

    t, cpu = time.perf_counter(), time.process_time()
    if unit is None:  # the township's documents: one task among the units, as one item of the Celery job
        with _store(url).transaction() as s:
            office_outputs(s, Plan.from_json(plan_json))
        return "", None, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, \
            time.process_time() - cpu
    build = {"reuse": False}
    if fake:
        build["convert"] = _one_page_pdfs
    outcome = run_unit(_store(url).transaction, Plan.from_json(plan_json), unit, **build)
    return unit, outcome.error, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, \
        time.process_time() - cpu


def batch(url: str, workers: int, *, fake: bool = False) -> dict:
    """The whole batch: plan (this process, as the Celery job plans once), then the township's documents and every
    unit, biggest first, as tasks over `workers` processes forked after `warm()` (prefork workers share what their
    parent loaded). The seconds include the plan and the pool start."""
    from service.yearend.batch import YearEndParams, plan_batch, warm

    load = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    store = _store(url)
    notice = json.loads((SAMPLE / "notice.json").read_text(encoding="utf-8"))
    with store.transaction() as s:
        plan = plan_batch(s, YearEndParams(year=YEAR, notice=notice))
    t_plan = time.perf_counter() - t0
    warm()
    store.engine.dispose()  # no pooled connection crosses the fork
    tasks = ([] if fake else [(url, plan.to_json(), None, fake)]) + [
        (url, plan.to_json(), u, fake) for u in plan.biggest_first]
    with mp.get_context("fork").Pool(workers, maxtasksperchild=None) as pool:
        results = list(pool.imap_unordered(_unit_task, tasks, chunksize=1))
    failed = [(r[0], r[1]) for r in results if r[1]]
    return {"workers": workers, "seconds": round(time.perf_counter() - t0, 2), "plan_seconds": round(t_plan, 2), "load_avg_at_start": load,
            "units": len(plan.units), "failed": failed, "task_seconds": round(sum(r[2] for r in results), 2),
            "task_cpu_seconds": round(sum(r[4] for r in results), 2),
            "peak_rss_mb": round(max(r[3] for r in results) / 1024, 1)}


def _spin(_) -> float:
    t, x = time.perf_counter(), 0
    for i in range(4_000_000):
        x += i
    return time.perf_counter() - t


def control_speedup() -> float:
    """What 2 processes get over 1 on this machine right now, for pure CPU work (8 equal tasks): the ceiling of
    the batch's speed-up while other sessions share the cores."""
    walls = []
    for workers in (1, 2):
        t = time.perf_counter()
        with mp.get_context("fork").Pool(workers) as pool:
            pool.map(_spin, range(8), chunksize=1)
        walls.append(time.perf_counter() - t)
    return round(walls[0] / walls[1], 2)


def _documents(url: str) -> int:
    """Items filed in all volumes (one 件 = one PDF + its source)."""
    from service.records.store.session import township_short  # noqa: F401
    from service.yearend.archive import unit_materials

    with _store(url).transaction() as s:
        from sqlalchemy import select

        from service.records.store.models import Unit

        return sum(len(unit_materials(s, u, YEAR)) for u in s.scalars(select(Unit.name)))


def plain_loop(url: str) -> dict:
    """The same sources rendered by plain docxtpl/openpyxl, one after the other."""
    from docxtpl import DocxTemplate

    from service.docx.engine import store as templates
    from service.forms.annex3 import render_monthly_report
    from service.records.queries import reports
    from service.records.renderers.word import ledger_card_context

    t0 = time.perf_counter()
    n = 0
    with _store(url).transaction() as s:
        path = templates.resolve("ledger_card")
        for cid in reports.class_ids(s, None, None, None):
            for build in (reports.ledger_card, reports.assessment_sheet):
                data = build(s, cid)
                if build is reports.ledger_card:
                    tpl = DocxTemplate(str(path))
                    tpl.render(ledger_card_context(data))
                    tpl.save(io.BytesIO())
                else:  # the assessment sheet's Excel form (openpyxl)
                    from service.records.renderers.forms import render_assessment_sheet

                    render_assessment_sheet(data)
                n += 1
        from sqlalchemy import select

        from service.records.store.models import Unit

        for unit in s.scalars(select(Unit.name)):
            for month in range(1, 13):
                if reports.class_ids(s, unit, *reports.month_bounds(YEAR, month)):
                    render_monthly_report(reports.monthly_report(s, unit, YEAR, month))
                    n += 1
    secs = time.perf_counter() - t0
    return {"documents": n, "seconds": round(secs, 2), "docs_per_second": round(n / secs, 1)}


def memory(classes: int, work: Path) -> dict:
    """Peak RSS of one worker building every unit of a year of `classes` classes: the year is generated in one
    process, the batch runs in a fresh one (a worker forked from a process that generated the data would carry
    that process's memory, as no Celery worker does)."""
    d = work / f"mem-{classes}"
    d.mkdir(parents=True, exist_ok=True)
    head = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import bench.yearend as b, json; from pathlib import Path; "
            f"b._env(Path({str(d)!r})); url='sqlite:///{d}/w.sqlite3'; ")
    load = head + f"b._load(url, {{'classes': {classes}, 'trainees': {max(400, classes * 16)}}})"
    subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, check=True)
    code = head + "print(json.dumps(b.batch(url, 1, fake=True)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return {"classes": classes, "peak_rss_mb": r["peak_rss_mb"], "seconds": r["seconds"], "failed": r["failed"]}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=None, help="work folder (keeps the database and PDF cache)")
    ap.add_argument("--skip-cold", action="store_true", help="the cache is warm already (a previous --work run)")
    ap.add_argument("--memory-classes", type=int, nargs="*", default=[100, 1000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "yearend.json")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="wenshu-bench-yearend-"))
    work.mkdir(parents=True, exist_ok=True)
    _env(work)
    url = f"sqlite:///{work / 'sample.sqlite3'}"
    if not (work / "sample.sqlite3").exists():
        _load(url)
    result: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}}
    if args.skip_cold and args.out.is_file():  # keep the cold figure of the run that warmed this cache
        before = json.loads(args.out.read_text(encoding="utf-8"))
        if "cold_2_workers" in before:
            result["cold_2_workers"] = dict(before["cold_2_workers"], note="from an earlier run of the same code")
    if not args.skip_cold:
        result["cold_2_workers"] = batch(url, 2)
        print(json.dumps(result["cold_2_workers"], ensure_ascii=False), flush=True)  # kept if a later step fails
    result["control_speedup_before"] = control_speedup()
    result["warm_1_worker"] = batch(url, 1)
    result["warm_2_workers"] = batch(url, 2)
    result["control_speedup_after"] = control_speedup()
    result["speedup_1_to_2"] = round(result["warm_1_worker"]["seconds"] / result["warm_2_workers"]["seconds"], 2)
    docs = _documents(url)
    result["documents_filed"] = docs
    result["warm_2_workers"]["docs_per_second"] = round(docs / result["warm_2_workers"]["seconds"], 1)
    result["plain_loop"] = plain_loop(url)
    result["memory"] = [memory(n, work) for n in args.memory_classes]
    if not args.memory_classes and args.out.is_file():  # keep the memory figures of an earlier run
        result["memory"] = json.loads(args.out.read_text(encoding="utf-8")).get("memory", [])
    result["targets"] = {"warm_seconds_max": 20, "speedup_min": 1.8,
                         "warm_met": result["warm_2_workers"]["seconds"] <= 20,
                         "speedup_met": result["speedup_1_to_2"] >= 1.8}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(_markdown(result), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return result


def _markdown(r: dict) -> str:
    lines = ["# Year-end batch benchmark (bench/yearend.py)", "",
             f"Machine: {r['machine']['cpus']} CPUs, Python {r['machine']['python']}, load average at start "
             f"{r['machine']['load_avg_at_start']} (other sessions share the machine).", "",
             "The township's documents run as one task among the units (as in the Celery job), units biggest first, "
             "workers forked after `service.yearend.batch.warm()`; seconds include planning and the pool start.", "",
             "| run | workers | seconds | of which planning | units failed | load average at start |",
             "|---|---|---|---|---|---|"]
    for key in ("cold_2_workers", "warm_1_worker", "warm_2_workers"):
        if key in r:
            x = r[key]
            lines.append(f"| {key} | {x['workers']} | {x['seconds']} | {x.get('plan_seconds', '')} | "
                         f"{len(x['failed'])} | {x.get('load_avg_at_start', '')} |")
    lines += ["", f"Speed-up 1 -> 2 workers (warm): {r['speedup_1_to_2']}x (target >= 1.8). Control: pure CPU work "
              f"got {r.get('control_speedup_before')}x before and {r.get('control_speedup_after')}x after the warm "
              "runs on this machine at the time (other sessions' load); task CPU seconds "
              f"{r['warm_1_worker']['task_cpu_seconds']} (1 worker) vs {r['warm_2_workers']['task_cpu_seconds']} "
              "(2 workers), wall seconds of the tasks "
              f"{r['warm_1_worker']['task_seconds']} vs {r['warm_2_workers']['task_seconds']}.",
              f"Documents filed: {r['documents_filed']}; warm batch {r['warm_2_workers']['docs_per_second']} documents/s "
              f"(PDF + source + catalogue entry each) vs plain sequential docxtpl/openpyxl loop "
              f"{r['plain_loop']['docs_per_second']} documents/s (sources only, no PDF, no filing).", "",
              "Peak RSS of one worker building every unit (LibreOffice replaced by a one-page PDF writer, see docstring; "
              "the data generated in another process):",
              "", "| classes | peak RSS MB | seconds |", "|---|---|---|"]
    lines += [f"| {m['classes']} | {m['peak_rss_mb']} | {m['seconds']} |" for m in r["memory"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
