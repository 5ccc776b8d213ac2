"""Measured layout: render, convert with LibreOffice, measure, adjust, re-render and verify.

LibreOffice 7.4 ignores bottom-anchored floating tables and splits frames (reference §9a), so the 版记 is placed by
measurement: its last rule must sit on the type area's bottom line of an even page (clause 7.4.1). The .docx that
comes out paginates as LibreOffice does; the PDF is the print master.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from service.layout.profile import mm_to_twips, profile
from service.models.notice import Notice, cn_date
from service.pdf.convert import to_pdf
from service.pdf.measure import Page, Rule, measure
from service.render.notice import ImprintPlacement, render_notice_docx

TOLERANCE_MM = 0.3
MAX_PASSES = 4


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


def _place(n: Notice, pages: list[Page], current: ImprintPlacement) -> ImprintPlacement:
    """From a first pass with the 版记 right after the content: where it has to go."""
    bottom = _type_area_bottom()
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


def render_measured(n: Notice, workdir: Path | None = None) -> Rendered:
    """Render the notice, then place the 版记 by measuring LibreOffice's pages."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmpdir = Path(tmp)
        report = RenderReport()
        placement = ImprintPlacement()
        bottom = _type_area_bottom()
        docx = pdf_bytes = b""
        pages: list[Page] = []
        for attempt in range(1, MAX_PASSES + 1):
            docx = render_notice_docx(n, placement)
            src = tmpdir / f"pass{attempt}.docx"
            src.write_bytes(docx)
            pdf = to_pdf([src], tmpdir)[0]
            pdf_bytes = pdf.read_bytes()
            pages = measure(pdf)
            report.passes = attempt
            page, rules = _imprint_rules(pages)
            error = _target(rules[-1]) - rules[-1].y
            if attempt == 1:
                placement = _place(n, pages, placement)
                continue
            if page % 2 == 0 and abs(error) <= TOLERANCE_MM:
                break
            if page % 2 == 1:  # overshot onto the next page: shrink by what overflowed
                placement = ImprintPlacement(placement.spacer_twips - mm_to_twips(5), placement.new_page,
                                             placement.blank_page)
            else:
                placement = ImprintPlacement(placement.spacer_twips + mm_to_twips(error), placement.new_page,
                                             placement.blank_page)
        page, rules = _imprint_rules(pages)
        report.pages = len(pages)
        report.imprint_page = page
        report.imprint_bottom_mm = round(rules[-1].y, 2)
        if placement.blank_page:
            report.notes.append(f"正文止于第{page - 2}页（偶数页），版记另起偶数页：插入空白页第{page - 1}页，"
                                f"空白页和版记页不编页码（GB/T 9704-2012 第7.5条）")
        elif placement.new_page:
            report.notes.append(f"正文止于奇数页，版记排在第{page}页（偶数页）")
        return Rendered(docx, pdf_bytes, report)
