"""Estimates the notice model needs before anything is rendered: the width of a line of body text in 字 and the
lines the 版记 takes (GB/T 9704-2012 clause 7.4: the 版记 fits one page). The model's validators refuse a notice
whose 版记 cannot fit (service.models.notice); the renderer (service.render.notice) lays out with the same widths.
"""
from __future__ import annotations

from service.layout.profile import profile


def text_width_chars(text: str) -> float:
    """Width in 字 of a line of body text: full-width characters are one, Western characters and the gaps
    LibreOffice puts between the two scripts as calibrated in the profile."""
    cal = profile()["calibration"]
    western = [ord(ch) < 0x2E80 and ch not in "—…“”‘’" for ch in text]
    gaps = sum(1 for a, b in zip(western, western[1:]) if a != b)
    return sum(cal["ascii_width_chars"] if w else 1.0 for w in western) + gaps * cal["script_gap_chars"]


def imprint_lines(recipients: list[str], cc: list[str]) -> int:
    """Lines the 版记's 主送/抄送 take in 4号 (an estimate, one line more than counted for safety per list)."""
    c = profile()["7.4.2"]
    first, wrapped = c["chars_per_line"], c["chars_per_line"] - len(c["label"])
    total = 0
    for names in (recipients, cc):
        if names:
            w = text_width_chars(c["label"] + "，".join(names) + "。")
            total += 1 + max(0, -(-int(w - first + 0.999) // wrapped))
    return total


def imprint_capacity() -> int:
    """版记 lines one page holds: the 印发 line and the 主送/抄送 lines, one 版记 row each."""
    p = profile()
    return int((p.type_area_twips[1] - 40) // p["7.4.3"]["row_twips"]) - 1


def imprint_overflow(recipients: list[str], cc: list[str]) -> str | None:
    """A Chinese message when the 版记 cannot fit one page (clause 7.4: it ends on the last page's bottom line)."""
    lines, room = imprint_lines(recipients, cc), imprint_capacity()
    if lines <= room:
        return None
    what = "主送机关和抄送机关" if recipients else "抄送机关"
    return (f"{what}过多：版记约需{lines}行，一页最多排{room}行（GB/T 9704-2012 第7.4条，版记须排在一页之内）；"
            f"请精简{what}")
