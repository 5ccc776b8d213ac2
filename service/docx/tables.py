"""WordprocessingML tables, the one builder of every table the service writes as XML (the notice template's data
table, 版记 and joint masthead). Elements in schema order; widths in twips, or Jinja expressions (strings) where a
template computes them.

    table([2000, 7000], row(cell(para(...), 2000) + cell(para(...), 7000), height=480), borders=grid_borders(6))
"""
from __future__ import annotations

from service.docx.ooxml import border

EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")  # CT_TblBorders order


def table_borders(edges: dict[str, int | None]) -> str:
    """<w:tblBorders>: a single line of the given size (eighths of a point) per edge, `None` for no line."""
    return "<w:tblBorders>" + "".join(
        border(e, edges[e]) if edges[e] is not None else f'<w:{e} w:val="nil"/>' for e in EDGES if e in edges
    ) + "</w:tblBorders>"


def grid_borders(size_eighths: int | None) -> str:
    """Every edge and every inside line alike (`None`: a table without lines)."""
    return table_borders(dict.fromkeys(EDGES, size_eighths))


def cell(content: str, width: int | str, *, span: int = 1, v_center: bool = False) -> str:
    """<w:tc> of `width` twips spanning `span` grid columns; `content` is its paragraphs (a cell needs one)."""
    pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if v_center:
        pr += '<w:vAlign w:val="center"/>'
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{content}</w:tc>"


def row(cells: str, *, height: int | str | None = None, exact: bool = False, header: bool = False,
        cant_split: bool = True) -> str:
    """<w:tr>: not split across pages, at least (or exactly) `height` twips high, repeated on each page as a
    header row when `header`."""
    pr = "<w:cantSplit/>" if cant_split else ""
    if height is not None:
        pr += f'<w:trHeight w:val="{height}" w:hRule="{"exact" if exact else "atLeast"}"/>'
    if header:
        pr += "<w:tblHeader/>"
    return f"<w:tr>{f'<w:trPr>{pr}</w:trPr>' if pr else ''}{cells}</w:tr>"


def table(grid: list[int | str], rows: str, *, width: int | str | None = None, borders: str = "",
          margins: int | None = None, style: str | None = None) -> str:
    """<w:tbl> centred, fixed layout, columns `grid` (twips), `width` their sum unless given; `margins`: the cells'
    left and right margin in twips (the style's when None)."""
    if width is None:
        width = sum(int(w) for w in grid)
    pr = f'<w:tblStyle w:val="{style}"/>' if style else ""
    pr += f'<w:tblW w:w="{width}" w:type="dxa"/><w:jc w:val="center"/>{borders}<w:tblLayout w:type="fixed"/>'
    if margins is not None:
        pr += (f'<w:tblCellMar><w:left w:w="{margins}" w:type="dxa"/><w:right w:w="{margins}" w:type="dxa"/>'
               "</w:tblCellMar>")
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    return f"<w:tbl><w:tblPr>{pr}</w:tblPr><w:tblGrid>{cols}</w:tblGrid>{rows}</w:tbl>"
