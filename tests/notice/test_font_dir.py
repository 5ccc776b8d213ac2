"""A folder of licensed fonts (WENSHU_FONT_DIR) wins over the free substitutes when it holds the official face."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from service.config import settings
from service.layout import fonts
from service.models.notice import parse_notice
from service.pdf.convert import to_pdf
from service.render.notice import render_notice_docx
from tests.notice.conftest import minimal_notice

SOURCE = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")


def _official_face(folder: Path) -> None:
    """Stand-in for a licensed 仿宋_GB2312: a free face renamed to the official family name."""
    font = TTFont(SOURCE)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16, 17, 18):
            names.removeNames(nameID=record.nameID)
    for platform, encoding, lang in ((3, 1, 0x804), (3, 1, 0x409)):
        names.setName("仿宋_GB2312", 1, platform, encoding, lang)
        names.setName("仿宋_GB2312", 4, platform, encoding, lang)
    names.setName("LicensedFangSongTest", 6, 3, 1, 0x409)
    font.save(folder / "licensed-fangsong.ttf")


@pytest.fixture
def licensed_dir(tmp_path, monkeypatch):
    folder = tmp_path / "fonts"
    folder.mkdir()
    _official_face(folder)
    monkeypatch.setenv("WENSHU_FONT_DIR", str(folder))
    monkeypatch.setenv("WENSHU_INSTANCE", str(tmp_path / "instance"))
    settings.cache_clear()
    yield folder
    settings.cache_clear()


def test_licensed_folder_wins(licensed_dir, tmp_path):
    assert str(licensed_dir) in fonts.fontconfig_file().read_text(encoding="utf-8")
    assert fonts.matched_fonts()["仿宋_GB2312"].startswith("仿宋_GB2312")
    assert fonts.matched_fonts()["黑体"].startswith("Noto Sans CJK SC")  # the others keep their substitutes
    src = tmp_path / "n.docx"
    src.write_bytes(render_notice_docx(parse_notice(minimal_notice())))
    pdf = to_pdf([src], tmp_path)[0]
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "LicensedFangSongTest" in out


def test_without_the_folder_the_substitute_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("WENSHU_FONT_DIR", raising=False)
    settings.cache_clear()
    try:
        assert fonts.matched_fonts()["仿宋_GB2312"] == "Noto Serif CJK SC|Light"
    finally:
        settings.cache_clear()
