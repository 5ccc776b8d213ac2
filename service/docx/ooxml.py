"""WordprocessingML fragments: run and paragraph properties written in schema order.

The template builders (doc_templates/build.py) compose styles and prototype paragraphs from these; nothing here
knows about any particular document. Values may be Jinja expressions (strings) where a template computes them.
"""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NSDECL = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'


def attr(value: object) -> str:
    return quoteattr(str(value))


def fonts(name: str) -> str:
    """All four font slots set to one face + eastAsia hint: LibreOffice ignores w:hint, so “ ” … — after an
    ASCII character would otherwise fall to a Latin font (reference §6.3)."""
    n = attr(name)
    return f"<w:rFonts w:ascii={n} w:hAnsi={n} w:eastAsia={n} w:cs={n} w:hint=\"eastAsia\"/>"


def rpr(
    font: str | None = None,
    size_pt: float | str | None = None,
    *,
    bold: bool = False,
    color: str | None = None,
    spacing: int | str | None = None,
    scale: int | str | None = None,
    style: str | None = None,
    lang: bool = False,
) -> str:
    """<w:rPr> children in CT_RPr order: rStyle rFonts b bCs color spacing w kern sz szCs lang."""
    out = []
    if style:
        out.append(f"<w:rStyle w:val={attr(style)}/>")
    if font:
        out.append(fonts(font))
    if bold:
        out.append("<w:b/><w:bCs/>")
    if color:
        out.append(f"<w:color w:val={attr(color)}/>")
    if spacing is not None:
        out.append(f"<w:spacing w:val={attr(spacing)}/>")
    if scale is not None:
        out.append(f"<w:w w:val={attr(scale)}/>")
    if size_pt is not None:
        half = size_pt if isinstance(size_pt, str) else round(float(size_pt) * 2)
        out.append(f"<w:sz w:val={attr(half)}/><w:szCs w:val={attr(half)}/>")
    if lang:
        out.append('<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>')
    return "<w:rPr>" + "".join(out) + "</w:rPr>" if out else ""


def ppr(
    style: str | None = None,
    *,
    keep_next: bool | str = False,
    keep_lines: bool = False,
    page_break_before: bool | str = False,
    border_bottom: str | None = None,
    tabs: list[tuple[str, int | str]] | None = None,
    line: int | str | None = None,
    before: int = 0,
    after: int = 0,
    ind: dict[str, int | str] | None = None,
    jc: str | None = None,
    outline: int | None = None,
    widow: bool | None = None,
    snap: bool | None = None,
    overflow_punct: bool | None = None,
    auto_space: bool | None = None,
    sect: str | None = None,
    extra_rpr: str = "",
) -> str:
    """<w:pPr> children in CT_PPr order."""
    out = []
    if style:
        out.append(f"<w:pStyle w:val={attr(style)}/>")
    if keep_next is True:
        out.append("<w:keepNext/>")
    elif isinstance(keep_next, str):
        out.append(f"<w:keepNext w:val={attr(keep_next)}/>")
    if keep_lines:
        out.append("<w:keepLines/>")
    if page_break_before is True:
        out.append("<w:pageBreakBefore/>")
    elif isinstance(page_break_before, str):
        out.append(f"<w:pageBreakBefore w:val={attr(page_break_before)}/>")
    if widow is not None:
        out.append(f'<w:widowControl w:val="{int(widow)}"/>')
    if border_bottom:
        out.append(f"<w:pBdr>{border_bottom}</w:pBdr>")
    if tabs:
        out.append("<w:tabs>" + "".join(f"<w:tab w:val={attr(k)} w:pos={attr(p)}/>" for k, p in tabs) + "</w:tabs>")
    if overflow_punct is not None:
        out.append(f'<w:overflowPunct w:val="{int(overflow_punct)}"/>')
    if auto_space is not None:
        out.append(f'<w:autoSpaceDE w:val="{int(auto_space)}"/><w:autoSpaceDN w:val="{int(auto_space)}"/>')
    if snap is not None:
        out.append(f'<w:snapToGrid w:val="{int(snap)}"/>')
    if line is not None:
        out.append(f'<w:spacing w:before="{before}" w:after="{after}" w:line={attr(line)} w:lineRule="exact"/>')
    if ind:
        out.append("<w:ind " + " ".join(f"w:{k}={attr(v)}" for k, v in ind.items()) + "/>")
    if jc:
        out.append(f"<w:jc w:val={attr(jc)}/>")
    if outline is not None:
        out.append(f'<w:outlineLvl w:val="{outline}"/>')
    if extra_rpr:
        out.append(extra_rpr)
    if sect:
        out.append(sect)
    return "<w:pPr>" + "".join(out) + "</w:pPr>" if out else ""


def run(text: str, props: str = "", raw: bool = False) -> str:
    """A run; `raw` text is inserted unescaped (for Jinja expressions, which autoescape at render time)."""
    body = text if raw else escape(text)
    return f'<w:r>{props}<w:t xml:space="preserve">{body}</w:t></w:r>'


def para(props: str = "", *runs: str) -> str:
    return f"<w:p>{props}{''.join(runs)}</w:p>"


def tag_para(tag: str) -> str:
    """A paragraph that only carries a docxtpl paragraph tag ({%p … %}); docxtpl removes it at render."""
    return para("", run(tag, raw=True))


def border(edge: str, size_eighths: int, color: str = "000000", space: int = 0) -> str:
    return f'<w:{edge} w:val="single" w:sz="{size_eighths}" w:space="{space}" w:color="{color}"/>'


def tag_run(tag: str) -> str:
    """A run that only carries a docxtpl run tag ({%r … %}); docxtpl removes the run at render."""
    return run(tag, raw=True)
