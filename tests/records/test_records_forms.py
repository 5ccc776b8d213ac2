"""Excel documents made from records: the cells equal the records, print set-up, blanks, determinism, CLI;
and, through LibreOffice, a 120-trainee ledger card spanning pages with its header repeated."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pdfplumber
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from service.cli import main
from service.forms.annex3 import render_monthly_report
from service.records.queries import reports
from service.records.queries.assessment import load_rules
from service.records.renderers import outputs
from service.records.renderers.forms import assessment_sheet as assess_mod
from service.records.renderers.forms import ledger_card as ledger_mod
from service.records.renderers.forms import quarterly as quarterly_mod
from service.records.renderers.forms import render_assessment_sheet, render_ledger_card, render_quarterly_report
from service.records.store.models import Enrolment

YEAR = 2020


def wb_of(data: bytes):
    return load_workbook(io.BytesIO(data))


def merged_value(ws, label: str):
    """The value cell right of a field label in the field grid."""
    for row in ws.iter_rows(min_row=3, max_row=8):
        for cell in row:
            if cell.value == label:
                for nxt in row[cell.column:]:
                    if nxt.value is not None:
                        return nxt.value
    raise AssertionError(f"no field {label}")


def test_ledger_card_cells_equal_the_records(sample_store, may_class_id):
    with sample_store.transaction() as s:
        card = reports.ledger_card(s, may_class_id)
    data = render_ledger_card(card)
    assert data == render_ledger_card(card)  # byte-identical
    ws = wb_of(data).active
    k = card.klass
    assert ws["A1"].value == "百胜镇社区教育学员培训记录卡"
    assert ws["A2"].value == f"学习中心（单位）：{k.unit}"
    assert merged_value(ws, "办班时间") == k.dates_text
    assert merged_value(ws, "培训内容") == k.category_name
    assert merged_value(ws, "培训方式") == k.method
    assert merged_value(ws, "培训教师姓名") == "、".join(k.teachers) != ""
    assert merged_value(ws, "培训项目") == k.title
    h = ledger_mod.HEADER_ROW
    assert [c.value for c in ws[h]] == [c.title for c in ledger_mod.columns()]
    assert ws.cell(row=h, column=8).value == "学员签名"
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=h + 1, max_row=h + len(card.rows))]
    assert [r[1] for r in body] == [r.name for r in card.rows]
    assert [(r[2], r[3], r[4], r[5], r[6]) for r in body] == [
        (r.gender, r.birth_year, r.home_unit, r.categories, f"{r.attended}/{r.sessions}") for r in card.rows]
    assert all(r[7] is None for r in body)  # the signature column stays empty for the pen
    tail = [ws.cell(row=r, column=1).value for r in range(h + len(card.rows) + 1, ws.max_row + 1)]
    assert any(t and t.startswith("学员代表签字：") for t in tail)
    assert ws.print_title_rows == f"${h}:${h}"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    with sample_store.transaction() as s:
        n = s.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.class_id == may_class_id))
    assert len(body) == n


def test_assessment_sheet_cells_equal_the_scores(sample_store, may_class_id):
    rules = load_rules()
    with sample_store.transaction() as s:
        sheet = reports.assessment_sheet(s, may_class_id)
    ws = wb_of(render_assessment_sheet(sheet)).active
    assert ws["A1"].value == "百胜镇社区教育培训学员考核表"
    note = ws["A6"].value
    assert "出勤率×40%" in note and "听课记录×30%" in note and "课堂提问×30%" in note and "60分" in note
    h = assess_mod.HEADER_ROW
    titles = [c.value for c in ws[h]]
    assert titles == [c.title for c in assess_mod.columns()]
    col = {t: i for i, t in enumerate(titles)}
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=h + 1, max_row=h + len(sheet.rows))]
    for cells, r in zip(rows, sheet.rows, strict=True):
        assert cells[col["姓名"]] == r.name
        assert (cells[col["应到（次）"]], cells[col["实到（次）"]]) == (r.sessions, r.attended)
        assert Decimal(str(cells[col["出勤率（%）"]])) == r.attendance_rate
        assert (cells[col["听课记录"]], cells[col["课堂提问"]]) == (r.notes, r.questions)
        w = rules.weights
        rate = Decimal(r.attended) * 100 / Decimal(r.sessions)
        expected = (rate * w.attendance + Decimal(r.notes) * w.notes + Decimal(r.questions) * w.questions
                    ).quantize(Decimal(1), rounding="ROUND_HALF_UP")
        assert Decimal(str(cells[col["综合得分"]])) == expected
        assert cells[col["考核结果"]] == ("合格" if expected >= 60 else "不合格")
        assert cells[col["等级"]] == r.grade
    summary = ws.cell(row=h + len(sheet.rows) + 1, column=1).value
    assert summary.startswith(f"参加考核{len(sheet.rows)}人，合格{sheet.passed}人")
    assert ws.print_title_rows == f"${h}:${h}" and int(ws.page_setup.paperSize) == 9


def test_quarterly_report_cells_equal_the_aggregates(sample_store):
    with sample_store.transaction() as s:
        report = reports.quarterly_report(s, YEAR, 2)
    wb = wb_of(render_quarterly_report(report))
    assert wb.sheetnames == ["季报", "季报（续）"]
    first, second = wb["季报"], wb["季报（续）"]
    assert first["A1"].value == "百胜镇社区教育培训季报表" and second["A1"].value == "百胜镇社区教育培训季报表（续表）"
    assert "2020年第二季度" in first["A2"].value
    H1, H2, F = quarterly_mod.HEAD1, quarterly_mod.HEAD2, quarterly_mod.FIRST
    heads = [first.cell(row=H1, column=c).value for c in range(3, 3 + 21, 3)]
    heads += [second.cell(row=H1, column=c).value for c in range(3, 3 + 21, 3)]
    assert heads == ["合计"] + [f"{c.no}.{c.name}" for c in report.categories]
    assert [first.cell(row=H2, column=c).value for c in range(3, 6)] == ["班次", "人次", "课时"]
    groups = [(first, 3)] + [(first, 6 + 3 * i) for i in range(6)] + [(second, 3 + 3 * i) for i in range(7)]
    for i, row in enumerate([*report.rows, report.totals]):
        r = F + i
        assert first.cell(row=r, column=2).value == second.cell(row=r, column=2).value == row.unit
        tallies = [row.total, *row.by_category]
        for (ws, c), t in zip(groups, tallies, strict=True):
            got = [ws.cell(row=r, column=c + k).value for k in range(3)]
            assert got == [t.classes, t.trainees, t.hours]
    assert first.cell(row=F + len(report.rows), column=2).value == "合计"
    for ws in (first, second):
        assert ws.print_title_rows == f"${H1}:${H2}"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9


def test_monthly_report_goes_through_the_annex3_renderer(sample_store):
    with sample_store.transaction() as s:
        data = reports.monthly_report(s, "紫荆村", YEAR, 5)
        f = outputs.monthly_report_file(s, "紫荆村", YEAR, 5)
    assert f.data == render_monthly_report(data)
    ws = wb_of(f.data).active
    cells = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert {r.project for r in data.rows} <= cells
    assert data.rows and data.total_trainees > 0 and f.name == "紫荆村 2020年5月 百胜镇社区教育培训月报表.xlsx"


def test_blank_forms_exist_for_every_record_document():
    files = outputs.blank_files("某某镇", ["甲村", "乙村"])
    names = [f.name for f in files]
    assert names == ["某某镇社区教育学员培训记录卡（空白）.xlsx", "某某镇社区教育学员培训记录卡（空白）.docx",
                     "某某镇社区教育培训学员考核表（空白）.xlsx", "某某镇社区教育培训学员考核表（空白）.docx",
                     "某某镇社区教育培训月报表（空白）.xlsx",
                     "某某镇社区教育培训季报表（空白）.xlsx", "某某镇社区教育培训季报表（空白）.docx",
                     "培训班计划表（导入模板）.xlsx", "学员名册（导入模板）.xlsx"]
    by_name = {f.name: f for f in files}
    ledger = wb_of(files[0].data).active
    h = ledger_mod.HEADER_ROW
    assert [ledger.cell(row=h + i, column=1).value for i in (1, 20)] == [1, 20]
    assert all(ledger.cell(row=h + 1, column=c).value is None for c in range(2, 9))
    assessment = wb_of(by_name["某某镇社区教育培训学员考核表（空白）.xlsx"].data).active
    formula = assessment.cell(row=assess_mod.HEADER_ROW + 1, column=9).value
    w = load_rules().weights
    assert formula.startswith("=IF(") and f"*{w.attendance}" in formula and f"*{w.notes}" in formula
    quarterly = wb_of(by_name["某某镇社区教育培训季报表（空白）.xlsx"].data)
    assert quarterly["季报"].cell(row=quarterly_mod.FIRST, column=3).value.startswith("=SUM(")
    assert all(f.data == g.data for f, g in zip(files, outputs.blank_files("某某镇", ["甲村", "乙村"])))


def test_cli_loads_the_sample_and_writes_every_document(store, sample_dir, tmp_path):
    url = store.engine.url.render_as_string(hide_password=False)
    run = CliRunner().invoke
    r = run(main, ["load", str(sample_dir), "--database-url", url])
    assert r.exit_code == 0, r.output
    assert "学员：新增5200" in r.output and "培训班：新增320" in r.output
    out = tmp_path / "out"
    r = run(main, ["ledger", "--unit", "紫荆村", "--month", "2020-05", "--out", str(out), "--database-url", url])
    assert r.exit_code == 0, r.output
    with store.transaction() as s:
        may = reports.class_ids(s, "紫荆村", dt.date(2020, 5, 1), dt.date(2020, 6, 1))
    cards = sorted(out.glob("紫荆村《*》（2020-05-*）学员培训记录卡.xlsx"))
    assert len(cards) == len(may) > 0
    assert len(sorted(out.glob("紫荆村《*》（2020-05-*）学员培训记录卡.docx"))) == len(may)
    r = run(main, ["assessment", "--class", str(may[0]), "--out", str(out), "--database-url", url])
    assert r.exit_code == 0 and len(list(out.glob("*学员考核表.xlsx"))) == len(list(out.glob("*学员考核表.docx"))) == 1
    r = run(main, ["report", "monthly", "--unit", "紫荆村", "--month", "2020-05", "--out", str(out),
                   "--database-url", url])
    assert r.exit_code == 0 and (out / "紫荆村 2020年5月 百胜镇社区教育培训月报表.xlsx").exists()
    r = run(main, ["report", "quarterly", "--year", "2020", "--quarter", "2", "--out", str(out), "--database-url", url])
    assert r.exit_code == 0 and (out / "百胜镇社区教育培训季报表（2020年第二季度）.xlsx").exists()
    assert (out / "百胜镇社区教育培训季报表（2020年第二季度）.docx").exists()
    r = run(main, ["ledger", "--unit", "火星村", "--month", "2020-05", "--out", str(out), "--database-url", url])
    assert r.exit_code == 1 and "找不到“火星村”" in r.output
    r = run(main, ["assessment", "--class", "999999", "--out", str(out), "--database-url", url])
    assert r.exit_code == 1 and "找不到编号为999999的培训班" in r.output


def test_cli_import_reports_errors_and_writes_the_marked_workbook(store, sample_dir, tmp_path):
    from service.records.exchange.workbooks import blank_schedule

    url = store.engine.url.render_as_string(hide_password=False)
    run = CliRunner().invoke
    assert run(main, ["load", str(sample_dir), "--database-url", url]).exit_code == 0
    wb = wb_of(blank_schedule(["紫荆村"]))
    ws = wb["培训班"]
    for c, v in enumerate(["紫荆村", "新班", "4", "短平快", "讲座", "活动室", "2020-12-01", None, 0, 2, "不存在"], 1):
        ws.cell(row=2, column=c, value=v)
    src, marked = tmp_path / "计划.xlsx", tmp_path / "marked.xlsx"
    wb.save(src)
    r = run(main, ["records", "import", str(src), "--marked", str(marked), "--database-url", url])
    assert r.exit_code == 1 and "【培训班】第2行I列（课次）" in r.output and "【培训班】第2行K列（培训教师）" in r.output
    assert wb_of(marked.read_bytes())["培训班"]["I2"].comment is not None
    r = run(main, ["records", "import", str(tmp_path), "--database-url", url])
    assert r.exit_code == 2


@pytest.fixture(scope="module")
def one_sample_store(databases, sample_dir):
    """The sample on SQLite only: for measurements that do not depend on the database (one conversion)."""
    from samples.loader import load_sample
    from service.records.store.session import open_store

    store = open_store(databases.url("sqlite", "pdf-sample"))
    with store.transaction() as s:
        load_sample(s, sample_dir)
    yield store
    store.engine.dispose()


@pytest.mark.pdf
def test_a_120_trainee_ledger_card_spans_pages_with_its_header_repeated(one_sample_store, tmp_path):
    """Excel and Word card of the 120-trainee class, plus the Word quarterly report, in one conversion."""
    from service.pdf.convert import to_pdf
    from service.records.renderers.word import render_ledger_card_docx, render_quarterly_docx

    with one_sample_store.transaction() as s:
        cid, n = s.execute(select(Enrolment.class_id, func.count()).group_by(Enrolment.class_id)
                           .order_by(func.count().desc())).first()
        card = reports.ledger_card(s, cid)
        quarter = reports.quarterly_report(s, YEAR, 2)
    assert n == len(card.rows) == 120
    sources = [tmp_path / "ledger.xlsx", tmp_path / "ledger.docx", tmp_path / "quarterly.docx"]
    sources[0].write_bytes(render_ledger_card(card))
    sources[1].write_bytes(render_ledger_card_docx(card))
    sources[2].write_bytes(render_quarterly_docx(quarter))
    xlsx_pdf, docx_pdf, quarterly_pdf = to_pdf(sources, tmp_path)
    for pdf_path in (xlsx_pdf, docx_pdf):
        with pdfplumber.open(pdf_path) as pdf:
            pages = [p.extract_text() for p in pdf.pages]
            tops = []
            for page in pdf.pages:
                words = page.extract_words()
                head = [w for w in words if w["text"] == "学员签名"]
                assert len(head) == 1, f"{pdf_path.name}: the roster header is on every page, once"
                below = [w for w in words if w["text"].isdigit() and w["top"] > head[0]["top"]]
                tops.append((head[0]["top"], min(w["top"] for w in below) if below else None))
                assert abs(page.width - 595.3) < 1 and abs(page.height - 841.9) < 1  # portrait A4
            seqs = [int(w["text"]) for page in pdf.pages for w in page.extract_words()
                    if w["text"].isdigit() and int(w["text"]) <= 120 and w["x0"] < 110]
        assert len(pages) >= 3, pdf_path.name
        text = "\n".join(pages)
        assert all(r.name in text for r in card.rows)
        assert sorted(set(seqs)) == list(range(1, 121))  # every row once: none lost, none split in two
        assert "学员代表签字" in pages[-1] and "学员代表签字" not in pages[0]
        assert all(first is not None and first > head for head, first in tops)
        assert all(top < 160 for top, _ in tops[1:])  # on continuation pages the header comes first
    with pdfplumber.open(quarterly_pdf) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert page.width > page.height  # landscape A4
            assert page.extract_text().count("班次") >= 7
        assert "（续表）" in pdf.pages[1].extract_text()
