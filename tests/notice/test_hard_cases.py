"""Issue 11: GB/T 9704-2012 cases that used to break, each measured on the PDF LibreOffice renders."""
from __future__ import annotations

import json
import math

import pdfplumber
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from service.layout.profile import profile
from service.models.errors import chinese_errors
from service.models.notice import NoticeValidationError, parse_notice
from service.pdf.measure import Line, Page, Rule, dash_ink, ink_box
from service.render.cli import render_group
from service.render.paginate import _check_imprint_fits
from tests.notice.conftest import CC, JOINT, LONG_PARAGRAPH, imprint, long_cc, minimal_notice
from tests.notice.test_layout_pdf import BOTTOM, CENTRE, LEFT, PITCH, RIGHT, TOP, body, page_number

P = profile()
CHAR = P.char_twips / 20 * 25.4 / 72  # one 字 of body text, mm


def imprint_rules(page: Page) -> list[Rule]:
    return [r for r in page.rules if not r.is_red and r.width == pytest.approx(P.type_area_mm["width"], abs=1)]


def assert_imprint_on_even_page_bottom(sample) -> Page:
    last = sample.pages[-1]
    assert last.number % 2 == 0
    rules = imprint_rules(last)
    assert rules, "no 版记 on the last page"
    assert rules[-1].y + rules[-1].thickness / 2 == pytest.approx(BOTTOM, abs=0.5)
    assert all(not imprint_rules(pg) for pg in sample.pages[:-1])  # the 版记 is not broken over two pages
    return last


def text_lines_above_imprint(page: Page) -> list[Line]:
    rules = imprint_rules(page)
    top = rules[0].y if rules else BOTTOM + 1
    return [x for x in body(page) if x.bottom < top]


# --- 1. long 抄送 ----------------------------------------------------------------------------------------------

def test_long_cc_imprint_ends_on_the_bottom_line_of_an_even_page(long_cc_case):
    pages = long_cc_case.pages
    assert len(pages) == 2
    last = assert_imprint_on_even_page_bottom(long_cc_case)
    rules = imprint_rules(last)
    cc = [x for x in last.lines if rules[0].y < x.top and x.bottom < rules[1].y]
    assert len(cc) == 11
    assert "".join(x.text for x in cc).replace(" ", "") == "抄送：" + "，".join(long_cc(20)) + "。"
    assert text_lines_above_imprint(last) == []  # the 版记 stands alone on page 2


def test_cc_too_long_for_one_page_is_refused_by_model_api_and_cli(tmp_path):
    data = minimal_notice(imprint=imprint(cc=long_cc(40)))
    with pytest.raises(NoticeValidationError) as exc:
        parse_notice(data)
    assert "抄送机关过多" in str(exc.value) and "版记" in str(exc.value)
    # the API validates a job's params with this model before it queues anything
    from service.kinds.notice import NoticeParams as params

    with pytest.raises(ValidationError) as api:
        params.model_validate({"notice": data})
    errors = chinese_errors(api.value, params)
    assert errors[0]["field"] == "notice.imprint" and "抄送机关过多" in errors[0]["message"]
    src, out = tmp_path / "notice.json", tmp_path / "out"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(render_group, ["notice", str(src), "--out", str(out)])
    assert result.exit_code == 2
    assert "抄送机关过多" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_imprint_the_layout_breaks_over_two_pages_is_refused():
    """Where LibreOffice breaks a 版记 the estimate let through, the render fails naming the field."""
    pages = [Page(2, 210, 297, [Line(250, 255, 33, 180, "抄送：某某县某某镇第1村民委员会", 14)], []),
             Page(3, 210, 297, [Line(40, 45, 33, 180, "某某县某某镇党政办公室2025年3月5日印发", 14)],
                  [Rule(37.2, LEFT, RIGHT, 0.35, (0,)), Rule(261.7, LEFT, RIGHT, 0.35, (0,))])]
    with pytest.raises(NoticeValidationError) as exc:
        _check_imprint_fits(pages, 3, pages[1].rules)
    assert exc.value.errors[0]["field"] == "imprint.cc" and "抄送机关" in exc.value.errors[0]["message"]


# --- 2. clause 7.3.5.5 -----------------------------------------------------------------------------------------

def signature_page(sample, name: str = "某某县某某镇人民政府") -> tuple[Page, int]:
    for page in sample.pages:
        for i, x in enumerate(page.lines):
            if x.text == name and x.size == pytest.approx(16, abs=0.1) and not x.is_red and x.x0 > LEFT + 20:
                return page, i
    raise AssertionError("no 署名")


