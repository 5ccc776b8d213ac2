"""Notice model → the block list the notice template lays out → .docx bytes.

Geometry that depends on the content (masthead size, title lines, signature indents, attachment alignment) is
computed here from the layout profile; the static geometry lives in the template. The 版记's vertical placement
comes from a measured layout pass (service.render.paginate), handed in as `ImprintPlacement`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from lxml import etree

from service.cndate import cn_date
from service.docx.engine import load_template
from service.layout import columns, glyphs
from service.layout.imprint import text_width_chars
from service.layout.profile import Profile, mm_to_twips, profile
from service.models.notice import Annex, Heading, LeadIn, Notice, Paragraph, Signature, Table, heading_label
from service.render.annexes import annex_blocks
from service.render.title import split_title

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class ImprintPlacement:
    """Where the 版记 goes: `spacer_twips` of exact-height space before it, and whether it takes a page of its own
    (`new_page`: a section that starts on an even page, so LibreOffice and Word insert the blank page when the text
    ends on an even page; that page and the 版记 page carry no number, profile 7.5). `blank_page` is what the
    measurement found (for the report)."""

    spacer_twips: int = 20
    new_page: bool = False
    blank_page: bool = False
    # clause 7.3.5.5, so that 署名 and date never stand alone on a page: from block `tighten_from` to the date,
    # lines of `tighten_twips`; or, when that would be tighter than the profile allows, the last body paragraph
    # goes with them (`pull_from`: the block that starts the signature page)
    tighten_from: int | None = None
    tighten_twips: int | None = None
    pull_from: int | None = None
    # the last paragraph's text from this character on goes to the signature's page (the rest stays, so the page it
    # leaves keeps its lines): (block index, character offset)
    split_at: tuple[int, int] | None = None
    # clause 7.3.2: the 主送 moved to the 版记 because on page 1 it would leave no room for 正文
    recipients_in_imprint: bool = False


@dataclass
class Blocks:
    p: Profile
    items: list[dict[str, Any]] = field(default_factory=list)
    signature: tuple[int, int] = (0, 0)  # item range of the notice's closing: blank lines, 署名, date, 附注

    def add(self, kind: str, **kw: Any) -> None:
        self.items.append({"k": kind, "line": self.p.line_twips, "pbb": "0", **kw})

    def blank(self, n: int = 1) -> None:
        for _ in range(n):
            self.add("blank")


def masthead_metrics(p: Profile, chars: float) -> tuple[float, int]:
    """Size (pt) and horizontal scale (%) that fit `chars` characters within the type-area width."""
    c = p["7.2.4"]
    room_pt = p.type_area_mm["width"] / 25.4 * 72 * c["fill_ratio"]
    size = min(float(c["max_size_pt"]), room_pt / chars)
    if size >= c["min_size_pt"]:
        return round(size * 2) / 2, 100
    return float(c["min_size_pt"]), max(33, int(100 * room_pt / (chars * c["min_size_pt"])))


def _masthead(b: Blocks, n: Notice) -> None:
    p = b.p
    c = p["7.2.4"]
    top_lines = [x for x in (n.copy_number, str(n.classification) if n.classification else None, n.urgency) if x]
    for text in top_lines:
        b.add("top", text=text)
    organs = n.masthead.organs
    longest = max(text_width_chars(o) for o in organs)
    joint = len(organs) > 1
    suffix = n.masthead.suffix
    chars = longest + (text_width_chars(suffix) + c["suffix_gap_chars"] if joint and suffix else 0)
    if not joint:
        chars = text_width_chars(organs[0] + suffix)
    size, scale = masthead_metrics(p, chars)
    line = round(size * 20 * 1.25)
    # the masthead's top edge sits 35 mm below the type area's top (clause 7.2.4)
    offset = round(size * 20 * p["calibration"]["masthead_glyph_offset"])
    spacer = mm_to_twips(c["top_below_type_area_mm"]) - len(top_lines) * p.line_twips - offset
    b.add("spacer", twips=max(spacer, 20), pbb="0")
    if not joint:
        b.add("masthead", text=organs[0] + suffix, half=round(size * 2), scale=scale, line=line)
    else:
        glyph = size * 20 * scale / 100
        slack = round(0.3 * glyph)  # an exact fit wraps in LibreOffice: the same slack on both outer sides
        names_w = round(longest * glyph) + slack
        gap = round(c["suffix_gap_chars"] * glyph) if suffix else 0
        suffix_w = gap + round(text_width_chars(suffix) * glyph) + slack if suffix else 0
        if not suffix:
            slack = 0
        b.add("masthead_joint", organs=organs, suffix=suffix, half=round(size * 2), scale=scale, line=line,
              names_width=names_w + slack, suffix_width=max(suffix_w, 1), width=names_w + slack + max(suffix_w, 1),
              slack=slack, gap=gap)
    b.blank(p["7.2.5"]["blank_lines_above"])
    _docno(b, n)


def _docno(b: Blocks, n: Notice) -> None:
    p = b.p
    number = str(n.number)
    width = p.type_area_twips[0]
    if not n.upward:
        b.add("docno", style="GwDocNo", text=number, jc="center", left=0, tab=width, label="", signers="")
        return
    # 上行文 (7.2.5/7.2.6): number left-indented 1 字 on the line of the last 签发人, names 2 per line
    c = p["7.2.6"]
    per = c["names_per_line"]
    right = width - p.chars(c["right_indent_chars"])
    groups = ["\u3000".join(n.signers[i:i + per]) for i in range(0, len(n.signers), per)]
    # the longest line ends 1 字 from the right; every line's names start where the first line's do
    names_at = right - p.chars(max(text_width_chars(g) for g in groups))
    label_at = names_at - p.chars(text_width_chars(c["label"]))
    # the 1-字 indent is a full-width space, not a paragraph indent, so the red line keeps the full 156 mm
    indent = "\u3000" * int(p["7.2.5"]["upward_indent_chars"])
    for i, group in enumerate(groups):
        last = i == len(groups) - 1
        b.add("docno", style="GwDocNo" if last else "GwBlank", text=indent + number if last else "", jc="left",
              left=0, tab=label_at if i == 0 else names_at, label=c["label"] if i == 0 else "", signers=group)


def add_title(b: Blocks, text: str, new_page: bool = False) -> None:
    c = b.p["7.3.1"]
    for i, line in enumerate(split_title(text, c["max_chars_per_line"], c["max_line_length_spread"])):
        b.add("title", text=line, pbb="1" if (new_page and i == 0) else "0")


def add_body(b: Blocks, blocks: Iterable) -> None:
    counters = [0, 0, 0, 0, 0]
    for blk in blocks:
        if isinstance(blk, Heading):
            counters[blk.level] += 1
            for deeper in range(blk.level + 1, 5):
                counters[deeper] = 0
            label = heading_label(blk.level, counters[blk.level])
            cstyle = f"GwH{blk.level}Char"
            if blk.body:
                b.add("heading", style="GwBody", cstyle=cstyle, head=label + blk.text, body=blk.body)
            else:
                b.add("heading", style=f"GwH{blk.level}", cstyle=cstyle, head=label + blk.text, body="")
        elif isinstance(blk, Paragraph):
            b.add("para", text=blk.text)
        elif isinstance(blk, LeadIn):
            b.add("lead_in", text=blk.text)
        elif isinstance(blk, Table):
            _table(b, blk)


def _table(b: Blocks, t: Table) -> None:
    width = b.p.type_area_twips[0]
    ratios = t.widths or [max(text_width_chars(c), 2) for c in t.columns]
    total = sum(ratios)
    widths = [round(width * r / total) for r in ratios]
    widths[-1] += width - sum(widths)
    if not t.widths:  # 0: no preference, service.layout.columns lays the table out from its content
        widths = [0] * len(widths)
    if t.caption:
        b.add("table_note", text=t.caption)
    b.add("table", columns=list(t.columns), rows=[list(r) for r in t.rows], widths=widths,
          row_twips=b.p["7.4.3"]["row_twips"])
    if t.footer:
        b.add("table_note", text=t.footer)


def _attachments(b: Blocks, annexes: list[Annex]) -> None:
    """附件说明 (7.3.4): 附件：1.name … numbered when several, wrapped names aligned with the first character."""
    if not annexes:
        return
    p = b.p
    c = p["7.3.4"]
    b.blank(c["blank_lines_above"])
    start = p.chars(c["indent_chars"])
    label_w = p.chars(len(c["label"]))
    if len(annexes) == 1:
        b.add("attach", label=c["label"], tabbed=False, text=annexes[0].title, tab=0,
              left=start + label_w, hanging=label_w)
        return
    left = start + label_w + p.chars(text_width_chars(f"{len(annexes)}.") + c["number_gap_chars"])
    for i, annex in enumerate(annexes, 1):
        first = start if i == 1 else start + label_w
        label = (c["label"] if i == 1 else "") + f"{i}."
        b.add("attach", label=label, tabbed=True, text=annex.title, tab=left, left=left, hanging=left - first)


def add_signature(b: Blocks, sig: Signature, note: str | None = None) -> None:
    """署名 and 成文日期 (7.3.5.1 with seal, 7.3.5.2 without), then the 附注."""
    p = b.p
    date = cn_date(sig.date)
    w_date = text_width_chars(date)
    names = list(sig.organs)
    w_name = max(text_width_chars(x) for x in names)
    if sig.sealed:
        c = p["7.3.5.1"]
        b.blank(c["blank_lines_above"])
        date_right = c["date_right_indent_chars"]
        centre = date_right + w_date / 2  # the names are centred over the date
        if len(names) > 1:
            _joint_sealed(b, names, centre)
            b.add("date", text=date, right=p.chars(date_right), keep="1" if note else "0")
            _note(b, note)
            return
        rights = [max(0.0, centre - text_width_chars(x) / 2) for x in names]
    else:
        c = p["7.3.5.2"]
        b.blank(c["blank_lines_above"])
        name_right = c["name_right_indent_chars"]
        date_right = name_right + w_name - c["date_offset_chars"] - w_date
        if date_right < name_right:  # the date is longer: it keeps 2 字, the names move left
            date_right = name_right
            name_right = date_right + w_date + c["date_offset_chars"] - w_name
        # joint issuance: names stacked, host first, left edges aligned
        rights = [name_right + w_name - text_width_chars(x) for x in names]
    for name, right in zip(names, rights):
        b.add("signature", text=name, right=p.chars(right))
    b.add("date", text=date, right=p.chars(date_right), keep="1" if note else "0")  # the 附注 stays with the date
    _note(b, note)


def _note(b: Blocks, note: str | None) -> None:
    if note:
        b.add("note", text=note if note.startswith("（") else f"（{note}）")


def _joint_sealed(b: Blocks, names: list[str], centre: float) -> None:
    """Joint issuance with seals (7.3.5.1): one seal per name, seals in rows, none touching another, each row
    within the type area; the last seal presses the last name and the date. Two names share a row when their
    seals and texts fit side by side, else one name a row; rows stand a seal's height apart."""
    p = b.p
    c = p["7.3.5.1"]
    char_mm = p.char_twips / 20 * 25.4 / 72
    width = p.type_area_mm["width"] / char_mm  # in 字
    seal = (c["seal_diameter_mm"] + c["seal_gap_mm"]) / char_mm
    radius = c["seal_diameter_mm"] / 2 / char_mm
    right_x = width - centre  # centre of the last seal, over the date, from the type area's left edge
    rows: list[list[str]] = []
    rest = list(names)
    if len(rest) % 2:
        rows.insert(0, [rest.pop()])
    while rest:
        pair = rest[-2:]
        del rest[-2:]
        rows.insert(0, pair)
    # rows one seal (and the gap) apart: whole body lines between the names
    gap = math.ceil((c["seal_diameter_mm"] + c["seal_gap_mm"]) / (p.line_pt * 25.4 / 72)) - 1
    for i, row in enumerate(rows):
        if i:
            b.blank(gap)
        if len(row) == 2:
            w1, w2 = (text_width_chars(x) for x in row)
            left_x = right_x - max(seal, (w1 + w2) / 2 + 1)
            if left_x - max(radius, w1 / 2) >= 0:
                b.add("signature_row", names=row, text="".join(row), tabs=[p.chars(left_x), p.chars(right_x)])
                continue
            # side by side they would leave the type area: one a row
            b.add("signature", text=row[0], right=p.chars(max(0.0, centre - w1 / 2)))
            b.blank(gap)
            row = row[1:]
        b.add("signature", text=row[0], right=p.chars(max(0.0, centre - text_width_chars(row[0]) / 2)))


