"""The 归档章 (DA/T 22-2015 appendix A) drawn on the first page of an item's archive PDF, as vector content.

    pdf = stamp_pdf(pdf_bytes, {"全宗号": "Z001", "年度": 2020, "件号": "0003", "机构（问题）": "J1",
                                "保管期限": "永久", "页数": 2}, kind="notice")

A 45 × 16 mm box of 2 rows × 3 cells (全宗号 │ 年度 │ 件号 over 机构（问题） │ 保管期限 │ 页数), red lines and
prompts, the values in black, placed in the blank top margin of page 1 (where: config/archive_filing.yaml
`stamp`, per document kind, checked against every kind's rendered page by tests/yearend). The labels and values
are set in a subset of the configured face (TrueType outlines, embedded as a CIDFontType2 with a ToUnicode map,
so the text prints and can be searched). Nothing else of the PDF changes: same page count, and the same input
gives the same bytes.
"""
from __future__ import annotations

import hashlib
import io
import os
from functools import lru_cache

import pikepdf
from pydantic import BaseModel, ConfigDict, Field

MM = 72 / 25.4
ROWS = (("全宗号", "年度", "件号"), ("机构（问题）", "保管期限", "页数"))
ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
FONT_NAME = "/WenshuArchiveStamp"  # the page resource name of the stamp's font


class StampRule(BaseModel):
    """Where and how the 归档章 is drawn (mm from the page's top edge; `right` = from the right edge)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    face: str = "楷体"
    width_mm: float = 45
    height_mm: float = 16
    top_mm: float = 4
    side_mm: float = 12  # distance from the right edge when placed right
    place: dict[str, str] = Field(default_factory=dict)  # kind -> "centre" | "right"
    default_place: str = "right"
    label_pt: float = 4.5
    value_pt: float = 8
    red: tuple[float, float, float] = (0.8, 0.0, 0.0)
    line_pt: float = 0.6

    def placement(self, kind: str) -> str:
        return self.place.get(kind, self.default_place)


def box(rule: StampRule, kind: str, page_width_pt: float, page_height_pt: float) -> tuple[float, float, float, float]:
    """The stamp's box (x0, top, x1, bottom) in points from the page's top-left corner."""
    w, h = rule.width_mm * MM, rule.height_mm * MM
    x0 = (page_width_pt - w) / 2 if rule.placement(kind) == "centre" else page_width_pt - rule.side_mm * MM - w
    top = rule.top_mm * MM
    return x0, top, x0 + w, top + h


# ----------------------------------------------------------------------------------------------- the font
class _Font:
    """A subset of one TrueType face: its bytes, glyph ids, advance widths (1/1000 em) and metrics."""

    def __init__(self, data: bytes):
        from fontTools.ttLib import TTFont

        font = TTFont(io.BytesIO(data))
        self.data = data
        scale = 1000 / font["head"].unitsPerEm
        cmap = font.getBestCmap()
        gid = {name: i for i, name in enumerate(font.getGlyphOrder())}
        self.gids = {chr(c): gid[name] for c, name in cmap.items()}
        self.widths = {chr(c): round(font["hmtx"][name][0] * scale) for c, name in cmap.items()}
        head, hhea = font["head"], font["hhea"]
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent, self.descent = round(hhea.ascent * scale), round(hhea.descent * scale)
        self.name = font["name"].getDebugName(6) or "Stamp"
        self.tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(self.data).digest()[:6])

    def encode(self, text: str) -> bytes:
        return b"".join(self.gids.get(ch, 0).to_bytes(2, "big") for ch in text)

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(ch, 1000) for ch in text) * size / 1000

    def to_unicode(self) -> bytes:
        pairs = sorted((g, ch) for ch, g in self.gids.items())
        lines = [f"<{g:04X}> <{ord(ch):04X}>" if ord(ch) < 0x10000 else
                 f"<{g:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for g, ch in pairs]
        body = "".join(f"{len(lines[i:i + 100])} beginbfchar\n" + "\n".join(lines[i:i + 100]) + "\nendbfchar\n"
                       for i in range(0, len(lines), 100))
        return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\n"
                f"endcodespacerange\n{body}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
                ).encode("ascii")

    def pdf_object(self, pdf: pikepdf.Pdf) -> pikepdf.Object:
        N = pikepdf.Name
        base = N("/" + self.tag + "+" + "".join(c for c in self.name if c.isalnum() or c in "-_")[:40])
        file2 = pikepdf.Stream(pdf, self.data)
        file2[N.Length1] = len(self.data)
        desc = pikepdf.Dictionary(Type=N.FontDescriptor, FontName=base, Flags=4, FontBBox=self.bbox, ItalicAngle=0,
                                  Ascent=self.ascent, Descent=self.descent, CapHeight=self.ascent, StemV=80,
                                  FontFile2=pdf.make_indirect(file2))
        widths = []
        for ch, g in sorted(self.gids.items(), key=lambda x: x[1]):
            widths += [g, [self.widths[ch]]]
        cid = pikepdf.Dictionary(Type=N.Font, Subtype=N.CIDFontType2, BaseFont=base, CIDToGIDMap=N.Identity,
                                 CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                                                  Ordering=pikepdf.String("Identity"), Supplement=0),
                                 FontDescriptor=pdf.make_indirect(desc), DW=1000, W=widths)
        return pdf.make_indirect(pikepdf.Dictionary(
            Type=N.Font, Subtype=N.Type0, BaseFont=base, Encoding=N("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(cid)], ToUnicode=pdf.make_indirect(pikepdf.Stream(pdf, self.to_unicode()))))


def _subset(path: str, index: int, text: str) -> bytes:
    """The glyphs of `text` from the font file (lazily read: the whole CJK font is never decompiled); the same
    input gives the same bytes (no timestamp)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True, recalcTimestamp=False)
    if "glyf" not in font:
        raise ValueError(f"归档章字体须为 TrueType 轮廓字体：{path}")
    opts = subset.Options()
    opts.name_IDs, opts.hinting, opts.notdef_outline, opts.layout_features = [1, 2, 3, 4, 6], False, True, []
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "vhea", "vmtx", "VORG", "kern", "STAT", "meta"]
    sub = subset.Subsetter(opts)
    sub.populate(text=text)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


