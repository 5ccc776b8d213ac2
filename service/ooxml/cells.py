"""The one way a value goes into a spreadsheet cell (issue 8: no formula from user text).

openpyxl turns every string that starts with "=" into a formula, and Excel/WPS/LibreOffice treat text typed with a
leading + - @ (or a tab/CR before one) as a formula when the cell is edited. `put` writes a string as an explicit
string cell (t="inlineStr", never <f>) and, when it starts with one of those characters, sets the cell's
quotePrefix style so the spreadsheet shows it as text and keeps it text when edited. Only a `Formula` -
written by the service itself, e.g. the 合计 rows - becomes a formula.
"""
from __future__ import annotations

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


class Formula(str):
    """A formula the service writes itself (starts with "="); any other string is text."""

    def __new__(cls, text: str) -> Formula:
        if not text.startswith("="):
            raise ValueError(f"a formula starts with '=': {text!r}")
        return super().__new__(cls, text)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_LEADS)


def put(cell: Cell, value) -> Cell:
    """Write `value` into `cell`: a Formula as a formula, any other str as text, anything else as openpyxl would."""
    if isinstance(value, Formula):
        cell.value = str(value)
    elif isinstance(value, str):
        cell.value = None  # let openpyxl reset the type, then store the text as a string whatever it starts with
        cell._value = value
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def put_at(ws: Worksheet, row: int, column: int, value) -> Cell:
    """`ws.cell(row, column, value)` through `put`."""
    return put(ws.cell(row=row, column=column), value)
