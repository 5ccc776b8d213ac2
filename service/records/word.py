"""Word (.docx) versions of the ledger card, the assessment sheet and the quarterly report, for printing.

They use the foundation's compiled-template engine (service.docx.engine.CompiledTemplate) and its GB/T 9704 skeleton
(service.docx.base.TemplateBuilder: A4, type area, fonts, page-number footers). The three templates are built from
the code below once per process into a private temporary folder and compiled once; each render only fills and
deflates document.xml. Every table repeats its header row(s) on each page (w:tblHeader) and no row splits across
pages (w:cantSplit). The renderers take the same plain data as the Excel ones (None gives the blank form).
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from docx.oxml import parse_xml

from service.docx.base import TemplateBuilder
from service.docx.engine import CompiledTemplate
from service.docx.ooxml import NSDECL, border, para, ppr, rpr, run, tag_para
from service.records.assessment import load_rules
from service.records.documents import AssessmentSheet, LedgerCard, QuarterlyReport
from service.records.forms.assessment_sheet import COLUMNS as ASSESS_COLUMNS
from service.records.forms.assessment_sheet import assessment_title
from service.records.forms.ledger_card import COLUMNS as LEDGER_COLUMNS
from service.records.forms.ledger_card import ledger_title
from service.records.forms.quarterly import GROUPS_PER_BAND, MEASURES, layout

J = "{{ %s }}"
BLANK_LEDGER_ROWS = 14
BLANK_ASSESS_ROWS = 17
BLANK_QUARTER_ROWS = 18
_BLANK_DATE = "　　　　年　　月　　日"

_lock = threading.Lock()


# ------------------------------------------------------------------------------------------------- XML pieces
def _fonts():
    from service.layout.profile import profile

    p = profile()
    return p["5.2.2"]["body_font"], p["7.3.3"]["heading_fonts"][1], p["7.3.1"]["font"]


# Table text goes through paragraph styles (one per size, face and alignment) rather than inline properties:
# the rendered document.xml stays small, so filling, checking and deflating it stays quick.
_STYLES: dict[str, str] = {}
_used: set[str] = set()  # the styles of the template being built (only those go into it: same bytes every time)


def _cell_style(size: float, head: bool, jc: str) -> str:
    sid = f"RecT{'H' if head else 'B'}{jc[0].upper()}{round(size * 2)}"
    _used.add(sid)
    if sid not in _STYLES:
        body, heading, _ = _fonts()
        name = f"记录表格{'表头' if head else '文字'}{jc}{size:g}"
        _STYLES[sid] = (
            f'<w:style {NSDECL} w:type="paragraph" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{name}"/>'
            '<w:basedOn w:val="Normal"/><w:qFormat/>'
            + ppr(line=round(size * 20 * 1.25), jc=jc, snap=False, overflow_punct=True, ind={"firstLine": 0})
            + rpr(heading if head else body, size, spacing=0) + "</w:style>")
    return sid


def _text_para(expr: str, *, size: float, head: bool = False, jc: str = "center", raw: bool = True) -> str:
    return para(ppr(_cell_style(size, head, jc)), run(expr, raw=raw))


def _cell(content: str, width: int, *, span: int = 1, vmerge: str | None = None) -> str:
    extra = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    if vmerge == "restart":
        extra += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        extra += "<w:vMerge/>"
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{extra}<w:vAlign w:val="center"/></w:tcPr>'
            f"{content}</w:tc>")


def _row(cells: str, height: int, *, header: bool = False) -> str:
    head = "<w:tblHeader/>" if header else ""
    return f'<w:tr><w:trPr><w:cantSplit/>{head}<w:trHeight w:val="{height}" w:hRule="atLeast"/></w:trPr>{cells}</w:tr>'


def _table(widths: list[int], rows: str) -> str:
    b = "<w:tblBorders>" + "".join(border(e, 4) for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
    cell_mar = '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableNormal"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f'<w:jc w:val="center"/>{b}</w:tblBorders><w:tblLayout w:type="fixed"/>{cell_mar}</w:tblPr>'
            "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>" + rows + "</w:tbl>")


def _scale(weights: list[float], total: int) -> list[int]:
    out = [round(w * total / sum(weights)) for w in weights]
    out[-1] += total - sum(out)
    return out


def _title(expr: str, line: int = 720, after: int = 120) -> str:
    _, _, title_font = _fonts()
    return para(ppr(line=line, jc="center", snap=False, after=after),
                run(expr, rpr(title_font, 18, spacing=0), raw=True))


def _line(expr: str, size: float = 12, jc: str = "left", before: int = 0, keep_next: bool = False) -> str:
    body, _, _ = _fonts()
    return para(ppr(line=round(size * 20 * 1.6), jc=jc, snap=False, before=before, keep_next=keep_next),
                run(expr, rpr(body, size, spacing=0), raw=True))


FIELD_WEIGHTS = [1.5, 3, 1.25, 3]  # label, value, label, value


def _fields(width: int, rows: list[list[tuple[str, str]]], size: float) -> str:
    """The header grid above a table: rows of one or two label/value pairs (one pair: the value spans 3)."""
    widths = _scale(FIELD_WEIGHTS, width)
    out = []
    for items in rows:
        cells = ""
        for n, (label, expr) in enumerate(items):
            cells += _cell(_text_para(label, size=size, head=True, raw=False), widths[2 * n])
            span = 3 if len(items) == 1 else 1
            cells += _cell(_text_para(J % expr, size=size, jc="left"), sum(widths[2 * n + 1:2 * n + 1 + span]),
                           span=span)
        out.append(_row(cells, 480))
    return _table(widths, "".join(out))


# ------------------------------------------------------------------------------------------------- templates
def _ledger_body(tb: TemplateBuilder) -> str:
    width = tb.p.type_area_twips[0]
    widths = _scale([5, 9, 5, 9, 16, 13, 8, 13], width)  # the workbook's columns, tuned to 五号 text
    size = 10.5
    fields = _fields(width, [
        [("培训项目", "k.title")],
        [("办班时间", "k.dates"), ("培训地点", "k.location")],
        [("培训内容", "k.content"), ("培训模式", "k.model")],
        [("培训方式", "k.method"), ("课次/课时", "k.load")],
        [("培训教师姓名", "k.teachers")],
    ], size)
    head = _row("".join(_cell(_text_para(c.title, size=size, head=True, raw=False), w)
                        for c, w in zip(LEDGER_COLUMNS, widths)), 520, header=True)
    body = _row("".join(_cell(_text_para(J % f"r[{i}]", size=size, jc="left" if i == 4 else "center"), w)
                        for i, w in enumerate(widths)), 500)
    roster = _table(widths, head + _row(_cell(tag_para("{%tr for r in rows %}"), width, span=len(widths)), 0)
                    + body + _row(_cell(tag_para("{%tr endfor %}"), width, span=len(widths)), 0))
    return (_title(J % "title") + _line("学习中心（单位）：" + J % "k.unit") + fields
            + _line("", 6) + roster
            + _line("学员代表签字：＿＿＿＿＿＿＿＿　　　　签字日期：" + _BLANK_DATE, before=240, keep_next=True)
            + _line("填卡人：＿＿＿＿＿＿　　　　社区教育学习中心（盖章）") + tb.sect())


def _assessment_body(tb: TemplateBuilder) -> str:
    width = tb.p.type_area_twips[0]
    widths = _scale([c.width for c in ASSESS_COLUMNS], width)
    size = 9.5
    fields = _fields(width, [
        [("培训项目", "k.title")],
        [("办班时间", "k.dates"), ("培训教师", "k.teachers")],
        [("培训内容", "k.content"), ("课次/课时", "k.load")],
    ], 10.5)
    head = _row("".join(_cell(_text_para(c.title, size=size, head=True, raw=False), w)
                        for c, w in zip(ASSESS_COLUMNS, widths)), 560, header=True)
    body = _row("".join(_cell(_text_para(J % f"r[{i}]", size=size), w) for i, w in enumerate(widths)), 440)
    table = _table(widths, head + _row(_cell(tag_para("{%tr for r in rows %}"), width, span=len(widths)), 0)
                   + body + _row(_cell(tag_para("{%tr endfor %}"), width, span=len(widths)), 0))
    return (_title(J % "title") + _line("学习中心（单位）：" + J % "k.unit") + fields
            + _line("考核办法：" + J % "rules", 10.5, before=60) + table
            + _line(J % "summary", before=120, keep_next=True)
            + _line("考核人（培训教师）：＿＿＿＿　审核人：＿＿＿＿　日期：　　年　　月　　日") + tb.sect())


def _quarterly_body(tb: TemplateBuilder) -> str:
    p = tb.p
    m = p.margins_mm
    from service.layout.profile import mm_to_twips

    width = mm_to_twips(p["5.1"]["paper"]["height_mm"] - m["top"] - m["bottom"])  # landscape: the page turns
    ncols = 2 + 3 * GROUPS_PER_BAND
    widths = _scale([2.2, 9.5] + [2.5] * (ncols - 2), width)
    size = 9
    lead = [_cell(_text_para(t, size=size, head=True, raw=False), w, vmerge="restart")
            for t, w in (("序号", widths[0]), ("单位", widths[1]))]
    lead2 = [_cell(_text_para("", size=size), w, vmerge="continue") for w in widths[:2]]
    groups = _cell(_text_para(J % "g", size=size, head=True), sum(widths[2:5]), span=3)
    head1 = _row("".join(lead) + tag_cell("{%tc for g in band.heads %}", widths[2]) + groups
                 + tag_cell("{%tc endfor %}", widths[2]), 700, header=True)
    measures = "".join(_cell(_text_para(mname, size=size, head=True, raw=False), widths[2]) for mname in MEASURES)
    head2 = _row("".join(lead2) + tag_cell("{%tc for g in band.heads %}", widths[2]) + measures
                 + tag_cell("{%tc endfor %}", widths[2]), 320, header=True)
    body = _row(_cell(_text_para(J % "r.seq", size=size), widths[0])
                + _cell(_text_para(J % "r.unit", size=size, jc="left"), widths[1])
                + tag_cell("{%tc for v in r.cells %}", widths[2])
                + _cell(_text_para(J % "v", size=size), widths[2])
                + tag_cell("{%tc endfor %}", widths[2]), "{{ row_h }}")
    table = _table(widths, head1 + head2 + _row(_cell(tag_para("{%tr for r in band.rows %}"), width, span=ncols), 0)
                   + body + _row(_cell(tag_para("{%tr endfor %}"), width, span=ncols), 0))
    band_break = para(ppr(page_break_before="{{ 'true' if not loop.first else 'false' }}", line=20))
    return (tag_para("{%p for band in bands %}") + band_break + _title(J % "band.title", line=560, after=60)
            + _line(J % "period", 11) + table + tag_para("{%p endfor %}")
            + _line("单位负责人：＿＿＿＿　统计负责人：＿＿＿＿　填表人：＿＿＿＿　联系电话：＿＿＿＿＿　报出日期："
                    + J % "reported", 10, before=100)
            + _line("说明：班次为本季度开班的培训班数，人次为参训人次，课时为各班课时之和；类别按附件1《社区教育培训内容》。",
                    9) + tb.sect(landscape=True))


def tag_cell(tag: str, width: int) -> str:
    """A cell that only carries a docxtpl {%tc %} tag; docxtpl removes the cell at render."""
    return _cell(tag_para(tag), width)


_BUILDERS = {"ledger_card": _ledger_body, "assessment": _assessment_body, "quarterly": _quarterly_body}
_tmp: list[Path] = []


@lru_cache(maxsize=None)
def template(name: str) -> CompiledTemplate:
    """The compiled template `name`, built from this module's code once per process."""
    with _lock:
        if not _tmp:
            folder = Path(tempfile.mkdtemp(prefix="wenshu-records-docx-"))
            atexit.register(shutil.rmtree, folder, True)
            _tmp.append(folder)
        path = _tmp[0] / f"{name}.docx"
        tb = TemplateBuilder()
        _used.clear()
        body = _BUILDERS[name](tb)
        styles = tb.doc.part._styles_part._element
        for sid in sorted(_used):
            styles.append(parse_xml(_STYLES[sid]))
        tb.save(body, path)
        return CompiledTemplate(path)


