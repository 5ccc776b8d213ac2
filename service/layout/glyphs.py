"""Glyph coverage: every character of a rendered .docx part is checked against the face that draws it (fontTools
cmap of the file fontconfig resolves the run's font to, with the project's fontconfig set-up).

- A character the face lacks but another installed font has (CJK Ext-B such as 𠀀 is in HanaMinB, fonts-hanazono)
  is put in a run of its own that names that font: LibreOffice 7.4 does not fall back by itself inside a .docx run
  (it prints the face's empty box), and Word/WPS then know which font the character needs.
- A character no installed font has is left as it is and reported: `warn()` hands the message to every active
  `collecting()` block (the render report, the job result).
"""
from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from functools import lru_cache

from lxml import etree

from service.layout.fonts import font_env

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
FALLBACK_ORDER = ("HanaMinA", "HanaMinB")  # preferred when several fonts have the character (config/fonts.conf)
DEFAULT_FACE = "宋体"
_IGNORED = {0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x3000, 0x200B, 0x2060, 0xFEFF}

_local = threading.local()


# ------------------------------------------------------------------------------------- warnings collection
@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the glyph warnings raised inside the block (nested blocks all receive them), without repeats."""
    sinks = _local.__dict__.setdefault("sinks", [])
    sink: list[str] = []
    sinks.append(sink)
    try:
        yield sink
    finally:
        sinks.remove(sink)


def warn(message: str) -> None:
    for sink in getattr(_local, "sinks", []):
        if message not in sink:
            sink.append(message)


def missing_message(ch: str, where: str) -> str:
    return (f"警告：字符“{ch}”（U+{ord(ch):04X}）在已安装的字体中都没有字形，打印时将是空框"
            f"（出现在“{where}”）；请改用常用字或安装含此字的字体")


# ------------------------------------------------------------------------------------- fonts and cmaps
def _fc(args: list[str]) -> str:
    return subprocess.run(args, env=font_env(), capture_output=True, text=True, check=False).stdout


@lru_cache(maxsize=64)
def face_file(face: str) -> tuple[str, int]:
    """The font file (and face index) fontconfig resolves `face` to."""
    out = _fc(["fc-match", "-f", "%{file}|%{index}", face]).strip()
    path, _, index = out.partition("|")
    return path, int(index or 0)


@lru_cache(maxsize=64)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # unreadable font file: treat as covering nothing
        return frozenset()


def covers(face: str, ch: str) -> bool:
    return ord(ch) in _cmap(*face_file(face))


@lru_cache(maxsize=4096)
def fallback_family(ch: str) -> str | None:
    """An installed family whose font maps `ch` (fontconfig's charset index), or None."""
    families = {line.strip() for line in _fc(["fc-list", "--format", "%{family[0]}\n", f":charset={ord(ch):x}"])
                .splitlines() if line.strip()}
    for name in FALLBACK_ORDER:
        if name in families:
            return name
    return min(families) if families else None


# ------------------------------------------------------------------------------------- the .docx part
def style_faces(styles_xml: bytes | str | None) -> tuple[dict[str, str], str]:
    """Paragraph/character style id -> its East Asian face (following basedOn), and the document default face."""
    if not styles_xml:
        return {}, DEFAULT_FACE
    root = etree.fromstring(styles_xml.encode() if isinstance(styles_xml, str) else styles_xml)
    default = _fonts_of(root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")) or DEFAULT_FACE
    own, based = {}, {}
    for st in root.findall(f"{W}style"):
        sid = st.get(f"{W}styleId")
        face = _fonts_of(st.find(f"{W}rPr"))
        if face:
            own[sid] = face
        b = st.find(f"{W}basedOn")
        if b is not None:
            based[sid] = b.get(f"{W}val")
    faces = {}
    for sid in set(own) | set(based):
        cur, seen = sid, set()
        while cur and cur not in own and cur not in seen:
            seen.add(cur)
            cur = based.get(cur)
        if cur in own:
            faces[sid] = own[cur]
    return faces, default


def _fonts_of(rpr) -> str | None:
    if rpr is None:
        return None
    f = rpr.find(f"{W}rFonts")
    if f is None:
        return None
    return f.get(f"{W}eastAsia") or f.get(f"{W}ascii") or f.get(f"{W}hAnsi")


def _run_face(run, faces: dict[str, str], default: str) -> str:
    face = _fonts_of(run.find(f"{W}rPr"))
    if face:
        return face
    rstyle = run.find(f"{W}rPr/{W}rStyle")
    if rstyle is not None and rstyle.get(f"{W}val") in faces:
        return faces[rstyle.get(f"{W}val")]
    p = next((a for a in run.iterancestors(f"{W}p")), None)
    pstyle = p.find(f"{W}pPr/{W}pStyle") if p is not None else None
    if pstyle is not None and pstyle.get(f"{W}val") in faces:
        return faces[pstyle.get(f"{W}val")]
    return default


def _segments(text: str, face: str) -> list[tuple[str, str | None]]:
    """Split text into (piece, family) where family is None for the run's own face."""
    out: list[tuple[str, str | None]] = []
    for ch in text:
        family = None
        if ord(ch) not in _IGNORED and ord(ch) >= 0x20 and not covers(face, ch):
            family = fallback_family(ch)
            if family is None:
                i = text.index(ch)
                warn(missing_message(ch, text[max(0, i - 8): i + 9]))
        if out and out[-1][1] == family:
            out[-1] = (out[-1][0] + ch, family)
        else:
            out.append((ch, family))
    return out


def cover_part(xml: str, faces: dict[str, str], default: str) -> str:
    """Give characters their face's missing glyphs from a fallback font (runs of their own); warn about the rest."""
    if "<w:t" not in xml:
        return xml
    root = etree.fromstring(xml.encode("utf-8"))
    changed = False
    for run in list(root.iter(f"{W}r")):
        texts = run.findall(f"{W}t")
        if len(texts) != 1 or not texts[0].text:
            for t in texts:  # several text pieces (tabs, breaks between): check only
                if t.text:
                    _segments(t.text, _run_face(run, faces, default))
            continue
        face = _run_face(run, faces, default)
        segs = _segments(texts[0].text, face)
        if all(fam is None for _, fam in segs):
            continue
        changed = True
        replace_run(run, [(piece, None if family is None else (lambda r, f=family: _set_fonts(r, f)))
                          for piece, family in segs])
    if not changed:
        return xml
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True).decode("utf-8")


def replace_run(run, pieces: list[tuple[str, Callable | None]]) -> None:
    """Replace a one-text run by one run per piece (same properties), `fix(run)` applied where given."""
    for piece, fix in pieces:
        if not piece:
            continue
        new = deepcopy(run)
        new_t = new.find(f"{W}t")
        new_t.text = piece
        new_t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        if fix is not None:
            fix(new)
        run.addprevious(new)
    run.getparent().remove(run)


def run_properties(run):
    """The run's w:rPr, created first in the run when missing."""
    rpr = run.find(f"{W}rPr")
    if rpr is None:
        rpr = etree.Element(f"{W}rPr")
        run.insert(0, rpr)
    return rpr


def _set_fonts(run, family: str) -> None:
    rpr = run_properties(run)
    fonts = rpr.find(f"{W}rFonts")
    if fonts is None:
        fonts = etree.Element(f"{W}rFonts")
        rpr.insert(1 if rpr.find(f"{W}rStyle") is not None else 0, fonts)  # rFonts follows rStyle (CT_RPr order)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(f"{W}{attr}", family)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme", "hint"):
        fonts.attrib.pop(f"{W}{attr}", None)


TEXT_PARTS = ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml", "word/endnotes.xml")


def postprocess(styles_xml: bytes | str | None,
                then: Callable[[str, str], str] | None = None) -> Callable[[str, str], str]:
    """A docx engine postprocess (name, xml) -> xml: `then` first, then the glyph coverage of text parts."""
    faces, default = style_faces(styles_xml)

    def run(name: str, xml: str) -> str:
        if then is not None:
            xml = then(name, xml)
        if name.startswith(TEXT_PARTS):
            xml = cover_part(xml, faces, default)
        return xml

    return run
