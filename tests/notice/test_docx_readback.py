"""Word and WPS: every .docx the notice renderer produces reads back property by property with python-docx (table
row heights included), ends with a paragraph of next to no height, and validates against the OOXML schemas
(openxml-audit); the template holds no half-filled Jinja tag."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.shared import Twips
from lxml import etree

from service.config import TEMPLATE_DIR
from service.layout.profile import profile

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CASES = ["baisheng", "qingxi", "blank_page_case", "tightened_case", "pulled_case", "long_masthead", "long_cc_case",
         "wide_table_case", "squeeze_case", "squeeze_move_case", "many_recipients_case", "three_signers_case", "joint_sealed_case"]


@pytest.fixture(params=CASES)
def rendered_docx(request) -> bytes:
    return request.getfixturevalue(request.param).docx.read_bytes()


def _read_paragraph(p) -> None:
    f = p.paragraph_format
    for name in ("alignment", "first_line_indent", "left_indent", "right_indent", "line_spacing", "line_spacing_rule",
                 "space_before", "space_after", "keep_with_next", "keep_together", "page_break_before",
                 "widow_control"):
        getattr(f, name)
    for stop in f.tab_stops:
        stop.position, stop.alignment
    p.style and p.style.name
    for r in p.runs:
        r.text, r.font.name, r.font.size, r.font.bold, r.font.color.rgb, r.style and r.style.name


def _read_table(t) -> list:
    heights = []
    t.alignment, t.style and t.style.name
    for row in t.rows:
        heights.append((row.height, row.height_rule))
        for cell in row.cells:
            cell.width, cell.vertical_alignment
            for p in cell.paragraphs:
                _read_paragraph(p)
            for inner in cell.tables:
                heights += _read_table(inner)
    return heights


def test_every_property_reads_back_with_python_docx(rendered_docx):
    document = docx.Document(io.BytesIO(rendered_docx))
    for p in document.paragraphs:
        _read_paragraph(p)
    heights = [h for t in document.tables for h in _read_table(t)]
    # every data and 版记 row states its height as a number (it once read "{ b.row_twips }")
    assert all(h is None or h > 0 for h, _ in heights)
    assert any(h == Twips(profile()["7.4.3"]["row_twips"]) for h, _ in heights)
    for section in document.sections:
        (section.page_width, section.page_height, section.top_margin, section.bottom_margin, section.left_margin,
         section.right_margin, section.footer_distance, section.start_type, section.orientation)
        for footer in (section.footer, section.even_page_footer):
            for p in footer.paragraphs:
                _read_paragraph(p)
    for style in document.styles:
        style.name, style.type


def test_body_ends_with_a_paragraph_of_no_height(rendered_docx):
    """Word and WPS add a paragraph after a final table (579 twips where 0.3 mm is left: a page of its own)."""
    document = docx.Document(io.BytesIO(rendered_docx))
    children = [c for c in document.element.body if c.tag != f"{W}sectPr"]
    assert children[-1].tag == f"{W}p"
    last = document.paragraphs[-1]
    assert last.text == ""
    fmt = last.paragraph_format if last.paragraph_format.line_spacing else last.style.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing <= Twips(20)


def test_parts_validate_against_the_ooxml_schemas(rendered_docx, tmp_path):
    audit = pytest.importorskip("openxml_audit")
    path = tmp_path / "notice.docx"
    path.write_bytes(rendered_docx)
    result = audit.OpenXmlValidator(max_errors=20).validate(str(path))
    assert result.is_valid, [(e.description, getattr(e, "path", "")) for e in result.errors]


def test_template_holds_only_whole_jinja_tags():
    """The template's attribute values are numbers/keywords or whole {{ … }} expressions; a tag that str.format
    halved ("{ b.row_twips }") would reach the document unfilled."""
    with zipfile.ZipFile(TEMPLATE_DIR / "notice.docx") as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
        names = zf.namelist()
    assert "word/stylesWithEffects.xml" not in names
    for el in root.iter():
        for value in el.attrib.values():
            if "{" in value or "}" in value:
                assert re.fullmatch(r"\{\{ [^{}]+ \}\}", value), value
