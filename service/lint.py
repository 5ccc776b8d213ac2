"""Text lint for 公文 input, and an opt-in normaliser for the mechanical fixes.

The lint reports, the normaliser (off by default) rewrites: sample data stays verbatim, typos and all.
Rules: half-width brackets, colons and commas inside Chinese text; Chinese-numeral or zero-padded dates; wrong
brackets or 第 in a cited 发文字号; `1、` where the standard numbers `1.`; 附件说明 wording that differs from the
annex's own title (clause 7.3.7).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import cn2an

CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"


@dataclass(frozen=True)
class Finding:
    field: str
    rule: str
    message: str
    excerpt: str
    fixable: bool

    def __str__(self) -> str:
        return f"{self.field}：{self.message}（“{self.excerpt}”）"


@dataclass(frozen=True)
class Rule:
    code: str
    pattern: re.Pattern
    message: str
    fix: Callable[[re.Match], str] | None


def _cn_date(m: re.Match) -> str:
    y = "".join(str(cn2an.cn2an(ch, "smart")) if ch != "〇" and ch != "零" else "0" for ch in m["y"])
    return f"{y}年{cn2an.cn2an(m['m'], 'smart')}月{cn2an.cn2an(m['d'], 'smart')}日"


CN_DIGIT = "〇零一二三四五六七八九"
RULES = [
    Rule("half-width-bracket", re.compile(rf"(?<={CJK})\(([^()]{{0,30}})\)|\(([^()]{{0,30}})\)(?={CJK})"),
         "中文文本中使用了半角括号，应为全角（）", lambda m: f"（{m.group(1) or m.group(2) or ''}）"),
    Rule("half-width-bracket", re.compile(rf"(?<={CJK})[()]|[()](?={CJK})"),
         "中文文本中使用了半角括号，应为全角（）", lambda m: "（" if m.group(0) == "(" else "）"),
    Rule("half-width-colon", re.compile(rf"(?<={CJK}):"), "中文文本中使用了半角冒号，应为全角：", lambda m: "："),
    Rule("half-width-comma", re.compile(rf"(?<={CJK}),(?=\S)"), "中文文本中使用了半角逗号，应为全角，", lambda m: "，"),
    Rule("chinese-numeral-date",
         re.compile(rf"(?P<y>[{CN_DIGIT}]{{4}})年(?P<m>[一二三四五六七八九十]{{1,3}})月(?P<d>[一二三四五六七八九十]{{1,3}})日"),
         "日期应使用阿拉伯数字（GB/T 9704-2012 第7.3.5.4条）", _cn_date),
    Rule("padded-date", re.compile(r"(?P<y>\d{4})年0(?P<m>\d)月(?P<d>\d{1,2})日|(?P<y2>\d{4})年(?P<m2>\d{1,2})月0(?P<d2>\d)日"),
         "日期的月、日不编虚位（不写 0）", lambda m: f"{m['y'] or m['y2']}年{int(m['m'] or m['m2'])}月{int(m['d'] or m['d2'])}日"),
    Rule("docno-bracket", re.compile(r"(?<=[\u4e00-\u9fff])[\[【(（](?P<y>\d{4})[\]】)）](?=第?\d+号)"),
         "发文字号的年份应使用六角括号〔〕", lambda m: f"〔{m['y']}〕"),
    Rule("docno-di", re.compile(r"(?<=〕)第(?=\d+号)"), "发文字号的序号前不加“第”", lambda m: ""),
    Rule("numbering-dunhao", re.compile(r"(?:(?<=^)|(?<=[。：；\n]))(?P<n>\d{1,2})、"),
         "阿拉伯数字序号后应使用“.”而不是“、”", lambda m: f"{m['n']}."),
]


def _strings(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            if k in ("type", "date", "print_date", "listed_as"):
                continue
            yield from _strings(v, f"{path}.{k}" if path else k)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _strings(v, f"{path}.{i}")


def lint(data: dict) -> list[Finding]:
    """Findings for a notice given as plain data (the JSON as loaded, or a model's dump)."""
    out: list[Finding] = []
    for path, text in _strings(data):
        covered: dict[str, set[int]] = {}
        for rule in RULES:
            seen = covered.setdefault(rule.code, set())
            for m in rule.pattern.finditer(text):
                span = set(range(m.start(), m.end()))
                if span & seen:
                    continue  # the same mark, already reported by a wider pattern of this rule
                seen |= span
                a, b = max(0, m.start() - 6), min(len(text), m.end() + 6)
                out.append(Finding(path, rule.code, rule.message, text[a:b], rule.fix is not None))
    for path, annex in _annexes(data):
        listed = annex.get("listed_as")
        if listed and listed != annex.get("title"):
            out.append(Finding(f"{path}.listed_as", "attachment-title-mismatch",
                               f"附件说明与附件标题不一致，已按附件标题“{annex.get('title')}”生成（GB/T 9704-2012 第7.3.7条）",
                               listed, False))
    return out


def _annexes(data: dict) -> Iterator[tuple[str, dict]]:
    for i, a in enumerate(data.get("attachments") or []):
        yield f"attachments.{i}", a
    for i, a in enumerate((data.get("issued") or {}).get("attachments") or []):
        yield f"issued.attachments.{i}", a


def normalise_text(text: str) -> str:
    for rule in RULES:
        if rule.fix is not None:
            text = rule.pattern.sub(rule.fix, text)
    return text


def normalise(data: Any) -> Any:
    """The same data with every mechanical fix applied (returns new objects; the input is unchanged)."""
    if isinstance(data, str):
        return normalise_text(data)
    if isinstance(data, dict):
        return {k: (v if k in ("type", "date", "print_date", "listed_as") else normalise(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [normalise(v) for v in data]
    return data