def template_path(name: str) -> Path:
    """Where the built template `name` lies (for inspection, tests and the benchmark's plain docxtpl loop)."""
    template(name)
    return _tmp[0] / f"{name}.docx"


# ------------------------------------------------------------------------------------------------- rendering
def _core(title: str) -> dict:
    return {"title": title, "date": "2000-01-01T00:00:00Z"}


def _klass(k) -> dict:
    if k is None:
        return {key: "" for key in ("unit", "title", "dates", "location", "content", "model", "method", "load",
                                    "teachers")}
    return {"unit": k.unit, "title": k.title, "dates": k.dates_text, "location": k.location,
            "content": k.category_name, "model": k.model_name, "method": k.method,
            "load": f"{k.sessions}次／{k.hours}课时", "teachers": k.teachers_text}


def _s(value) -> str:
    return "" if value is None else str(value)


def ledger_card_context(card: LedgerCard | None, *, township_short: str = "") -> dict:
    """The template context of a ledger card (the plain data, flattened to strings)."""
    k = card.klass if card else None
    title = ledger_title(k.township_short if k else township_short)
    if card:
        rows = [[str(r.seq), r.name, r.gender, _s(r.birth_year), r.home_unit, r.categories,
                 f"{r.attended}/{r.sessions}", ""] for r in card.rows]
    else:
        rows = [[str(i + 1)] + [""] * 7 for i in range(BLANK_LEDGER_ROWS)]
    return {"title": title, "k": _klass(k), "rows": rows, "core": _core(title)}


