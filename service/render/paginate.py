"""Measured layout: render, convert with LibreOffice, measure, adjust, re-render and verify.

LibreOffice 7.4 ignores bottom-anchored floating tables and splits frames (reference §9a), so the 版记 is placed by
measurement: its last rule must sit on the type area's bottom line of an even page (clause 7.4.1). The .docx that
comes out paginates as LibreOffice does; the PDF is the print master.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from service.layout.profile import mm_to_twips, profile
from service.models.notice import Notice, NoticeValidationError
from service.pdf.convert import stabilise, to_pdf
from service.pdf.measure import Page, Pages, Rule
from service.render.notice import ImprintPlacement, block_texts, render_notice_docx

TOLERANCE_MM = 0.3
MAX_PASSES = 7


@dataclass
class RenderReport:
    pages: int = 0
    passes: int = 0
    imprint_page: int = 0
    imprint_bottom_mm: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class Rendered:
    docx: bytes
    pdf: bytes
    report: RenderReport


def _type_area_bottom() -> float:
    p = profile()
    return p.margins_mm["top"] + p.type_area_mm["height"]


def _imprint_rules(pages: list[Page]) -> tuple[int, list[Rule]]:
    """The 版记's rules: the black, type-area-wide rules of the last page that has any."""
    width = profile().type_area_mm["width"]
    for page in reversed(pages):
        rules = [r for r in page.rules if not r.is_red and abs(r.width - width) < 2]
        if rules:
            # the 版记 is the last group of full-width rules; table borders above it belong to annexes
            group = [rules[-1]]
            for r in reversed(rules[:-1]):
                if group[0].y - r.y > 40:
                    break
                group.insert(0, r)
            return page.number, group
    raise RuntimeError("rendered notice has no 版记 rules")


def _replace_imprint(current: ImprintPlacement, found: ImprintPlacement) -> ImprintPlacement:
    """Keep the signature fitting of `current`, take the 版记 placement of `found`."""
    return replace(current, spacer_twips=found.spacer_twips, new_page=found.new_page, blank_page=found.blank_page)


def _target(last: Rule) -> float:
    """Where the last rule's centre goes: its lower edge on the type area's bottom line. LibreOffice moves the
    table to the next page once its last row passes that line, so aim a hair inside it."""
    return _type_area_bottom() - last.thickness / 2 - 0.1


def _content_end(pages: list[Page], imprint_page: int, imprint_top: float) -> tuple[int, float]:
    """Page and bottom (mm) of the last body line before the 版记."""
    bottom = _type_area_bottom()
    for page in reversed(pages[:imprint_page]):
        limit = imprint_top - 0.5 if page.number == imprint_page else bottom + 0.5
        lines = [x for x in page.lines if x.bottom <= limit]
        if lines:
            return page.number, lines[-1].bottom
    return 1, 0.0


def _place(pages: list[Page], current: ImprintPlacement) -> ImprintPlacement:
    """From a first pass with the 版记 right after the content: where it has to go."""
    page, rules = _imprint_rules(pages)
    top, last = rules[0].y, rules[-1].y
    # the 版记's first line (主送/抄送): its top rule may have stayed on the page before
    labels = [x.top for x in pages[page - 1].lines if x.text.replace(" ", "")[:3] in IMPRINT_FIELDS]
    end_page, _ = _content_end(pages, page, min([top, *labels]))
    if page == end_page and page % 2 == 0:
        return ImprintPlacement(spacer_twips=current.spacer_twips + mm_to_twips(_target(rules[-1]) - last))
    # a page of its own, in a section that starts on an even page: after an odd page it is the next page, after
    # an even page a blank page comes first. Its height is measured there, at the page top (here its first rule
    # may have stayed on the page before), and the next pass moves it down.
    return ImprintPlacement(spacer_twips=20, new_page=True, blank_page=end_page % 2 == 0)


IMPRINT_FIELDS = {
    "抄送：": ("imprint.cc", "版记 › 抄送机关"),
    "主送：": ("recipients", "主送机关"),
}


def _check_imprint_fits(pages: list[Page], page: int, rules: list[Rule]) -> None:
    """Clause 7.4: the 版记 stands on one page. Where LibreOffice had to break it, refuse the document."""
    starts = [(pg.number, x.text.replace(" ", "")[:3]) for pg in pages for x in pg.lines
              if x.text.replace(" ", "")[:3] in IMPRINT_FIELDS]
    too_tall = rules[-1].y - rules[0].y > profile().type_area_mm["height"] - 1
    first_page, label = starts[0] if starts else (page, "抄送：")
    if first_page == page and not too_tall:
        return
    field, title = IMPRINT_FIELDS[label]
    what = "主送机关或抄送机关" if label == "主送：" else "抄送机关"
    raise NoticeValidationError([{"field": field, "title": title, "message": (
        f"{what}过多，版记一页排不下（GB/T 9704-2012 第7.4条：版记排在最后一页，末条分隔线与版心下边缘重合）；"
        f"请精简{what}")}])


