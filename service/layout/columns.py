"""Table column widths from content, measured with the fonts that draw it (fontTools advance widths of the files
fontconfig resolves the official faces to), and landscape 附件 pages for tables too wide for the portrait type area.

Rules (GB/T 9704-2012 §8 and practice, see the reference):
- a table is never wider than the type area: 156 mm portrait, 225 mm on a landscape page;
- numbers, phone numbers, dates and other Latin/digit tokens are never broken: their column is at least as wide
  as the widest such token; headers of up to 10 characters (培训人数, 工作人员, 村（居委）活动室名称) stay on one line;
- other text may wrap, but a column is at least 4 characters wide (or as wide as its longest cell, if less; down
  to 2 characters as the last resort before numbers would break);
- the width left over goes to the columns in proportion to what their longest cell still lacks.
When the minimum widths do not fit the portrait type area, the table's annex goes on landscape pages; when they do
not fit there either, the table text steps down from 四号 (14 pt) to 小四 (12 pt) and 五号 (10.5 pt).
"""
from __future__ import annotations

import math
import re
from copy import deepcopy
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from lxml import etree

from service.layout import glyphs
from service.layout.glyphs import face_file
from service.layout.profile import mm_to_twips, profile

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEAD_FACE, TEXT_FACE = "黑体", "仿宋_GB2312"
SIZES_PT = (14.0, 12.0, 10.5)  # 四号, 小四, 五号
CELL_MARGIN, NARROW_MARGIN = 108, 57  # left/right cell margin: TableNormal's (1.9 mm); 1 mm for the tightest tables
SLACK = 30  # twips per column for borders and rounding
UNBREAKABLE = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-+.:/%@#_·]*")
HEAD_ONE_LINE = 10
MIN_CHARS = 4


@lru_cache(maxsize=16)
def _advances(face: str) -> tuple[dict[int, float], float]:
    """Code point -> advance width in em, and the em width of a missing character, for `face`."""
    from fontTools.ttLib import TTFont

    path, index = face_file(face)
    with TTFont(path, fontNumber=index, lazy=True) as font:
        upem = font["head"].unitsPerEm
        hmtx = font["hmtx"].metrics
        cmap = font.getBestCmap() or {}
        return {cp: hmtx[g][0] / upem for cp, g in cmap.items() if g in hmtx}, 1.0


def text_twips(text: str, face: str, size_pt: float) -> int:
    """Advance width of `text` set in `face` at `size_pt`, in twips."""
    adv, missing = _advances(face)
    return math.ceil(sum(adv.get(ord(ch), missing) for ch in text) * size_pt * 20)


def _min_twips(text: str, face: str, size: float, head: bool, min_chars: int = MIN_CHARS) -> int:
    text = text.strip()
    if not text:
        return 0
    if head and len(text) <= HEAD_ONE_LINE:
        return text_twips(text, face, size)
    tokens = [text_twips(m.group(0), face, size) for m in UNBREAKABLE.finditer(text)]
    chars = math.ceil(len(text) / 2) if head else min_chars
    return max(tokens + [text_twips(text[:chars], face, size)])


@dataclass
class TableLayout:
    widths: list[int]  # twips, summing to the available width
    landscape: bool
    size_pt: float
    margin: int  # left/right cell margin, twips
    fits: bool  # False: even 五号 on a landscape page cannot keep every number whole


