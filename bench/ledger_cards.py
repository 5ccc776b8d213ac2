"""Benchmark: the ledger cards (学员培训记录卡, .docx) of every class of the sample year, rendered by the
compiled-template engine (service.records.renderers.word, doc_templates/ledger_card.docx) and by a plain docxtpl loop
(DocxTemplate per card, render, save), in one run.

    .venv/bin/python -m bench.ledger_cards [--limit N] [--out bench/results/ledger_cards.json]

The same template file and the same context feed both; the first card's text is checked to be equal. Data is read
from a fresh SQLite store loaded with samples/baisheng-2020 (loading time is reported, not counted). Figures go to
bench/results/ledger_cards.json (and are printed). Target: the engine at least 10x the plain loop's cards per second.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import docx
from docxtpl import DocxTemplate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samples.loader import load_sample  # noqa: E402
from service.docx.engine import blank_rows, load_template  # noqa: E402
from service.records.queries import reports  # noqa: E402
from service.records.renderers.word import ledger_card_context, render_ledger_card_docx  # noqa: E402
from service.records.store.session import open_store  # noqa: E402
from service.templates import store as template_store  # noqa: E402

SAMPLE = ROOT / "samples" / "baisheng-2020"
TARGET = 10.0


def _text(data: bytes) -> list[str]:
    d = docx.Document(io.BytesIO(data))
    return [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N classes (0: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ledger_cards.json")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="wenshu-bench-ledger-"))
    t0 = time.perf_counter()
    store = open_store(f"sqlite:///{tmp / 'bench.sqlite3'}")
    with store.transaction() as s:
        load_sample(s, SAMPLE)
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    with store.transaction() as s:
        ids = reports.class_ids(s)
        if args.limit:
            ids = ids[: args.limit]
        cards = [reports.ledger_card(s, cid) for cid in ids]
    query_s = time.perf_counter() - t0
    contexts = [ledger_card_context(c) for c in cards]
    rows = sum(len(c.rows) for c in cards)

    t0 = time.perf_counter()
    load_template("ledger_card")  # read + compile doc_templates/ledger_card.docx once per process (counted apart)
    compile_s = time.perf_counter() - t0
    path = template_store.resolve("ledger_card")

    t0 = time.perf_counter()
    fast = [render_ledger_card_docx(c) for c in cards]
    fast_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    plain = []
    for ctx in contexts:
        tpl = DocxTemplate(str(path))
        tpl.render({**ctx, "blank_rows": blank_rows}, autoescape=True)
        buf = io.BytesIO()
        tpl.save(buf)
        plain.append(buf.getvalue())
    plain_s = time.perf_counter() - t0

    same = _text(fast[0]) == _text(plain[0]) and _text(fast[-1]) == _text(plain[-1])
    reproducible = all(render_ledger_card_docx(c) == f for c, f in zip(cards[:20], fast[:20]))
    fast_rate, plain_rate = len(fast) / fast_s, len(plain) / plain_s
    result = {
        "benchmark": "ledger_cards",
        "cards": len(cards),
        "roster_rows": rows,
        "engine": {"seconds": round(fast_s, 3), "cards_per_second": round(fast_rate, 1),
                   "ms_per_card": round(1000 * fast_s / len(fast), 2),
                   "template_compile_seconds": round(compile_s, 3), "template": path.name,
                   "bytes_total": sum(map(len, fast))},
        "plain_docxtpl": {"seconds": round(plain_s, 3), "cards_per_second": round(plain_rate, 1),
                          "ms_per_card": round(1000 * plain_s / len(plain), 2), "bytes_total": sum(map(len, plain))},
        "ratio": round(fast_rate / plain_rate, 1),
        "target_ratio": TARGET,
        "met_target": fast_rate / plain_rate >= TARGET,
        "same_text_first_and_last_card": same,
        "bytes_reproducible_first_20_cards": reproducible,
        "not_counted": {"sample_load_seconds": round(load_s, 2), "query_seconds": round(query_s, 2)},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "median_card_rows": statistics.median(len(c.rows) for c in cards),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    store.engine.dispose()
    return result


if __name__ == "__main__":
    main()
