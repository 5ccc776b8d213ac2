"""Annex 3 社区教育培训月报表 as a fillable .xlsx form: blank, or filled from plain data.

    render_monthly_report(None, township_short="百胜镇") -> bytes of the blank form
    render_monthly_report(load_monthly_report(path))    -> bytes of the filled form

The records store (issue 4) builds a `MonthlyReport` from its rows and calls the same renderer.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from pydantic import Field, NonNegativeInt, field_validator

from service.cndate import cn_date
from service.forms.catalog import training_methods
from service.forms.columns import Column
from service.forms.geometry import form
from service.forms.validation import StrictModel, read_json, validate_data
from service.models.text import EMAIL_PATTERN, MULTILINE
from service.units import Phone

SHEET_TITLE = "月报表"
TITLE_TEMPLATE = "{township_short}社区教育培训月报表"
FORM = "annex3"  # its geometry: doc_templates/forms/annexes.yaml
# the columns' places (their titles and widths are the form description's)
SEQ, PROJECT, TRAINEES, LOCATION, HOURS, METHOD, REMARK = range(1, 8)
HEADER_ROW = 4
FIRST_DATA_ROW = HEADER_ROW + 1

Text = Annotated[str, Field(min_length=1, max_length=100)]


def columns() -> list[Column]:
    """序号, 培训项目, 培训人数, 培训地点, 培训课时数, 培训方式, 备注 — in this order, as the rows are written."""
    cols = form(FORM).columns_list()
    if len(cols) != REMARK:
        raise ValueError(f"表格格式 {FORM} 应有{REMARK}列（序号至备注），现有{len(cols)}列")
    return cols


def blank_rows() -> int:
    """Rows in the blank form; a filled form has at least this many too, for additions by hand."""
    return form(FORM).rows()


class MonthlyReportRow(StrictModel):
    project: Text = Field(title="培训项目")
    trainees: NonNegativeInt = Field(title="培训人数")
    location: Text = Field(title="培训地点")
    hours: NonNegativeInt = Field(title="培训课时数")
    method: str = Field(title="培训方式")
    remark: str = Field(default="", max_length=100, title="备注")

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        methods = training_methods()
        if value not in methods:
            raise ValueError(f"“{value}”不是培训方式，只能是：{'、'.join(methods)}")
        return value


class MonthlyReport(StrictModel):
    """One unit's training of one month (Annex 3)."""

    synthetic: bool = Field(default=False, title="合成数据标记")  # sample files say so; never rendered
    note: Annotated[str, MULTILINE] = Field(default="", max_length=500, title="说明")
    township_short: Annotated[str, Field(min_length=1, max_length=20)] = Field(title="镇（乡、街道）简称")
    unit: Text = Field(title="填报单位")
    year: int = Field(ge=2000, le=2100, title="年度")
    month: int = Field(ge=1, le=12, title="月份")
    filled_on: dt.date | None = Field(default=None, title="填报时间")
    rows: list[MonthlyReportRow] = Field(default_factory=list, max_length=500, title="培训项目")
    filler: str = Field(default="", max_length=20, title="填表人")
    phone: Phone | None = Field(default=None, title="联系电话")
    email: str = Field(default="", max_length=100, pattern=EMAIL_PATTERN, title="邮箱")

    @property
    def total_trainees(self) -> int:
        return sum(r.trainees for r in self.rows)

    @property
    def total_hours(self) -> int:
        return sum(r.hours for r in self.rows)


SOURCE = "月报表数据"


def parse_monthly_report(raw: object, source: str = SOURCE) -> MonthlyReport:
    return validate_data(MonthlyReport, raw, source=source, rows_key="rows", label_key="project")


def load_monthly_report(path: str | Path) -> MonthlyReport:
    path = Path(path)
    source = f"{SOURCE}（{path.name}）"
    return parse_monthly_report(read_json(path, source=source), source=source)


def monthly_report_title(township_short: str) -> str:
    return TITLE_TEMPLATE.format(township_short=township_short)


def monthly_report_name(data: MonthlyReport | None, *, township_short: str = "") -> str:
    """File name stem: `百胜镇社区教育培训月报表（空白）` or `…（紫荆村2020年5月）`."""
    if data is None:
        return f"{monthly_report_title(township_short)}（空白）"
    return f"{monthly_report_title(data.township_short)}（{data.unit}{data.year}年{data.month}月）"