def _annex_pages(b: Blocks, annexes: list[Annex]) -> None:
    """Annexes bound after the body (7.3.7): 附件N on line 1, the title centred on line 3, new page each."""
    for i, annex in enumerate(annexes, 1):
        blocks = annex_blocks(annex)
        if not blocks:
            continue
        b.add("annex_label", text=f"附件{i}" if len(annexes) > 1 else "附件")
        b.blank(b.p["7.3.7"]["title_line"] - 2)
        add_title(b, annex.title)
        b.blank()
        add_body(b, blocks)


def build_blocks(n: Notice, placement: ImprintPlacement, into: Blocks | None = None) -> list[dict[str, Any]]:
    p = profile()
    b = into or Blocks(p)
    _masthead(b, n)
    b.blank(p["7.3.1"]["blank_lines_above"])
    add_title(b, n.title)
    if n.recipients:  # moved to the 版记, the 主送 leaves its blank line under the title
        b.blank(p["7.3.2"]["blank_lines_above"])
        if not recipients_in_imprint(n, placement):
            b.add("recipients", text="、".join(n.recipients) + "：")
    add_body(b, n.blocks)
    _attachments(b, n.attachments)
    start = len(b.items)
    add_signature(b, n.signature, n.note)
    b.signature = (start, len(b.items))
    fit_signature_blocks(b, placement)
    if n.issued:
        add_title(b, n.issued.title, new_page=True)
        b.blank()
        add_body(b, n.issued.blocks)
        _attachments(b, n.issued.attachments)
    _annex_pages(b, n.annexes)
    # on a page of its own the 版记 follows a section break (postprocess), which starts the page
    b.add("spacer", twips=placement.spacer_twips, pbb="0", imprint_spacer=True)
    return b.items


