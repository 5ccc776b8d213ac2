"""The rendered PDF measured against GB/T 9704-2012: ±1 mm for page, margins and type area, ±1.5 mm for the rest."""
from __future__ import annotations

import pytest

from service.layout.profile import profile
from service.pdf.measure import dash_ink, ink_box

P = profile()
TOP = P.margins_mm["top"]
LEFT = P.margins_mm["left"]
RIGHT = P.margins_mm["left"] + P.type_area_mm["width"]
BOTTOM = TOP + P.type_area_mm["height"]
CENTRE = (LEFT + RIGHT) / 2
PITCH = P.line_pt * 25.4 / 72
ONE_4HAO = P["7.5"]["size_pt"] * 25.4 / 72


def body(page):
    return [x for x in page.lines if x.top >= TOP - 1 and x.bottom <= BOTTOM + 1]


def page_number(page):
    below = [x for x in page.lines if x.top > BOTTOM]
    return below[0] if below else None


@pytest.fixture(params=["baisheng", "qingxi", "blank_page_case"])
def sample(request):
    return request.getfixturevalue(request.param)


def test_page_is_a4(sample):
    for page in sample.pages:
        assert page.width == pytest.approx(210, abs=1)
        assert page.height == pytest.approx(297, abs=1)


def test_type_area_and_margins(baisheng):
    """Full body pages: text starts at the 28 mm binding margin and ends at the 156 mm type-area edge; the first
    and last line boxes touch the type area's top (37 mm) and bottom (262 mm)."""
    full = [pg for pg in baisheng.pages if len(body(pg)) == 22 and not pg.rules]  # text pages, no tables
    assert len(full) >= 3
    for page in full:
        lines = body(page)
        assert min(x.x0 for x in lines) == pytest.approx(LEFT, abs=1)
        solid = [x for x in lines if x.x0 < LEFT + 1 and x.cjk_count == len(x.text) and len(x.text) >= 27]
        if solid:
            assert max(x.x1 for x in solid) == pytest.approx(RIGHT, abs=1)
        first_box_top = (lines[0].top + lines[0].bottom) / 2 - PITCH / 2
        last_box_bottom = (lines[-1].top + lines[-1].bottom) / 2 + PITCH / 2
        assert first_box_top == pytest.approx(TOP, abs=1)
        assert last_box_bottom == pytest.approx(BOTTOM, abs=1)


def test_22_lines_of_28_characters(baisheng):
    full = [pg for pg in baisheng.pages if len(body(pg)) == 22 and not pg.rules]  # text pages, no tables
    assert len(full) >= 3, [len(body(pg)) for pg in baisheng.pages]
    for page in full:
        lines = body(page)
        centres = [(x.top + x.bottom) / 2 for x in lines]
        gaps = [b - a for a, b in zip(centres, centres[1:])]
        assert all(g == pytest.approx(PITCH, abs=0.1) for g in gaps)
        # a line of Chinese text that runs from margin to margin holds 28 characters; 27 only where the next
        # line opens with a mark that may not end a line (“ （ 《) or a Western word, 29 only with a hanging mark
        for i, line in enumerate(lines):
            if not (line.x0 < LEFT + 1 and line.x1 > RIGHT - 1 and line.cjk_count == len(line.text)):
                continue
            n = len(line.text)
            if n < 28:
                nxt = lines[i + 1].text if i + 1 < len(lines) else ""
                assert nxt[:1] in tuple("“（《‘〔") or nxt[:1].isascii(), line.text  # a Western word never splits
            elif n == 29:
                assert line.text[-1] in "，。、；：”）》！？", line.text
            else:
                assert n == 28, line.text


