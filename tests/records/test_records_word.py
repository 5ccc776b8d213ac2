"""Word versions made with the foundation's compiled-template engine: cells equal the records, header rows repeat,
rows never split, landscape quarterly, blanks, byte-identical output."""
from __future__ import annotations

import io

import docx
import pytest

from service.records.queries import reports
from service.records.renderers.word import (
    render_assessment_docx,
    render_ledger_card_docx,
    render_quarterly_docx,
)

BLANK_LEDGER_ROWS = 14
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
YEAR = 2020


def doc_of(data: bytes):
    return docx.Document(io.BytesIO(data))


def texts(row) -> list[str]:
    out, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(cell.text)
    return out


def flags(row) -> tuple[bool, bool]:
    trpr = row._tr.find(f"{W}trPr")
    return (trpr is not None and trpr.find(f"{W}tblHeader") is not None,
            trpr is not None and trpr.find(f"{W}cantSplit") is not None)


def test_ledger_card_docx_equals_the_records(sample_store, may_class_id):
    with sample_store.transaction() as s:
        card = reports.ledger_card(s, may_class_id)
    data = render_ledger_card_docx(card)
    assert data == render_ledger_card_docx(card)
    d = doc_of(data)
    fields, roster = d.tables
    k = card.klass
    grid = {r[0]: r[1:] for r in (texts(row) for row in fields.rows)}
    assert grid["培训项目"] == [k.title]
    assert grid["办班时间"] == [k.dates_text, "培训地点", k.location]
    assert grid["培训内容"][0] == k.category_name and grid["培训方式"][0] == k.method
    assert grid["培训教师姓名"] == ["、".join(k.teachers)]
    header, *rows = roster.rows
    assert texts(header) == ["序号", "姓名", "性别", "出生年份", "所在村（社区）/单位", "学员类别", "出勤（次）", "学员签名"]
    assert flags(header) == (True, True)
    assert [texts(r) for r in rows] == [
        [str(r.seq), r.name, r.gender, str(r.birth_year), r.home_unit, r.categories, f"{r.attended}/{r.sessions}", ""]
        for r in card.rows]
    assert all(flags(r) == (False, True) for r in rows)
    body = "\n".join(p.text for p in d.paragraphs)
    assert "百胜镇社区教育学员培训记录卡" in body and "学员代表签字" in body and f"学习中心（单位）：{k.unit}" in body
    assert d.core_properties.title == "百胜镇社区教育学员培训记录卡"


def test_assessment_docx_equals_the_scores(sample_store, may_class_id):
    with sample_store.transaction() as s:
        sheet = reports.assessment_sheet(s, may_class_id)
    d = doc_of(render_assessment_docx(sheet))
    header, *rows = d.tables[1].rows
    assert texts(header)[:9] == ["序号", "姓名", "性别", "应到（次）", "实到（次）", "出勤率（%）", "听课记录", "课堂提问",
                                 "综合得分"]
    assert flags(header) == (True, True)
    assert [texts(r) for r in rows] == [
        [str(r.seq), r.name, r.gender, str(r.sessions), str(r.attended), str(r.attendance_rate), str(r.notes),
         str(r.questions), str(r.composite), r.grade, r.result, ""] for r in sheet.rows]
    body = "\n".join(p.text for p in d.paragraphs)
    assert "出勤率×40%＋听课记录×30%＋课堂提问×30%" in body and f"合格{sheet.passed}人" in body


def test_quarterly_docx_is_landscape_with_repeated_two_row_headers(sample_store):
    with sample_store.transaction() as s:
        report = reports.quarterly_report(s, YEAR, 3)
    d = doc_of(render_quarterly_docx(report))
    section = d.sections[0]
    assert section.page_width > section.page_height and section.orientation == 1  # WD_ORIENT.LANDSCAPE
    assert len(d.tables) == 2
    values = {}
    for t in d.tables:
        head1, head2, *rows = t.rows
        assert flags(head1) == flags(head2) == (True, True)
        groups = texts(head1)[2:]
        assert texts(head2)[2:] == ["班次", "人次", "课时"] * len(groups)
        for r in rows:
            cells = texts(r)
            for gi, g in enumerate(groups):
                values[(cells[1], g)] = cells[2 + 3 * gi: 5 + 3 * gi]
    heads = ["合计"] + [f"{c.no}.{c.name}" for c in report.categories]
    for row in [*report.rows, report.totals]:
        for g, t in zip(heads, [row.total, *row.by_category]):
            shown = values[(row.unit, g)]
            expected = [str(v) for v in (t.classes, t.trainees, t.hours)]
            if g != "合计" and row.unit != "合计":
                expected = ["" if v == "0" else v for v in expected]
            assert shown == expected, (row.unit, g)


def test_blank_word_forms():
    d = doc_of(render_ledger_card_docx(None, township_short="某某镇"))
    assert len(d.tables[1].rows) == 1 + BLANK_LEDGER_ROWS  # as the template's `blank_rows(14)` says
    assert all(c == "" for r in d.tables[1].rows[1:] for c in texts(r)[1:])
    assert "某某镇社区教育学员培训记录卡" in d.paragraphs[0].text
    q = doc_of(render_quarterly_docx(None, township_short="某某镇", year=2021, quarter=1))
    assert "2021年第一季度" in "\n".join(p.text for p in q.paragraphs)
    a = doc_of(render_assessment_docx(None, township_short="某某镇"))
    assert "考核办法：综合得分＝" in "\n".join(p.text for p in a.paragraphs)
    assert render_quarterly_docx(None, township_short="某某镇") == render_quarterly_docx(None, township_short="某某镇")


@pytest.mark.pdf
def test_headers_and_totals_do_not_wrap_in_the_pdf(sample_store, may_class_id, tmp_path):
    """Issue 11 item 9 on the records forms: `听课记/录`, `综合得/分` and the quarterly total `396/9` stay on one line
    (column widths in the templates); measured on the PDF LibreOffice prints."""
    import pdfplumber

    from service.pdf.convert import to_pdf

    with sample_store.transaction() as s:
        sheet = reports.assessment_sheet(s, may_class_id)
        report = reports.quarterly_report(s, YEAR, 2)
    sources = [tmp_path / "assessment.docx", tmp_path / "quarterly.docx"]
    sources[0].write_bytes(render_assessment_docx(sheet))
    sources[1].write_bytes(render_quarterly_docx(report))
    assess_pdf, quarterly_pdf = to_pdf(sources, tmp_path)
    with pdfplumber.open(assess_pdf) as pdf:
        words = {w["text"] for w in pdf.pages[0].extract_words()}
    assert {"听课记录", "课堂提问", "综合得分", "考核结果"} <= words, sorted(words)
    totals = report.totals
    with pdfplumber.open(quarterly_pdf) as pdf:
        first = pdf.pages[0].extract_words()
        row = [w for w in first if w["text"] == "合计" and w["top"] > 200]
        assert len(row) == 1
        on_row = [w["text"] for w in first if abs(w["top"] - row[0]["top"]) < 3]
        units = [w["text"] for page in pdf.pages for w in page.extract_words()]
    assert on_row[1:4] == [str(totals.total.classes), str(totals.total.trainees), str(totals.total.hours)], on_row
    assert all(r.unit in units for r in report.rows)  # every unit name on one line
