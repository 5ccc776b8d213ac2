"""Reading the import sheets' cells: header matching and each cell's typed value, or a Chinese CellValueError that
names what is expected (the field kinds of service.records.exchange.sheets)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from service.models.text import text_problem
from service.records import vocab
from service.records.exchange.sheets import NO, YES, Field
from service.units import normalize_phone


class CellValueError(ValueError):
    """A cell value that cannot be read; the message is Chinese and names what is expected."""


_HEADER_JUNK = re.compile(r"[\s*＊]|（[^）]*）|\([^)]*\)")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MARK_ALIASES = {"√": "到", "✓": "到", "/": "到", "○": "缺", "×": "假", "¢": "迟"}
_CN_DIGITS = "一二三四五六七八九十"


def header_key(text: object) -> str:
    return _HEADER_JUNK.sub("", str(text or ""))


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _int(value: object, f: Field) -> int:
    if isinstance(value, bool):
        raise CellValueError("应为整数")
    if isinstance(value, (int, float)):
        if float(value) != int(value):
            raise CellValueError(f"应为整数，不能是“{value}”")
        number = int(value)
    else:
        text = _text(value)
        if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            raise CellValueError(f"应为整数，不能是“{text}”")
        number = int(float(text))
    if f.low is not None and number < f.low or f.high is not None and number > f.high:
        raise CellValueError(f"应在{f.low}至{f.high}之间，不能是{number}")
    return number


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    m = _DATE_TEXT.match(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CellValueError(f"应为日期（如 2020-05-06），不能是“{text}”")


def _category(value: object) -> int:
    text = _text(value)
    m = re.match(r"^(\d{1,2})(?:[.、．\s]|$)", text)
    if m:
        no = int(m[1])
    elif text in _CN_DIGITS or text.startswith("十") and text[1:] in _CN_DIGITS[:3]:
        no = _CN_DIGITS.index(text) + 1 if len(text) == 1 else 10 + _CN_DIGITS.index(text[1]) + 1
    else:
        no = next((c.no for c in vocab.annex1_categories() if c.name == text), 0)
    if vocab.category_by_no(no) is None:
        count = len(vocab.annex1_categories())
        raise CellValueError(f"“{text}”不是附件1的培训内容类别，应为1至{count}类之一（如“4.农业科技类”）")
    return no


def _model(value: object) -> str:
    text = _text(value)
    for m in vocab.training_models():
        if text in (m.name, m.code, m.title):
            return m.code
    names = "、".join(m.name for m in vocab.training_models())
    raise CellValueError(f"“{text}”不是规定的培训模式，应为：{names}")


def _choice(value: object, f: Field) -> str:
    text = _text(value)
    allowed = tuple(f.choices()) if f.choices else ()
    if allowed and text not in allowed:
        shown = "、".join(allowed) if len(allowed) <= 12 else "、".join(allowed[:12]) + "……"
        raise CellValueError(f"“{text}”不在可选值中，应为：{shown}")
    return text


def _marks(value: object) -> str:
    text = re.sub(r"[\s,，、]", "", _text(value))
    out = "".join(_MARK_ALIASES.get(ch, ch) for ch in text)
    bad = sorted({ch for ch in out if ch not in vocab.ATTENDANCE_MARKS})
    if not out or bad:
        raise CellValueError(f"出勤应为每次课一个字（到、迟、假、缺），不认识“{''.join(bad) or text}”")
    return out


def _money(value: object) -> Decimal:
    if isinstance(value, bool):
        raise CellValueError("应为金额")
    text = _text(value) if not isinstance(value, float) else repr(value)
    text = text.replace(",", "").replace("，", "").removesuffix("元")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellValueError(f"应为金额（如 1250.50），不能是“{_text(value)}”") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise CellValueError(f"金额应不小于0且小于100亿，不能是{_text(value)}")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellValueError(f"金额最多两位小数，不能是{_text(value)}")
    return amount.quantize(Decimal("0.01"))


def parse_cell(f: Field, value: object):
    """The typed value of a cell, or raise CellValueError. Blank cells give None (required checked by the caller)."""
    if is_blank(value):
        return None
    if isinstance(value, str) and (problem := text_problem(value, multiline=True)):
        raise CellValueError(problem)
    if f.kind == "text":
        text = _text(value)
        if f.max_len and len(text) > f.max_len:
            raise CellValueError(f"不能超过{f.max_len}个字（现有{len(text)}个）")
        return text
    if f.kind in ("int", "score"):
        return _int(value, f)
    if f.kind == "date":
        return _date(value)
    if f.kind == "money":
        return _money(value)
    if f.kind == "phone":
        try:
            return normalize_phone(_text(value))
        except ValueError as exc:
            raise CellValueError(str(exc)) from None
    if f.kind == "bool":
        text = _text(value)
        if text in (YES, "Y", "y", "1", "TRUE", "True", "√"):
            return True
        if text in (NO, "N", "n", "0", "FALSE", "False"):
            return False
        raise CellValueError(f"应为“是”或“否”，不能是“{text}”")
    if f.kind == "marks":
        return _marks(value)
    if f.kind == "multi":
        items = vocab.split_list(_text(value))
        if f.choices:
            allowed = tuple(f.choices())
            bad = [i for i in items if i not in allowed]
            if bad:
                raise CellValueError(f"“{'、'.join(bad)}”不是可选值，应为：{'、'.join(allowed)}")
        return tuple(items)
    if f.key == "category_no":
        return _category(value)
    if f.key == "model_code":
        return _model(value)
    return _choice(value, f)
