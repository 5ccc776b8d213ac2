"""Reading an import workbook's sheets row by row: header matching, typed cells, and every problem as a CellError
located the way the user sees the workbook (sheet, row, column letter, column title). The importer
(service.records.exchange.importer) checks the rows against the store and each other."""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.records.exchange.cells import CellValueError, header_key, is_blank, parse_cell
from service.records.exchange.sheets import SheetSpec
from service.records.exchange.upload import MAX_CELLS, MAX_ROWS_PER_SHEET, UploadTooLarge
from service.records.store.models import Unit

HEADER_ROW = 1


@dataclass(frozen=True)
class CellError:
    """One problem, located the way the user sees the workbook."""

    sheet: str
    row: int | None  # Excel row number; None for a whole-workbook problem
    column: str | None  # column letter, e.g. "C"
    field: str | None  # the column's Chinese title
    message: str

    def __str__(self) -> str:
        where = f"【{self.sheet}】"
        if self.row is not None:
            where += f"第{self.row}行"
        if self.column:
            where += f"{self.column}列"
        if self.field:
            where += f"（{self.field}）"
        return f"{where}：{self.message}"


@dataclass
class Row:
    number: int
    values: dict  # field key -> parsed value (None when blank)
    columns: dict  # field key -> column letter


class SheetReader:
    """Reads the rows of the import sheets, collecting every problem as a located CellError."""

    def __init__(self, session: Session, unit_scope: str | None):
        self.session = session
        self.unit_scope = unit_scope
        self.errors: list[CellError] = []
        self.units = set(session.scalars(select(Unit.name)))
        self.cells = 0

    def error(self, spec: SheetSpec, row: Row | int | None, key: str | None, message: str) -> None:
        number = row.number if isinstance(row, Row) else row
        column = row.columns.get(key) if isinstance(row, Row) and key else None
        title = spec.field(key).title if key else None
        self.errors.append(CellError(spec.name, number, column, title, message))

    def read_sheet(self, spec: SheetSpec, ws) -> list[Row]:
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        by_title = {f.title: f for f in spec.fields}
        columns: dict[str, int] = {}
        for idx, text in enumerate(header):
            f = by_title.get(header_key(text))
            if f is not None and f.key not in columns:
                columns[f.key] = idx
        missing = [f for f in spec.fields if f.required and f.key not in columns]
        for f in missing:
            self.errors.append(CellError(spec.name, HEADER_ROW, None, f.title,
                                         f"缺少必填列“{f.title}”：请使用系统提供的模板，不要删除或改动表头"))
        if missing:
            return []
        letters = {k: get_column_letter(i + 1) for k, i in columns.items()}
        out: list[Row] = []
        for number, values in enumerate(rows, start=HEADER_ROW + 1):
            self.cells += len(values)
            if number - HEADER_ROW > MAX_ROWS_PER_SHEET:
                raise UploadTooLarge(f"【{spec.name}】表超过{MAX_ROWS_PER_SHEET}行（空白行也计在内），未导入。"
                                     "请删除多余的行，或分成几个文件导入。")
            if self.cells > MAX_CELLS:
                raise UploadTooLarge(f"工作簿的单元格超过{MAX_CELLS}个（【{spec.name}】第{number}行处；空白单元格也计在内），"
                                     "未导入。请删除多余的行和列，或分成几个文件导入。")
            cells = {k: (values[i] if i < len(values) else None) for k, i in columns.items()}
            if all(is_blank(v) for v in cells.values()):
                continue
            row = Row(number, {}, letters)
            for f in spec.fields:
                raw = cells.get(f.key)
                try:
                    value = parse_cell(f, raw)
                except CellValueError as exc:
                    self.error(spec, row, f.key, str(exc))
                    value = None
                else:
                    if value is None and f.required:
                        self.error(spec, row, f.key, "此项必填")
                row.values[f.key] = value
            out.append(row)
        return out

    def check_unit(self, spec: SheetSpec, row: Row, key: str, *, scoped: bool = True) -> bool:
        name = row.values.get(key)
        if name is None:
            return False
        if name not in self.units:
            self.error(spec, row, key, f"单位“{name}”不在单位名单中（请先导入单位数据，或从下拉列表中选择）")
            return False
        if scoped and self.unit_scope and name != self.unit_scope:
            self.error(spec, row, key, f"只能导入本单位（{self.unit_scope}）的记录，不能导入“{name}”的")
            return False
        return True

    def unique(self, spec: SheetSpec, rows: list[Row]) -> list[Row]:
        """The rows minus repeats of an earlier row's key (a repeat is an error on the later row)."""
        seen: dict[tuple, int] = {}
        out = []
        for row in rows:
            key = tuple("" if row.values.get(k) is None and spec.field(k).kind == "phone" else row.values.get(k)
                        for k in spec.key)
            if any(v is None for v in key):  # incomplete: already reported; still checked below
                out.append(row)
                continue
            if key in seen:
                self.error(spec, row, spec.label, f"与第{seen[key]}行重复（{spec.same}）")
                continue
            seen[key] = row.number
            out.append(row)
        return out
