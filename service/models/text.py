"""Text every input model accepts: no character a .docx/.xlsx (XML 1.0) cannot hold (issue 8.5).

Refused in every text field of every API/CLI model, at validation (422 / exit 2, the field named in Chinese):
U+0000–U+001F, U+FFFE, U+FFFF and lone surrogates. Tab and line breaks are allowed only in a field marked
`MULTILINE` (multi-line body text). Models get the check by deriving from `CleanText` (the shared bases do:
service.models.notice.Model, service.forms.validation.StrictModel, the job params, the API query models);
`text_problem` is the same rule for text that does not come through a model (import cells).
"""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator

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


class CleanText(BaseModel):
    """Base of the input models: every text field (also inside lists) is checked by `text_problem`."""

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        multiline = field is not None and MULTILINE in field.metadata
        problem = _first_problem(value, multiline)
        if problem:
            raise ValueError(problem)
        return value
