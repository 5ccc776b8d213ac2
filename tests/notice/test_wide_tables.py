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
from service.pdf.measure import InkBox, dash_ink, ink_box
from tests.notice.conftest import DATE, LANDLINE, PHONE, WIDE_HEADER, WIDE_ROWS

pytestmark = pytest.mark.pdf

PT = 25.4 / 72
HEADER, ROWS = WIDE_HEADER, WIDE_ROWS


@pytest.fixture(scope="module")
def wide(wide_table_case):
    with pdfplumber.open(wide_table_case.pdf) as doc:
        pages = [(p.width * PT, p.height * PT, p.chars, p.edges,
                  [dict(w, text=w["text"].replace(NB_HYPHEN, "-")) for w in p.extract_words()]) for p in doc.pages]
    return wide_table_case, pages


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
    if page[0] > page[1]:  # landscape: the sheet turned, the portrait bottom margin is the left one, 225 mm wide
        return m["bottom"], m["bottom"] + area["height"]
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

    form = columns.layout([c.title for c in annex3.columns()], [], [c.width for c in annex3.columns()])
    assert not form.landscape and form.size_pt == 14 and sum(form.widths) == round(156 / 25.4 * 1440)
    assert form.widths[2] >= columns.text_twips("培训人数", columns.HEAD_FACE, 14)


# --- page numbers on landscape pages (clause 7.5 with clause 8) -------------------------------------------------
# The sheet is printed portrait and turned: the landscape page's top is the portrait left edge (the table head faces
# the binding side on odd pages, the outer edge on even ones), so a portrait point (x, y) is the landscape point
# (X, Y) = (paper height − y, x), and the number must stand there, turned to read with the portrait pages.
PAPER_H = profile()["5.1"]["paper"]["height_mm"]
TYPE_AREA_BOTTOM = profile().margins_mm["top"] + profile().type_area_mm["height"]


def _number_chars(page) -> list[dict]:
    """The page number's characters of a landscape page: those left of the type area (the portrait bottom)."""
    left = profile().margins_mm["bottom"]
    return sorted((c for c in page[2] if c["x1"] * PT < left and c["text"].strip()), key=lambda c: c["top"])


def _outer_dash_ink(pdf, page_no: int, chars: list[dict], odd: bool) -> InkBox:
    """The ink of the dash on the outer side of `— N —` (odd pages: the last, even pages: the first), rasterised
    within its character box, so the position is the stroke's."""
    dashes = [c for c in chars if c["text"] == "—"]
    c = dashes[-1] if odd else dashes[0]
    return ink_box(pdf, page_no, red=False, dpi=600, region=(c["top"] * PT - 1, c["bottom"] * PT + 1),
                   columns=(c["x0"] * PT - 1, c["x1"] * PT + 1))


def _portrait_outer_dash(sample, pages, odd: bool) -> InkBox:
    """The outer dash's ink on the first numbered portrait page of that parity (measured, not assumed)."""
    for i, page in enumerate(pages):
        number = i + 1
        if page[0] < page[1] and number % 2 == int(odd):
            inks = sorted(dash_ink(sample.pdf, number, below=TYPE_AREA_BOTTOM), key=lambda b: b.left)
            if inks:
                return inks[-1] if odd else inks[0]
    raise AssertionError("no numbered portrait page of that parity")


def test_landscape_pages_carry_the_number_where_the_portrait_pages_do(wide):
    sample, pages = wide
    landscape = [i + 1 for i, p in enumerate(pages) if p[0] > p[1]]
    assert {n % 2 for n in landscape} == {0, 1}  # both an odd and an even landscape page
    for number in landscape:
        page = pages[number - 1]
        chars = _number_chars(page)
        assert "".join(c["text"] for c in chars) == f"—{number}—", number
        # turned with the sheet: read top to bottom, glyph tops towards the type area (90° clockwise)
        for c in chars:
            a, b, cc, d = c["matrix"][:4]
            assert not c["upright"] and (a, b, cc, d) == pytest.approx((0, -1, 1, 0), abs=1e-3), (number, c["matrix"])
        # nothing in the landscape page's own footer
        assert not [c for c in page[2] if c["top"] * PT > page[1] - profile().margins_mm["right"] and c["text"].strip()]
        odd = number % 2 == 1
        ink = _outer_dash_ink(sample.pdf, number, chars, odd)
        # back in portrait coordinates
        x0, x1, y0, y1 = ink.top, ink.bottom, PAPER_H - ink.right, PAPER_H - ink.left
        ref = _portrait_outer_dash(sample, pages, odd)
        for got, want in ((x0, ref.left), (x1, ref.right), (y0, ref.top), (y1, ref.bottom)):
            assert got == pytest.approx(want, abs=0.5), (number, (x0, x1, y0, y1), ref)
        # and that is clause 7.5's place: the dash's upper edge 7 mm under the type area, 1 字 in from its edge
        assert y0 == pytest.approx(TYPE_AREA_BOTTOM + profile()["7.5"]["below_type_area_mm"], abs=0.5)
        one = profile()["7.5"]["size_pt"] * PT
        left, right = profile().margins_mm["left"], profile().margins_mm["left"] + profile().type_area_mm["width"]
        edge = chars[-1]["bottom"] * PT if odd else chars[0]["top"] * PT  # the outer character box's edge
        assert edge == pytest.approx(right - one if odd else left + one, abs=0.5), number


def test_landscape_sections_use_the_turned_footers(wide):
    import io
    import zipfile

    from lxml import etree

    sample, _ = wide
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    r = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(io.BytesIO(sample.docx.read_bytes())) as zf:
        doc = etree.fromstring(zf.read("word/document.xml"))
        rels = {x.get("Id"): x.get("Target") for x in etree.fromstring(zf.read("word/_rels/document.xml.rels"))}
        parts = {name: zf.read(name) for name in zf.namelist()}
    for sect in doc.iter(f"{w}sectPr"):
        turned = sect.find(f"{w}pgSz").get(f"{w}orient") == "landscape"
        for ref in sect.findall(f"{w}footerReference"):
            footer = parts[f"word/{rels[ref.get(r)]}"]
            if b"PAGE" in footer:
                assert (b'vert="vert"' in footer) == turned


def test_a_wide_table_as_the_last_annex_turns_its_own_pages_and_no_others(tmp_path):
    """The annex is the notice's last: the paragraph after its table already ends the body's section (before the
    版记), and that section is the one turned. Every page is A4; the table pages landscape, every other portrait,
    and no page is empty."""
    from service.models.notice import parse_notice
    from tests.notice.conftest import minimal_notice, render_sample

    case = render_sample(parse_notice(minimal_notice(attachments=[
        {"title": "某某镇社区教育培训情况统计表", "blocks": [{"type": "table", "columns": HEADER, "rows": ROWS}]}])),
        tmp_path)
    with pdfplumber.open(case.pdf) as doc:
        pages = [(round(p.width * PT), round(p.height * PT), p.extract_text() or "") for p in doc.pages]
    assert all(sorted(p[:2]) == [210, 297] for p in pages), [p[:2] for p in pages]  # A4, never Letter
    table_pages = [i for i, p in enumerate(pages) if PHONE in p[2].replace(NB_HYPHEN, "-")]
    assert table_pages and all(pages[i][0] > pages[i][1] for i in table_pages)
    assert all(pages[i][0] < pages[i][1] for i in range(len(pages)) if i not in table_pages)
    assert table_pages == list(range(table_pages[0], table_pages[-1] + 1))  # one run of landscape pages
    assert all(p[2].strip() for p in pages[:-1])  # no empty page (the last is the 版记's)
