"""A refused import handed back as the user's own workbook: every bad cell filled and commented in Chinese,
plus a 导入错误 sheet listing all problems, so the centre fixes them where it typed them.

Bounded in memory and time: only the first MAX_COMMENTED_CELLS bad cells get a comment (openpyxl holds each
comment and its VML shape as objects: 147,000 of them took 1.4 GB and 35 s; nobody reads them one by one), the
others are filled; the 导入错误 sheet still lists every error, streamed as XML (service.ooxml.rows) instead of
openpyxl cells, continued on 导入错误（续2）… past Excel's last row. An upload whose sheets are larger than
MAX_MARKED_XML (openpyxl would need some 200 MB to mark it in place) comes back as the listing alone."""
from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter

from service.forms.geometry import form
from service.forms.sheet import body_font, header_font, workbook_bytes
from service.ooxml.cells import put_at
from service.ooxml.rows import EXCEL_ROWS, add_style_samples, sheet_parts, with_rows
from service.records.exchange.reader import CellError

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
ERRORS_SHEET = "导入错误"
FORM = "marked_errors"  # its geometry: doc_templates/forms/exchange.yaml
AUTHOR = "社教文书"
MAX_COMMENTED_CELLS = 1000
ROWS_PER_SHEET = EXCEL_ROWS - 1  # below the header row
MAX_MARKED_XML = 16 * 2**20  # sheets beyond this (uncompressed) come back as the listing alone, not marked in place


def mark_errors(data: bytes, errors: Sequence[CellError]) -> bytes:
    """The uploaded workbook `data` (already accepted by the hostile-file checks) with `errors` marked; for an
    upload whose sheets exceed MAX_MARKED_XML, the 导入错误 listing alone (openpyxl would hold every cell)."""
    geometry = form(FORM)
    whole = _sheets_size(data) <= MAX_MARKED_XML
    if whole:
        wb = load_workbook(io.BytesIO(data))
    else:
        wb = Workbook()
        wb.remove(wb.active)
    for name in wb.sheetnames:
        if name == ERRORS_SHEET or name.startswith(f"{ERRORS_SHEET}（续"):
            del wb[name]
    by_cell: dict[tuple[str, int, str], list[str]] = {}
    for e in errors:
        if e.sheet in wb.sheetnames and e.row is not None:
            column = e.column or _header_column(wb[e.sheet], e.field) or "A"
            by_cell.setdefault((e.sheet, e.row, column), []).append(e.message)
    for n, ((sheet, row, column), messages) in enumerate(by_cell.items()):
        cell = wb[sheet].cell(row=row, column=column_index_from_string(column))
        cell.fill = ERROR_FILL
        if n < MAX_COMMENTED_CELLS:
            comment = Comment("\n".join(messages), AUTHOR)
            comment.width = round(geometry.width("comment_px"))  # VML pixels
            comment.height = round(geometry.height("comment_px") + geometry.height("comment_line_px") * len(messages))
            cell.comment = comment
    names = [ERRORS_SHEET] + [f"{ERRORS_SHEET}（续{k}）" for k in range(2, math.ceil(len(errors) / ROWS_PER_SHEET) + 1)]
    for index, name in enumerate(names):
        _listing_sheet(wb, name, index, geometry)
    note = None
    if not whole:
        note = f"共{len(errors)}处错误。上传的工作簿较大，未在原表中标红；请按本表逐条改正后重新导入。"
    elif len(by_cell) > MAX_COMMENTED_CELLS:
        note = (f"共{len(errors)}处错误，标红的单元格{len(by_cell)}个；前{MAX_COMMENTED_CELLS}个单元格附批注，"
                "全部错误见本表。")
    if note:
        put_at(wb[ERRORS_SHEET], 1, len(geometry.columns_list()) + 2, note).font = header_font(
            size=geometry.size("header"), bold=True)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    wb.active = 0
    wb[ERRORS_SHEET].sheet_view.tabSelected = True

    def listing(parts: dict[str, bytes]) -> None:
        where = sheet_parts(parts)
        for k, name in enumerate(names):
            chunk = errors[k * ROWS_PER_SHEET:(k + 1) * ROWS_PER_SHEET]
            parts[where[name]] = with_rows(parts[where[name]], ((e.sheet, e.row, e.column, e.field, e.message)
                                                                 for e in chunk))
    return workbook_bytes(wb, rewrite=listing)


def _listing_sheet(wb, name: str, index: int, geometry) -> None:
    """A 导入错误 sheet: the header row and the style samples (service.ooxml.rows.with_rows puts the errors there)."""
    ws = wb.create_sheet(name, index)
    ws.sheet_properties.tabColor = "C00000"
    columns = geometry.columns_list()
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
        put_at(ws, 1, i, col.title).font = header_font(size=geometry.size("header"), bold=True)
    add_style_samples(ws, len(columns), body_font(size=geometry.size("text")))
    ws.freeze_panes = "A2"


def _sheets_size(data: bytes) -> int:
    """Uncompressed bytes of the upload's worksheet parts: what a full openpyxl load costs (about 12 times that)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sum(i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/"))


def _header_column(ws, title: str | None) -> str | None:
    if not title:
        return None
    for cell in ws[1]:
        if cell.value is not None and str(cell.value).replace("*", "").strip() == title:
            return cell.column_letter
    return None
