"""Annex 3 月报表 workbook, read back with openpyxl: layout, validation, formulas, print set-up, values."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from service.config import SAMPLES_DIR
from service.forms.annex3 import (
    blank_rows,
    load_monthly_report,
    monthly_report_title,
    parse_monthly_report,
    render_monthly_report,
)
from service.forms.catalog import training_methods
from service.forms.validation import DataValidationError

SAMPLE = SAMPLES_DIR / "baisheng-2020" / "monthly_report.json"
HEADERS = ["序号", "培训项目", "培训人数", "培训地点", "培训课时数", "培训方式", "备注"]


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


@pytest.fixture(scope="module")
def report():
    return load_monthly_report(SAMPLE)


@pytest.fixture(scope="module")
def filled(report):
    return _sheet(render_monthly_report(report))


@pytest.fixture(scope="module")
def blank():
    return _sheet(render_monthly_report(None, township_short="百胜镇"))


def _merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_header_block_and_columns(filled, blank):
    for ws in (filled, blank):
        assert ws["A1"].value == "百胜镇社区教育培训月报表"
        assert ws["A1"].font.name == "方正小标宋简体"
        assert [ws.cell(4, c).value for c in range(1, 8)] == HEADERS
        assert all(ws.cell(4, c).font.name == "黑体" for c in range(1, 8))
        assert {"A1:G1", "A2:C2", "D2:G2", "A3:G3"} <= _merged(ws)
    assert filled["A2"].value == "社区教育学校（ 5 ）月份"
    assert filled["D2"].value == "填报时间：2020年6月3日"
    assert filled["A3"].value == "填报单位：紫荆村"
    assert blank["A2"].value == "社区教育学校（ 　　 ）月份"
    assert blank["D2"].value == "填报时间：　　　　年　　月　　日"
    assert blank["A3"].value == "填报单位："


def test_filled_values_equal_input(filled, report):
    for i, row in enumerate(report.rows):
        r = 5 + i
        got = [filled.cell(r, c).value for c in range(1, 8)]
        assert got == [i + 1, row.project, row.trainees, row.location, row.hours, row.method, row.remark or None]
        assert filled.cell(r, 2).font.name == "仿宋_GB2312"
    # the rest of the form stays empty for additions by hand, numbered
    for r in range(5 + len(report.rows), 5 + blank_rows()):
        assert filled.cell(r, 1).value == r - 4
        assert all(filled.cell(r, c).value is None for c in range(2, 8))


def test_totals_are_formulas_over_all_data_rows(filled, blank):
    last = 4 + blank_rows()
    for ws in (filled, blank):
        total = last + 1
        assert ws.cell(total, 1).value == "合计" and f"A{total}:B{total}" in _merged(ws)
        assert ws.cell(total, 3).value == f"=SUM(C5:C{last})"
        assert ws.cell(total, 5).value == f"=SUM(E5:E{last})"


def test_footer(filled, blank):
    row = 4 + blank_rows() + 2
    assert filled.cell(row, 1).value == "填表人：黄小红　　联系电话：13983310202　　邮箱：zijing_cjzx@example.com"
    text = blank.cell(row, 1).value
    assert text.startswith("填表人：") and "联系电话：" in text and text.endswith("邮箱：")
    assert f"A{row}:G{row}" in _merged(blank)


def test_data_validation(filled):
    last = 4 + blank_rows()
    dvs = {str(dv.sqref): dv for dv in filled.data_validations.dataValidation}
    method = dvs[f"F5:F{last}"]
    assert method.type == "list" and method.showErrorMessage
    assert method.formula1 == '"' + ",".join(training_methods()) + '"'
    for col in ("C", "E"):
        dv = dvs[f"{col}5:{col}{last}"]
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert dv.showErrorMessage and "整数" in dv.error


def test_print_setup(filled):
    ps = filled.page_setup
    assert ps.paperSize == 9 and ps.orientation == "portrait"
    assert (ps.fitToWidth, ps.fitToHeight) == (1, 0) and filled.sheet_properties.pageSetUpPr.fitToPage
    assert filled.print_title_rows == "$4:$4"
    last = 4 + blank_rows() + 2
    assert filled.print_area == f"'月报表'!$A$1:$G${last}"
    m = filled.page_margins
    assert round(m.top * 25.4) == 20 and round(m.left * 25.4) == 15
    assert filled.print_options.horizontalCentered


def test_more_rows_than_the_blank_form_extend_table_and_totals(report):
    raw = report.model_dump(mode="json")
    raw["rows"] = raw["rows"] * 4  # 24 rows
    ws = _sheet(render_monthly_report(parse_monthly_report(raw)))
    last = 4 + 24
    assert ws.cell(last, 2).value == raw["rows"][-1]["project"]
    assert ws.cell(last + 1, 3).value == f"=SUM(C5:C{last})"
    assert ws.print_area.endswith(f"$G${last + 2}")


def test_bad_rows_reported_with_row_and_column():
    raw = json.loads(SAMPLE.read_text(encoding="utf-8"))
    raw["rows"][1]["method"] = "函授"
    raw["rows"][3]["trainees"] = 12.5
    raw["phone"] = "12345"
    with pytest.raises(DataValidationError) as info:
        parse_monthly_report(raw)
    issues = {(i.row, i.column): i for i in info.value.issues}
    assert "“函授”不是培训方式" in issues[(2, "培训方式")].message
    assert issues[(2, "培训方式")].row_label == raw["rows"][1]["project"]
    assert (4, "培训人数") in issues
    assert "电话号码" in issues[(None, "联系电话")].message


def test_reproducible_and_dated(report):
    a = render_monthly_report(report)
    assert a == render_monthly_report(report)
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml"
        assert {i.date_time for i in zf.infolist()} == {(2020, 6, 3, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "<dcterms:created" in core and "2020-06-03T00:00:00Z" in core
    props = load_workbook(io.BytesIO(a)).properties
    assert props.created == dt.datetime(2020, 6, 3) and props.creator == "社教文书"
    assert props.title == monthly_report_title("百胜镇")