def render_ledger_card_docx(card: LedgerCard | None, *, township_short: str = "") -> bytes:
    """学员培训记录卡 .docx (portrait A4); `card=None` gives the blank form."""
    return template("ledger_card").render(ledger_card_context(card, township_short=township_short))


def render_assessment_docx(sheet: AssessmentSheet | None, *, township_short: str = "") -> bytes:
    """学员考核表 .docx (portrait A4); `sheet=None` gives the blank form."""
    rules = load_rules()
    k = sheet.klass if sheet else None
    title = assessment_title(k.township_short if k else township_short)
    if sheet:
        rows = [[str(r.seq), r.name, r.gender, str(r.sessions), str(r.attended), f"{r.attendance_rate}",
                 _s(r.notes), _s(r.questions), f"{r.composite}", r.grade, r.result, ""] for r in sheet.rows]
        total = len(sheet.rows)
        rate = f"{sheet.passed * 100 / total:.1f}%" if total else "—"
        summary = f"参加考核{total}人，合格{sheet.passed}人，合格率{rate}。"
    else:
        rows = [[str(i + 1)] + [""] * 11 for i in range(BLANK_ASSESS_ROWS)]
        summary = "参加考核＿＿人，合格＿＿人，合格率＿＿%。"
    return template("assessment").render({
        "title": title, "k": _klass(k), "rows": rows, "summary": summary, "core": _core(title),
        "rules": (sheet.rules_text if sheet else rules.describe()) + "。"})