def render_monthly_report(data: MonthlyReport | None, *, township_short: str = "") -> bytes:
    """The Annex 3 workbook as normalised .xlsx bytes. `data=None` gives the blank form for `township_short`."""
    # The workbook layer is imported only to render: the API validates MonthlyReport in requests, never renders.
    from openpyxl.utils import get_column_letter

    from service.forms import sheet
    from service.ooxml.cells import Formula, put_at

    township = data.township_short if data else township_short
    title = monthly_report_title(township)
    wb, ws = sheet.new_workbook(SHEET_TITLE, title)
    cols = columns()
    ncols = len(cols)
    sheet.set_columns(ws, cols)

    sheet.title_row(ws, 1, cols, title)
    month = f"{data.month}" if data else "　　"
    split = TRAINEES  # the header line is split: month on the left (A:C), date on the right (D:G)
    sheet.merged_line(ws, 2, 1, split, f"社区教育学校（ {month} ）月份", font=sheet.body_font(), align=sheet.LEFT,
                      height=sheet.height("line"))
    sheet.merged_line(ws, 2, split + 1, ncols, "填报时间：" + cn_date(data.filled_on if data else None),
                      font=sheet.body_font(), align=sheet.RIGHT)
    sheet.merged_line(ws, 3, 1, ncols, "填报单位：" + (data.unit if data else ""), font=sheet.body_font(),
                      align=sheet.LEFT, height=sheet.height("line"))
    sheet.header_row(ws, HEADER_ROW, cols)

    rows = data.rows if data else []
    n = max(len(rows), blank_rows())
    last_data_row = FIRST_DATA_ROW + n - 1
    for i in range(n):
        r = FIRST_DATA_ROW + i
        item = rows[i] if i < len(rows) else None
        values = [i + 1, *((item.project, item.trainees, item.location, item.hours, item.method, item.remark)
                           if item else (None,) * 6)]
        for c, (value, col) in enumerate(zip(values, cols), start=1):
            sheet.data_cell(ws, r, c, value, col)
        texts = [(str(v), col.width) for v, col in zip(values, cols) if isinstance(v, str)]
        ws.row_dimensions[r].height = sheet.fitted_height(texts)

    total_row = last_data_row + 1
    sheet.merged_line(ws, total_row, 1, PROJECT, "合计", font=sheet.table_font(bold=True), align=sheet.CENTER,
                      height=sheet.height("data"))
    for c in range(1, ncols + 1):
        ws.cell(row=total_row, column=c).border = sheet.BOX
    for column in (TRAINEES, HOURS):
        letter = get_column_letter(column)
        cell = put_at(ws, total_row, column, Formula(f"=SUM({letter}{FIRST_DATA_ROW}:{letter}{last_data_row})"))
        cell.font = sheet.table_font(bold=True)
        cell.number_format = sheet.INT_HIDE_ZERO
        cell.alignment = sheet.CENTER

    footer_row = total_row + 1
    gap = "　　"
    if data:
        footer = f"填表人：{data.filler or gap * 3}{gap}联系电话：{data.phone or gap * 4}{gap}邮箱：{data.email}"
    else:
        footer = f"填表人：{gap * 3}{gap}联系电话：{gap * 5}{gap}邮箱："
    sheet.merged_line(ws, footer_row, 1, ncols, footer, font=sheet.body_font(), align=sheet.LEFT)
    ws.row_dimensions[footer_row].height = form(FORM).height("footer")

    data_range = lambda c: f"{get_column_letter(c)}{FIRST_DATA_ROW}:{get_column_letter(c)}{last_data_row}"  # noqa: E731
    sheet.add_validation(ws, sheet.list_validation(cols[METHOD - 1].title, training_methods()), data_range(METHOD))
    sheet.add_validation(ws, sheet.whole_number_validation(cols[TRAINEES - 1].title), data_range(TRAINEES))
    sheet.add_validation(ws, sheet.whole_number_validation(cols[HOURS - 1].title), data_range(HOURS))

    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)
    sheet.a4_print_setup(ws, last_row=footer_row, ncols=ncols, repeat_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    when = data.filled_on if data else None
    return sheet.workbook_bytes(wb, when)
