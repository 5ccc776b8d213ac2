"""The 考核结果 workbook: the ranking (总分排名), every unit's indicators (value, target, result) and the rules.

Every text from the store (unit names …) is written as a string cell, never as a formula.
Same assessment -> byte-identical file (dated 31 December of the year).
"""
from __future__ import annotations

import datetime as dt

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from service.forms.geometry import form
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
# The sheets' geometry (doc_templates/forms/yearend.yaml): columns in the order the values below are written.
RANKING, DETAIL, RULES = "results_ranking", "results_detail", "results_rules"
SCORE_COLUMN = 4  # 总分 of the ranking
RESULT_COLUMN = 8  # 结果 of the detail


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
    geometry = form(RANKING)
    ranking_cols = geometry.columns_list()
    set_columns(ws, ranking_cols)
    title_row(ws, 1, ranking_cols, title(a) + "（总分排名）")
    header_row(ws, 2, ranking_cols)
    for r, u in enumerate(a.ranking(), start=3):
        values = [u.rank, u.unit, u.kind, u.score, u.met, u.applicable, u.kind_rank]
        for c, (v, col) in enumerate(zip(values, ranking_cols), start=1):
            _put(ws, r, c, v, col, "0.0" if c == SCORE_COLUMN else None)
    last = 2 + len(a.units)
    note = last + 1
    merged_line(ws, note, 1, len(ranking_cols), "说明：总分按各适用指标的权重计算，达标得满分，未达标按数值÷目标"
                "折算，缺数据和数据错误不得分；总分相同名次相同；同类名次在同一类别（村、居委、学校、相关单位）内排列。",
                font=body_font(size=geometry.size("note")), align=LEFT, height=geometry.height("note"))
    a4_print_setup(ws, last_row=note, ncols=len(ranking_cols), repeat_rows="2:2")


def _detail(ws: Worksheet, a: YearAssessment) -> None:
    detail_cols = form(DETAIL).columns_list()
    set_columns(ws, detail_cols)
    title_row(ws, 1, detail_cols, title(a))
    header_row(ws, 2, detail_cols)
    row = 3
    for seq, u in enumerate(a.units, start=1):
        first = row
        for i in u.indicators:
            fmt = "0.00%" if i.kind == "rate" else "0.00"
            numerator_fmt = "0" if i.kind == "rate" else "0.00"
            values = [(seq, None), (u.unit, None), (i.name, None), (i.numerator, numerator_fmt),
                      (i.denominator, None), (i.value, fmt), (i.target, fmt), (STATUS_TEXT[i.status], None),
                      (i.note, None)]
            for c, ((v, f), col) in enumerate(zip(values, detail_cols), start=1):
                cell = _put(ws, row, c, v, col, f)
                if c == RESULT_COLUMN and i.status in FILLS:
                    cell.fill = FILLS[i.status]
            row += 1
        values = [(seq, None), (u.unit, None), ("总分", None), (None, None), (None, None), (u.score, "0.0"),
                  (None, None), (f"第{u.rank}名", None), (f"达标{u.met}项，共{u.applicable}项", None)]
        for c, ((v, f), col) in enumerate(zip(values, detail_cols), start=1):
            _put(ws, row, c, v, col, f)
        for c in (1, 2):
            ws.merge_cells(start_row=first, start_column=c, end_row=row, end_column=c)
        row += 1
    a4_print_setup(ws, last_row=row - 1, ncols=len(detail_cols), repeat_rows="2:2", landscape=True)


def _rules(ws: Worksheet, a: YearAssessment) -> None:
    geometry = form(RULES)
    rules_cols = geometry.columns_list()
    set_columns(ws, rules_cols)
    title_row(ws, 1, rules_cols, "验收考核指标、目标和计算口径")
    header_row(ws, 2, rules_cols)
    for r, t in enumerate(a.targets, start=3):
        values = [t.name, t.target_text, "、".join(t.applies_to), t.weight, t.headcount_text, t.source]
        for c, (v, col) in enumerate(zip(values, rules_cols), start=1):
            _put(ws, r, c, v, col)
        ws.row_dimensions[r].height = geometry.height("row")
    a4_print_setup(ws, last_row=2 + len(a.targets), ncols=len(rules_cols), repeat_rows="2:2", landscape=True)


def render(assessment: YearAssessment) -> bytes:
    """The 考核结果 .xlsx of a year's assessment."""
    wb, ws = new_workbook(RANKING_SHEET, title(assessment))
    _ranking(ws, assessment)
    _detail(wb.create_sheet(DETAIL_SHEET), assessment)
    _rules(wb.create_sheet(RULES_SHEET), assessment)
    return workbook_bytes(wb, dt.date(assessment.year, 12, 31))


def filename(assessment: YearAssessment) -> str:
    return document_filename(title(assessment), ".xlsx")