def layout(header: list[str], rows: list[list[str]], preferred: list[int] | None = None) -> TableLayout:
    """Column widths for a table; `preferred` (twips on the portrait type area, e.g. the Excel form's ratios or the
    notice's 列宽比例) is kept where it leaves every column its minimum."""
    p = profile()
    portrait = mm_to_twips(p.type_area_mm["width"])
    landscape = mm_to_twips(p.type_area_mm["height"])
    tries = [(False, SIZES_PT[0], MIN_CHARS, CELL_MARGIN), (False, SIZES_PT[0], MIN_CHARS, NARROW_MARGIN)]
    tries += [(True, s, MIN_CHARS, CELL_MARGIN) for s in SIZES_PT]
    tries += [(True, SIZES_PT[-1], n, NARROW_MARGIN) for n in range(MIN_CHARS, 1, -1)]
    for wide, size, min_chars, margin in tries:
        avail = landscape if wide else portrait
        mins, maxs = _bounds(header, rows, size, min_chars, 2 * margin + SLACK)
        if sum(mins) <= avail:
            if preferred and len(preferred) == len(mins) and sum(preferred):
                widths = _respect(mins, [w * avail / sum(preferred) for w in preferred], avail)
            else:
                widths = _distribute(mins, maxs, avail)
            return TableLayout(widths, wide, size, margin, True)
    scaled = [m * avail // sum(mins) for m in mins]
    return TableLayout(_distribute(scaled, scaled, avail), True, size, margin, False)


def _bounds(header: list[str], rows: list[list[str]], size: float, min_chars: int,
            pad: int) -> tuple[list[int], list[int]]:
    mins, maxs = [], []
    for i, title in enumerate(header):
        cells = [r[i] for r in rows if i < len(r)]
        lo = max([_min_twips(title, HEAD_FACE, size, True)] + [_min_twips(c, TEXT_FACE, size, False, min_chars)
                                                            for c in cells])
        hi = max([text_twips(title.strip(), HEAD_FACE, size)] + [text_twips(c.strip(), TEXT_FACE, size) for c in cells])
        mins.append(lo + pad)
        maxs.append(max(hi, lo) + pad)
    return mins, maxs


def _respect(mins: list[int], preferred: list[float], avail: int) -> list[int]:
    """The preferred widths, each raised to its minimum, the others narrowed in proportion to what they have
    above theirs."""
    widths = [max(lo, pref) for lo, pref in zip(mins, preferred)]
    excess = sum(widths) - avail
    room = sum(w - lo for w, lo in zip(widths, mins))
    if excess > 0 and room:
        widths = [w - excess * (w - lo) / room for w, lo in zip(widths, mins)]
    out = [int(w) for w in widths]
    out[-1] += avail - sum(out)
    return out


def _distribute(mins: list[int], maxs: list[int], avail: int) -> list[int]:
    if sum(maxs) <= avail:  # everything on one line: the spare width in proportion to the content
        widths = [m + (avail - sum(maxs)) * m / sum(maxs) for m in maxs]
    else:
        want = [hi - lo for lo, hi in zip(mins, maxs)]
        spare = avail - sum(mins)
        widths = [lo + spare * w / sum(want) if sum(want) else lo for lo, w in zip(mins, want)]
    out = [int(w) for w in widths]
    out[-1] += avail - sum(out)
    return out


# ----------------------------------------------------------------------------------------------- the .docx
def _cell_text(tc) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in tc.findall(f"{W}p"))


def _is_data_table(tbl) -> bool:
    first = tbl.find(f"{W}tr")
    return first is not None and first.find(f".//{W}pStyle[@{W}val='GwTableHead']") is not None


