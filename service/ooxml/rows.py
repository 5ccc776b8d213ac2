"""Rows streamed into a worksheet part that openpyxl wrote, for listings too long to hold as openpyxl cells.

openpyxl keeps every cell as a Python object: a 150,000-row listing costs hundreds of MB before it is saved.
Here openpyxl writes the sheet with its header row (and its widths, panes and styles), plus the two style sample
rows `add_style_samples` puts below it; `with_rows` then replaces the sample rows with the listing, written as XML text directly:
text as inline strings (never a formula, whatever it starts with), numbers as numbers, each cell with the style
its sample cell had. The same rule as service.ooxml.cells.put: text that a spreadsheet would take for a formula
gets the quotePrefix style.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import column_index_from_string, get_column_letter

from service.ooxml.cells import looks_like_formula

EXCEL_ROWS = 1_048_576  # the last row a sheet can have in Excel and WPS
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_EDGE_SPACE = re.compile(r"^\s|\s$")
TEXT_ROW, QUOTED_ROW = 2, 3  # the style samples: text (and numbers), text that looks like a formula


def add_style_samples(ws, columns: int, font) -> None:
    """Below the header row of `ws`: one styled cell per column for text, one for formula-like text (quotePrefix)."""
    for column in range(1, columns + 1):
        for row in (TEXT_ROW, QUOTED_ROW):
            ws.cell(row, column).font = font
        ws.cell(QUOTED_ROW, column).quotePrefix = True


def with_rows(sheet_xml: bytes, rows: Iterable[Sequence]) -> bytes:
    """`sheet_xml` (a worksheet part with `add_style_samples`) with `rows` from row TEXT_ROW on. The samples are
    dropped: a text or number takes the TEXT_ROW cell's style, text that looks like a formula the QUOTED_ROW cell's.
    A None value leaves its cell out."""
    root = etree.fromstring(sheet_xml, _PARSER)
    data = root.find(f"{{{_NS}}}sheetData")
    dimension = root.find(f"{{{_NS}}}dimension")
    columns = _column_index(dimension.get("ref").split(":")[-1]) if dimension is not None else 1
    samples: dict[int, dict[int, str]] = {TEXT_ROW: {}, QUOTED_ROW: {}}
    for row in list(data):
        r = int(row.get("r"))
        if r in samples:
            for c in row:
                samples[r][_column_index(c.get("r"))] = c.get("s", "0")
            data.remove(row)
    plain, quoted = samples[TEXT_ROW], samples[QUOTED_ROW]
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    head, tail = xml.replace(b"<sheetData/>", b"<sheetData></sheetData>", 1).split(b"</sheetData>", 1)
    out = [head]
    last = TEXT_ROW - 1
    width = 0
    for last, values in enumerate(rows, start=TEXT_ROW):
        if last > EXCEL_ROWS:
            raise ValueError(f"a sheet has at most {EXCEL_ROWS} rows")
        cells = []
        for i, value in enumerate(values, start=1):
            if value is None:
                continue
            ref = f"{get_column_letter(i)}{last}"
            if isinstance(value, str):
                text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
                style = quoted.get(i, plain.get(i, "0")) if looks_like_formula(text) else plain.get(i, "0")
                space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
                cells.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
            else:
                cells.append(f'<c r="{ref}" s="{plain.get(i, "0")}" t="n"><v>{value}</v></c>')
        width = max(width, len(values))
        out.append(f'<row r="{last}">{"".join(cells)}</row>'.encode())
    out.append(b"</sheetData>" + tail)
    xml = b"".join(out)
    ref = f"A1:{get_column_letter(max(width, columns))}{max(last, 1)}".encode()
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + ref + b'"/>', xml, count=1)


def _column_index(ref: str) -> int:
    return column_index_from_string(ref.rstrip("0123456789"))


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet title -> its worksheet part name, in an .xlsx package's `parts` (name -> bytes)."""
    book = etree.fromstring(parts["xl/workbook.xml"], _PARSER)
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"], _PARSER)
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")}
    out = {}
    for sheet in book.iter(f"{{{_NS}}}sheet"):
        target = targets[sheet.get(f"{{{_REL_NS}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out
