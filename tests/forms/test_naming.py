"""The one naming rule: Chinese names kept, unsafe characters made full-width, length bounded."""
from __future__ import annotations

import pytest

from service.naming import ascii_fallback, content_disposition, document_filename

TITLE = "关于印发《重庆市涪陵区百胜镇加强社区教育工作实施方案》的通知"


def test_number_and_title_joined_with_one_space():
    assert document_filename(TITLE, ".docx", "涪百府发〔2020〕75号") == f"涪百府发〔2020〕75号 {TITLE}.docx"
    assert document_filename("百胜镇社区教育培训月报表", "xlsx") == "百胜镇社区教育培训月报表.xlsx"


def test_illegal_characters_become_full_width_and_whitespace_collapses():
    name = document_filename('a/b\\c:d*e?f"g<h>i|j\x07  k\u3000\tl ', ".pdf")
    assert name == "a／b＼c：d＊e？f＂g＜h＞i｜j k l.pdf"
    for ch in '/\\:*?"<>|':
        assert ch not in name


def test_trailing_dots_reserved_names_and_empty():
    assert document_filename("报表. . ", ".xlsx") == "报表.xlsx"
    assert document_filename("CON", ".docx") == "_CON.docx"
    with pytest.raises(ValueError, match="文件名不能为空"):
        document_filename("  ", ".docx")


def test_long_names_are_bounded_and_keep_suffix():
    name = document_filename("很长的标题" * 60, ".docx", "涪百府发〔2020〕75号")
    assert len(name.encode("utf-8")) <= 200
    assert name.endswith("…" + ".docx") and name.startswith("涪百府发〔2020〕75号 很长的标题")


@pytest.mark.parametrize("name, expected", [
    (f"涪百府发〔2020〕75号 {TITLE}.docx", "notice-2020-75.docx"),
    ("附件3 百胜镇社区教育培训月报表（空白）.xlsx", "monthly-report-annex3-blank.xlsx"),
    ("附件4 涪陵区百胜镇社区教育村（居委）活动室领导小组成员表（填报）.xlsx", "leadership-group-annex4-filled.xlsx"),
    ("manifest.json", "document-manifest.json"),
    ("无题", "document"),
])
def test_ascii_fallback(name, expected):
    assert ascii_fallback(name) == expected


def test_content_disposition_has_both_names():
    value = content_disposition("百胜镇 月报表.xlsx")
    assert value.startswith('attachment; filename="monthly-report.xlsx"; filename*=UTF-8\'\'')
    assert "%E6%9C%88" in value and " " not in value.split("filename*=")[1]