def recipients_in_imprint(n: Notice, placement: ImprintPlacement) -> bool:
    """Clause 7.3.2: the 主送 stands in the 版记 when asked to, or when measured to leave page 1 without 正文."""
    at = n.imprint.recipients_at
    return bool(n.recipients) and (at == "imprint" or (at == "auto" and placement.recipients_in_imprint))


def fit_signature_blocks(b: Blocks, placement: ImprintPlacement) -> None:
    """Apply a measured clause-7.3.5.5 fit: tighter lines up to the date, or a page break that takes the last
    paragraph to the signature's page."""
    end = b.signature[1]
    if placement.tighten_from is not None and placement.tighten_twips:
        for item in b.items[placement.tighten_from:end]:
            item["line"] = placement.tighten_twips
    if placement.pull_from is not None:
        b.items[placement.pull_from]["pbb"] = "1"
    if placement.split_at is not None:
        # the paragraph's last lines open the next page: a page break inside the paragraph would leave its last
        # line unjustified, so it becomes two paragraphs, the first justified to its end, the second unindented
        idx, cut = placement.split_at  # cut: an offset in the block's text (block_text)
        item = b.items[idx]
        key = "body" if item["k"] == "heading" and item.get("body") else "text"
        cut -= len(block_text(item)) - len(item[key])
        whole = item[key]
        head, tail = whole[:cut], whole[cut:]
        item[key] = head
        item["last_line"] = "distribute"
        b.items.insert(idx + 1, {**item, "k": "para_continued", key: tail, "text": tail, "pbb": "1"})
        b.signature = (b.signature[0] + 1, b.signature[1] + 1)