def _block_of(texts: list[str], text: str, before: int) -> int | None:
    needle = text.replace(" ", "")
    for i in range(before - 1, -1, -1):
        if needle and needle in texts[i].replace(" ", ""):
            return i
    return None


def _split_offset(block: str, line: str) -> int | None:
    """Offset in `block` of the text of a measured `line` (spaces ignored), its last occurrence."""
    squeezed = block.replace(" ", "")
    at = squeezed.rfind(line.replace(" ", ""))
    if at <= 0:
        return None
    seen = -1
    for i, ch in enumerate(block):
        if ch != " ":
            seen += 1
        if seen == at:
            return i
    return None


def fit_signature(texts: list[str], signature: tuple[int, int], sealed: bool,
                  pages: list[Page]) -> tuple[ImprintPlacement, str] | None:
    """Clause 7.3.5.5: if 署名 and date open a page with no text above them, tighten the previous page's lines
    so they fit there; where that would go below the profile's minimum pitch, the previous page's last two lines
    go with them (so the page they leave keeps all but two of its lines).
    `texts` are the blocks' texts and `signature` the block range of the closing (service.render.notice)."""
    p = profile()
    s0, s1 = signature
    first = next(t for t in texts[s0:s1] if t).replace(" ", "")
    top = p.margins_mm["top"]
    bottom = _type_area_bottom()
    for page in pages:
        idx = next((i for i, x in enumerate(page.lines) if x.text.replace(" ", "") == first
                    and not x.is_red and abs(x.size - p.body_size_pt) < 0.5), None)  # not the masthead, not the title
        if idx is not None:
            break
    else:
        return None
    if page.number == 1 or any(x.top >= top - 0.5 for x in page.lines[:idx]):
        return None
    prev = pages[page.number - 2]
    body = [x for x in prev.lines if top - 0.5 <= x.top and x.bottom <= bottom + 0.5]
    if not body:
        return None
    last = _block_of(texts, body[-1].text, s0)
    first_block = _block_of(texts, body[0].text, (last or s0) + 1)
    pitch = p.line_pt * 25.4 / 72
    # the closing is the 署名 (rows), date and 附注 — not the 版记 that may share its page
    width = p.type_area_mm["width"]
    imprint_top = min((r.y for r in page.rules if not r.is_red and abs(r.width - width) < 2), default=bottom + 1)
    closing = [x for x in page.lines[idx:] if x.bottom <= min(imprint_top, bottom + 0.5)]
    span = round(((closing[-1].top + closing[-1].bottom) - (closing[0].top + closing[0].bottom)) / 2 / pitch) + 1
    closing_lines = span + p["7.3.5.1" if sealed else "7.3.5.2"]["blank_lines_above"]
    box_top = (body[0].top + body[0].bottom) / 2 - pitch / 2  # the first line's box, on the 579 lattice
    # the lines the page holds now (its free lines at the bottom included in what tightening gains)
    used = round(((body[-1].top + body[-1].bottom) - (body[0].top + body[0].bottom)) / 2 / pitch) + 1
    free = round((bottom - box_top) / pitch) - used
    twips = int(mm_to_twips(bottom - box_top) / (used + closing_lines)) - 1
    imprint = [r.y for r in page.rules if not r.is_red and abs(r.width - width) < 2]
    if prev.number % 2 == 0 and len(imprint) >= 2:
        # an even page: if tightening also makes room for the 版记 (measured where it follows the closing), it
        # stays on this page instead of taking a page of its own after a blank one
        room = mm_to_twips(bottom - box_top - (imprint[-1] - imprint[0]) - 2.5)
        with_imprint = int(room / (used + closing_lines)) - 1
        if with_imprint >= p["7.3.5.5"]["min_line_twips"]:
            twips = with_imprint
    if first_block is not None and twips >= p["7.3.5.5"]["min_line_twips"]:
        return (ImprintPlacement(tighten_from=first_block, tighten_twips=twips),
                f"署名和成文日期将单独成页：第{prev.number}页行距由{p.line_pt:g}磅调整为{twips / 20:g}磅"
                f"（GB/T 9704-2012 第7.3.5.5条）")
    if last is None:
        return None
    # move the last paragraph's last lines, so that the page they leave has at most 2 empty lines: two lines off
    # a full page, one off a page with a free line (or the whole paragraph if it has no more lines)
    move = 2 if free <= 0 else 1
    own = 0
    for line in reversed(body):
        if _block_of(texts, line.text, s0) != last:
            break
        own += 1
    cut = _split_offset(texts[last], body[-move].text) if own > move else None
    if cut is not None:
        return (ImprintPlacement(split_at=(last, cut)),
                f"署名和成文日期将单独成页，且第{prev.number}页行距压缩后仍容不下：正文最后{move}行移至第{page.number}页"
                f"与署名同页（GB/T 9704-2012 第7.3.5.5条）")
    return (ImprintPlacement(pull_from=last),
            f"署名和成文日期将单独成页，且第{prev.number}页行距压缩后仍容不下：正文最后一段移至第{page.number}页与署名同页"
            f"（GB/T 9704-2012 第7.3.5.5条）")