@lru_cache(maxsize=8)
def _font(face: str, chars: frozenset[str]) -> _Font:
    """The subset of `face` for `chars`, kept under the storage's archive cache: subsetting a CJK font takes
    a moment, reading the kept subset does not."""
    import fontTools

    from service.config import settings
    from service.files import write_atomic
    from service.layout.glyphs import face_file

    path, index = face_file(face)
    text = "".join(sorted(chars))
    st = os.stat(path)
    key = hashlib.sha256(f"{path}\0{index}\0{st.st_size}\0{st.st_mtime_ns}\0{fontTools.version}\0{text}"
                         .encode("utf-8")).hexdigest()
    kept = settings().storage_dir / "archive-cache" / "fonts" / f"stamp-{key}.ttf"
    if kept.is_file():
        return _Font(kept.read_bytes())
    data = _subset(path, index, text)
    write_atomic(kept, data)
    return _Font(data)


def _charset(rule: StampRule, values: dict) -> frozenset[str]:
    from service.yearend.volumes import filing_rules

    base = "".join(c for row in ROWS for c in row) + ASCII + "".join(filing_rules().retention_codes)
    return frozenset(base + "".join(str(v) for v in values.values()))


def warm() -> None:
    """Subset the font of the configured stamp now (worker processes forked later share it)."""
    from service.yearend.volumes import filing_rules

    rule = filing_rules().stamp
    _font(rule.face, _charset(rule, {}))


# ----------------------------------------------------------------------------------------------- drawing
def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _content(rule: StampRule, font: _Font, values: dict, x0: float, y_top: float) -> bytes:
    """The stamp's content stream (PDF user space: y grows upwards; y_top = the box's top edge)."""
    w, h = rule.width_mm * MM, rule.height_mm * MM
    cw, ch = w / 3, h / 2
    r, g, b = rule.red
    ops = ["q", f"{_fmt(r)} {_fmt(g)} {_fmt(b)} RG", f"{_fmt(rule.line_pt)} w",
           f"{_fmt(x0)} {_fmt(y_top - h)} {_fmt(w)} {_fmt(h)} re S",
           f"{_fmt(x0)} {_fmt(y_top - ch)} m {_fmt(x0 + w)} {_fmt(y_top - ch)} l S"]
    ops += [f"{_fmt(x0 + i * cw)} {_fmt(y_top)} m {_fmt(x0 + i * cw)} {_fmt(y_top - h)} l S" for i in (1, 2)]

    def text(s: str, size: float, cx: float, baseline: float, colour: str) -> None:
        if not s:
            return
        x = cx - font.width(s, size) / 2
        ops.append(f"BT {colour} rg {FONT_NAME} {_fmt(size)} Tf {_fmt(x)} {_fmt(baseline)} Td "
                   f"<{font.encode(s).hex().upper()}> Tj ET")

    red = f"{_fmt(r)} {_fmt(g)} {_fmt(b)}"
    for row, labels in enumerate(ROWS):
        cell_top = y_top - row * ch
        for col, label in enumerate(labels):
            cx = x0 + (col + 0.5) * cw
            text(label, rule.label_pt, cx, cell_top - rule.label_pt * 1.05, red)
            text(str(values.get(label, "")), rule.value_pt, cx, cell_top - ch + ch * 0.14, "0 0 0")
    ops.append("Q")
    return ("\n".join(ops) + "\n").encode("ascii")


def stamp_pdf(data: bytes, values: dict, kind: str, rule: StampRule | None = None) -> bytes:
    """`data` with the 归档章 of `values` drawn on page 1 (see the module docstring)."""
    from service.yearend.volumes import filing_rules

    rule = rule or filing_rules().stamp
    font = _font(rule.face, _charset(rule, values))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        llx, lly, urx, ury = (float(v) for v in page.mediabox)
        x0, top, _, _ = box(rule, kind, urx - llx, ury - lly)
        name = page.add_resource(font.pdf_object(pdf), pikepdf.Name.Font, pikepdf.Name(FONT_NAME))
        assert name == FONT_NAME
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, b"Q\n" + _content(rule, font, values, llx + x0, ury - top)))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False, linearize=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()
