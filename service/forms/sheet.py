"""Shared layout of the Excel forms: official fonts, table borders, A4 print set-up, normalised bytes.

Fonts are named by their official faces (仿宋_GB2312 body, 黑体 headers, 方正小标宋简体 title); config/fonts.conf
maps them to free faces for LibreOffice, and a machine with the licensed fonts shows the real ones.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from service.forms.columns import Column  # noqa: F401 - declared there, used here as sheet.Column
from service.ooxml import normalize_ooxml
from service.ooxml.cells import put_at

FONT_BODY = "仿宋_GB2312"
FONT_HEADER = "黑体"
FONT_TITLE = "方正小标宋简体"
SIZE_TITLE = 18
SIZE_TITLE_MIN = 14
SIZE_BODY = 12  # lines above and below the table
SIZE_TABLE = 11  # header and cells of the table
CREATOR = "社教文书"

MM_PER_INCH = 25.4
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")

# Row heights in points.
ROW_TITLE = 40
ROW_LINE = 24
ROW_HEADER = 32
ROW_DATA = 26
LINE_HEIGHT = 15  # one wrapped line of 11 pt table text
INT_HIDE_ZERO = "0;-0;;@"  # totals of a blank form print empty, not 0


def body_font(bold: bool = False, size: float = SIZE_BODY) -> Font:
    return Font(name=FONT_BODY, size=size, bold=bold)


def new_workbook(sheet_title: str, doc_title: str) -> tuple[Workbook, Worksheet]:
    wb = Workbook()
    # The default font sets the column-width unit (its digit width). With the body face as default, Excel and
    # LibreOffice agree within ~10% and a CJK character is about 2 units wide.
    wb._fonts = IndexedList([body_font()])
    wb._named_styles["Normal"].font = body_font()
    ws = wb.active
    ws.title = sheet_title
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.title = doc_title
    wb.calculation.fullCalcOnLoad = True  # formulas have no cached value: compute on open
    return wb, ws


def text_width(text: str) -> int:
    """Display width in half-width units: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fitted_height(texts_and_widths: list[tuple[str, float]], minimum: float = ROW_DATA) -> float:
    """Row height that shows every wrapped table value in full (a 12 pt CJK character is about 2 width units)."""
    lines = 1
    for text, width in texts_and_widths:
        usable = max(width - 1, 1)
        lines = max(lines, math.ceil(text_width(text) * SIZE_TABLE / SIZE_BODY / usable))
    return max(minimum, lines * LINE_HEIGHT + 8)


def set_columns(ws: Worksheet, columns: list[Column]) -> None:
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width


def merged_line(ws: Worksheet, row: int, first_col: int, last_col: int, text: str, *, font: Font,
                align: Alignment, height: float | None = None) -> None:
    cell = put_at(ws, row, first_col, text)
    cell.font = font
    cell.alignment = align
    if last_col > first_col:
        ws.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)
    if height:
        ws.row_dimensions[row].height = height


def title_row(ws: Worksheet, row: int, columns: list[Column], text: str) -> None:
    """The form title over the whole width, 18 pt, shrunk (to 14 pt at least) to stay on one line; a title
    longer than that wraps and the row grows. One width unit is about half a 12 pt character (6 pt)."""
    available_pt = sum(c.width for c in columns) * SIZE_BODY / 2
    ems = max(text_width(text) / 2, 1)
    size = max(SIZE_TITLE_MIN, min(SIZE_TITLE, int(available_pt / ems)))
    lines = math.ceil(ems * size / available_pt)
    merged_line(ws, row, 1, len(columns), text, font=Font(name=FONT_TITLE, size=size), align=CENTER,
                height=max(ROW_TITLE, lines * size * 1.4 + 12))


def header_row(ws: Worksheet, row: int, columns: list[Column]) -> None:
    for i, col in enumerate(columns, start=1):
        cell = put_at(ws, row, i, col.title)
        cell.font = Font(name=FONT_HEADER, size=SIZE_TABLE)
        cell.alignment = CENTER
        cell.border = BOX
    ws.row_dimensions[row].height = ROW_HEADER


def data_cell(ws: Worksheet, row: int, column: int, value, col: Column):
    cell = put_at(ws, row, column, value)
    cell.font = body_font(size=SIZE_TABLE)
    cell.border = BOX
    if col.kind in ("int", "seq"):
        cell.number_format = "0"
        cell.alignment = CENTER
    elif col.kind == "phone":
        cell.number_format = "@"  # keep 023-… and 11-digit mobiles as text, never 1.38E+10
        cell.alignment = CENTER
    else:
        cell.alignment = LEFT if col.width >= 16 else CENTER
    return cell


def add_validation(ws: Worksheet, dv: DataValidation, cell_range: str) -> None:
    dv.add(cell_range)
    ws.add_data_validation(dv)


def whole_number_validation(what: str) -> DataValidation:
    return DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, errorStyle="stop", errorTitle=f"{what}有误", error=f"{what}应填写不小于0的整数。",
        showInputMessage=True, promptTitle=what, prompt="请填写整数。",
    )


def list_validation(what: str, values: tuple[str, ...]) -> DataValidation:
    formula = '"' + ",".join(values) + '"'
    if len(formula) > 255 or any("," in v or '"' in v for v in values):
        raise ValueError(f"{what}的选项不能放入下拉列表（超过255个字符或含逗号、引号）")
    return DataValidation(
        type="list", formula1=formula, allow_blank=True, showDropDown=False,  # False = show the arrow
        showErrorMessage=True, errorStyle="stop", errorTitle=f"{what}有误", error=f"请从下拉列表中选择{what}。",
        showInputMessage=True, promptTitle=what, prompt="请从下拉列表中选择：" + "、".join(values),
    )


def a4_print_setup(ws: Worksheet, *, last_row: int, ncols: int, repeat_rows: str,
                   landscape: bool = False, margins_mm: tuple[float, float, float, float] = (20, 15, 20, 15)) -> None:
    """A4, margins (top, right, bottom, left) in mm, fit to one page wide, header rows repeated, print area."""
    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = "landscape" if landscape else "portrait"
    ps.fitToWidth = 1
    ps.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    top, right, bottom, left = (m / MM_PER_INCH for m in margins_mm)
    ws.page_margins.top, ws.page_margins.right, ws.page_margins.bottom, ws.page_margins.left = top, right, bottom, left
    ws.page_margins.header = ws.page_margins.footer = 8 / MM_PER_INCH
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = repeat_rows
    ws.print_area = f"A1:{get_column_letter(ncols)}{last_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = FONT_BODY
    ws.oddFooter.center.size = 10


def workbook_bytes(wb: Workbook, when: dt.date | None = None) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return normalize_ooxml(buf.getvalue(), when)


