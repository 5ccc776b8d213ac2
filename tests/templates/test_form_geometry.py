"""The Excel record forms take their geometry from doc_templates/forms/records.yaml: column titles and widths, the
blank rows of a blank form, row heights, font sizes and margins are what the workbook shows — the shipped file, and
an edited copy."""
from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from service.forms.geometry import form
from service.records.renderers.forms import assessment_sheet, ledger_card, quarterly
from tests.forms.edited_forms import edit_forms


def _check(data: bytes, name: str, header_row: int) -> None:
    spec = form(name)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cols = spec.columns
    assert [ws.cell(row=header_row, column=i).value for i in range(1, len(cols) + 1)] == [c.title for c in cols]
    assert [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(cols) + 1)] == \
        [c.width for c in cols]
    seqs = [ws.cell(row=header_row + 1 + i, column=1).value for i in range(spec.blank_rows + 1)]
    assert seqs[:-1] == list(range(1, spec.blank_rows + 1)) and not isinstance(seqs[-1], int)


def test_ledger_card_workbook_follows_the_form_description():
    _check(ledger_card.render_ledger_card(None, township_short="某某镇"), "ledger_card", ledger_card.HEADER_ROW)


def test_assessment_workbook_follows_the_form_description():
    _check(assessment_sheet.render_assessment_sheet(None, township_short="某某镇"), "assessment",
           assessment_sheet.HEADER_ROW)


def test_an_edited_description_changes_the_record_forms(monkeypatch, tmp_path):
    columns = [c.model_dump() for c in form("ledger_card").columns]
    columns[1].update(title="学员姓名", width=14)
    edit_forms(monkeypatch, tmp_path, {
        "ledger_card": {"columns": columns, "blank_rows": 12, "heights": {"sign": 33}, "margins_mm": [10, 10, 10, 10]},
        "assessment": {"heights": {"gap": 9}},
        "quarterly": {"heights": {"row": 21, "measures": 19}, "sizes": {"cells": 12}, "widths": {"unit": 17}}})
    data = ledger_card.render_ledger_card(None, township_short="某某镇")
    _check(data, "ledger_card", ledger_card.HEADER_ROW)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.cell(ledger_card.HEADER_ROW, 2).value == "学员姓名" and ws.column_dimensions["B"].width == 14
    assert ws.row_dimensions[ledger_card.HEADER_ROW + 1].height == 33
    assert ws.page_margins.top == pytest.approx(10 / 25.4)

    ws = openpyxl.load_workbook(io.BytesIO(assessment_sheet.render_assessment_sheet(None, township_short="镇"))).active
    assert ws.row_dimensions[7].height == 9

    ws = openpyxl.load_workbook(io.BytesIO(quarterly.render_quarterly_report(None, township_short="某某镇"))).active
    assert ws.row_dimensions[quarterly.FIRST].height == 21 and ws.row_dimensions[quarterly.HEAD2].height == 19
    assert ws.column_dimensions["B"].width == 17 and ws.cell(quarterly.FIRST, 3).font.sz == 12
