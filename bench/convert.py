"""Benchmark: PDF conversion with the warm LibreOffice (unoserver, service.pdf.warm) against the cold path
(one `soffice --convert-to pdf` per call, service.pdf.convert.to_pdf_cold), side by side in one run.

    .venv/bin/python -m bench.convert [--repeat N] [--out bench/results/convert.json]

1. conversions per second, warm vs cold, on the sample notice (.docx) and a ledger card (.docx); target warm >= 3x;
2. the sample notice rendered with its PDF end to end (the measured layout: every LibreOffice pass, then the
   normalised PDF, as `wenshu render notice … --pdf` does), warm vs cold; target warm <= 1.5 s.
The warm server's start-up is paid once per process and reported apart (not counted). Figures go to
bench/results/convert.json and convert.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samples.loader import load_sample  # noqa: E402
from service.config import settings  # noqa: E402
from service.layout.fonts import font_env  # noqa: E402
from service.models.notice import load_notice  # noqa: E402
from service.ooxml.normalize import normalize_pdf  # noqa: E402
from service.pdf import convert, warm  # noqa: E402
from service.records.queries import reports  # noqa: E402
from service.records.renderers.word import render_ledger_card_docx  # noqa: E402
from service.records.store.session import open_store  # noqa: E402
from service.render.notice import render_notice_docx  # noqa: E402
from service.render.paginate import render_measured  # noqa: E402

SAMPLE = ROOT / "samples" / "baisheng-2020"
TARGET_RATIO, TARGET_E2E_S = 3.0, 1.5


def _ledger_card(tmp: Path) -> bytes:
    store = open_store(f"sqlite:///{tmp / 'bench.sqlite3'}")
    with store.transaction() as s:
        load_sample(s, SAMPLE)
    with store.transaction() as s:
        data = render_ledger_card_docx(reports.ledger_card(s, reports.class_ids(s)[0]))
    store.engine.dispose()
    return data


def _rate(fn, src: Path, out: Path, repeat: int) -> dict:
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn([src], out / f"{i}")
        times.append(time.perf_counter() - t0)
    total = sum(times)
    return {"conversions": repeat, "seconds": round(total, 3), "per_second": round(repeat / total, 2),
            "ms_each": round(1000 * total / repeat)}


def _warm(sources, outdir):
    with_env = os.environ.get("WENSHU_WARM_OFFICE")
    os.environ["WENSHU_WARM_OFFICE"] = "1"
    try:
        return convert.to_pdf(sources, outdir)
    finally:
        os.environ.pop("WENSHU_WARM_OFFICE") if with_env is None else os.environ.update(WENSHU_WARM_OFFICE=with_env)


def _group_cpu_s(pgid: int | None) -> float:
    """CPU seconds used so far by the processes of a process group (the warm server and its LibreOffice)."""
    if pgid is None:
        return 0.0
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


def _end_to_end(notice, repeat: int, warm_on: bool) -> dict:
    """Wall seconds per run, and (warm) the CPU seconds behind them: this process and the warm LibreOffice, which
    a loaded machine does not inflate the way it does the wall time."""
    os.environ["WENSHU_WARM_OFFICE"] = "1" if warm_on else "0"
    office = warm.office(settings().soffice, font_env(), settings().convert_timeout) if warm_on else None
    times, cpu, passes = [], [], 0
    for _ in range(repeat):
        group = office.pid if office is not None else None
        t0, c0, o0 = time.perf_counter(), time.process_time(), _group_cpu_s(group)
        rendered = render_measured(notice)
        normalize_pdf(rendered.pdf, notice.signature.date)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0 + _group_cpu_s(group) - o0)
        passes = rendered.report.passes
    out = {"runs": repeat, "seconds_each": [round(t, 3) for t in times],
           "median_s": round(sorted(times)[len(times) // 2], 3), "layout_passes": passes}
    if warm_on:
        out["cpu_s_median"] = round(sorted(cpu)[len(cpu) // 2], 3)
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="conversions per document and path")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "convert.json")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="wenshu-bench-convert-"))
    notice = load_notice(SAMPLE)
    docs = {"sample_notice": render_notice_docx(notice), "ledger_card": _ledger_card(tmp)}

    t0 = time.perf_counter()
    warm.office(settings().soffice, font_env(), settings().convert_timeout)._start()
    start_s = time.perf_counter() - t0

    conversions = {}
    for name, data in docs.items():
        src = tmp / f"{name}.docx"
        src.write_bytes(data)
        _warm([src], tmp / "warmup")  # the first conversion of a document type loads its filters
        cold = _rate(convert.to_pdf_cold, src, tmp / f"cold-{name}", args.repeat)
        hot = _rate(_warm, src, tmp / f"warm-{name}", args.repeat)
        ratio = hot["per_second"] / cold["per_second"]
        conversions[name] = {"pages": _pages(tmp / f"warm-{name}" / "0" / f"{name}.pdf"), "cold": cold, "warm": hot,
                             "ratio": round(ratio, 2), "met_target": ratio >= TARGET_RATIO}

    load_before = round(os.getloadavg()[0], 2)
    e2e_cold = _end_to_end(notice, 3, warm_on=False)
    e2e_warm = _end_to_end(notice, 5, warm_on=True)
    os.environ.pop("WENSHU_WARM_OFFICE", None)
    result = {
        "benchmark": "convert",
        "conversions_per_second": conversions,
        "target_ratio": TARGET_RATIO,
        "sample_notice_end_to_end": {"cold": e2e_cold, "warm": e2e_warm, "target_warm_s": TARGET_E2E_S,
                                     "met_target": e2e_warm["median_s"] <= TARGET_E2E_S},
        "not_counted": {"warm_server_start_s": round(start_s, 2)},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_1min": round(os.getloadavg()[0], 2), "load_average_1min_before_end_to_end": load_before,
                    "libreoffice": convert.soffice_version()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(_markdown(result), encoding="utf-8")
    print(_markdown(result))
    return result


def _pages(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


def _markdown(r: dict) -> str:
    lines = ["# PDF conversion: warm LibreOffice (unoserver) vs cold `soffice --convert-to`", "",
             f"Machine: {r['machine']['cpus']} CPUs, load {r['machine']['load_average_1min_before_end_to_end']} (1 min) "
             f"before the end-to-end runs, {r['machine']['load_average_1min']} at the end; "
             f"{r['machine']['libreoffice']}. Warm server start-up (once per process, not counted): "
             f"{r['not_counted']['warm_server_start_s']} s.", "",
             "| document | pages | cold conv/s | warm conv/s | ratio | target ≥ 3× |", "|---|---|---|---|---|---|"]
    for name, c in r["conversions_per_second"].items():
        lines.append(f"| {name} | {c['pages']} | {c['cold']['per_second']} ({c['cold']['ms_each']} ms) | "
                     f"{c['warm']['per_second']} ({c['warm']['ms_each']} ms) | {c['ratio']}× | "
                     f"{'met' if c['met_target'] else 'NOT met'} |")
    e = r["sample_notice_end_to_end"]
    lines += ["", "| sample notice with PDF, end to end | median s | runs | layout passes |", "|---|---|---|---|",
              f"| cold | {e['cold']['median_s']} | {e['cold']['seconds_each']} | {e['cold']['layout_passes']} |",
              f"| warm | {e['warm']['median_s']} | {e['warm']['seconds_each']} | {e['warm']['layout_passes']} |",
              "", f"Warm, CPU behind each run (this process + the warm LibreOffice), median: {e['warm']['cpu_s_median']} s.",
              "", f"Target warm ≤ {e['target_warm_s']} s: {'met' if e['met_target'] else 'NOT met'}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
