"""Commendation: the selection rule, the 表彰决定's GB/T 9704 layout measured on the rendered PDF (as for the
notice), the landscape 荣誉证书 and the `wenshu yearend commend` command."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import docx as python_docx
import pytest
from click.testing import CliRunner
from sqlalchemy import delete

from service.cli import main
from service.config import TEMPLATE_DIR
from service.models.notice import DocNumber
from service.pdf.measure import ink_box, measure, page_text
from service.records.store.models import DocNumber as DocNumberRow
from service.yearend import commendation
from service.yearend.commendation import Rule, chinese_date, select
from service.yearend.indicators import UnitAssessment, YearAssessment, load_targets
from tests.notice.test_layout_pdf import BOTTOM, CENTRE, LEFT, PITCH, RIGHT, TOP, P, body, page_number

DATE = dt.date(2020, 11, 30)
ISSUER = "某某县某某镇人民政府"


def _assessment(scores: dict[str, tuple[str, str]], met_none: tuple[str, ...] = ()) -> YearAssessment:
    """Units with these scores; each met one indicator or more, but those in `met_none`."""
    from service.yearend.indicators import _ranked

    units = [UnitAssessment(unit=name, kind=kind, population=1000, indicators=(), score=Decimal(score),
                            met=0 if name in met_none else 2, applicable=8) for name, (kind, score) in scores.items()]
    return YearAssessment(year=2020, township="某某县某某镇", township_short="某某镇",
                          targets=load_targets().indicators, units=tuple(_ranked(units)))


SCORES = {"甲村": ("村", "80.5"), "乙村": ("村", "91.0"), "丙社区居委会": ("居委", "80.5"), "丁村": ("村", "60.0"),
          "某中学": ("学校", "100.0"), "戊村": ("村", "0.0")}


def test_selection_rules():
    a = _assessment(SCORES)
    assert [u.unit for u in select(a, Rule(kind="top_n", n=1))] == ["乙村"]
    # the 2nd place is shared: both qualify; the school is not eligible by default
    assert [u.unit for u in select(a, Rule(kind="top_n", n=2))] == ["乙村", "甲村", "丙社区居委会"]
    assert [u.unit for u in select(a, Rule(kind="threshold", min_score=80))] == ["乙村", "甲村", "丙社区居委会"]
    assert [u.unit for u in select(a, Rule(kind="threshold", min_score=0))][-1] == "丁村"  # 0 points never
    assert select(a, Rule(kind="top_n", n=1), eligible_kinds=("学校",))[0].unit == "某中学"


def test_a_unit_that_met_no_indicator_is_never_commended():
    """Partial points (e.g. volunteers at 0.78% of a 1% target) without any indicator met: not 成效突出."""
    a = _assessment({**SCORES, "己村": ("村", "95.0")}, met_none=("己村",))
    assert "己村" not in [u.unit for u in select(a, Rule(kind="top_n", n=3))]
    assert "己村" not in [u.unit for u in select(a, Rule(kind="threshold", min_score=0))]
    assert select(_assessment(SCORES, met_none=tuple(SCORES)), Rule(kind="top_n", n=3)) == []


@pytest.fixture(scope="module")
def decision(tmp_path_factory):
    a = _assessment(SCORES)
    selected = select(a, Rule(kind="top_n", n=3))
    docx, pdf, pages = commendation.render_decision(
        a, selected, number=DocNumber(agency_code="某镇府发", year=2020, serial=88), date=DATE)
    out = tmp_path_factory.mktemp("decision")
    (out / "d.pdf").write_bytes(pdf)
    (out / "d.docx").write_bytes(docx)
    return a, selected, out / "d.pdf", out / "d.docx", pages, measure(out / "d.pdf")


def test_decision_masthead_number_and_title(decision):
    a, selected, pdf, _, _, pages = decision
    first = pages[0]
    for page in pages:
        assert page.width == pytest.approx(210, abs=1) and page.height == pytest.approx(297, abs=1)
    masthead = first.lines[0]
    assert masthead.text == ISSUER and all(c[:3] == (1.0, 0.0, 0.0) for c in masthead.colors)
    ink = ink_box(pdf, 1, red=True, region=(TOP, 110))
    assert ink.top == pytest.approx(TOP + P["7.2.4"]["top_below_type_area_mm"], abs=1.5)
    assert (ink.left + ink.right) / 2 == pytest.approx(CENTRE, abs=1.5)
    number = first.lines[1]
    assert number.text == "某镇府发〔2020〕88号" and (number.x0 + number.x1) / 2 == pytest.approx(CENTRE, abs=1.5)
    red = [r for r in first.rules if r.is_red][0]
    assert red.x0 == pytest.approx(LEFT, abs=1) and red.x1 == pytest.approx(RIGHT, abs=1)
    assert red.y - number.bottom == pytest.approx(P["7.2.7"]["below_docno_mm"], abs=1.5)
    title = [x for x in first.lines if x.size == pytest.approx(P["7.3.1"]["size_pt"], abs=0.1)]
    assert "".join(x.text for x in title) == f"{ISSUER}关于表彰2020年度社区教育工作先进单位的决定"
    for line in title:
        assert (line.x0 + line.x1) / 2 == pytest.approx(CENTRE, abs=1.5)
    assert (title[0].top + title[0].bottom) / 2 - PITCH / 2 - red.y == pytest.approx(2 * PITCH, abs=1.5)


def test_decision_body_22_lines_of_28_characters(decision):
    """Body text (3号, below the title) on the 22-line lattice (pitch 225 mm / 22), 28 characters to a full line."""
    pages = decision[5]
    title_bottom = max(x.bottom for x in pages[0].lines if x.size == pytest.approx(P["7.3.1"]["size_pt"], abs=0.1))
    by_page = {pg.number: [x for x in body(pg) if x.size == pytest.approx(16, abs=0.1)
                           and (pg.number > 1 or x.top > title_bottom)] for pg in pages[:2]}
    lines = [x for ls in by_page.values() for x in ls]
    assert len(lines) >= 10 and by_page[2]  # the body runs on to page 2
    for page_lines in by_page.values():
        centres = [(x.top + x.bottom) / 2 for x in page_lines]
        gaps = [b - a for a, b in zip(centres, centres[1:])]
        assert all(g / PITCH == pytest.approx(round(g / PITCH), abs=0.02) for g in gaps), gaps
    page1 = by_page[1]
    assert (page1[-1].top + page1[-1].bottom) / 2 + PITCH / 2 == pytest.approx(BOTTOM, abs=1)  # page 1 is full
    full = [x for x in lines if x.x0 < LEFT + 1 and x.x1 > RIGHT - 1 and x.cjk_count == len(x.text)]
    assert full and all(len(x.text) in (27, 28, 29) for x in full)
    assert sum(len(x.text) == 28 for x in full) >= len(full) // 2


def test_decision_signature_annex_and_imprint_on_even_page(decision):
    a, selected, pdf, docx, count, pages = decision
    assert count == len(pages) and len(pages) % 2 == 0
    text = "".join(x.text for pg in pages for x in pg.lines)
    assert "附件：2020年度社区教育工作先进单位名单" in text.replace(" ", "")
    annex = next(pg for pg in pages if pg.lines and pg.lines[0].text == "附件")
    annex_text = annex.text.replace(" ", "")
    assert "2020年度社区教育工作先进单位名单" in annex_text
    assert all(u.unit in annex_text for u in selected) and "丁村" not in annex_text
    date = next(x for pg in pages for x in pg.lines if x.text == "2020年11月30日")
    assert date.x1 == pytest.approx(RIGHT - 4 * P.char_twips / 20 * 25.4 / 72, abs=1.5)
    last = pages[-1]
    rules = [r for r in last.rules if not r.is_red and r.width == pytest.approx(P.type_area_mm["width"], abs=1)
             and r.y > BOTTOM - 45]
    assert len(rules) == 2 and last.number % 2 == 0
    assert rules[-1].y + rules[-1].thickness / 2 == pytest.approx(BOTTOM, abs=1.5)
    assert "某某县某某镇党政办公室" in last.text.replace(" ", "")
    for page in pages[:-1]:
        assert page_number(page).text == f"—{page.number}—"


def test_certificate_is_landscape_with_its_text(tmp_path):
    docx = commendation.render_certificate("紫荆村", "2020年度社区教育工作先进单位", ISSUER, DATE)
    assert docx == commendation.render_certificate("紫荆村", "2020年度社区教育工作先进单位", ISSUER, DATE)
    pdf = commendation.certificate_pdfs({"紫荆村 荣誉证书.docx": docx}, DATE)["紫荆村 荣誉证书.pdf"]
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    pages = measure(path)
    assert len(pages) == 1
    assert pages[0].width > pages[0].height
    assert pages[0].width == pytest.approx(297, abs=1) and pages[0].height == pytest.approx(210, abs=1)
    text = page_text(path).replace(" ", "").replace("\n", "")
    for needle in ("荣誉证书", "紫荆村：", "2020年度社区教育工作先进单位", "特发此证，以资鼓励", ISSUER,
                   "二〇二〇年十一月三十日"):
        assert needle in text, needle
    title = next(x for x in pages[0].lines if x.text.replace(" ", "") == "荣誉证书")
    assert (title.x0 + title.x1) / 2 == pytest.approx(pages[0].width / 2, abs=3)


def test_certificate_template_passes_the_template_check_and_documents_read_back(tmp_path, decision):
    from service.templates.check import check_template

    report = check_template((TEMPLATE_DIR / "certificate.docx").read_bytes(), "certificate")
    assert report.ok, report.reasons
    assert {"unit", "issuer", "date"} <= set(report.tags)
    cert = commendation.render_certificate("=HYPERLINK(\"x\")<村>&", "某荣誉", ISSUER, DATE)
    (tmp_path / "c.docx").write_bytes(cert)
    doc = python_docx.Document(tmp_path / "c.docx")
    texts = [p.text for p in doc.paragraphs]
    assert "=HYPERLINK(\"x\")<村>&：" in texts and texts[-1] == "二〇二〇年十一月三十日"
    section = doc.sections[0]
    assert section.page_width > section.page_height
    body = doc.element.body
    assert body[-2].tag.endswith("}p") and body[-1].tag.endswith("}sectPr")  # the body ends with a paragraph
    decision_doc = python_docx.Document(decision[3])
    assert any("先进单位" in p.text for p in decision_doc.paragraphs)


def test_chinese_date():
    assert chinese_date(dt.date(2020, 11, 30)) == "二〇二〇年十一月三十日"
    assert chinese_date(dt.date(2024, 1, 5)) == "二〇二四年一月五日"


@pytest.fixture
def numbers_restored(sample_store):
    """The sample store is shared read-only: remove the 发文字号 a test registers."""
    yield sample_store
    with sample_store.transaction() as s:
        s.execute(delete(DocNumberRow).where(DocNumberRow.agency_code == "涪百府发"))


def test_cli_commend(numbers_restored, tmp_path):
    url = numbers_restored.engine.url.render_as_string(hide_password=False)
    notice = Path(__file__).resolve().parents[2] / "samples" / "baisheng-2020"
    r = CliRunner().invoke(main, ["yearend", "commend", "--year", "2020", "--out", str(tmp_path), "--rule", "top:2",
                                  "--notice", str(notice), "--serial", "90", "--database-url", url])
    assert r.exit_code == 0, r.output
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    decision = [n for n in names if "表彰决定" in n or "的决定" in n]
    assert [Path(n).suffix for n in decision] == [".docx", ".pdf"]
    assert decision[0].startswith("涪百府发〔2020〕90号 ")
    certs = [n for n in names if n.startswith("荣誉证书/")]
    assert len(certs) == 4 and {Path(n).suffix for n in certs} == {".docx", ".pdf"}
    text = page_text(tmp_path / decision[1]).replace(" ", "")
    assert "（涪百府发〔2020〕75号）" in text  # cites the basis notice
    again = CliRunner().invoke(main, ["yearend", "commend", "--year", "2020", "--out", str(tmp_path / "again"),
                                      "--notice", str(notice), "--serial", "90", "--database-url", url])
    assert again.exit_code == 2 and "已登记使用" in again.output and not (tmp_path / "again").exists()