def render_quarterly_docx(report: QuarterlyReport | None, *, township_short: str = "", year: int | None = None,
                          quarter: int | None = None) -> bytes:
    """季报 .docx (landscape A4, one column band per page like the workbook); `report=None` gives the blank."""
    lay = layout(report, township_short=township_short, year=year, quarter=quarter, blank_rows=BLANK_QUARTER_ROWS)
    rows = [(str(i + 1), unit or "", lay.values[i] if lay.values else None) for i, unit in enumerate(lay.units)]
    rows.append(("", "合计", lay.totals))
    bands = []
    for b, band in enumerate(lay.bands):
        out = []
        for seq, unit, tallies in rows:
            cells = []
            for gi, _ in band:
                if tallies is None:
                    cells += ["", "", ""]
                    continue
                t = tallies[gi]
                hide = gi > 0 and unit != "合计"  # categories print empty for 0, like the workbook
                cells += ["" if hide and v == 0 else str(v) for v in (t.classes, t.trainees, t.hours)]
            out.append({"seq": seq, "unit": unit, "cells": cells})
        bands.append({"title": lay.title + ("（续表）" if b else ""), "heads": [h for _, h in band], "rows": out})
    filled = report.filled_on if report else None
    reported = f"{filled.year}年{filled.month}月{filled.day}日" if filled else _BLANK_DATE
    return template("quarterly").render({
        "bands": bands, "reported": reported, "core": _core(lay.title), "row_h": 280 if report else 340,
        "period": f"报告期：{lay.period}　　填报单位：{lay.township}社区教育学校（盖章）　　计量单位：班次、人次、课时"})
