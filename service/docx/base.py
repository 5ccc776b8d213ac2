"""The shared skeleton of every wenshu Word template: A4 page per GB/T 9704 clause 5, odd/even page-number footers
per clause 7.5, the style sheet (no theme fonts, all four font slots, zh-CN, exact 579-twip lines, −0.25 pt
character spacing, overflowPunct on) and deterministic packaging.

Template builders (service/docx/templates/*) add their body XML to this skeleton; the result is saved to
doc_templates/<name>.docx. Everything is computed from the layout profile, so the template is reviewable code.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import docx
from docx.oxml import parse_xml

from service.docx.ooxml import NSDECL, attr, border, para, ppr, rpr, run
from service.layout.profile import Profile, mm_to_twips, profile
from service.ooxml.archive import deflate, pack_members

FIXED_TIMESTAMP = "2000-01-01T00:00:00Z"


@dataclass(frozen=True)
class Footers:
    odd: str   # rId of the numbered odd-page footer (type default)
    even: str  # rId of the numbered even-page footer
    empty: str  # rId of an empty footer, for pages that carry no number (clause 7.5)
    # the numbered footers of landscape pages (clause 8: the number turned to the portrait position), if any
    landscape_odd: str | None = None
    landscape_even: str | None = None


EMU_PER_MM = 36000
DRAWING_NS = (
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)


def page_number_footer(p: Profile, align: str) -> str:
    """`— N —` in 4号 宋体, 1 字 in from the outer edge: odd pages right, even pages left (clause 7.5)."""
    return f"<w:ftr {NSDECL}>{_page_number_paragraph(p, align)}</w:ftr>"


def rotated_page_number_box(p: Profile) -> dict[str, float]:
    """Where the page number of a landscape page stands (mm from the landscape page's top-left corner).

    The sheet is printed portrait and turned (clause 8): the landscape page's top is the portrait left edge on odd
    and even pages alike (the table head faces the binding side on odd pages, the outer edge on even ones), so a
    portrait point (x, y) lies at (X, Y) = (paper height − y, x). The number is the portrait footer's paragraph,
    turned with the sheet: a text box at the landscape page's left edge (the portrait bottom), as long as the type
    area is wide, its text rotated 90° clockwise (read with the sheet turned back), its first line on the box's
    right edge (the portrait top of the line). That edge stands where the dash's ink top lands 7 mm below the type
    area: `below_type_area_mm` from the type area, less the ink's depth in its line (calibration)."""
    paper, m = p["5.1"]["paper"], p.margins_mm
    below_type_area = paper["height_mm"] - m["top"] - p.type_area_mm["height"]  # the portrait bottom margin
    line_mm = _page_number_line_twips(p) / 20 * 25.4 / 72
    right = below_type_area - p["7.5"]["below_type_area_mm"] + p["calibration"]["page_number_dash_depth_mm"]
    width = 2 * line_mm  # room for the line; the text keeps to the right edge
    return {"x": right - width, "y": m["left"], "width": width, "height": p.type_area_mm["width"]}


def rotated_page_number_footer(p: Profile, align: str, shape_id: int) -> str:
    """The landscape page's footer: no text of its own (a paragraph of next to no height, so the landscape type
    area keeps its 156 mm), and the page number in a text box anchored to the page (rotated_page_number_box),
    DrawingML as Word and WPS write a vertical text box (vert="vert", no insets, no fill, no line)."""
    box = rotated_page_number_box(p)
    x, y, cx, cy = (round(box[k] * EMU_PER_MM) for k in ("x", "y", "width", "height"))
    shape = (
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{shape_id}" '
        'behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="{shape_id}" name="页码 {shape_id}"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        f"<wps:txbx><w:txbxContent>{_page_number_paragraph(p, align)}</w:txbxContent></wps:txbx>"
        '<wps:bodyPr rot="0" vert="vert" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t" '
        'anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor>'
        "</w:drawing></mc:Choice></mc:AlternateContent>"
    )
    return f'<w:ftr {NSDECL} {DRAWING_NS}>{para(ppr("GwEnd"), f"<w:r>{shape}</w:r>")}</w:ftr>'


def _page_number_line_twips(p: Profile) -> int:
    return round(p["7.5"]["size_pt"] * 20 * 1.2)


def _page_number_paragraph(p: Profile, align: str) -> str:
    c = p["7.5"]
    indent = round(c["indent_chars"] * c["size_pt"] * 20)
    ind = {"right": indent} if align == "right" else {"left": indent}
    dash = c["dash"]
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run('1')}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    return para(ppr("GwPageNumber", ind=ind, jc=align), run(f"{dash} "), field, run(f" {dash}"))


