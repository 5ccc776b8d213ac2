"""Characters the official faces lack: 𠀀 (CJK Ext-B) is drawn from the fallback font (HanaMin, fonts-hanazono)
and is in the PDF's text layer; a character no installed font has (a private-use or an unassigned plane-2 code
point) is a warning in the render report, on the CLI and in the job's result."""
from __future__ import annotations

import json
import subprocess

import pdfplumber
import pytest
from click.testing import CliRunner

from service.cli import main as cli
from service.layout import glyphs
from service.models.notice import parse_notice
from tests.notice.conftest import minimal_notice, render_sample

pytestmark = pytest.mark.pdf

RARE = "𠀀"  # U+20000, CJK Ext-B
PRIVATE, UNASSIGNED = "\ue000", "\U0002a6e0"  # private use; between Ext-B and Ext-C


def _notice(text: str) -> dict:
    return minimal_notice(blocks=[{"type": "paragraph", "text": text},
                                  {"type": "paragraph", "text": "第二段照常排印，不受影响。"}])


@pytest.fixture(scope="module")
def rare(tmp_path_factory):
    with glyphs.collecting() as warnings:
        sample = render_sample(parse_notice(_notice(f"本镇{RARE}村学习中心开展培训。")), tmp_path_factory.mktemp("rare"))
    return sample, warnings


def test_ext_b_character_has_a_glyph_from_the_fallback_font(rare):
    sample, warnings = rare
    fonts = subprocess.run(["pdffonts", str(sample.pdf)], capture_output=True, text=True, check=True).stdout
    assert "HanaMin" in fonts
    with pdfplumber.open(sample.pdf) as doc:
        chars = [c for p in doc.pages for c in p.chars]
    drawn = [c for c in chars if c["text"] == RARE]
    assert len(drawn) == 1 and "HanaMin" in drawn[0]["fontname"]
    assert drawn[0]["x1"] - drawn[0]["x0"] > 4  # a full-width glyph, not a zero-width nothing
    text = "".join(c["text"] for c in chars)
    assert f"本镇{RARE}村学习中心" in text  # the neighbours keep their face, in order
    assert not any(RARE in w for w in warnings)  # it prints: no warning


def test_ext_b_character_run_names_the_fallback_font(rare):
    sample, _ = rare
    import docx

    d = docx.Document(str(sample.docx))
    runs = [r for p in d.paragraphs for r in p.runs if RARE in r.text]
    assert len(runs) == 1 and runs[0].text == RARE
    assert runs[0].element.rPr.rFonts.get(f"{glyphs.W}eastAsia").startswith("HanaMin")


@pytest.mark.parametrize("ch", [PRIVATE, UNASSIGNED], ids=["private-use", "unassigned-plane-2"])
def test_character_without_any_glyph_is_a_warning(ch, tmp_path):
    src = tmp_path / "notice.json"
    src.write_text(json.dumps(_notice(f"请各村报送{ch}表格。"), ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "notice", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    message = f"U+{ord(ch):04X}"
    assert message in result.stderr and "空框" in result.stderr
    assert len(list((tmp_path / "out").glob("*.docx"))) == 1