def test_masthead_position_and_colour(baisheng):
    page = baisheng.pages[0]
    masthead = page.lines[0]
    assert masthead.text == "重庆市涪陵区百胜镇人民政府"
    assert all(c[:3] == (1.0, 0.0, 0.0) for c in masthead.colors)
    ink = ink_box(baisheng.pdf, 1, red=True, region=(TOP, 110))
    assert ink.top == pytest.approx(TOP + P["7.2.4"]["top_below_type_area_mm"], abs=1.5)
    assert (ink.left + ink.right) / 2 == pytest.approx(CENTRE, abs=1.5)
    assert ink.right - ink.left <= P.type_area_mm["width"]


def test_separator_line(baisheng, qingxi):
    for sample in (baisheng, qingxi):
        page = sample.pages[0]
        red = [r for r in page.rules if r.is_red]
        assert red, "no red separator"
        rule = red[0]
        assert rule.x0 == pytest.approx(LEFT, abs=1) and rule.x1 == pytest.approx(RIGHT, abs=1)
        number = next(x for x in page.lines if str(sample.notice.number) in x.text.replace(" ", ""))
        assert rule.y - number.bottom == pytest.approx(P["7.2.7"]["below_docno_mm"], abs=1.5)


def test_document_number_two_blank_lines_below_masthead(baisheng):
    page = baisheng.pages[0]
    masthead, number = page.lines[0], page.lines[1]
    assert number.text == "涪百府发〔2020〕75号"
    assert (number.x0 + number.x1) / 2 == pytest.approx(CENTRE, abs=1.5)
    # two blank body lines between the masthead's line and the number's line
    gap = number.top - masthead.bottom
    assert 2 * PITCH - 1.5 <= gap <= 3 * PITCH


def test_title_size_and_centring(baisheng):
    page = baisheng.pages[0]
    title = [x for x in page.lines if x.size == pytest.approx(P["7.3.1"]["size_pt"], abs=0.1)]
    assert [x.text for x in title] == ["重庆市涪陵区百胜镇人民政府", "关于印发《重庆市涪陵区百胜镇", "加强社区教育工作实施方案》的通知"]
    for line in title:
        assert (line.x0 + line.x1) / 2 == pytest.approx(CENTRE, abs=1.5)
        assert len(line.text) <= P["7.3.1"]["max_chars_per_line"]
    separator = [r for r in page.rules if r.is_red][0]
    first_box_top = (title[0].top + title[0].bottom) / 2 - PITCH / 2
    assert first_box_top - separator.y == pytest.approx(2 * PITCH, abs=1.5)


def test_page_numbers_odd_right_even_left(baisheng):
    numbered = list(baisheng.pages)
    for page in numbered:
        number = page_number(page)
        assert number is not None, f"page {page.number} has no number"
        assert number.text == f"—{page.number}—"
        assert number.size == pytest.approx(14, abs=0.1)
        # the dash's ink, not its character box (the box stands about 3.5 mm above the stroke)
        for ink in dash_ink(baisheng.pdf, page.number, below=BOTTOM):
            assert ink.top == pytest.approx(BOTTOM + P["7.5"]["below_type_area_mm"], abs=0.5)
        if page.number % 2:
            assert number.x1 == pytest.approx(RIGHT - ONE_4HAO, abs=1.5)
        else:
            assert number.x0 == pytest.approx(LEFT + ONE_4HAO, abs=1.5)


def test_imprint_rules_on_even_last_page(sample):
    last = sample.pages[-1]
    assert last.number % 2 == 0
    thin = P["7.4.1"]["thin_mm"]
    rules = [r for r in last.rules if not r.is_red and r.width == pytest.approx(P.type_area_mm["width"], abs=1)
             and r.y > BOTTOM - 45 and r.thickness > thin - 0.05]  # not the ½ pt borders of an annex table
    cc = bool(sample.notice.imprint.cc)
    assert len(rules) == (3 if cc else 2)
    thick, thin = P["7.4.1"]["thick_mm"], P["7.4.1"]["thin_mm"]
    assert rules[0].thickness == pytest.approx(thick, abs=0.05)
    assert rules[-1].thickness == pytest.approx(thick, abs=0.05)
    if cc:
        assert rules[1].thickness == pytest.approx(thin, abs=0.05)
    assert all(r.x0 == pytest.approx(LEFT, abs=1) for r in rules)
    assert rules[-1].y + rules[-1].thickness / 2 == pytest.approx(BOTTOM, abs=1.5)
    printer = [x for x in last.lines if "印发" in x.text][-1]
    assert rules[-2].y < printer.top and printer.bottom < rules[-1].y