def block_texts(n: Notice, placement: ImprintPlacement | None = None) -> tuple[list[str], tuple[int, int]]:
    """Each block's text (for matching measured lines back to blocks) and the signature's block range."""
    b = Blocks(profile())
    items = build_blocks(n, placement or ImprintPlacement(), into=b)
    return [block_text(i) for i in items], b.signature


def block_text(item: dict[str, Any]) -> str:
    return "".join(str(item.get(k) or "") for k in ("label", "text", "head", "body"))


def context(n: Notice, placement: ImprintPlacement) -> dict[str, Any]:
    imprint = n.imprint
    moved = recipients_in_imprint(n, placement)
    return {
        "core": {"title": f"{n.number} {n.title}", "date": f"{n.signature.date.isoformat()}T00:00:00Z"},
        "blocks": build_blocks(n, placement),
        "imprint": {
            "recipients": "，".join(n.recipients) + "。" if moved else "",
            "cc": "，".join(imprint.cc) + "。" if imprint.cc else "",
            "printer": imprint.printer,
            "date": cn_date(imprint.print_date) + "印发",
        },
    }


def postprocess(placement: ImprintPlacement | None):
    """Computed structure the template cannot express: table grids that follow their cells, and the section
    break that takes the blank page and the 版记 page out of the page numbering."""

    def fix(name: str, xml: str) -> str:
        if name != "word/document.xml":
            return xml
        root = etree.fromstring(xml.encode("utf-8"))
        for tbl in root.iter(f"{W}tbl"):
            first = tbl.find(f"{W}tr")
            grid = tbl.find(f"{W}tblGrid")
            if first is None or grid is None:
                continue
            widths = [tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w") for tc in first.findall(f"{W}tc")]
            if [col.get(f"{W}w") for col in grid] != widths:
                for col in list(grid):
                    grid.remove(col)
                for w in widths:
                    etree.SubElement(grid, f"{W}gridCol").set(f"{W}w", w)
        if placement is not None and placement.new_page:
            _imprint_section(root, placement.blank_page)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")

    return fix


def _imprint_section(root, blank_page: bool) -> None:
    """The 版记 on a page of its own: the numbered section ends with the last content paragraph; the 版记's section
    starts on the next even page. After an odd page that is the next page (w:type evenPage, so that Word, should
    it paginate differently, still puts the 版记 on an even page). After an even page LibreOffice 7.4 does not
    insert the blank page an evenPage section needs, so the section starts on the next page, holds an empty
    paragraph (the blank page) and the 版记 follows a page break. Per the profile's one rule (7.5) the 版记 page
    and the blank page carry no number."""
    body = root.find(f"{W}body")
    final = body.find(f"{W}sectPr")
    spacer = [p for p in body.iter(f"{W}p") if _style(p) == "GwSpacer"][-1]
    previous = spacer.getprevious()
    if previous is None or previous.tag != f"{W}p":  # the text ends with a table: a paragraph of no height
        previous = etree.Element(f"{W}p")
        etree.SubElement(etree.SubElement(previous, f"{W}pPr"), f"{W}pStyle").set(f"{W}val", "GwEnd")
        spacer.addprevious(previous)
    numbered = etree.fromstring(etree.tostring(final))
    ppr = previous.find(f"{W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{W}pPr")
        previous.insert(0, ppr)
    ppr.append(numbered)
    if not profile()["7.5"]["imprint_only_page_numbered"]:
        empty = footer_rids()["empty"]
        for ref in final.findall(f"{W}footerReference"):
            ref.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", empty)
    if blank_page:
        spacer.addprevious(etree.Element(f"{W}p"))
        spacer.find(f"{W}pPr/{W}pageBreakBefore").set(f"{W}val", "1")
        return
    kind = etree.Element(f"{W}type")
    kind.set(f"{W}val", "evenPage")
    refs = final.findall(f"{W}footerReference")
    (refs[-1].addnext if refs else lambda e: final.insert(0, e))(kind)


def footer_rids() -> dict[str, str]:
    """The notice template's footers by role: "odd"/"even" (numbered), "empty", and "landscape_odd"/
    "landscape_even" (the number turned, service.docx.base.rotated_page_number_footer) where the template has them."""
    tpl = load_template("notice")
    roles: dict[str, str] = {}
    for rid, target in sorted(tpl.relationships().items()):
        if not target.startswith("footer"):
            continue
        xml = tpl.raw[f"word/{target}"]
        if b"PAGE" not in xml:
            roles.setdefault("empty", rid)
            continue
        odd = b'w:val="right"' in xml
        roles.setdefault(("landscape_" if b"txbxContent" in xml else "") + ("odd" if odd else "even"), rid)
    if "empty" not in roles:
        raise LookupError("notice template has no empty footer")
    return roles


def _style(p) -> str | None:
    s = p.find(f"{W}pPr/{W}pStyle")
    return s.get(f"{W}val") if s is not None else None


def render_notice_docx(n: Notice, placement: ImprintPlacement | None = None) -> bytes:
    placement = placement or ImprintPlacement()
    tpl = load_template("notice")
    rids = footer_rids()
    turned = {rids[k]: rids[f"landscape_{k}"] for k in ("odd", "even") if k in rids and f"landscape_{k}" in rids}
    fix = glyphs.postprocess(tpl.raw["word/styles.xml"],  # fallback fonts, warnings
                             columns.postprocess(postprocess(placement), turned))  # widths from content, landscape
    return tpl.render(context(n, placement), postprocess=fix, when=n.signature.date)
