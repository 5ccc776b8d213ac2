"""Title wrapping per clause 7.3.1: ≤ 20 characters a line, words kept whole (jieba), no break inside a 《》 title
unless the 《》 span alone is longer than a line, and a 梯形 or 菱形 shape — never an hourglass."""
from __future__ import annotations

import itertools
import logging
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

NO_LINE_START = set("，。、；：？！）》」』”’〕】…—,.;:?!)")
NO_LINE_END = set("（《「『“‘〔【(")


@lru_cache(maxsize=1024)
def _word_bounds(text: str) -> frozenset[int]:
    bounds, pos = set(), 0
    for word in jieba.cut(text, HMM=False):
        pos += len(word)
        bounds.add(pos)
    return frozenset(bounds)


def _book_spans(text: str) -> list[tuple[int, int]]:
    spans, stack = [], []
    for i, ch in enumerate(text):
        if ch == "《":
            stack.append(i)
        elif ch == "》" and stack:
            spans.append((stack.pop(), i + 1))
    return spans


def _penalty(lines: list[str], cuts: tuple[int, ...], text: str, max_chars: int, max_spread: int) -> float | None:
    lens = [len(x) for x in lines]
    if max(lens) > max_chars:
        return None
    for line in lines[1:]:
        if line[0] in NO_LINE_START:
            return None
    for line in lines[:-1]:
        if line[-1] in NO_LINE_END:
            return None
    score = float(max(lens) - min(lens))
    if score > max_spread:
        score += 10 * (score - max_spread)
    # hourglass (a middle line shorter than both neighbours) is not a trapezoid or a diamond
    for a, b, c in zip(lens, lens[1:], lens[2:]):
        if b < a and b < c:
            score += 8
    for cut in cuts:
        if text[cut - 1].isascii() and text[cut - 1].isalnum():
            score += 50  # 2023 | 年度: a number stays with its unit
        if text[cut - 1].isspace():
            score -= 4  # joint titles separate the organs with a space: the natural break
        if text.startswith("关于", cut):
            score -= 1  # the organ name ends where 关于 begins: the natural break
        elif text.endswith("关于", 0, cut):
            score += 3  # 关于 | 印发 tears a phrase apart
        for start, end in _book_spans(text):
            if start < cut < end:
                score += 6 if end - start > max_chars else 100
    return score


def split_title(text: str, max_chars: int = 20, max_spread: int = 6) -> list[str]:
    """The title's lines. Breaks only at word boundaries; lines as even as possible."""
    if len(text) <= max_chars:
        return [text]
    bounds = sorted(b for b in _word_bounds(text) if 0 < b < len(text))
    n_min = -(-len(text) // max_chars)
    for n in range(n_min, n_min + 3):
        best: tuple[float, tuple[int, ...]] | None = None
        for cuts in itertools.combinations(bounds, n - 1):
            edges = (0, *cuts, len(text))
            lines = [text[a:b] for a, b in zip(edges, edges[1:])]
            score = _penalty(lines, cuts, text, max_chars, max_spread)
            if score is not None and (best is None or score < best[0]):
                best = (score, cuts)
        if best is not None:
            edges = (0, *best[1], len(text))
            return [text[a:b].strip() for a, b in zip(edges, edges[1:])]
    # no word boundary works (a single very long word): cut at max_chars
    return [text[i:i + max_chars] for i in range(0, len(text), max_chars)]