def test_blank_page_before_imprint_carries_no_number(blank_page_case):
    pages = blank_page_case.pages
    assert len(pages) == 4
    assert page_number(pages[0]).text == "—1—" and page_number(pages[1]).text == "—2—"
    assert pages[2].lines == [] and pages[2].rules == []  # the blank page: nothing at all
    assert page_number(pages[3]) is None  # the 版记 page: no number (clause 7.5)
    assert "空白页" in " ".join(blank_page_case.rendered.report.notes)


def test_signature_never_alone_tightened(tightened_case):
    """Clause 7.3.5.5: the signature would open page 3 alone; the last page's lines are tightened instead."""
    notes = " ".join(tightened_case.rendered.report.notes)
    assert "7.3.5.5" in notes and "行距" in notes
    for page in tightened_case.pages:
        names = [i for i, x in enumerate(page.lines) if x.text == "某某县某某镇人民政府" and x.x0 > LEFT + 20]
        if names:
            assert any(x.top >= TOP - 1 for x in page.lines[:names[0]]), "署名 stands alone on its page"
    assert len(tightened_case.pages) == 2


def test_signature_never_alone_pulled(pulled_case):
    """Where tightening would go below 24 pt, the last paragraph moves to the signature's page."""
    assert "7.3.5.5" in " ".join(pulled_case.rendered.report.notes)
    page = next(pg for pg in pulled_case.pages if any(x.text == "某某县某某镇人民政府" and x.x0 > 60 for x in pg.lines))
    idx = next(i for i, x in enumerate(page.lines) if x.text == "某某县某某镇人民政府" and x.x0 > 60)
    assert idx > 0 and page.lines[idx - 1].text.startswith("第29项")


def test_signature_and_date_placement(baisheng):
    """With a seal (7.3.5.1): the date right-indented 4 字, the name centred over it."""
    page = baisheng.pages[0]
    date = next(x for x in page.lines if x.text == "2020年6月3日")
    name = next(x for x in page.lines if x.text == "重庆市涪陵区百胜镇人民政府" and x.size == 16)
    four = 4 * P.char_twips / 20 * 25.4 / 72
    assert date.x1 == pytest.approx(RIGHT - four, abs=1.5)
    assert (name.x0 + name.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=1.5)
    assert date.top - name.top == pytest.approx(PITCH, abs=0.2)


def test_unsealed_joint_signature(qingxi):
    """Without a seal (7.3.5.2): names stacked, aligned; the date starts 2 字 right of the names' first char."""
    page = next(pg for pg in qingxi.pages if any(x.text == "2023年10月16日" for x in pg.lines))
    date = next(x for x in page.lines if x.text == "2023年10月16日")
    host = next(x for x in page.lines if x.text == "四川省青溪县青溪镇人民政府" and x.x0 > 60)
    other = next(x for x in page.lines if x.text == "四川省青溪县教育局" and x.x0 > 60)
    two = 2 * P.char_twips / 20 * 25.4 / 72
    assert host.x0 == pytest.approx(other.x0, abs=1.0)
    assert other.top > host.top
    assert host.x1 == pytest.approx(RIGHT - two, abs=1.5)
    assert date.x0 - host.x0 == pytest.approx(two, abs=1.5)


