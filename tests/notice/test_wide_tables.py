"""Wide tables (issue 11, item 9), measured on the PDF: a 12-column annex table goes on landscape pages with
column widths from its content: no text past the table's right edge or the type area, the right border drawn,
phone numbers and dates whole on one line (their
hyphens are U+2011, read back as "-"); the Annex 3/4 forms keep their headers (培训人数, 工作人员) on one line
and the Annex 4 note's phone number whole."""
from __future__ import annotations

import pdfplumber
import pytest

from service.layout import columns
from service.layout.columns import NB_HYPHEN
from service.layout.profile import profile
from service.models.notice import parse_notice
from tests.notice.conftest import minimal_notice, render_sample

pytestmark = pytest.mark.pdf

PT = 25.4 / 72
HEADER = ["序号", "学习中心", "培训项目", "培训人数", "培训地点", "培训课时数", "培训方式", "联系人", "联系电话",
          "固定电话", "开班日期", "备注"]
PHONE, LANDLINE, DATE = "13908260101", "023-62345678", "2025-03-05"
REMARK = "结合本村实际，分两期开展，每期不少于六课时，并做好签到与影像资料留存"
ROWS = [[str(i), "某某村学习中心", "老年人智能手机使用培训", str(30 + i), "村委会二楼会议室", "12", "集中授课", "张敏",
         PHONE, LANDLINE, DATE, REMARK] for i in range(1, 9)]


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    data = minimal_notice(attachments=[
        {"title": "某某镇社区教育培训情况统计表", "blocks": [{"type": "table", "columns": HEADER, "rows": ROWS}]},
        {"title": "社区教育培训月报表", "source": "monthly_report"},
        {"title": "社区教育工作领导小组成员表", "source": "leadership_table"},
    ])
    sample = render_sample(parse_notice(data), tmp_path_factory.mktemp("wide"))
    with pdfplumber.open(sample.pdf) as doc:
        pages = [(p.width * PT, p.height * PT, p.chars, p.edges,
                  [dict(w, text=w["text"].replace(NB_HYPHEN, "-")) for w in p.extract_words()]) for p in doc.pages]
    return sample, pages


def _pages_with(pages, word):
    return [i for i, p in enumerate(pages) if any(word in w["text"] for w in p[4])]


def test_the_wide_table_is_on_landscape_pages_and_the_rest_portrait(wide):
    _, pages = wide
    table_pages = _pages_with(pages, PHONE)
    assert table_pages and all(pages[i][0] > pages[i][1] for i in table_pages)
    others = [i for i in range(len(pages)) if i not in table_pages]
    assert others and all(pages[i][0] < pages[i][1] for i in others)


def _type_area_x(page) -> tuple[float, float]:
    m, area = profile().margins_mm, profile().type_area_mm
    if page[0] > page[1]:  # landscape: the portrait top margin is the left one, the type area 225 mm wide
        return m["top"], m["top"] + area["height"]
    return m["left"], m["left"] + area["width"]


def _table_box(page) -> tuple[float, float]:
    vertical = [e for e in page[3] if e["orientation"] == "v"]
    xs = [e["x0"] * PT for e in vertical]
    return min(xs), max(xs)


@pytest.mark.parametrize("word", [PHONE, "培训人数", "工作人员"], ids=["wide", "annex3", "annex4"])
def test_no_text_beyond_the_table_or_the_type_area_and_the_right_border_is_drawn(wide, word):
    _, pages = wide
    for i in _pages_with(pages, word):
        page = pages[i]
        left, right = _type_area_x(page)
        t_left, t_right = _table_box(page)
        assert left - 0.5 <= t_left and t_right <= right + 0.5, (i + 1, t_left, t_right, left, right)
        body = [c for c in page[2] if c["text"].strip() and c["top"] * PT < 297 - 50 and (c["top"] * PT > 40)]
        assert max(c["x1"] * PT for c in body) <= right + 0.5
        rows = [c for c in body if c["x0"] * PT >= t_left - 0.1 and _in_table(page, c)]
        assert rows and max(c["x1"] * PT for c in rows) <= t_right
        # the right border: vertical rules at the table's right edge as long as the left border
        def border(x):  # used within this iteration only
            return [(e["top"], e["bottom"]) for e in page[3]  # noqa: B023
                    if e["orientation"] == "v" and abs(e["x0"] * PT - x) < 0.3]

        left_border = border(t_left)
        top, bottom = min(t for t, _ in left_border), max(b for _, b in left_border)
        covered = sum(b - t for t, b in border(t_right))
        assert covered >= (bottom - top) - 1, (i + 1, covered, bottom - top)


def _in_table(page, c) -> bool:
    h = [e["top"] for e in page[3] if e["orientation"] == "h"]
    return h and min(h) <= c["top"] <= max(h)


def test_numbers_are_whole_on_one_line(wide):
    _, pages = wide
    words = [w["text"] for p in pages if p[0] > p[1] for w in p[4]]  # the landscape table pages
    for number in (PHONE, LANDLINE, DATE):
        assert sum(number in w for w in words) == len(ROWS), number
    assert not any(w in ("1390826010", "023-", "2025-03-") for w in words)
    assert any(LANDLINE in w for p in pages if any("组长电话填写" in x["text"] for x in p[4]) for w in
               (x["text"] for x in p[4]))  # the Annex 4 note's example number


@pytest.mark.parametrize("head", ["培训人数", "培训课时数", "培训方式", "工作人员", "副组长", "组长电话", "村（居委）活动室名称"])
def test_annex_headers_on_one_line(wide, head):
    _, pages = wide
    assert any(w["text"] == head for p in pages for w in p[4]), head


def test_layout_numbers():
    """The width computation itself: the 12 columns need a landscape page; Annex 3's fit the portrait one."""
    wide = columns.layout(HEADER, ROWS)
    assert wide.landscape and wide.fits and sum(wide.widths) == round(225 / 25.4 * 1440)
    phone_col = HEADER.index("联系电话")
    assert wide.widths[phone_col] >= columns.text_twips(PHONE, columns.TEXT_FACE, wide.size_pt)
    from service.forms import annex3

    form = columns.layout([c.title for c in annex3.COLUMNS], [], [c.width for c in annex3.COLUMNS])
    assert not form.landscape and form.size_pt == 14 and sum(form.widths) == round(156 / 25.4 * 1440)
    assert form.widths[2] >= columns.text_twips("培训人数", columns.HEAD_FACE, 14)