def test_squeeze_tightens_the_page_instead_of_moving_text(squeeze_case):
    notes = " ".join(squeeze_case.rendered.report.notes)
    assert "7.3.5.5" in notes and "行距" in notes and "移至" not in notes
    page, idx = signature_page(squeeze_case)
    assert page.number == 3 and idx > 0
    lines = body(page)
    centres = [(x.top + x.bottom) / 2 for x in lines[:idx]]
    pitch = min(b - a for a, b in zip(centres, centres[1:]))
    assert P["7.3.5.5"]["min_line_twips"] / 20 * 25.4 / 72 <= pitch < PITCH - 0.5  # tighter, not below 24 pt
    assert assert_imprint_on_even_page_bottom(squeeze_case).number == 4


def test_squeeze_that_cannot_tighten_moves_two_lines_only(squeeze_move_case):
    notes = " ".join(squeeze_move_case.rendered.report.notes)
    assert "最后2行" in notes
    pages = squeeze_move_case.pages
    left = body(pages[2])
    assert len(left) >= P["5.2.3"]["lines_per_page"] - 2  # the page the text leaves keeps all but two lines
    page, idx = signature_page(squeeze_move_case)
    assert page.number == 4
    moved = [x for x in page.lines[:idx] if x.top >= TOP - 1]
    assert len(moved) == 2 and moved[0].x0 == pytest.approx(LEFT, abs=0.5)  # carried on, not a new paragraph
    assert left[-1].x1 == pytest.approx(RIGHT, abs=1)  # the line before the break is justified to the edge
    text = "".join(x.text for pg in pages[2:4] for x in body(pg)).replace(" ", "")
    assert LONG_PARAGRAPH in text  # nothing lost or doubled at the break
    assert assert_imprint_on_even_page_bottom(squeeze_move_case).number == 4


# --- 3. 附注 stays with the 成文日期 -----------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["qingxi", "squeeze_move_case"])
def test_note_stays_with_the_date_and_text_above(case, request):
    sample = request.getfixturevalue(case)
    date = __import__("service.cndate", fromlist=["cn_date"]).cn_date(sample.notice.signature.date)
    page = next(pg for pg in sample.pages if any(x.text.startswith("（联系人") for x in pg.lines))
    assert any(x.text == date for x in page.lines)
    first_name = sample.notice.signature.organs[0]
    idx = next(i for i, x in enumerate(page.lines) if x.text == first_name and x.x0 > LEFT + 20)
    assert any(x.top >= TOP - 1 for x in page.lines[:idx]), "署名 opens its page"


# --- 4. one page-number rule -------------------------------------------------------------------------------------

def test_imprint_only_pages_carry_no_number(long_cc_case, blank_page_case):
    """Profile 7.5 (imprint_only_page_numbered: false): the page holding only the 版记, after an odd or an even
    ending, and the blank page before it carry no number; every page with text does."""
    assert P["7.5"]["imprint_only_page_numbered"] is False
    for sample in (long_cc_case, blank_page_case):
        last = sample.pages[-1]
        assert text_lines_above_imprint(last) == []
        assert page_number(last) is None, f"版记 page {last.number} is numbered"
        for page in sample.pages[:-1]:
            if page.lines:
                assert page_number(page).text == f"—{page.number}—"
            else:
                assert page.rules == []  # a blank page: nothing at all


def test_imprint_sharing_a_page_with_text_keeps_the_number(squeeze_move_case):
    last = squeeze_move_case.pages[-1]
    assert text_lines_above_imprint(last)
    assert page_number(last).text == f"—{last.number}—"


# --- 5. too many 主送 --------------------------------------------------------------------------------------------

def test_many_recipients_move_to_the_imprint_and_page_1_carries_text(many_recipients_case):
    sample = many_recipients_case
    first = sample.pages[0]
    assert any(x.text.startswith("第01项工作") for x in first.lines)
    assert not any("村民委员会" in x.text for x in first.lines)
    assert "7.3.2" in " ".join(sample.rendered.report.notes)
    last = assert_imprint_on_even_page_bottom(sample)
    rules = imprint_rules(last)
    lines = [x for x in last.lines if rules[0].y < x.top < rules[-1].y]
    text = "".join(x.text for x in lines).replace(" ", "")
    recipients = "主送：" + "，".join(f"第{i}村民委员会" for i in range(1, 41)) + "。"
    assert text.startswith(recipients + "抄送：" + "，".join(CC) + "。")
    cc = next(x for x in lines if x.text.startswith("抄送："))
    assert [r for r in rules if r.y < cc.top] == rules[:1]  # no rule between 主送 and 抄送, only the top one


def test_recipients_in_imprint_on_request_needs_recipients():
    with pytest.raises(NoticeValidationError, match="主送机关"):
        parse_notice(minimal_notice(recipients=[], imprint=imprint(recipients_at="imprint")))