def test_joint_masthead_and_signers(qingxi):
    page = qingxi.pages[0]
    ink = ink_box(qingxi.pdf, 1, red=True, region=(TOP, 110))
    assert ink.top == pytest.approx(TOP + 35, abs=1.5)
    red = [x for x in page.lines if any(c[:3] == (1.0, 0.0, 0.0) for c in x.colors)]
    texts = [x.text for x in red]
    assert "四川省青溪县青溪镇人民政府" in texts[0] and any("四川省青溪县教育局" in t.replace(" ", "") for t in texts)
    suffix = next(x for x in red if x.text.endswith("文件"))
    names = [x for x in red if "四川" in x.text]
    assert suffix.x0 > max(x.x1 for x in names) - 1  # 文件 stands to the right of the stacked names
    signer = next(x for x in page.lines if "签发人" in x.text)
    assert "青溪府发〔2023〕9号" in signer.text.replace(" ", "")
    assert signer.x1 == pytest.approx(RIGHT - P.char_twips / 20 * 25.4 / 72, abs=1.5)
    assert signer.x0 == pytest.approx(LEFT + P.char_twips / 20 * 25.4 / 72, abs=1.5)
    top = [x.text for x in page.lines[:2]]
    assert top == ["000128", "加急"]


def test_long_masthead_is_scaled_onto_one_line(long_masthead):
    page = long_masthead.pages[0]
    red = [x for x in page.lines if any(c[:3] == (1.0, 0.0, 0.0) for c in x.colors)]
    assert len(red) == 1 and red[0].text == "某某省某某市某某区某某镇社区教育工作领导小组文件"
    ink = ink_box(long_masthead.pdf, 1, red=True, region=(TOP, 110))
    assert ink.right - ink.left <= P.type_area_mm["width"]
    assert ink.top == pytest.approx(TOP + 35, abs=1.5)
    assert (ink.left + ink.right) / 2 == pytest.approx(CENTRE, abs=1.5)


def test_attachment_names_wrap_aligned(baisheng):
    """附件说明 (7.3.4): a wrapped name lines up with the first character of the name above."""
    lines = [x for pg in baisheng.pages for x in pg.lines]
    i = next(k for k, x in enumerate(lines) if x.text.startswith("4.涪陵区百胜镇社区教育村"))
    first, wrapped = lines[i], lines[i + 1]
    assert wrapped.text == "组成员表" or wrapped.text.endswith("成员表")
    three = next(x for x in lines if x.text.startswith("3.百胜镇社区教育培训月报表"))
    assert first.x0 == pytest.approx(three.x0, abs=0.5)  # the numbers align
    import pdfplumber

    with pdfplumber.open(baisheng.pdf) as doc:
        page = next(pg for pg in doc.pages if "4.涪陵区" in (pg.extract_text() or "").replace(" ", ""))
        chars = [c for c in page.chars if abs(c["top"] * 25.4 / 72 - first.top) < 1]
        name_start = next(c for c in chars if c["text"] == "涪")["x0"] * 25.4 / 72
    assert wrapped.x0 == pytest.approx(name_start, abs=0.5)
    label = next(x for x in lines if x.text.startswith("附件：1."))
    assert label.x0 == pytest.approx(LEFT + 2 * P.char_twips / 20 * 25.4 / 72, abs=1)


def test_rules_parsed_without_fonts_are_the_rules_of_the_full_parse(sample):
    """A layout pass reads a page's rules before (or without) its text: parsed with fonts that draw nothing, they
    must be the rules the full parse finds (the 版记's placement and checks read them)."""
    from service.pdf.measure import Pages

    data = sample.pdf.read_bytes()
    rules_first, text_first = Pages(data), Pages(data)
    for i in range(len(rules_first)):
        rules = rules_first[i].rules  # paths only
        assert text_first[i].lines is not None  # the full parse, which sets the rules too
        assert rules == text_first[i].rules, i + 1
    assert any(rules_first[i].rules for i in range(len(rules_first)))
