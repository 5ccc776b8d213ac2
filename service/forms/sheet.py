"""Shared layout of the Excel forms: official fonts, table borders, A4 print set-up, normalised bytes.

Faces, sizes, row heights and margins are doc_templates/forms/sheet.yaml (service.forms.geometry). Fonts are named by
their official faces (仿宋_GB2312 body, 黑体 headers, 方正小标宋简体 title); config/fonts.conf maps them to free faces
for LibreOffice, and a machine with the licensed fonts shows the real ones.
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
from service.forms.geometry import Form, form
from service.ooxml import normalize_ooxml
from service.ooxml.cells import put_at

CREATOR = "社教文书"

MM_PER_INCH = 25.4
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
INT_HIDE_ZERO = "0;-0;;@"  # totals of a blank form print empty, not 0


def shared() -> Form:
    """What every form shares: doc_templates/forms/sheet.yaml."""
    return form("sheet")


def height(key: str) -> float:
    """A shared row height in points (title, line, header, data, wrapped_line, sign_line)."""
    return shared().height(key)


def size(key: str) -> float:
    """A shared font size in points (title, title_min, body, table, page_footer)."""
    return shared().size(key)


def face(key: str) -> str:
    """A shared font face (body, header, title)."""
    return shared().font(key)


def body_font(bold: bool = False, size: float | None = None) -> Font:
    """The body face, at the body size unless `size` is given."""
    return Font(name=face("body"), size=size or shared().size("body"), bold=bold)


def table_font(bold: bool = False) -> Font:
    """The body face at the table size: the cells of a table."""
    return body_font(bold=bold, size=shared().size("table"))


def header_font(size: float | None = None, bold: bool = False) -> Font:
    """The header face, at the table size unless `size` is given: column headings and labels."""
    return Font(name=face("header"), size=size or shared().size("table"), bold=bold)


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


def fitted_height(texts_and_widths: list[tuple[str, float]], minimum: float | None = None) -> float:
    """Row height that shows every wrapped table value in full (a body-size CJK character is about 2 width units);
    at least `minimum` (the shared data row height unless given)."""
    g = shared()
    lines = 1
    for text, width in texts_and_widths:
        usable = max(width - 1, 1)
        lines = max(lines, math.ceil(text_width(text) * g.size("table") / g.size("body") / usable))
    return max(g.height("data") if minimum is None else minimum, lines * g.height("wrapped_line") + 8)


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
    """The form title over the whole width at the title size, shrunk (to the minimum title size at least) to stay
    on one line; a title longer than that wraps and the row grows. One width unit is about half a body-size
    character."""
    g = shared()
    available_pt = sum(c.width for c in columns) * g.size("body") / 2
    ems = max(text_width(text) / 2, 1)
    pt = max(g.size("title_min"), min(g.size("title"), int(available_pt / ems)))
    lines = math.ceil(ems * pt / available_pt)
    merged_line(ws, row, 1, len(columns), text, font=Font(name=g.font("title"), size=pt), align=CENTER,
                height=max(g.height("title"), lines * pt * 1.4 + 12))


def header_row(ws: Worksheet, row: int, columns: list[Column]) -> None:
    for i, col in enumerate(columns, start=1):
        cell = put_at(ws, row, i, col.title)
        cell.font = header_font()
        cell.alignment = CENTER
        cell.border = BOX
    ws.row_dimensions[row].height = height("header")


def data_cell(ws: Worksheet, row: int, column: int, value, col: Column):
    cell = put_at(ws, row, column, value)
    cell.font = table_font()
    cell.border = BOX
    if col.kind in ("int", "seq"):
        cell.number_format = "0"
        cell.alignment = CENTER
    elif col.kind == "phone":
        cell.number_format = "@"  # keep 023-… and 11-digit mobiles as text, never 1.38E+10
        cell.alignment = CENTER
    else:
        cell.alignment = LEFT if col.width >= shared().width("left_aligned_from") else CENTER
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
                   landscape: bool = False, margins_mm: tuple[float, float, float, float] | None = None) -> None:
    """A4, margins (top, right, bottom, left) in mm (the shared ones unless given), fit to one page wide, header
    rows repeated, print area."""
    g = shared()
    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = "landscape" if landscape else "portrait"
    ps.fitToWidth = 1
    ps.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    top, right, bottom, left = (m / MM_PER_INCH for m in (margins_mm or g.margins()))
    ws.page_margins.top, ws.page_margins.right, ws.page_margins.bottom, ws.page_margins.left = top, right, bottom, left
    ws.page_margins.header = ws.page_margins.footer = g.header_footer() / MM_PER_INCH
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = repeat_rows
    ws.print_area = f"A1:{get_column_letter(ncols)}{last_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = g.font("body")
    ws.oddFooter.center.size = g.size("page_footer")


def workbook_bytes(wb: Workbook, when: dt.date | None = None, rewrite=None) -> bytes:
    """The saved workbook, normalised (service.ooxml.normalize_ooxml: `when`, `rewrite`)."""
    buf = io.BytesIO()
    wb.save(buf)
    return normalize_ooxml(buf.getvalue(), when, rewrite)


