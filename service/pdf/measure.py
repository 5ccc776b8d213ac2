"""Measure a rendered PDF the way a checker with a ruler would: text lines (from the characters' boxes), drawn
rules (lines and thin filled rectangles, with their colour) and, for ink that boxes misstate, the raster.

All positions are in mm from the page's top-left corner.
"""
from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdffont import PDFFont
from pdfminer.pdfinterp import PDFResourceManager

PT = 25.4 / 72  # mm per point


@dataclass
class Line:
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    fonts: set[str] = field(default_factory=set)
    colors: set[tuple] = field(default_factory=set)

    @property
    def is_red(self) -> bool:
        return any(_is_red(c) for c in self.colors)

    @property
    def cjk_count(self) -> int:
        return sum(1 for ch in self.text if ord(ch) >= 0x2E80)


@dataclass
class Rule:
    y: float
    x0: float
    x1: float
    thickness: float
    color: tuple

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def is_red(self) -> bool:
        return _is_red(self.color)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    rules: list[Rule]

    @property
    def text(self) -> str:
        return "\n".join(x.text for x in self.lines)

    def body_lines(self, top: float, bottom: float) -> list[Line]:
        return [x for x in self.lines if x.top >= top - 0.5 and x.bottom <= bottom + 0.5]


def _is_red(color) -> bool:
    if not color:
        return False
    c = tuple(color)
    if len(c) == 3:
        return c[0] > 0.8 and c[1] < 0.3 and c[2] < 0.3
    if len(c) == 4:  # CMYK
        return c[1] > 0.6 and c[2] > 0.6 and c[3] < 0.2
    return False


def _color(obj, key: str) -> tuple:
    value = obj.get(key)
    if value is None:
        return ()
    if isinstance(value, (int, float)):
        return (value,)
    return tuple(value)


def _lines(chars: list[dict]) -> list[Line]:
    rows: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (round(c["bottom"], 0), c["x0"])):
        if not ch["text"].strip():
            continue
        for row in rows:
            ref = row[0]
            if abs(ref["bottom"] - ch["bottom"]) < 0.35 * max(ref["size"], ch["size"]):
                row.append(ch)
                break
        else:
            rows.append([ch])
    out = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        out.append(Line(
            top=min(c["top"] for c in row) * PT,
            bottom=max(c["bottom"] for c in row) * PT,
            x0=min(c["x0"] for c in row) * PT,
            x1=max(c["x1"] for c in row) * PT,
            text="".join(c["text"] for c in row),
            size=max(c["size"] for c in row),
            fonts={c["fontname"] for c in row},
            colors={_color(c, "non_stroking_color") for c in row},
        ))
    out.sort(key=lambda x: x.top)
    return out


def _rules(page) -> list[Rule]:
    out = []
    for ln in page.lines:
        if abs(ln["top"] - ln["bottom"]) < 0.5:
            out.append(Rule((ln["top"] + ln["bottom"]) / 2 * PT, ln["x0"] * PT, ln["x1"] * PT,
                            ln.get("linewidth", 0) * PT, _color(ln, "stroking_color")))
    for r in page.rects:
        if r["height"] < 3 and r["width"] > 20:
            color = _color(r, "non_stroking_color") if r.get("fill") else _color(r, "stroking_color")
            out.append(Rule((r["top"] + r["bottom"]) / 2 * PT, r["x0"] * PT, r["x1"] * PT, r["height"] * PT, color))
    out.sort(key=lambda r: r.y)
    return out


class _Blank(PDFFont):
    """A font that draws nothing: a page's paths parse without loading its fonts (their CMaps are most of the cost
    of parsing a page)."""

    def __init__(self) -> None:
        super().__init__({"FontBBox": [0, 0, 0, 0]}, {})

    def decode(self, data: bytes) -> list[int]:
        return []


class _PathsOnly(PDFResourceManager):
    def get_font(self, objid, spec) -> PDFFont:
        return _Blank()


class _ParsedPage(Page):
    """A page of a PDF being measured, parsed as it is looked at: the rules alone (without the text: cheap, what a
    layout pass that only looks for the 版记's rules needs), or the text lines and the rules together."""

    def __init__(self, pages: Pages, i: int):  # noqa: D107 - Page's fields are read through the properties below
        page = pages.doc.pages[i]
        self.number, self.width, self.height = i + 1, float(page.width) * PT, float(page.height) * PT
        self._pages, self._i = pages, i
        self._lines: list[Line] | None = None
        self._rules: list[Rule] | None = None

    @property
    def lines(self) -> list[Line]:  # type: ignore[override]
        if self._lines is None:
            page = self._pages.doc.pages[self._i]
            self._lines, self._rules = _lines(page.chars), _rules(page)
            page.close()
        return self._lines

    @property
    def rules(self) -> list[Rule]:  # type: ignore[override]
        if self._rules is None:
            page = self._pages.paths_only.pages[self._i]
            self._rules = _rules(page)
            page.close()
        return self._rules


