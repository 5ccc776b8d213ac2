"""Unit data (Annex 4 + records store): validation, phone rules, Chinese errors with row and column."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.config import SAMPLES_DIR
from service.forms.validation import DataValidationError
from service.units import load_units, normalize_phone, parse_units

UNITS_JSON = SAMPLES_DIR / "baisheng-2020" / "units.json"
NAMED_IN_NOTICE = ["百胜镇中学", "百胜镇中心小学", "丛林九年制学校", "河岸小学", "河场小学",
                   "百胜镇农业服务中心", "百胜卫生院", "百胜镇文化服务中心"]


@pytest.fixture()
def raw() -> dict:
    return json.loads(UNITS_JSON.read_text(encoding="utf-8"))


def test_sample_units_file_is_marked_synthetic_and_complete():
    data = load_units(UNITS_JSON)
    assert data.synthetic is True and "合成数据" in data.note
    assert len(data.units) >= 15
    names = [u.name for u in data.units]
    for name in NAMED_IN_NOTICE:
        assert name in names
    assert {u.kind for u in data.units} == {"村", "居委", "学校", "相关单位"}
    assert sum(u.resident_population for u in data.units if u.kind in ("村", "居委")) > 0


@pytest.mark.parametrize("raw_phone, expected", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("023-62345678", "023-62345678"),
    ("(023)62345678", "023-62345678"),
    ("02362345678", "023-62345678"),
    ("62345678", "023-62345678"),  # bare 8 digits: Chongqing
    ("0755-86013388", "0755-86013388"),
    ("0851-5812345", "0851-5812345"),
])
def test_phone_numbers_accepted_and_normalised(raw_phone, expected):
    assert normalize_phone(raw_phone) == expected


@pytest.mark.parametrize("bad", ["19412345678", "1381234567", "023-6234567", "010-6512345", "6234567",
                                 "abc", "", "+1 212 555 0100", "138123456789"])
def test_phone_numbers_refused(bad):
    with pytest.raises(ValueError, match="电话号码"):
        normalize_phone(bad)


def test_bad_rows_reported_with_row_and_column_in_chinese(raw):
    raw["units"][2]["leader_phone"] = "1234"
    raw["units"][4]["registered"]["children"] = -3
    raw["units"][5]["kind"] = "乡"
    del raw["units"][6]["deputy"]
    with pytest.raises(DataValidationError) as info:
        parse_units(raw)
    issues = {(i.row, i.row_label, i.column): i.message for i in info.value.issues}
    assert len(info.value.issues) == 4
    assert "电话号码“1234”无效" in issues[(3, raw["units"][2]["name"], "组长电话")]
    assert issues[(5, raw["units"][4]["name"], "登记人数·儿童")] == "不能小于 0"
    assert issues[(6, raw["units"][5]["name"], "单位类别")].startswith("只能是")
    assert issues[(7, raw["units"][6]["name"], "副组长")] == "必须填写"
    text = str(info.value)
    assert "第3行（" in text and "【组长电话】" in text and "未生成任何文件" in text


def test_duplicate_unit_names_refused(raw):
    raw["units"][3]["name"] = raw["units"][1]["name"]
    with pytest.raises(DataValidationError) as info:
        parse_units(raw)
    [issue] = info.value.issues
    assert (issue.row, issue.column) == (4, "单位名称") and "与第2行重复" in issue.message


def test_top_level_field_error_has_no_row(raw):
    raw["year"] = "二〇二〇"
    with pytest.raises(DataValidationError) as info:
        parse_units(raw)
    [issue] = info.value.issues
    assert issue.row is None and issue.column == "年度" and issue.message == "必须是整数"


def test_malformed_json_file_is_a_chinese_error(tmp_path: Path):
    bad = tmp_path / "units.json"
    bad.write_text('{"units": [\n  {"name": }\n]}', encoding="utf-8")
    with pytest.raises(DataValidationError, match="JSON 格式错误：第2行"):
        load_units(bad)
    with pytest.raises(DataValidationError, match="找不到文件"):
        load_units(tmp_path / "missing.json")
