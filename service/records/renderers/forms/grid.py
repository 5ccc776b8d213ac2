"""Layout pieces the record forms share on top of service.forms.sheet: the class form's head, label/value field
grids above a table, bordered blank rows, signature lines under it."""
from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from service.forms import sheet
from service.ooxml.cells import put_at

VALUE_ALIGN = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
BLANK = "　"  # the value of a field left for the hand


def class_form(sheet_title: str, title: str, columns: list, unit: str):
    """A class form's workbook and its head: columns set, the title on row 1, `学习中心（单位）：unit` on row 2."""
    wb, ws = sheet.new_workbook(sheet_title, title)
    sheet.set_columns(ws, columns)
    sheet.title_row(ws, 1, columns, title)
    sheet.merged_line(ws, 2, 1, len(columns), "学习中心（单位）：" + unit, font=sheet.body_font(),
                      align=sheet.LEFT, height=sheet.height("line"))
    return wb, ws


def boxed(ws: Worksheet, row: int, first: int, last: int, value, *, font: Font, align: Alignment) -> None:
    """One bordered (merged) cell spanning columns first..last."""
    cell = put_at(ws, row, first, value)
    cell.font, cell.alignment = font, align
    for c in range(first, last + 1):
        ws.cell(row=row, column=c).border = sheet.BOX
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def field_row(ws: Worksheet, row: int, pairs: list[tuple[str, str, int, int, int]], height: float) -> None:
    """A row of label/value pairs: (label, value, label first col, value first col, value last col)."""
    for label, value, lcol, vfirst, vlast in pairs:
        boxed(ws, row, lcol, vfirst - 1, label, font=sheet.header_font(), align=sheet.CENTER)
        boxed(ws, row, vfirst, vlast, value or BLANK, font=sheet.table_font(), align=VALUE_ALIGN)
    ws.row_dimensions[row].height = height


def sign_line(ws: Worksheet, row: int, ncols: int, text: str, height: float | None = None) -> None:
    """A line under the table (signatures, notes); the shared sign_line height unless `height` is given."""
    sheet.merged_line(ws, row, 1, ncols, text, font=sheet.body_font(), align=sheet.LEFT,
                      height=height or sheet.height("sign_line"))
