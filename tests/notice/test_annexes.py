"""Annexes bound after the body (clause 7.3.7), measured on the rendered PDF."""
from __future__ import annotations

import re

import pytest

from service.forms import annex3, annex4
from service.layout.profile import profile
from service.pdf.measure import page_text
from tests.notice.test_text_and_fonts import REFERENCE, _squash

P = profile()
TOP = P.margins_mm["top"]
LEFT = P.margins_mm["left"]
CENTRE = LEFT + P.type_area_mm["width"] / 2
PITCH = P.line_pt * 25.4 / 72
TITLES = ["社区教育培训内容", "百胜镇社区教育工作建档要求", "百胜镇社区教育培训月报表",
          "涪陵区百胜镇社区教育村（居委）活动室领导小组成员表"]


def annex_pages(sample):
    return [pg for pg in sample.pages if pg.lines and re.fullmatch(r"附件\d*", pg.lines[0].text)]


def test_each_annex_starts_a_page_with_its_label_on_line_1(baisheng):
    pages = annex_pages(baisheng)
    assert [pg.lines[0].text for pg in pages] == ["附件1", "附件2", "附件3", "附件4"]
    for page in pages:
        label = page.lines[0]
        assert label.x0 == pytest.approx(LEFT, abs=1)
        assert (label.top + label.bottom) / 2 == pytest.approx(TOP + PITCH / 2, abs=1.5)  # line 1
        assert label.size == pytest.approx(16, abs=0.1)
        assert all("NotoSansCJK" in f for f in label.fonts)  # 3号黑体


def test_annex_title_centred_on_line_3_and_matches_the_attachment_list(baisheng):
    for page, title in zip(annex_pages(baisheng), TITLES):
        lines = [x for x in page.lines if x.size == pytest.approx(22, abs=0.1)]
        assert "".join(x.text for x in lines) == title
        assert (lines[0].top + lines[0].bottom) / 2 == pytest.approx(TOP + 2.5 * PITCH, abs=1.5)
        for line in lines:
            assert (line.x0 + line.x1) / 2 == pytest.approx(CENTRE, abs=1.5)
    text = re.sub(r"—\d+—", "", _squash(page_text(baisheng.pdf)))
    listed = re.search(r"附件：(1\..*?)(?=附件1)", text).group(1)
    assert listed == "".join(f"{i}.{t}" for i, t in enumerate(TITLES, 1))


def test_page_numbers_continue_through_the_annexes(baisheng):
    numbers = [next(x.text for x in pg.lines if x.top > 262) for pg in baisheng.pages]
    assert numbers == [f"—{i}—" for i in range(1, len(baisheng.pages) + 1)]
    assert annex_pages(baisheng)[0].number > 7


def test_imprint_follows_the_last_annex_on_an_even_page(baisheng):
    last = baisheng.pages[-1]
    assert last.number % 2 == 0
    assert any("印发" in x.text for x in last.lines)
    assert annex_pages(baisheng)[-1].number <= last.number


def _reference_annex_lines(first: str, last: str) -> list[str]:
    lines = [x.strip() for x in REFERENCE.read_text(encoding="utf-8").splitlines()]
    start, end = lines.index(first), lines.index(last)
    return [x for x in lines[start:end] if x]


def test_every_line_of_annex_1_and_2_is_in_the_pdf(baisheng):
    text = re.sub(r"—\d+—", "", _squash(page_text(baisheng.pdf)))
    wanted = _reference_annex_lines("附件1", "附件3")
    wanted = [x for x in wanted if not re.fullmatch(r"附件\d", x)]
    missing = [x for x in wanted if _squash(x) not in text]
    assert len(wanted) > 50 and missing == []


def test_form_tables_have_the_excel_forms_columns(baisheng):
    import docx

    document = docx.Document(str(baisheng.docx))
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables[:-1]]
    assert [c.title for c in annex3.columns()] in headers
    assert [c.title for c in annex4.columns()] in headers
    for table in document.tables[:-1]:
        trpr = table.rows[0]._tr.trPr
        assert trpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
