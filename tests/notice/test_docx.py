"""The .docx as Word and WPS read it: section geometry, styles, font slots, footers; and byte-reproducibility."""
from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from service.config import TEMPLATE_DIR
from service.models.notice import parse_notice
from service.render.notice import render_notice_docx
from tests.notice.conftest import sample_data

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OFFICIAL = {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"}


def part(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(name))


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render_notice_docx(parse_notice(sample_data("baisheng-2020")))


def test_section_is_a4_with_gbt9704_margins(baisheng):
    root = part(baisheng.docx.read_bytes(), "word/document.xml")
    sects = root.findall(f".//{W}sectPr")
    assert sects
    for sect in sects:
        size = sect.find(f"{W}pgSz")
        assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")
        mar = sect.find(f"{W}pgMar")
        # 37 / 35 / 28 / 26 mm, never shifted to pass a test
        assert {k: mar.get(f"{W}{k}") for k in ("top", "bottom", "left", "right")} == {
            "top": "2098", "bottom": "1984", "left": "1587", "right": "1474"}
        assert sect.find(f"{W}docGrid") is None  # no character grid: LibreOffice would set 14 characters a line
        assert len(sect.findall(f"{W}footerReference")) == 2


def test_styles_font_slots_and_spacing(baisheng):
    styles = part(baisheng.docx.read_bytes(), "word/styles.xml")
    assert not [e for e in styles.iter(f"{W}rFonts") if any("Theme" in k or "theme" in k for k in e.attrib)]
    for rf in styles.iter(f"{W}rFonts"):
        slots = {rf.get(f"{W}{k}") for k in ("ascii", "hAnsi", "eastAsia", "cs")}
        assert len(slots) == 1 and slots <= OFFICIAL, slots
    normal = styles.find(f"{W}style[@{W}styleId='Normal']")
    spacing = normal.find(f"{W}pPr/{W}spacing")
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("579", "exact")
    assert normal.find(f"{W}rPr/{W}spacing").get(f"{W}val") == "-5"
    assert normal.find(f"{W}rPr/{W}sz").get(f"{W}val") == "32"
    assert normal.find(f"{W}pPr/{W}overflowPunct").get(f"{W}val") == "1"
    lang = styles.find(f"{W}docDefaults//{W}lang")
    assert lang.get(f"{W}eastAsia") == "zh-CN"
    title = styles.find(f"{W}style[@{W}styleId='GwTitle']")
    assert title.find(f"{W}rPr/{W}sz").get(f"{W}val") == "44"
    assert title.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "方正小标宋简体"
    fonts = {s.get(f"{W}styleId"): s.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia")
             for s in styles.findall(f"{W}style") if s.find(f"{W}rPr/{W}rFonts") is not None}
    assert (fonts["GwH1"], fonts["GwH2"], fonts["GwH3"], fonts["GwH4"]) == ("黑体", "楷体_GB2312", "仿宋_GB2312", "仿宋_GB2312")


def test_footers_odd_and_even(baisheng):
    data = baisheng.docx.read_bytes()
    settings = part(data, "word/settings.xml")
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        footers = [etree.fromstring(zf.read(n)) for n in zf.namelist() if n.startswith("word/footer")]
    numbered = [f for f in footers if b"PAGE" in etree.tostring(f)]
    assert {f.find(f".//{W}jc").get(f"{W}val") for f in numbered} == {"left", "right"}
    for f in numbered:
        assert "".join(t.text or "" for t in f.iter(f"{W}t")).strip().startswith("—")
    # and the two of landscape pages: the same paragraph in a vertical text box (service.docx.base)
    turned = [f for f in numbered if f.find(f".//{W}txbxContent") is not None]
    assert len(turned) == 2 and {f.find(f".//{W}jc").get(f"{W}val") for f in turned} == {"left", "right"}


def test_no_paragraph_only_page_breaks(baisheng):
    """New parts start with pageBreakBefore; a paragraph holding only a page break makes a stray blank page."""
    root = part(baisheng.docx.read_bytes(), "word/document.xml")
    assert root.find(f".//{W}br[@{W}type='page']") is None


def test_render_is_byte_identical(docx_bytes):
    again = render_notice_docx(parse_notice(sample_data("baisheng-2020")))
    assert again == docx_bytes
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2020, 6, 3, 0, 0, 0)}  # the 成文日期
        assert all(i.flag_bits & 0x800 for i in zf.infolist())
        core = zf.read("docProps/core.xml").decode()
    assert "2020-06-03T00:00:00Z" in core


def test_measured_render_is_byte_identical(baisheng):
    from service.render.paginate import render_measured

    again = render_measured(baisheng.notice)
    assert again.docx == baisheng.rendered.docx


def test_committed_template_passes_the_template_check():
    """The committed file is the source (it may be edited in Word): it must pass the upload check of its kind
    (package, tags the notice provides, sandbox, dry run with the sample notice), not equal generated bytes."""
    from service.templates.check import check_template

    report = check_template((TEMPLATE_DIR / "notice.docx").read_bytes(), "notice")
    assert report.reasons == []
    assert {"blocks", "imprint", "core.title"} <= set(report.tags)


def test_template_opens_in_python_docx():
    import docx

    document = docx.Document(str(TEMPLATE_DIR / "notice.docx"))
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.1)
