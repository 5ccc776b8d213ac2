"""The 荣誉证书 template (doc_templates/certificate.docx): landscape A4, no page number.

    荣誉证书                         (title, 方正小标宋简体, red, centred)
    {{ unit }}：                     (flush left)
        {{ reason }}                 (indented 2 字)
        {{ formula }}                (特发此证，以资鼓励。)
                       {{ issuer }}  (bottom right; the seal goes over it)
                       {{ date }}    (Chinese-numeral date)

Built once by `python doc_templates/build.py`; the committed .docx is the source the renderer loads.
"""
from __future__ import annotations

from pathlib import Path

from service.docx.base import TemplateBuilder
from service.docx.ooxml import para, ppr, rpr, run

TITLE_PT = 48
TEXT_PT = 22
TEXT_LINE = 40 * 20  # exact line pitch, twips (9 lines + the title fit the 156 mm landscape type area)
RED = "E60012"


def _line(text: str, *, jc: str = "left", first_chars: int = 0, right_chars: int = 0, size: float = TEXT_PT,
          font: str = "仿宋_GB2312", before: int = 0, line: int = TEXT_LINE, color: str | None = None,
          spacing: int | None = None) -> str:
    char = round(size * 20)
    ind = {"left": 0, "right": right_chars * char, "firstLine": first_chars * char}
    props = ppr(line=line, before=before, ind=ind, jc=jc, snap=False)
    return para(props, run(text, rpr(font, size, color=color, spacing=spacing), raw=True))


def body_xml(tb: TemplateBuilder) -> str:
    parts = [
        _line("{{ title }}", jc="center", size=TITLE_PT, font="方正小标宋简体", before=200, line=TITLE_PT * 20 + 400,
              color=RED, spacing=400),
        _line("", line=TEXT_LINE),
        _line("{{ unit }}：", before=200),
        _line("{{ reason }}", first_chars=2),
        _line("{{ formula }}", first_chars=2),
        _line("", line=TEXT_LINE),
        _line("{{ issuer }}", jc="right", right_chars=2),
        _line("{{ date }}", jc="right", right_chars=2),
    ]
    parts.append(tb.sect(landscape=True, numbered=False))
    return "".join(parts)


def build(path: Path) -> None:
    tb = TemplateBuilder()
    tb.save(body_xml(tb), path)