def _convert(docx: bytes, tmpdir: Path, attempt: int) -> tuple[Path, Pages]:
    """One layout pass: LibreOffice's PDF of `docx` and its measured pages (parsed as they are looked at). The PDF
    is made stable (`_kept`) only if it is the one kept."""
    src = tmpdir / f"pass{attempt}.docx"
    src.write_bytes(docx)
    pdf = to_pdf([src], tmpdir, stable=False)[0]
    return pdf, Pages(pdf.read_bytes())


def _kept(pdf: Path) -> bytes:
    return stabilise(pdf).read_bytes()


def render_signature_fitted(render: Callable[[ImprintPlacement], bytes], texts: list[str],
                            signature: tuple[int, int], sealed: bool) -> Rendered:
    """A document without 版记: render, measure, and re-render once if the signature would stand alone."""
    with tempfile.TemporaryDirectory() as tmp:
        report = RenderReport()
        placement = ImprintPlacement()
        for attempt in (1, 2):
            docx = render(placement)
            pdf, pages = _convert(docx, Path(tmp), attempt)
            report.passes, report.pages = attempt, len(pages)
            fit = fit_signature(texts, signature, sealed, pages) if attempt == 1 else None
            if fit is None:
                return Rendered(docx, _kept(pdf), report)
            placement, note = fit
            report.notes.append(note)
        raise AssertionError("unreachable")


def _first_page_lacks_body(n: Notice, pages: list[Page]) -> bool:
    """Clause 7.3.2/7.3.3: page 1 must show 正文; true when the 主送 leaves it fewer lines than the profile asks."""
    p = profile()
    top, bottom = p.margins_mm["top"], _type_area_bottom()
    recipients = ("、".join(n.recipients) + "：").replace(" ", "")
    lines = pages[0].body_lines(top, bottom)
    for i in range(len(lines) - 1, -1, -1):
        text = lines[i].text.replace(" ", "")
        if len(text) > 1 and recipients.endswith(text):
            return len(lines) - 1 - i < p["7.3.2"]["min_body_lines_on_first_page"]
    return True  # the 主送 runs past page 1


def render_measured(n: Notice, workdir: Path | None = None) -> Rendered:
    """Render the notice, then lay it out by measuring LibreOffice's pages: the 主送 (clause 7.3.2), the closing
    (7.3.5.5), then the 版记 on the bottom line of an even page (7.4.1), each decided once, in that order."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmpdir = Path(tmp)
        report = RenderReport()
        placement = ImprintPlacement()
        docx = b""
        pdf: Path | None = None
        pages: list[Page] = []
        recipients_checked = n.imprint.recipients_at != "auto" or not n.recipients
        fitted = placed = False
        for attempt in range(1, MAX_PASSES + 1):
            docx = render_notice_docx(n, placement)
            pdf, pages = _convert(docx, tmpdir, attempt)
            report.passes = attempt
            if not recipients_checked:
                recipients_checked = True
                if _first_page_lacks_body(n, pages):
                    placement = replace(placement, recipients_in_imprint=True)
                    report.notes.append("主送机关过多，首页排不下正文：主送机关移至版记（GB/T 9704-2012 第7.3.2条）")
                    continue
            if not fitted:
                fitted = True
                fit = fit_signature(*block_texts(n, placement), n.signature.sealed, pages)
                if fit is not None:
                    placement = replace(fit[0], recipients_in_imprint=placement.recipients_in_imprint)
                    report.notes.append(fit[1])
                    continue
            page, rules = _imprint_rules(pages)
            if placement.new_page:  # alone on its page and still broken: it does not fit one page
                _check_imprint_fits(pages, page, rules)
            error = _target(rules[-1]) - rules[-1].y
            if not placed:
                placement = _replace_imprint(placement, _place(pages, placement))
                placed = True
                continue
            if page % 2 == 0 and abs(error) <= TOLERANCE_MM:
                break
            shift = -mm_to_twips(5) if page % 2 == 1 else mm_to_twips(error)  # odd: overshot onto the next page
            placement = replace(placement, spacer_twips=placement.spacer_twips + shift)
        page, rules = _imprint_rules(pages)
        report.pages = len(pages)
        report.imprint_page = page
        report.imprint_bottom_mm = round(rules[-1].y, 2)
        if page % 2 or abs(_target(rules[-1]) - rules[-1].y) > 2 * TOLERANCE_MM:
            report.notes.append(f"警告：版记末条分隔线未能落在偶数页版心下边缘（第{page}页，{rules[-1].y:.1f} 毫米）")
        if placement.new_page:
            blank = [pg.number for pg in pages[:page - 1] if not pg.lines and not pg.rules]
            report.notes.append(
                (f"正文止于偶数页，版记另起偶数页：第{blank[-1]}页为空白页，" if blank else "正文止于奇数页，")
                + f"版记单独排在第{page}页；" + ("空白页和" if blank else "")
                + "版记页不编页码（GB/T 9704-2012 第7.5条）")
        assert pdf is not None
        return Rendered(docx, _kept(pdf), report)
