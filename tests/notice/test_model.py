"""Validation: every bad field is named in Chinese; the document number is composed, never typed."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from service.models.notice import DocNumber, NoticeValidationError, heading_label, parse_notice
from tests.notice.conftest import minimal_notice


def errors_for(data: dict) -> list[dict]:
    with pytest.raises(NoticeValidationError) as info:
        parse_notice(data)
    return info.value.errors


def test_document_number_composition():
    assert str(DocNumber(agency_code="涪百府发", year=2020, serial=75)) == "涪百府发〔2020〕75号"
    assert str(DocNumber(agency_code="国办发", year=2012, serial=5)) == "国办发〔2012〕5号"


@pytest.mark.parametrize("number, title", [
    ({"agency_code": "涪百府发〔", "year": 2020, "serial": 75}, "发文字号 › 机关代字"),
    ({"agency_code": "涪百府发", "year": 20, "serial": 75}, "发文字号 › 年份"),
    ({"agency_code": "涪百府发", "year": 2020, "serial": 0}, "发文字号 › 序号"),
    ({"agency_code": "", "year": 2020, "serial": 1}, "发文字号 › 机关代字"),
])
def test_bad_document_number_is_named(number, title):
    errs = errors_for(minimal_notice(number=number))
    assert [e["title"] for e in errs] == [title]


def test_messages_are_chinese_and_name_each_field():
    data = minimal_notice(title="", signature={"organs": ["某镇人民政府"], "date": "2025-13-01"})
    data["blocks"] = [{"type": "paragraph", "text": ""}, {"type": "heading", "level": 5, "text": "标题"},
                      {"type": "poem", "text": "x"}]
    errs = {e["title"]: e["message"] for e in errors_for(data)}
    assert errs["标题"] == "不能为空"
    assert errs["署名和成文日期 › 成文日期"].startswith("不是有效日期")
    assert errs["正文 › 第1项 › 文字"] == "不能为空"
    assert errs["正文 › 第2项 › 层级"] == "不能大于 4"
    assert "类型只能是" in errs["正文 › 第3项"]
    for message in errs.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_lengths_are_bounded():
    errs = errors_for(minimal_notice(title="长" * 121))
    assert errs[0]["title"] == "标题" and "最多 120" in errs[0]["message"]


def test_unknown_field_is_refused():
    errs = errors_for(minimal_notice(colour="red"))
    assert errs[0]["field"] == "colour" and errs[0]["message"] == "是未知字段"


def test_print_date_not_before_signing():
    errs = errors_for(minimal_notice(imprint={"printer": "某办公室", "print_date": "2025-03-01"}))
    assert "印发日期不能早于成文日期" in errs[0]["message"]


def test_heading_numbers_are_generated():
    assert [heading_label(1, i) for i in (1, 2, 10, 11)] == ["一、", "二、", "十、", "十一、"]
    assert heading_label(2, 3) == "（三）" and heading_label(3, 12) == "12." and heading_label(4, 2) == "（2）"


def test_numbering_restarts_under_each_parent():
    from service.render.notice import ImprintPlacement, build_blocks

    data = minimal_notice(blocks=[
        {"type": "heading", "level": 1, "text": "甲"}, {"type": "heading", "level": 2, "text": "子"},
        {"type": "heading", "level": 3, "text": "一"}, {"type": "heading", "level": 3, "text": "二"},
        {"type": "heading", "level": 2, "text": "丑"}, {"type": "heading", "level": 3, "text": "三"},
        {"type": "heading", "level": 1, "text": "乙"}, {"type": "heading", "level": 2, "text": "寅"},
    ])
    heads = [b["head"] for b in build_blocks(parse_notice(data), ImprintPlacement()) if b["k"] == "heading"]
    assert heads == ["一、甲", "（一）子", "1.一", "2.二", "（二）丑", "1.三", "二、乙", "（一）寅"]


def test_cli_bad_input_exits_with_chinese_errors_and_writes_nothing(tmp_path):
    src = tmp_path / "notice.json"
    src.write_text(json.dumps(minimal_notice(title=""), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "service.cli", "render", "notice", str(src), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "标题（title）：不能为空" in proc.stderr
    assert not out.exists()


def test_cli_reports_broken_json(tmp_path):
    src = tmp_path / "notice.json"
    src.write_text("{", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "service.cli", "render", "notice", str(src), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "不是有效的 UTF-8 JSON" in proc.stderr
