"""Annex 4 村（居委）活动室领导小组成员表 as a fillable .xlsx form: blank, or filled from the unit data.

    render_leadership_table(None, township="重庆市涪陵区百胜镇")                      -> blank form
    render_leadership_table(LeadershipTable.from_units(load_units(path)))           -> filled form

The records store (issue 4) builds the same `LeadershipTable` from its units and calls the same renderer.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import Field

from service.forms import sheet
from service.forms.geometry import form
from service.forms.validation import StrictModel
from service.units import PEOPLE, Name, UnitsFile, local_township_name
from service.units import Leadership as LeadershipRow

SHEET_TITLE = "领导小组成员表"
TITLE_TEMPLATE = "{township}社区教育村（居委）活动室领导小组成员表"
FORM = "annex4"  # its geometry: doc_templates/forms/annexes.yaml
HEADER_ROW = 2
FIRST_DATA_ROW = HEADER_ROW + 1
PHONE_NOTE = "注：组长电话填写11位手机号码，或带区号的固定电话（如023-62345678）。"


def columns() -> list[sheet.Column]:
    """序号, 活动室名称, one column per person of service.units.PEOPLE, 组长电话; widths from the form description."""
    w = form(FORM).width
    return [sheet.Column("序号", w("seq"), "seq"), sheet.Column("村（居委）活动室名称", w("room")),
            *(sheet.Column(title, w("person")) for title in PEOPLE.values()),
            sheet.Column("组长电话", w("phone"), "phone")]


def blank_rows() -> int:
    return form(FORM).rows()


class LeadershipTable(StrictModel):
    township: Name = Field(title="镇（乡、街道）全称")
    rows: list[LeadershipRow] = Field(min_length=1, max_length=500, title="活动室")

    @classmethod
    def from_units(cls, units: UnitsFile) -> "LeadershipTable":
        return cls(township=units.township, rows=[u.leadership() for u in units.units])


def leadership_title(township: str) -> str:
    return TITLE_TEMPLATE.format(township=local_township_name(township))


def leadership_table_name(data: LeadershipTable | None, *, township: str = "") -> str:
    """File name stem: the title, with （空白） for the blank form."""
    return f"{leadership_title(township)}（空白）" if data is None else leadership_title(data.township)


def _phone_validation() -> DataValidation:
    return DataValidation(
        type="textLength", operator="between", formula1="11", formula2="13", allow_blank=True,
        showErrorMessage=True, errorStyle="stop", errorTitle="组长电话有误",
        error="请填写11位手机号码，或带区号的固定电话（如023-62345678）。",
        showInputMessage=True, promptTitle="组长电话", prompt="11位手机号码，或带区号的固定电话（如023-62345678）。",
    )


def render_leadership_table(data: LeadershipTable | None, *, township: str = "") -> bytes:
    """The Annex 4 workbook as normalised .xlsx bytes. `data=None` gives the blank form for `township`."""
    title = leadership_title(data.township if data else township)
    wb, ws = sheet.new_workbook(SHEET_TITLE, title)
    cols = columns()
    ncols = len(cols)
    sheet.set_columns(ws, cols)
    sheet.title_row(ws, 1, cols, title)
    sheet.header_row(ws, HEADER_ROW, cols)

    rows = data.rows if data else [None] * blank_rows()
    for i, item in enumerate(rows):
        r = FIRST_DATA_ROW + i
        values = [i + 1, *(item.model_dump().values() if item else (None,) * len(LeadershipRow.model_fields))]
        for c, (value, col) in enumerate(zip(values, cols), start=1):
            sheet.data_cell(ws, r, c, value, col)
        texts = [(v, col.width) for v, col in zip(values, cols) if isinstance(v, str)]
        ws.row_dimensions[r].height = sheet.fitted_height(texts)
    last_data_row = FIRST_DATA_ROW + len(rows) - 1

    note_row = last_data_row + 1
    sheet.merged_line(ws, note_row, 1, ncols, PHONE_NOTE, font=sheet.body_font(), align=sheet.LEFT,
                      height=sheet.height("line"))

    phone_col = get_column_letter(ncols)  # 组长电话
    sheet.add_validation(ws, _phone_validation(), f"{phone_col}{FIRST_DATA_ROW}:{phone_col}{last_data_row}")
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)
    sheet.a4_print_setup(ws, last_row=note_row, ncols=ncols, repeat_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return sheet.workbook_bytes(wb)
