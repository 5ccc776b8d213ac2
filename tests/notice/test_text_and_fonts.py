"""Nothing is lost on the way to the print master: every paragraph of the reference text is in the PDF's text
layer, character by character, and the fonts LibreOffice embedded are the configured substitutes."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx

from service.pdf.measure import page_text

# a verbatim copy of shared/reference/baisheng-2020-notice.txt, so the test runs in any checkout
REFERENCE = Path(__file__).resolve().parent / "data" / "baisheng-2020-notice.txt"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reference_paragraphs() -> list[str]:
    """The notice and its 实施方案 from the reference text, up to the 附件说明 (annex pages: issue 3)."""
    lines = [x.strip() for x in REFERENCE.read_text(encoding="utf-8").splitlines()]
    end = next(i for i, x in enumerate(lines) if x.startswith("附件：1."))
    return [x for x in lines[:end] if x]


def test_every_reference_paragraph_is_in_the_pdf(baisheng):
    text = _squash(page_text(baisheng.pdf))
    text = re.sub(r"—\d+—", "", text)  # page numbers interrupt paragraphs that cross pages
    missing = [p for p in reference_paragraphs() if _squash(p) not in text]
    assert missing == []


def test_docx_reads_back_with_the_same_text(baisheng):
    document = docx.Document(str(baisheng.docx))
    text = _squash("".join(p.text for p in document.paragraphs))
    missing = [p for p in reference_paragraphs() if _squash(p) not in text
               and p not in ("重庆市涪陵区百胜镇人民政府", "涪百府发〔2020〕75号")]
    assert missing == []
    # the 版记 is a table: its text reads back from the cells
    cells = _squash("".join(c.text for t in document.tables for r in t.rows for c in r.cells))
    assert "重庆市涪陵区百胜镇党政办公室" in cells and "2020年6月3日印发" in cells


def test_attachment_list_generated_from_annex_titles(baisheng):
    text = _squash(page_text(baisheng.pdf))
    for i, title in enumerate(["社区教育培训内容", "百胜镇社区教育工作建档要求", "百胜镇社区教育培训月报表",
                               "涪陵区百胜镇社区教育村（居委）活动室领导小组成员表"], 1):
        assert _squash(f"{i}.{title}") in text
    assert "附件：1.社区教育培训内容" in text


def test_embedded_fonts_are_the_configured_substitutes(baisheng, qingxi):
    """pdffonts: 仿宋 → Noto Serif CJK SC Light, 小标宋 → SemiBold, 黑体 → Noto Sans CJK SC, 楷体 → LXGW WenKai,
    宋体 (page numbers) → Noto Serif CJK SC Regular."""
    fonts = set()
    for sample in (baisheng, qingxi):
        out = subprocess.run(["pdffonts", str(sample.pdf)], capture_output=True, text=True, check=True).stdout
        fonts |= {line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()}
    expected = [r"NotoSerifCJK\w*-Light", r"NotoSerifCJK\w*-SemiBold", r"NotoSansCJK\w*-Regular",
                r"LXGWWenKai-Regular", r"NotoSerifCJK\w*-Regular"]
    for pattern in expected:
        assert any(re.match(pattern, f) for f in fonts), (pattern, fonts)
    assert not any("DejaVu" in f or "Liberation" in f for f in fonts), fonts


def test_heading_fonts_by_level(baisheng):
    """一级 黑体, 二级 楷体, 三级 仿宋: the PDF's glyphs come from the matching substitutes."""
    lines = [x for pg in baisheng.pages for x in pg.lines]
    h1 = next(x for x in lines if x.text == "一、指导思想")
    h2 = next(x for x in lines if x.text == "（一）建立两级社区教育体系")
    h3 = next(x for x in lines if x.text.startswith("1.依托百胜镇文化服务中心"))
    assert any("NotoSansCJK" in f for f in h1.fonts)
    assert any("WenKai" in f for f in h2.fonts)
    assert all("Light" in f for f in h3.fonts if "CJK" in f)


def test_run_in_heading_shares_the_paragraph(baisheng):
    lines = [x for pg in baisheng.pages for x in pg.lines]
    runin = next(x for x in lines if x.text.startswith("1.“短、平、快”培训模式。"))
    assert "采取相应的职业技能培训" in runin.text
    # the quote after "1." stays in the CJK face (LibreOffice ignores w:hint; all four font slots are set)
    assert all("CJK" in f for f in runin.fonts), runin.fonts
