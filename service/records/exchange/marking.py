"""A refused import handed back as the user's own workbook: every bad cell filled and commented in Chinese,
plus a 导入错误 sheet listing all problems, so the centre fixes them where it typed them."""
from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter

from service.forms.geometry import form
from service.forms.sheet import body_font, header_font, workbook_bytes
from service.ooxml.cells import put_at
from service.records.exchange.reader import CellError

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
ERRORS_SHEET = "导入错误"
FORM = "marked_errors"  # its geometry: doc_templates/forms/exchange.yaml
AUTHOR = "社教文书"


def mark_errors(data: bytes, errors: Sequence[CellError]) -> bytes:
    """The uploaded workbook `data` (already accepted by the hostile-file checks) with `errors` marked."""
    geometry = form(FORM)
    wb = load_workbook(io.BytesIO(data))
    if ERRORS_SHEET in wb.sheetnames:
        del wb[ERRORS_SHEET]
    by_cell: dict[tuple[str, int, str], list[str]] = {}
    for e in errors:
        if e.sheet in wb.sheetnames and e.row is not None:
            column = e.column or _header_column(wb[e.sheet], e.field) or "A"
            by_cell.setdefault((e.sheet, e.row, column), []).append(e.message)
    for (sheet, row, column), messages in by_cell.items():
        cell = wb[sheet].cell(row=row, column=column_index_from_string(column))
        cell.fill = ERROR_FILL
        comment = Comment("\n".join(messages), AUTHOR)
        comment.width = round(geometry.width("comment_px"))  # VML pixels
        comment.height = round(geometry.height("comment_px") + geometry.height("comment_line_px") * len(messages))
        cell.comment = comment
    ws = wb.create_sheet(ERRORS_SHEET, 0)
    ws.sheet_properties.tabColor = "C00000"
    columns = geometry.columns_list()  # 工作表, 行, 列, 字段, 错误说明
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
        put_at(ws, 1, i, col.title).font = header_font(size=geometry.size("header"), bold=True)
    for r, e in enumerate(errors, start=2):
        for c, value in enumerate((e.sheet, e.row, e.column, e.field, e.message), start=1):
            put_at(ws, r, c, value).font = body_font(size=geometry.size("text"))
    ws.freeze_panes = "A2"
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    wb.active = 0
    ws.sheet_view.tabSelected = True
    return workbook_bytes(wb)


def _header_column(ws, title: str | None) -> str | None:
    if not title:
        return None
    for cell in ws[1]:
        if cell.value is not None and str(cell.value).replace("*", "").strip() == title:
            return cell.column_letter
    return None
