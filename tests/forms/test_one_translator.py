"""One translation of pydantic errors for every caller: the data files' row/column issues, the API's field errors
and the year-end unit errors say the same Chinese message for the same bad value, and no English reaches a user.
The unit's 领导小组 fields are declared once (service.units.PEOPLE) and Annex 4 reads them from there."""
from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from service.api.problems import translate
from service.config import SAMPLES_DIR
from service.forms.annex4 import HEADER_ROW, LeadershipTable, render_leadership_table
from service.forms.validation import DataValidationError
from service.units import PEOPLE, UnitsFile, parse_units
from service.yearend.batch import unit_error

UNITS_JSON = SAMPLES_DIR / "baisheng-2020" / "units.json"
ENGLISH = re.compile(r"[A-Za-z]{3,}")  # a word of pydantic's English ("Input should ...", "String should ...")


@pytest.fixture()
def bad_units() -> tuple[dict, ValidationError]:
    raw = json.loads(UNITS_JSON.read_text(encoding="utf-8"))
    raw["units"][1]["leader"]["name"] = ""
    raw["units"][1]["kind"] = "乡"
    raw["units"][3]["leader_phone"] = "12"
    raw["units"][3]["registered"]["children"] = "许多"
    with pytest.raises(ValidationError) as info:
        UnitsFile.model_validate(raw)
    return raw, info.value


def test_data_file_api_and_year_end_say_the_same_chinese_message(bad_units):
    raw, exc = bad_units
    with pytest.raises(DataValidationError) as info:
        parse_units(raw)
    issues = {i.field: i for i in info.value.issues}
    api = {e["field"].removeprefix("params."): e for e in translate(exc, UnitsFile, "params")}
    assert set(issues) == set(api) == {"units.1.leader.name", "units.1.kind", "units.3.leader_phone",
                                       "units.3.registered.children"}
    for field, issue in issues.items():
        assert issue.message == api[field]["message"]
        assert not ENGLISH.search(issue.message), issue.message
    # the data file names row and column, the API the whole path, each with the fields' Chinese titles
    assert (issues["units.1.leader.name"].row, issues["units.1.leader.name"].column) == (2, "组长·姓名")
    assert api["units.1.leader.name"]["title"] == "单位 › 第2项 › 组长 › 姓名"
    assert issues["units.3.registered.children"].column == "登记人数·儿童"
    assert issues["units.3.registered.children"].message == "必须是整数"
    assert issues["units.1.kind"].message.startswith("只能是")

    year_end = unit_error(exc)
    assert year_end.startswith("数据不合格：")
    assert "必须是整数" in year_end and "电话号码“12”" in year_end
    assert not re.search(r"Input should|String should|Value error", year_end)


def test_api_errors_without_a_model_still_chinese():
    class Probe(UnitsFile):
        pass

    with pytest.raises(ValidationError) as info:
        Probe.model_validate({"year": "x"})
    errors = translate(info.value, None, "query")
    fields = {e["field"]: e for e in errors}
    assert fields["query.year"]["message"] == "必须是整数"
    assert fields["query.township"]["message"] == "必须填写"
    assert all(not ENGLISH.search(e["message"]) for e in errors)


def test_annex4_columns_and_rows_follow_the_declared_people():
    units = parse_units(json.loads(UNITS_JSON.read_text(encoding="utf-8")))
    ws = load_workbook(io.BytesIO(render_leadership_table(LeadershipTable.from_units(units)))).active
    header = [c.value for c in ws[HEADER_ROW]]
    assert header[2:2 + len(PEOPLE)] == list(PEOPLE.values())
    first = units.units[0]
    row = [c.value for c in ws[HEADER_ROW + 1]]
    assert row[1:] == [first.activity_room, *(getattr(first, role).name for role in PEOPLE), first.leader_phone]