def apply(root, landscape_footers: dict[str, str] | None = None) -> None:
    """Lay out every data table of a rendered notice body (document.xml root) from its content.
    `landscape_footers` maps a portrait footer's rId to the one landscape pages use (the number turned)."""
    body = root.find(f"{W}body")
    for tbl in list(body.iter(f"{W}tbl")):
        if not _is_data_table(tbl):
            continue
        trs = tbl.findall(f"{W}tr")
        texts = [[_cell_text(tc) for tc in tr.findall(f"{W}tc")] for tr in trs]
        preferred = [int(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w", "0")) for tc in trs[0].findall(f"{W}tc")]
        lay = layout(texts[0], texts[1:], preferred)
        _set_widths(tbl, lay.widths)
        if lay.size_pt != SIZES_PT[0]:
            _set_size(tbl, lay.size_pt)
        if lay.margin != CELL_MARGIN:
            mar = etree.SubElement(tbl.find(f"{W}tblPr"), f"{W}tblCellMar")  # after tblLayout (CT_TblPr order)
            for side in ("left", "right"):
                etree.SubElement(mar, f"{W}{side}", {f"{W}w": str(lay.margin), f"{W}type": "dxa"})
        if not lay.fits:
            glyphs.warn(f"警告：表格“{'、'.join(texts[0][:3])}…”列数过多，横排五号字仍排不下，数字可能折行；请拆分表格")
        if lay.landscape:
            _landscape(body, tbl, landscape_footers or {})
    for t in list(body.iter(f"{W}t")):
        if t.text and NUMBER.search(t.text) and _in_table_text(t):
            _number_runs(t)


# 13908260101, 023-62345678, 2025-03-05, 12.5: set as Western text (LibreOffice breaks digits anywhere inside an
# East Asian run; in a Western run a number is one word, kept whole on its line)
NUMBER = re.compile(r"\d+[\-+.:/][\d\-+.:/]*\d|\d{5,}")
NB_HYPHEN = "\u2011"  # 023‑62345678: LibreOffice breaks after an ASCII hyphen even in a Western run
BREAK = " "  # a break opportunity before the number: LibreOffice 7.4 finds none where CJK text meets digits (not
# even at U+200B) and then breaks inside the digits (measured); its CJK-Latin autospace shows a gap there anyway


def _number_runs(t) -> None:
    run = t.getparent()
    if run.tag != f"{W}r" or len(run.findall(f"{W}t")) != 1:
        return
    text, pos, pieces = t.text, 0, []
    for m in NUMBER.finditer(text):
        before = text[pos:m.start()]
        if before and not before[-1].isspace():
            before += BREAK
        pieces += [(before, False), (m.group(0), True)]
        pos = m.end()
    pieces.append((text[pos:], False))
    glyphs.replace_run(run, [(piece.replace("-", NB_HYPHEN), _western) if western else (piece, None)
                             for piece, western in pieces])


def _western(run) -> None:
    rpr = glyphs.run_properties(run)
    for tag, attrs in (("rFonts", {"hint": "default"}), ("lang", {"val": "en-US", "eastAsia": "en-US"})):
        el = rpr.find(f"{W}{tag}")
        if el is None:
            el = etree.SubElement(rpr, f"{W}{tag}")
        for k, v in attrs.items():
            el.set(f"{W}{k}", v)
    _order(rpr)


def _in_table_text(t) -> bool:
    p = next(t.iterancestors(f"{W}p"), None)
    style = p.find(f"{W}pPr/{W}pStyle") if p is not None else None
    return style is not None and style.get(f"{W}val") in ("GwTableText", "GwTableNote")


def _set_widths(tbl, widths: list[int]) -> None:
    tbl.find(f"{W}tblPr/{W}tblW").set(f"{W}w", str(sum(widths)))
    grid = tbl.find(f"{W}tblGrid")
    for col in list(grid):
        grid.remove(col)
    for w in widths:
        etree.SubElement(grid, f"{W}gridCol").set(f"{W}w", str(w))
    for tr in tbl.findall(f"{W}tr"):
        for tc, w in zip(tr.findall(f"{W}tc"), widths):
            tc.find(f"{W}tcPr/{W}tcW").set(f"{W}w", str(w))


def _set_size(tbl, size_pt: float) -> None:
    half = str(round(size_pt * 2))
    line = str(round(size_pt * 20 * 1.5))
    for p in tbl.iter(f"{W}p"):
        spacing = p.find(f"{W}pPr/{W}spacing")
        if spacing is None:
            ppr = p.find(f"{W}pPr")
            if ppr is None:
                ppr = etree.SubElement(p, f"{W}pPr")
                p.insert(0, ppr)
            spacing = etree.SubElement(ppr, f"{W}spacing")
            _order(ppr)
        spacing.set(f"{W}line", line)
        spacing.set(f"{W}lineRule", "exact")
        for r in p.findall(f"{W}r"):
            rpr = glyphs.run_properties(r)
            for tag in ("sz", "szCs"):
                el = rpr.find(f"{W}{tag}")
                if el is None:
                    el = etree.SubElement(rpr, f"{W}{tag}")
                el.set(f"{W}val", half)
            _order(rpr)


_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
              "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
              "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
              "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
              "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def _order(el) -> None:
    """Children in the schema's sequence (CT_PPr / CT_RPr), so Word opens the file without a repair prompt."""
    order = _PPR_ORDER if el.tag == f"{W}pPr" else _RPR_ORDER
    rank = {f"{W}{name}": i for i, name in enumerate(order)}
    children = sorted(el, key=lambda c: rank.get(c.tag, len(order)))
    for c in children:
        el.append(c)


def _annex_bounds(body, tbl) -> tuple[object, object]:
    """The annex holding `tbl`: its first element (the 附件N label) and its last one (before the next annex label,
    the 版记's spacer, or the body's end)."""
    children = list(body)
    idx = children.index(tbl)
    start = idx
    while start > 0 and not _styled(children[start], "GwAnnexLabel"):
        start -= 1
    end = idx
    while end + 1 < len(children) and children[end + 1].tag != f"{W}sectPr" and not any(
            _styled(children[end + 1], s) for s in ("GwAnnexLabel", "GwSpacer")):
        end += 1
    return children[start], children[end]


def _styled(el, style: str) -> bool:
    s = el.find(f"{W}pPr/{W}pStyle")
    return el.tag == f"{W}p" and s is not None and s.get(f"{W}val") == style


def _landscape(body, tbl, footers: dict[str, str]) -> None:
    """Put the table's annex in a landscape section: the portrait section ends before the 附件N label, the
    landscape one after the annex's last paragraph; page numbering continues. The page turns with the sheet (the
    landscape top is the portrait left edge, clause 8), and its footers are the ones that stand the page number
    where the portrait pages have it (`footers`: portrait rId -> landscape rId, service.docx.base)."""
    first, last = _annex_bounds(body, tbl)
    final = _section_of(body, last)
    if last.tag != f"{W}p":  # the annex ends with the table: a paragraph to carry the section break
        last.addnext(etree.Element(f"{W}p"))
        last = last.getnext()
    before = first.getprevious()
    if before is not None and before.tag == f"{W}p" and before.find(f"{W}pPr/{W}sectPr") is None:
        _carry(before, deepcopy(final))
    wide = deepcopy(final)
    size, margins = wide.find(f"{W}pgSz"), wide.find(f"{W}pgMar")
    w, h = size.get(f"{W}w"), size.get(f"{W}h")
    size.set(f"{W}w", h)
    size.set(f"{W}h", w)
    size.set(f"{W}orient", "landscape")
    # the type area turns with the paper (225 mm wide, 156 mm high) and lies where the portrait one does once the
    # sheet is turned back: the portrait left edge is the top, the bottom the left, the top the right
    top, bottom, left, right = (margins.get(f"{W}{k}") for k in ("top", "bottom", "left", "right"))
    margins.set(f"{W}top", left)
    margins.set(f"{W}bottom", right)
    margins.set(f"{W}left", bottom)
    margins.set(f"{W}right", top)
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for ref in wide.findall(f"{W}footerReference"):
        ref.set(rid, footers.get(ref.get(rid), ref.get(rid)))
    ended = last.find(f"{W}pPr/{W}sectPr")
    if ended is not None:  # the annex is the last one: its paragraph already ends the body's section; turn that one
        ended.getparent().replace(ended, wide)
    else:
        _carry(last, wide)
    ppr = first.find(f"{W}pPr")
    if ppr is not None and ppr.find(f"{W}pageBreakBefore") is not None:  # the section break starts the page
        ppr.remove(ppr.find(f"{W}pageBreakBefore"))


def _section_of(body, el):
    """The section properties of the section `el` belongs to (the next sectPr in document order)."""
    nxt = el
    while nxt is not None:
        sect = nxt.find(f"{W}pPr/{W}sectPr") if nxt.tag == f"{W}p" else None
        if sect is not None or nxt.tag == f"{W}sectPr":
            return sect if sect is not None else nxt
        nxt = nxt.getnext()
    return body.find(f"{W}sectPr")


def _carry(p, sect) -> None:
    ppr = p.find(f"{W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{W}pPr")
        p.insert(0, ppr)
    ppr.append(sect)
    _order(ppr)


def postprocess(then: Callable[[str, str], str] | None = None,
                landscape_footers: dict[str, str] | None = None) -> Callable[[str, str], str]:
    """A docx engine postprocess: `then`, then the tables of word/document.xml laid out from their content."""

    def run(name: str, xml: str) -> str:
        if then is not None:
            xml = then(name, xml)
        if name != "word/document.xml" or "GwTableHead" not in xml:
            return xml
        root = etree.fromstring(xml.encode("utf-8"))
        apply(root, landscape_footers)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")

    return run