# --- 6. three 签发人 -------------------------------------------------------------------------------------------------

def test_three_signers_align_under_the_first_name(three_signers_case):
    sample = three_signers_case
    page = sample.pages[0]
    assert sum(x.text.count("签发人") for x in page.lines) == 1
    with pdfplumber.open(sample.pdf) as doc:
        chars = {c["text"]: c for c in doc.pages[0].chars if c["text"] in "张四王签"}
    mm = 25.4 / 72
    assert chars["王"]["x0"] * mm == pytest.approx(chars["张"]["x0"] * mm, abs=0.5)
    assert chars["王"]["top"] > chars["张"]["top"]
    assert chars["签"]["x1"] < chars["张"]["x0"]
    assert chars["四"]["x1"] * mm == pytest.approx(RIGHT - CHAR, abs=1)  # the longer line ends 1 字 in
    number = next(x for x in page.lines if "签发人" not in x.text and "王五" in x.text)
    assert str(sample.notice.number) in number.text.replace(" ", "")  # 发文字号 on the last signer line
    _, idx = signature_page(sample)
    assert idx > 0 and any(x.text.startswith("第03项") for x in page.lines[:idx])  # the 署名 keeps its text


# --- 7. joint sealed ---------------------------------------------------------------------------------------------

def name_centres(sample, names: list[str]) -> dict[str, tuple[float, float, int]]:
    """Centre (x, y in mm, page) of each name, from the characters (two names may share a line)."""
    out = {}
    mm = 25.4 / 72
    with pdfplumber.open(sample.pdf) as doc:
        for n, page in enumerate(doc.pages, 1):
            chars = [c for c in page.chars if c["text"].strip() and abs(c["size"] - 16) < 0.1
                     and tuple(c.get("non_stroking_color") or ()) != (1, 0, 0)]
            text = "".join(c["text"] for c in chars)
            for name in names:
                at = text.rfind(name)
                if at >= 0 and name not in out and chars[at]["x0"] * mm > LEFT + 20:
                    run = chars[at:at + len(name)]
                    out[name] = ((run[0]["x0"] + run[-1]["x1"]) / 2 * mm, (run[0]["top"] + run[0]["bottom"]) / 2 * mm, n)
    return out


def test_joint_seals_have_room(joint_sealed_case):
    c = P["7.3.5.1"]
    centres = name_centres(joint_sealed_case, JOINT)
    assert set(centres) == set(JOINT) and len({p for _, _, p in centres.values()}) == 1
    points = list(centres.values())
    for i, (x1, y1, _) in enumerate(points):
        assert x1 - c["seal_diameter_mm"] / 2 >= LEFT - 0.5 and x1 + c["seal_diameter_mm"] / 2 <= RIGHT + 0.5
        for x2, y2, _ in points[i + 1:]:
            assert math.hypot(x2 - x1, y2 - y1) >= c["seal_diameter_mm"] + c["seal_gap_mm"] - 0.5  # not touching
    page = joint_sealed_case.pages[points[0][2] - 1]
    date = next(x for x in page.lines if x.text == "2025年3月5日")
    last_x, last_y, _ = centres[JOINT[-1]]
    assert (date.x0 + date.x1) / 2 == pytest.approx(last_x, abs=1)  # the last seal presses name and date
    assert (date.top + date.bottom) / 2 - last_y == pytest.approx(PITCH, abs=0.3)
    assert date.x1 == pytest.approx(RIGHT - 4 * CHAR, abs=1)


@pytest.mark.parametrize("case", ["joint_sealed_case", "qingxi"])
def test_joint_masthead_is_centred(case, request):
    sample = request.getfixturevalue(case)
    red = [x for x in sample.pages[0].lines if x.is_red]
    ink = ink_box(sample.pdf, 1, red=True, region=(TOP, red[-1].bottom + 1))
    assert (ink.left + ink.right) / 2 == pytest.approx(CENTRE, abs=0.5)
    assert ink.right - ink.left <= P.type_area_mm["width"]


# --- 8. the page number's dash: its ink 7 mm under the type area ----------------------------------------------------

@pytest.mark.parametrize("case", ["blank_page_case", "squeeze_move_case", "three_signers_case"])
def test_page_number_dash_ink_7mm_below_type_area(case, request):
    sample = request.getfixturevalue(case)
    numbered = [pg for pg in sample.pages if page_number(pg) is not None]
    assert numbered
    for page in numbered:
        dashes = dash_ink(sample.pdf, page.number, below=BOTTOM)
        assert len(dashes) == 2
        for ink in dashes:
            assert ink.top == pytest.approx(BOTTOM + P["7.5"]["below_type_area_mm"], abs=0.5)