class Pages(Sequence):
    """The measured pages of one PDF, each parsed on first access (a layout pass reads a few pages of many)."""

    def __init__(self, data: bytes, indices: range | None = None, cache: dict | None = None):
        self.data = data
        self.doc = pdfplumber.open(io.BytesIO(data))
        self._paths_only = None
        self._indices = range(len(self.doc.pages)) if indices is None else indices
        self._cache = {} if cache is None else cache

    @property
    def paths_only(self) -> pdfplumber.PDF:
        """The same PDF opened a second time, its fonts drawing nothing (for `_ParsedPage.rules`)."""
        if self._paths_only is None:
            self._paths_only = pdfplumber.open(io.BytesIO(self.data))
            self._paths_only.rsrcmgr = _PathsOnly()
        return self._paths_only

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, key):
        if isinstance(key, slice):
            view = Pages.__new__(Pages)
            view.data, view.doc, view._paths_only = self.data, self.doc, self._paths_only
            view._indices, view._cache = self._indices[key], self._cache
            return view
        i = self._indices[key]
        if i not in self._cache:
            self._cache[i] = _ParsedPage(self, i)
        return self._cache[i]


def measure(pdf: Path) -> Pages:
    """Text lines and rules of every page (a sequence of Page, parsed lazily)."""
    return Pages(pdf.read_bytes())


def page_text(pdf: Path) -> str:
    """The text layer, as poppler extracts it (what a search or a copy-paste gets)."""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@dataclass
class InkBox:
    top: float
    bottom: float
    left: float
    right: float


def ink_box(pdf: Path, page: int, *, red: bool, dpi: int = 200, region: tuple[float, float] | None = None,
            columns: tuple[float, float] | None = None) -> InkBox | None:
    """Bounding box (mm) of the red (or dark) ink on a page, optionally within a vertical band and a horizontal
    band (mm)."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "p"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf), str(base)],
                       check=True)
        ppm = next(Path(tmp).glob("p*.ppm")).read_bytes()
    # binary PPM: P6\n<w> <h>\n255\n
    parts = ppm.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    data = parts[3]
    mm = 25.4 / dpi
    y0, y1 = (0, h) if region is None else (int(region[0] / mm), min(h, int(region[1] / mm)))
    x0, x1 = (0, w) if columns is None else (max(0, int(columns[0] / mm)), min(w, int(columns[1] / mm) + 1))
    top = bottom = left = right = None
    for y in range(y0, y1):
        row = data[y * w * 3:(y + 1) * w * 3]
        xs = []
        for x in range(x0, x1):
            r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
            if (red and r > 180 and g < 110 and b < 110) or (not red and r < 90 and g < 90 and b < 90):
                xs.append(x)
        if xs:
            top = y if top is None else top
            bottom = y
            left = xs[0] if left is None else min(left, xs[0])
            right = xs[-1] if right is None else max(right, xs[-1])
    if top is None:
        return None
    return InkBox(top * mm, (bottom + 1) * mm, left * mm, (right + 1) * mm)


def char_boxes(pdf: Path, page: int, text: str) -> list[InkBox]:
    """The character boxes (mm) of every `text` character on a page, as the PDF places them."""
    with pdfplumber.open(pdf) as doc:
        chars = doc.pages[page - 1].chars
    return [InkBox(c["top"] * PT, c["bottom"] * PT, c["x0"] * PT, c["x1"] * PT) for c in chars if c["text"] == text]


def dash_ink(pdf: Path, page: int, below: float, dash: str = "—") -> list[InkBox]:
    """The ink of each page-number dash (一字线) lying below `below` mm: rasterised within its character box, so
    the position is the stroke's, not the font's box (clause 7.5 puts the dash's upper edge 7 mm under the type
    area)."""
    out = []
    for box in char_boxes(pdf, page, dash):
        if box.top < below:
            continue
        ink = ink_box(pdf, page, red=False, region=(box.top - 1, box.bottom + 1), columns=(box.left, box.right))
        if ink is not None:
            out.append(ink)
    return out
