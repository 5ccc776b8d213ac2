"""Text every input model accepts: no character a .docx/.xlsx (XML 1.0) cannot hold (issue 8.5).

Refused in every text field of every API/CLI model, at validation (422 / exit 2, the field named in Chinese):
U+0000–U+001F, U+FFFE, U+FFFF and lone surrogates. Tab and line breaks are allowed only in a field marked
`MULTILINE` (multi-line body text). Models get the check by deriving from `CleanText` (the shared bases do:
service.models.notice.Model, service.forms.validation.StrictModel, the job params, the API query models);
`text_problem` is the same rule for text that does not come through a model (import cells).
"""
from __future__ import annotations

import datetime as dt
import re
import typing
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

EMAIL_PATTERN = r"^$|^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$"  # empty, or an address
MULTILINE = "multiline"  # Annotated[str, MULTILINE]: tab and line breaks allowed
_ALWAYS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ONE_LINE = re.compile("[\x00-\x1f\ufffe\uffff\ud800-\udfff]")


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` cannot be used (Chinese), or None."""
    found = (_ALWAYS if multiline else _ONE_LINE).search(text)
    if found is None:
        return None
    ch = found.group()
    what = "换行符或制表符" if ch in "\t\n\r" else "不可见的控制字符"
    return f"含有{what}（U+{ord(ch):04X}，第{found.start() + 1}个字符），请删除后重新提交"


def _first_problem(value: Any, multiline: bool) -> str | None:
    if isinstance(value, str):
        return text_problem(value, multiline=multiline)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = value
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    else:
        return None  # numbers, dates, nested models (checked by their own class)
    return next((p for p in (_first_problem(v, multiline) for v in items) if p), None)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The same rule for the OpenAPI document (a `pattern` on every text field that has none of its own). Lone
# surrogates are left out of it: UTF-8 JSON cannot carry them, and a surrogate range breaks Rust/ECMA engines.
ONE_LINE_PATTERN = r"^[^\u0000-\u001f\ufffe\uffff]*$"
MULTILINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]*$"
_SPACE = r"\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # str.strip()'s, not controls
_TEXT = r"[^\u0000-\u001f\ufffe\uffff]"
_INK = rf"[^\u0000-\u001f\ufffe\uffff{_SPACE}]"
# A trimmed required field (str_strip_whitespace + min_length): something besides spaces.
NOT_BLANK_PATTERN = rf"^[{_SPACE}]*{_INK}{_TEXT}*$"
# No space at either end (a field that refuses edge spaces).
TRIMMED_PATTERN = rf"^{_INK}(?:{_TEXT}*{_INK})?$"


def _accepts(field, kind: type) -> bool:
    return field.annotation is kind or kind in typing.get_args(field.annotation)


@lru_cache(maxsize=None)
def _json_fields(model: type[BaseModel]) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(date fields, int fields) of a model: the fields JSON carries as text or as a number like 3.0."""
    fields = model.model_fields.items()
    return (tuple(n for n, f in fields if _accepts(f, dt.date)),
            tuple(n for n, f in fields if _accepts(f, int) and not _accepts(f, bool)))


def _from_json(name: str, value: Any, dates: tuple[str, ...]) -> Any:
    """ISO `YYYY-MM-DD` text as a date, 3.0 as 3; anything else as it is, for strict mode to judge."""
    if name in dates:
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) and _ISO_DATE.fullmatch(value) else value
        except ValueError:
            return value
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _text_patterns(schema: dict, model: type[BaseModel]) -> None:
    """json_schema_extra: state the control-character rule as a pattern on every text property."""
    trims = bool(model.model_config.get("str_strip_whitespace"))
    for name, prop in schema.get("properties", {}).items():
        field = model.model_fields.get(name)
        meta = field.metadata if field is not None else []
        if MULTILINE in meta:
            pattern = MULTILINE_PATTERN
        elif trims and any(getattr(m, "min_length", 0) for m in meta):
            pattern = NOT_BLANK_PATTERN
        else:
            pattern = ONE_LINE_PATTERN
        _add_pattern(prop, pattern)


def _add_pattern(schema: dict, pattern: str) -> None:
    if schema.get("type") == "string" and not ({"pattern", "format", "enum", "const"} & schema.keys()):
        schema["pattern"] = pattern
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, ()):
            _add_pattern(sub, pattern)
    if isinstance(schema.get("items"), dict):
        _add_pattern(schema["items"], pattern)


class CleanText(BaseModel):
    """Base of the input models: strict types (issue 8.6: no `false` or "1" taken for a number, no 0 for a
    boolean; a date is ISO `YYYY-MM-DD` text), and every text field (also inside lists) checked by
    `text_problem`, which the OpenAPI document states as a pattern."""

    model_config = ConfigDict(strict=True, json_schema_extra=_text_patterns)

    @model_validator(mode="before")
    @classmethod
    def _json_values(cls, data: Any) -> Any:
        """JSON carries a date as text and may carry an integer as 3.0: read those here, strict mode the rest."""
        if isinstance(data, dict):
            dates, ints = _json_fields(cls)
            fixed = {n: _from_json(n, data[n], dates) for n in (*dates, *ints) if n in data}
            if any(fixed[n] is not data[n] for n in fixed):
                data = {**data, **fixed}
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        multiline = field is not None and MULTILINE in field.metadata
        problem = _first_problem(value, multiline)
        if problem:
            raise ValueError(problem)
        return value
