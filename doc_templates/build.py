"""Template files of this folder. They are the source: edit them in Word/WPS/LibreOffice (labels, widths, fonts,
row heights, the blank-row counts in `blank_rows(n)`); tests render every one with sample data and measure the PDF.

    .venv/bin/python doc_templates/build.py tidy FILE.docx ...   drop python-docx's leftovers from a template
    .venv/bin/python doc_templates/build.py notice               rebuild notice.docx from its builder code

`tidy` removes what python-docx's default document carries and no template needs: the 438 KB
word/stylesWithEffects.xml, the thumbnail and the customXml item (with their relationships and content types).
"""
from __future__ import annotations

import importlib
import posixpath
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

# template name -> builder module (each has build(path)); the other templates have no builder
BUILDERS = {
    "notice": "service.docx.templates.notice",
    "certificate": "service.yearend.certificate_template",
}

LEFTOVERS = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "customXml/")
_REL = re.compile(rb'<Relationship [^>]*Target="([^"]+)"[^>]*/>')
_OVERRIDE = re.compile(rb'<Override PartName="/([^"]+)"[^>]*/>')


def _leftover(name: str) -> bool:
    return any(name == p or (p.endswith("/") and name.startswith(p)) for p in LEFTOVERS)


def tidy_bytes(data: bytes) -> bytes:
    """The package without the leftovers, entries in the same order, dated 1980-01-01 (reproducible)."""
    from io import BytesIO

    from service.ooxml.archive import deflate, pack_members

    entries = []
    with zipfile.ZipFile(BytesIO(data)) as zf:
        for name in zf.namelist():
            if _leftover(name):
                continue
            part = zf.read(name)
            if name.endswith(".rels"):
                def keep(m, rels=name):
                    return b"" if _leftover(_target(rels, m.group(1).decode())) else m.group(0)

                part = _REL.sub(keep, part)
            elif name == "[Content_Types].xml":
                part = _OVERRIDE.sub(lambda m: b"" if _leftover(m.group(1).decode()) else m.group(0), part)
            entries.append(deflate(name, part))
    return pack_members(entries)


def _target(rels_name: str, target: str) -> str:
    """The package path a relationship target points to (relative to the part the .rels file belongs to)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(posixpath.dirname(rels_name)), target))


def build(name: str, outdir: Path = HERE) -> Path:
    path = outdir / f"{name}.docx"
    importlib.import_module(BUILDERS[name]).build(path)
    return path


if __name__ == "__main__":
    if sys.argv[1:2] == ["tidy"]:
        for arg in sys.argv[2:]:
            Path(arg).write_bytes(tidy_bytes(Path(arg).read_bytes()))
            print(arg)
    else:
        for arg in sys.argv[1:] or list(BUILDERS):
            print(build(arg))
