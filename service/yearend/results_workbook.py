"""The 考核结果 workbook: the ranking (总分排名), every unit's indicators (value, target, result) and the rules.

Every text from the store (unit names …) is written as a string cell, never as a formula.
Same assessment -> byte-identical file (dated 31 December of the year).
"""
from __future__ import annotations

import datetime as dt

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from service.forms.sheet import (
    LEFT,
    Column,
    a4_print_setup,
    body_font,
    data_cell,
    header_row,
    merged_line,
    new_workbook,
    set_columns,
    title_row,
    workbook_bytes,
)
from service.naming import document_filename
from service.yearend.indicators import STATUS_TEXT, YearAssessment

RANKING_SHEET = "总分排名"
DETAIL_SHEET = "考核结果"
RULES_SHEET = "指标说明"
FILLS = {"met": PatternFill("solid", fgColor="E2EFDA"), "missing": PatternFill("solid", fgColor="FFF2CC"),
         "data_error": PatternFill("solid", fgColor="F8CBAD")}
RANKING_COLUMNS = [Column("名次", 7, "int"), Column("单位名称", 22), Column("单位类别", 10),
                   Column("总分", 9), Column("达标项数", 9, "int"), Column("考核项数", 9, "int"),
                   Column("同类名次", 9, "int")]
DETAIL_COLUMNS = [Column("序号", 6, "seq"), Column("单位名称", 20), Column("考核指标", 20), Column("分子", 11),
                  Column("分母", 10, "int"), Column("数值", 10), Column("目标", 10), Column("结果", 9),
                  Column("说明", 30)]
RULES_COLUMNS = [Column("考核指标", 20), Column("目标", 10), Column("适用单位", 16), Column("权重", 7, "int"),
                 Column("计算口径", 44), Column("依据", 44)]


def title(a: YearAssessment) -> str:
    return f"{a.township_short}{a.year}年度社区教育验收考核结果"


def _put(ws: Worksheet, row: int, col: int, value, column: Column, number_format: str | None = None):
    """One table cell; text is always a string cell (user text never becomes a formula)."""
    cell = data_cell(ws, row, col, value, column)
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def _ranking(ws: Worksheet, a: YearAssessment) -> None:
    set_columns(ws, RANKING_COLUMNS)
    title_row(ws, 1, RANKING_COLUMNS, title(a) + "（总分排名）")
    header_row(ws, 2, RANKING_COLUMNS)
    for r, u in enumerate(a.ranking(), start=3):
        values = [u.rank, u.unit, u.kind, u.score, u.met, u.applicable, u.kind_rank]
        for c, (v, col) in enumerate(zip(values, RANKING_COLUMNS), start=1):
            _put(ws, r, c, v, col, "0.0" if col.title == "总分" else None)
    last = 2 + len(a.units)
    note = last + 1
    merged_line(ws, note, 1, len(RANKING_COLUMNS), "说明：总分按各适用指标的权重计算，达标得满分，未达标按数值÷目标"
                "折算，缺数据和数据错误不得分；总分相同名次相同；同类名次在同一类别（村、居委、学校、相关单位）内排列。",
                font=body_font(size=10), align=LEFT, height=36)
    a4_print_setup(ws, last_row=note, ncols=len(RANKING_COLUMNS), repeat_rows="2:2")


def _detail(ws: Worksheet, a: YearAssessment) -> None:
    set_columns(ws, DETAIL_COLUMNS)
    title_row(ws, 1, DETAIL_COLUMNS, title(a))
    header_row(ws, 2, DETAIL_COLUMNS)
    row = 3
    for seq, u in enumerate(a.units, start=1):
        first = row
        for i in u.indicators:
            fmt = "0.00%" if i.kind == "rate" else "0.00"
            numerator_fmt = "0" if i.kind == "rate" else "0.00"
            values = [(seq, None), (u.unit, None), (i.name, None), (i.numerator, numerator_fmt),
                      (i.denominator, None), (i.value, fmt), (i.target, fmt), (STATUS_TEXT[i.status], None),
                      (i.note, None)]
            for c, ((v, f), col) in enumerate(zip(values, DETAIL_COLUMNS), start=1):
                cell = _put(ws, row, c, v, col, f)
                if col.title == "结果" and i.status in FILLS:
                    cell.fill = FILLS[i.status]
            row += 1
        values = [(seq, None), (u.unit, None), ("总分", None), (None, None), (None, None), (u.score, "0.0"),
                  (None, None), (f"第{u.rank}名", None), (f"达标{u.met}项，共{u.applicable}项", None)]
        for c, ((v, f), col) in enumerate(zip(values, DETAIL_COLUMNS), start=1):
            _put(ws, row, c, v, col, f)
        for c in (1, 2):
            ws.merge_cells(start_row=first, start_column=c, end_row=row, end_column=c)
        row += 1
    a4_print_setup(ws, last_row=row - 1, ncols=len(DETAIL_COLUMNS), repeat_rows="2:2", landscape=True)


def _rules(ws: Worksheet, a: YearAssessment) -> None:
    set_columns(ws, RULES_COLUMNS)
    title_row(ws, 1, RULES_COLUMNS, "验收考核指标、目标和计算口径")
    header_row(ws, 2, RULES_COLUMNS)
    for r, t in enumerate(a.targets, start=3):
        values = [t.name, t.target_text, "、".join(t.applies_to), t.weight, t.headcount_text, t.source]
        for c, (v, col) in enumerate(zip(values, RULES_COLUMNS), start=1):
            _put(ws, r, c, v, col)
        ws.row_dimensions[r].height = 48
    a4_print_setup(ws, last_row=2 + len(a.targets), ncols=len(RULES_COLUMNS), repeat_rows="2:2", landscape=True)


def render(assessment: YearAssessment) -> bytes:
    """The 考核结果 .xlsx of a year's assessment."""
    wb, ws = new_workbook(RANKING_SHEET, title(assessment))
    _ranking(ws, assessment)
    _detail(wb.create_sheet(DETAIL_SHEET), assessment)
    _rules(wb.create_sheet(RULES_SHEET), assessment)
    return workbook_bytes(wb, dt.date(assessment.year, 12, 31))


def filename(assessment: YearAssessment) -> str:
    return document_filename(title(assessment), ".xlsx")