def section_properties(p: Profile, footers: Footers, *, landscape: bool = False, numbered: bool = True) -> str:
    """<w:sectPr> for an A4 page with the clause-5.2.1 margins; no document grid (LibreOffice breaks the
    character grid, reference §9), exact line spacing does the 22 × 28 instead."""
    m = p.margins_mm
    w, h = mm_to_twips(p["5.1"]["paper"]["width_mm"]), mm_to_twips(p["5.1"]["paper"]["height_mm"])
    top, bottom, left, right = (mm_to_twips(m[k]) for k in ("top", "bottom", "left", "right"))
    if landscape:  # clause 8: the page turns, the binding edge stays
        w, h = h, w
        top, bottom, left, right = left, right, bottom, top
    odd, even = (footers.odd, footers.even) if numbered else (footers.empty, footers.empty)
    if landscape and numbered and footers.landscape_odd and footers.landscape_even:
        odd, even = footers.landscape_odd, footers.landscape_even
    footer_mm = p["calibration"]["footer_distance_mm"]
    orient = ' w:orient="landscape"' if landscape else ""
    return (
        f'<w:sectPr><w:footerReference w:type="default" r:id="{odd}"/>'
        f'<w:footerReference w:type="even" r:id="{even}"/>'
        f'<w:pgSz w:w="{w}" w:h="{h}"{orient}/>'
        f'<w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" '
        f'w:header="851" w:footer="{mm_to_twips(footer_mm)}" w:gutter="0"/>'
        '<w:cols w:space="425"/></w:sectPr>'
    )


def _style(kind: str, sid: str, name: str, p_props: str = "", r_props: str = "", based: str | None = "Normal",
           extra: str = "") -> str:
    based_xml = f"<w:basedOn w:val={attr(based)}/>" if based else ""
    return (
        f'<w:style w:type="{kind}" w:customStyle="1" w:styleId={attr(sid)}><w:name w:val={attr(name)}/>'
        f"{based_xml}{extra}<w:qFormat/>{p_props}{r_props}</w:style>"
    )


def styles_xml(p: Profile) -> str:
    """The style sheet. Style names are Chinese (what a secretary sees in Word); ids are ASCII."""
    body_font, body_pt = p["5.2.2"]["body_font"], p.body_size_pt
    spacing = p["5.2.3"]["char_spacing_twips"]
    line = p.line_twips
    red = p.red
    two = p.chars(p["7.3.3"]["first_line_indent_chars"])
    hfonts = p["7.3.3"]["heading_fonts"]
    bold = bool(p["7.3.3"]["heading_bold"])
    title_pt = p["7.3.1"]["size_pt"]
    imprint_pt = p["7.4.3"]["size_pt"]
    imprint_line = p["7.4.3"]["row_twips"]
    page_font, page_pt = p["7.5"]["font"], p["7.5"]["size_pt"]
    sep = p["7.2.7"]
    sep_border = border("bottom", sep["thickness_eighths_pt"], red, p["calibration"]["separator_space_pt"])

    defaults = (
        "<w:docDefaults><w:rPrDefault>"
        + rpr(body_font, body_pt, lang=True)
        + "</w:rPrDefault><w:pPrDefault>"
        + ppr(line=line, widow=False, overflow_punct=True, auto_space=False, jc="both")
        + "</w:pPrDefault></w:docDefaults>"
    )
    body_r = rpr(body_font, body_pt, spacing=spacing)
    styles = [
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
        + ppr(line=line, widow=False, overflow_punct=True, auto_space=False, jc="both", snap=False)
        + body_r + "</w:style>",
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
        '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        _style("paragraph", "GwBody", "公文正文", ppr(ind={"firstLine": two})),
        _style("paragraph", "GwBlank", "公文空行", ppr(ind={"firstLine": 0})),
        _style("paragraph", "GwTop", "版头要素", ppr(jc="left"), rpr(p["7.2.2"]["font"], body_pt)),
        _style("paragraph", "GwMasthead", "发文机关标志", ppr(jc="center", snap=False),
               rpr(p["7.2.4"]["font"], p["7.2.4"]["max_size_pt"], color=red, spacing=0)),
        _style("paragraph", "GwDocNo", "发文字号", ppr(border_bottom=sep_border, jc="center")),
        _style("paragraph", "GwTitle", "公文标题", ppr(jc="center", keep_next=True),
               rpr(p["7.3.1"]["font"], title_pt, spacing=0)),
        _style("paragraph", "GwRecipients", "主送机关", ppr(jc="both")),
        _style("paragraph", "GwH1", "一级标题", ppr(ind={"firstLine": two}, keep_next=True, outline=0),
               rpr(hfonts[1], body_pt, bold=bold)),
        _style("paragraph", "GwH2", "二级标题", ppr(ind={"firstLine": two}, keep_next=True, outline=1),
               rpr(hfonts[2], body_pt, bold=bold)),
        _style("paragraph", "GwH3", "三级标题", ppr(ind={"firstLine": two}, outline=2), rpr(hfonts[3], body_pt)),
        _style("paragraph", "GwH4", "四级标题", ppr(ind={"firstLine": two}, outline=3), rpr(hfonts[4], body_pt)),
        _style("character", "GwH1Char", "一级标题字符", "", rpr(hfonts[1], bold=bold), based=None),
        _style("character", "GwH2Char", "二级标题字符", "", rpr(hfonts[2], bold=bold), based=None),
        _style("character", "GwH3Char", "三级标题字符", "", rpr(hfonts[3]), based=None),
        _style("character", "GwH4Char", "四级标题字符", "", rpr(hfonts[4]), based=None),
        _style("character", "GwKai", "楷体字符", "", rpr(p["7.2.6"]["name_font"]), based=None),
        _style("paragraph", "GwLeadIn", "引导语", ppr(ind={"firstLine": two}, keep_next=True)),
        _style("paragraph", "GwAttach", "附件说明", ppr(jc="left")),
        _style("paragraph", "GwSignature", "发文机关署名", ppr(jc="right", keep_next=True)),
        _style("paragraph", "GwDate", "成文日期", ppr(jc="right")),
        _style("paragraph", "GwNote", "附注", ppr(keep_lines=True, ind={"firstLine": p.chars(p["7.3.6"]["indent_chars"])})),
        _style("paragraph", "GwAnnexLabel", "附件标识", ppr(jc="left", keep_next=True),
               rpr(p["7.3.7"]["label_font"], body_pt)),
        _style("paragraph", "GwTableText", "表格文字",
               ppr(line=round(imprint_line * 0.8), jc="center", overflow_punct=True),
               rpr(body_font, imprint_pt, spacing=0)),
        _style("paragraph", "GwTableHead", "表头文字", ppr(line=round(imprint_line * 0.8), jc="center", keep_next=True),
               rpr(hfonts[1], imprint_pt, spacing=0), based="GwTableText"),
        _style("paragraph", "GwTableNote", "表格说明", ppr(line=round(imprint_line * 0.8), jc="left", keep_next=True),
               rpr(body_font, imprint_pt, spacing=0)),
        _style("paragraph", "GwImprint", "版记", ppr(line=imprint_line, jc="left"),
               rpr(body_font, imprint_pt, spacing=0)),
        _style("paragraph", "GwSpacer", "版记定位", ppr(jc="left"), rpr(size_pt=1)),
        _style("paragraph", "GwEnd", "文末", ppr(line=p["calibration"]["end_paragraph_twips"], jc="left"),
               rpr(size_pt=1, spacing=0)),
        _style("paragraph", "GwPageNumber", "页码", ppr(line=_page_number_line_twips(p)),
               rpr(page_font, page_pt, spacing=0)),
    ]
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles {NSDECL}>'
        + defaults + "".join(styles) + "</w:styles>"
    )


CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{{ core.title }}</dc:title><dc:creator>wenshu</dc:creator>"
    "<cp:lastModifiedBy>wenshu</cp:lastModifiedBy><cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{{ core.date }}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{{ core.date }}</dcterms:modified>'
    "</cp:coreProperties>"
)


class TemplateBuilder:
    """A python-docx package with the wenshu skeleton; `save(body_xml)` writes the template deterministically."""

    def __init__(self) -> None:
        self.p = profile()
        self.doc = docx.Document()
        part = self.doc.part
        part._styles_part._element = parse_xml(styles_xml(self.p).encode("utf-8"))
        self.doc.settings.odd_and_even_pages_header_footer = True
        # python-docx's default package carries a stylesWithEffects part that no longer matches styles.xml (Word
        # 2010 reads it and may call the file damaged): drop it
        for rid, rel in list(part.rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                part.drop_rel(rid)
        rids = []
        for align in ("right", "left", None):
            fpart, rid = part.add_footer_part()
            xml = page_number_footer(self.p, align) if align else f"<w:ftr {NSDECL}>{para(ppr('GwPageNumber'))}</w:ftr>"
            fpart._element = parse_xml(xml)
            rids.append(rid)
        self.footers = Footers(*rids)

    def add_landscape_footers(self) -> None:
        """The numbered footers of landscape pages (rotated_page_number_footer), odd then even."""
        rids = []
        for shape_id, align in ((1001, "right"), (1002, "left")):
            fpart, rid = self.doc.part.add_footer_part()
            fpart._element = parse_xml(rotated_page_number_footer(self.p, align, shape_id))
            rids.append(rid)
        self.footers = replace(self.footers, landscape_odd=rids[0], landscape_even=rids[1])

    def sect(self, **kw) -> str:
        return section_properties(self.p, self.footers, **kw)

    def save(self, body_xml: str, path: Path) -> None:
        body = parse_xml(f"<w:body {NSDECL}>{body_xml}</w:body>")
        old = self.doc.element.body
        self.doc.element.replace(old, body)
        buf = io.BytesIO()
        self.doc.save(buf)
        entries = []
        with zipfile.ZipFile(buf) as zf:
            for name in zf.namelist():
                data = CORE_XML.encode() if name == "docProps/core.xml" else zf.read(name)
                entries.append(deflate(name, data))
        path.write_bytes(pack_members(entries))
