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
from service.models.notice import Notice
from service.pdf.convert import to_pdf
from service.pdf.measure import Page, Rule, measure
from service.render.notice import ImprintPlacement, block_texts, render_notice_docx

TOLERANCE_MM = 0.3
MAX_PASSES = 5


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
    end_page, _ = _content_end(pages, page, top)
    height = last - top
    if page == end_page and page % 2 == 0:
        return ImprintPlacement(spacer_twips=current.spacer_twips + mm_to_twips(_target(rules[-1]) - last))
    full_page = mm_to_twips(profile().type_area_mm["height"] - height - 1.0)
    if end_page % 2 == 1:  # the content ends on an odd page: the 版记 takes the next, even, page
        return ImprintPlacement(spacer_twips=full_page, new_page=True)
    # the content ends on an even page with no room left: a blank odd page, then the 版记 on an even page
    return ImprintPlacement(spacer_twips=full_page, new_page=True, blank_page=True)


def _block_of(texts: list[str], text: str, before: int) -> int | None:
    needle = text.replace(" ", "")
    for i in range(before - 1, -1, -1):
        if needle and needle in texts[i].replace(" ", ""):
            return i
    return None


def fit_signature(texts: list[str], signature: tuple[int, int], sealed: bool,
                  pages: list[Page]) -> tuple[ImprintPlacement, str] | None:
    """Clause 7.3.5.5: if 署名 and date open a page with no text above them, tighten the previous page's lines
    so they fit there; where that would go below the profile's minimum pitch, take the last paragraph along.
    `texts` are the blocks' texts and `signature` the block range of the closing (service.render.notice)."""
    p = profile()
    s0, s1 = signature
    first = next(t for t in texts[s0:s1] if t)
    top = p.margins_mm["top"]
    bottom = _type_area_bottom()
    for page in pages:
        idx = next((i for i, x in enumerate(page.lines) if x.text.replace(" ", "") == first.replace(" ", "")
                    and x.x0 > page.width / 3), None)
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
    closing = [x for x in page.lines[idx:] if x.bottom <= bottom + 0.5]
    closing_lines = len(closing) + p["7.3.5.1" if sealed else "7.3.5.2"]["blank_lines_above"]
    box_top = (body[0].top + body[0].bottom) / 2 - pitch / 2  # the first line's box, on the 579 lattice
    slots = round((bottom - box_top) / pitch)
    twips = int(mm_to_twips(bottom - box_top) / (slots + closing_lines)) - 1
    if first_block is not None and twips >= p["7.3.5.5"]["min_line_twips"]:
        return (ImprintPlacement(tighten_from=first_block, tighten_twips=twips),
                f"署名和成文日期将单独成页：第{prev.number}页行距由{p.line_pt:g}磅调整为{twips / 20:g}磅"
                f"（GB/T 9704-2012 第7.3.5.5条）")
    if last is None:
        return None
    return (ImprintPlacement(pull_from=last),
            f"署名和成文日期将单独成页，且第{prev.number}页行距压缩后仍容不下：正文最后一段移至第{page.number}页与署名同页"
            f"（GB/T 9704-2012 第7.3.5.5条）")


def _convert(docx: bytes, tmpdir: Path, attempt: int) -> tuple[bytes, list[Page]]:
    """One layout pass: LibreOffice's PDF of `docx` and its measured pages."""
    src = tmpdir / f"pass{attempt}.docx"
    src.write_bytes(docx)
    pdf = to_pdf([src], tmpdir)[0]
    return pdf.read_bytes(), measure(pdf)


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
                return Rendered(docx, pdf, report)
            placement, note = fit
            report.notes.append(note)
        raise AssertionError("unreachable")


def render_measured(n: Notice, workdir: Path | None = None) -> Rendered:
    """Render the notice, then place the 版记 by measuring LibreOffice's pages."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmpdir = Path(tmp)
        report = RenderReport()
        placement = ImprintPlacement()
        docx = pdf_bytes = b""
        pages: list[Page] = []
        placed = False
        for attempt in range(1, MAX_PASSES + 1):
            docx = render_notice_docx(n, placement)
            pdf_bytes, pages = _convert(docx, tmpdir, attempt)
            report.passes = attempt
            if attempt == 1:
                fit = fit_signature(*block_texts(n), n.signature.sealed, pages)
                if fit is not None:
                    placement, note = fit
                    report.notes.append(note)
                    continue
            page, rules = _imprint_rules(pages)
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
        if placement.blank_page:
            report.notes.append(f"正文止于第{page - 2}页（偶数页），版记另起偶数页：插入空白页第{page - 1}页，"
                                f"空白页和版记页不编页码（GB/T 9704-2012 第7.5条）")
        elif placement.new_page:
            report.notes.append(f"正文止于奇数页，版记排在第{page}页（偶数页）")
        return Rendered(docx, pdf_bytes, report)
