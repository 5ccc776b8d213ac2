"""The one file-naming rule of the service: every file the service writes or sends is named here.

    document_filename("关于印发《…》的通知", ".docx", "涪百府发〔2020〕75号")
        -> "涪百府发〔2020〕75号 关于印发《…》的通知.docx"
    ascii_fallback("涪百府发〔2020〕75号 关于印发《…》的通知.docx") -> "notice-2020-75.docx"

Names stay Chinese. Characters that Windows or Linux refuse in a file name become their full-width
equivalents, whitespace collapses to one space, and the name is bounded in UTF-8 bytes (the suffix is kept).
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# Linux allows 255 bytes per name; zip tools and Windows paths need room too.
MAX_NAME_BYTES = 200
ELLIPSIS = "…"

_FULL_WIDTH = str.maketrans({
    "/": "／", "\\": "＼", ":": "：", "*": "＊", "?": "？", '"': "＂", "<": "＜", ">": "＞", "|": "｜",
})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s+")  # includes the ideographic space U+3000
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)", re.I)

# Kinds of document, for the ASCII fallback name. The kind is the keyword that ends last in the name
# ("关于印发《…月报表》的通知" is a notice), the longest keyword winning a tie.
KIND_SLUGS: dict[str, str] = {
    "通知": "notice",
    "实施方案": "plan",
    "决定": "decision",
    "通报": "circular",
    "公示": "public-notice",
    "月报表": "monthly-report",
    "季报": "quarterly-report",
    "季报表": "quarterly-report",
    "报表": "report",
    "领导小组成员表": "leadership-group",
    "成员表": "members",
    "记录卡": "ledger-card",
    "台帐": "ledger",
    "台账": "ledger",
    "考核表": "assessment",
    "花名册": "roster",
    "名册": "roster",
    "建档要求": "archive-requirements",
    "培训内容": "training-content",
    "清单": "manifest",
    "文件包": "bundle",
}
QUALIFIER_SLUGS: dict[str, str] = {"空白": "blank", "填报": "filled", "样表": "sample"}


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text).translate(_FULL_WIDTH)
    return _SPACE.sub(" ", text).strip()


def _fit(stem: str, suffix: str, max_bytes: int) -> str:
    if len((stem + suffix).encode("utf-8")) <= max_bytes:
        return stem + suffix
    budget = max_bytes - len((ELLIPSIS + suffix).encode("utf-8"))
    out, used = [], 0
    for ch in stem:
        size = len(ch.encode("utf-8"))
        if used + size > budget:
            break
        out.append(ch)
        used += size
    return "".join(out).rstrip(" .") + ELLIPSIS + suffix


def document_filename(title: str, suffix: str, number: str | None = None, *,
                      max_bytes: int = MAX_NAME_BYTES) -> str:
    """`[number ]title.suffix`, safe on Windows and Linux, at most `max_bytes` UTF-8 bytes."""
    suffix = _clean(suffix).replace(" ", "")
    if suffix and not suffix.startswith("."):
        suffix = "." + suffix
    stem = " ".join(p for p in (_clean(number or ""), _clean(title)) if p)
    stem = stem.strip(" .")  # Windows drops trailing dots and spaces
    if not stem:
        raise ValueError("文件名不能为空")
    if _WINDOWS_RESERVED.match(stem):
        stem = "_" + stem
    return _fit(stem, suffix, max_bytes)


def _kind_slug(stem: str) -> str | None:
    best: tuple[int, int, str] | None = None
    for word, slug in KIND_SLUGS.items():
        pos = stem.rfind(word)
        if pos >= 0:
            key = (pos + len(word), len(word), slug)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


def ascii_fallback(name: str, kind: str | None = None) -> str:
    """A meaningful ASCII name for HTTP Content-Disposition `filename=` (the UTF-8 name goes in `filename*`).

    Built from the document kind, the ASCII runs of the name (year, serial, annex number) and qualifiers:
    `涪百府发〔2020〕75号 关于印发《…》的通知.docx` -> `notice-2020-75.docx`,
    `附件3 百胜镇社区教育培训月报表（空白）.xlsx` -> `monthly-report-annex3-blank.xlsx`.
    """
    stem, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", ext):
        stem, ext = name, ""
    stem = unicodedata.normalize("NFKC", stem)
    stem = re.sub(r"附件\s*(\d+)", r" annex\1 ", stem)
    parts = [kind or _kind_slug(stem) or "document"]
    parts += [run.lower() for run in re.findall(r"[A-Za-z0-9]+", stem)]
    parts += [slug for word, slug in QUALIFIER_SLUGS.items() if word in stem]
    slug = "-".join(dict.fromkeys(p for p in parts if p))  # drop repeats, keep order
    slug = slug[:100].strip("-")
    return f"{slug}.{ext.lower()}" if ext else slug


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """RFC 6266 header value: ASCII fallback plus the UTF-8 name (RFC 5987)."""
    return f"{disposition}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
