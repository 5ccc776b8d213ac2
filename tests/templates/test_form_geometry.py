"""The Excel record forms take their geometry from doc_templates/forms/records.yaml: column titles and widths and
the blank rows of a blank form are what the workbook shows."""
from __future__ import annotations

import io

import openpyxl
import yaml
from openpyxl.utils import get_column_letter

from service.records.renderers.forms import assessment_sheet, ledger_card
from service.records.renderers.forms.geometry import FORMS_FILE

GEOMETRY = yaml.safe_load(FORMS_FILE.read_text(encoding="utf-8"))


def _check(data: bytes, spec: dict, header_row: int) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cols = spec["columns"]
    assert [ws.cell(row=header_row, column=i).value for i in range(1, len(cols) + 1)] == [c["title"] for c in cols]
    assert [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(cols) + 1)] == \
        [c["width"] for c in cols]
    seqs = [ws.cell(row=header_row + 1 + i, column=1).value for i in range(spec["blank_rows"] + 1)]
    assert seqs[:-1] == list(range(1, spec["blank_rows"] + 1)) and not isinstance(seqs[-1], int)


def test_ledger_card_workbook_follows_the_form_description():
    _check(ledger_card.render_ledger_card(None, township_short="某某镇"), GEOMETRY["ledger_card"],
           ledger_card.HEADER_ROW)


def test_assessment_workbook_follows_the_form_description():
    _check(assessment_sheet.render_assessment_sheet(None, township_short="某某镇"), GEOMETRY["assessment"],
           assessment_sheet.HEADER_ROW)
