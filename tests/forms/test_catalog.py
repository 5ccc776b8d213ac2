"""Annex 1 / Annex 2 data equal the reference notice line for line; the method and model lists are sane."""
from __future__ import annotations

import re
from pathlib import Path

from service.forms.catalog import archive_volumes, training_content, training_methods, training_models

# Verbatim copy of the reference notice's Annex 1 and Annex 2 (the reference itself lives outside the repo).
REFERENCE = Path(__file__).parent / "data" / "reference_annex1_2.txt"
CN = "一二三四五六七八九十"


def _cn(n: int) -> str:
    return CN[n - 1] if n <= 10 else "十" + CN[n - 11]


def _numbered_lines(block: str) -> list[str]:
    return [s.strip() for s in block.splitlines() if re.match(r"^[一二三四五六七八九十]+、", s.strip())]


def _reference_block(start: str, end: str) -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    return text[text.index(start):text.index(end) if end else len(text)]


def test_annex1_has_13_categories_verbatim():
    content = training_content()
    assert content.title == "社区教育培训内容"
    assert [c.no for c in content.categories] == list(range(1, 14))
    assert content.categories[0].name == "“党的十九大精神”宣传诠释培训"
    assert content.categories[12].name == "其他类培训"
    assert content.by_name("农业科技类").text.startswith("农业科技类:水稻科学育秧")
    lines = [f"{_cn(c.no)}、{c.text}" for c in content.categories]
    assert "基础性扫育和功能性扫育类" in content.names()  # the source's typo is kept
    assert lines == _numbered_lines(_reference_block("附件1\n", "附件2\n"))


def test_annex2_has_five_volumes_verbatim():
    vols = archive_volumes()
    assert vols.title("百胜镇") == "百胜镇社区教育工作建档要求"
    assert [(v.label, v.name) for v in vols.volumes] == [
        ("卷一", "领导与管理"), ("卷二", "条件与保障"), ("卷三", "教育培训与学习活动"),
        ("卷四", "社区教育成效"), ("卷五", "特色与创新")]
    assert [len(v.items) for v in vols.volumes] == [7, 11, 9, 9, 5]
    block = _reference_block("附件2\n", "")
    ours = [f"{_cn(i)}、{t}" for v in vols.volumes for i, t in enumerate(v.items, 1)]
    assert ours == _numbered_lines(block)
    for v in vols.volumes:
        assert re.search(rf"^{v.label}\s+{v.name}$", block, re.M)


def test_methods_and_models_are_distinct_lists():
    methods = training_methods()
    assert {"讲座", "现场教学", "实训操作", "远程教育"} <= set(methods)
    models = training_models()
    assert [m.name for m in models] == ["短平快", "能人带动", "自选培训", "流动培训", "资源共享"]
    assert not set(methods) & {m.name for m in models}
