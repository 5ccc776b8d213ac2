"""Annex 4 领导小组成员表 workbook, read back with openpyxl."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from service.config import SAMPLES_DIR
from service.forms.annex4 import LeadershipTable, blank_rows, leadership_title, render_leadership_table
from service.units import load_units, local_township_name

HEADERS = ["序号", "村（居委）活动室名称", "组长", "副组长", "工作人员", "组长电话"]


@pytest.fixture(scope="module")
def units():
    return load_units(SAMPLES_DIR / "baisheng-2020" / "units.json")


@pytest.fixture(scope="module")
def filled(units):
    return load_workbook(io.BytesIO(render_leadership_table(LeadershipTable.from_units(units)))).active


@pytest.fixture(scope="module")
def blank():
    return load_workbook(io.BytesIO(render_leadership_table(None, township="重庆市涪陵区百胜镇"))).active


def test_title_drops_the_provincial_prefix():
    assert leadership_title("重庆市涪陵区百胜镇") == "涪陵区百胜镇社区教育村（居委）活动室领导小组成员表"
    assert local_township_name("四川省成都市双流区某镇") == "成都市双流区某镇"
    assert local_township_name("百胜镇") == "百胜镇"


def test_layout(filled, blank):
    for ws in (filled, blank):
        assert ws["A1"].value == "涪陵区百胜镇社区教育村（居委）活动室领导小组成员表"
        assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
        assert [ws.cell(2, c).value for c in range(1, 7)] == HEADERS
        assert ws.print_title_rows == "$2:$2"
        assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1
    assert [blank.cell(2 + i, 1).value for i in range(1, blank_rows() + 1)] == list(range(1, blank_rows() + 1))
    assert all(blank.cell(r, c).value is None for r in range(3, 3 + blank_rows()) for c in range(2, 7))
    assert blank.cell(3 + blank_rows(), 1).value.startswith("注：组长电话")


def test_filled_values_equal_units(filled, units):
    for i, unit in enumerate(units.units):
        r = 3 + i
        assert [filled.cell(r, c).value for c in range(1, 7)] == [
            i + 1, unit.activity_room, unit.leader.name, unit.deputy.name, unit.staff.name, unit.leader_phone]
        phone = filled.cell(r, 6)
        assert phone.data_type == "s" and phone.number_format == "@"  # never 1.39E+10
    assert filled.cell(3 + len(units.units), 1).value.startswith("注：")
    assert "023-72813347" in [filled.cell(r, 6).value for r in range(3, 3 + len(units.units))]  # bare 8 digits


def test_phone_validation_in_sheet(filled, units):
    last = 2 + len(units.units)
    [dv] = [dv for dv in filled.data_validations.dataValidation if str(dv.sqref) == f"F3:F{last}"]
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("textLength", "between", "11", "13")
    assert dv.showErrorMessage


def test_reproducible(units):
    table = LeadershipTable.from_units(units)
    assert render_leadership_table(table) == render_leadership_table(table)
