"""Validation errors a user can act on: pydantic errors as Chinese messages with row and column.

Every data file the forms read (units, monthly report, ...) is a JSON object whose table lives in one list
(the "rows"). A bad value is reported as `第3行（河岸小学）【组长电话】：…`: row = 1-based position in that list,
label = the row's own name, column = the field's Chinese title.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from service.models.errors import chinese_errors, field_titles
from service.models.text import CleanText

M = TypeVar("M", bound=BaseModel)


class StrictModel(CleanText):
    """Input data models: unknown fields refused, text trimmed, no control characters (service.models.text)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True)
class FieldIssue:
    """One bad value: where it is (row, column) and what is wrong, in Chinese."""

    row: int | None  # 1-based row in the table, None for a top-level field
    row_label: str | None  # the row's own name (e.g. the unit name), when it has one
    column: str  # Chinese column title, nested titles joined by ·
    field: str  # dotted machine path, e.g. units.3.leader_phone
    message: str

    def __str__(self) -> str:
        where = ""
        if self.row is not None:
            where = f"第{self.row}行" + (f"（{self.row_label}）" if self.row_label else "")
        return f"{where}【{self.column}】：{self.message}"


class DataValidationError(ValueError):
    """Raised when input data is refused. Nothing is written when this is raised."""

    def __init__(self, source: str, issues: list[FieldIssue]):
        self.source = source
        self.issues = issues
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = "\n".join(f"  {i}" for i in self.issues)
        return f"{self.source}有{len(self.issues)}处错误，未生成任何文件：\n{lines}"


def issues_from(exc: ValidationError, model: type[BaseModel], raw: Any, rows_key: str | None,
                label_key: str | None) -> list[FieldIssue]:
    """FieldIssues of the project's one translation (service.models.errors): the row of `raw[rows_key]` and the
    column's Chinese titles (nested titles joined by ·)."""
    issues = []
    for err, translated in zip(exc.errors(), chinese_errors(exc, model)):
        loc = tuple(err["loc"])
        row = label = None
        titles = field_titles(model, loc, items=False)
        if rows_key and len(loc) >= 2 and loc[0] == rows_key and isinstance(loc[1], int):
            row = loc[1] + 1
            rows = raw.get(rows_key) if isinstance(raw, dict) else None
            if label_key and isinstance(rows, list) and loc[1] < len(rows) and isinstance(rows[loc[1]], dict):
                value = rows[loc[1]].get(label_key)
                label = str(value) if value not in (None, "") else None
            column = "·".join(titles[1:]) or "整行"
        else:
            column = "·".join(titles) or "整个文件"
        issues.append(FieldIssue(row, label, column, translated["field"], translated["message"]))
    return issues


def validate_data(model: type[M], raw: Any, *, source: str, rows_key: str | None = None,
                  label_key: str | None = None) -> M:
    """Validate plain data; raise DataValidationError with Chinese row/column messages."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise DataValidationError(source, issues_from(exc, model, raw, rows_key, label_key)) from None


def read_json(path: str | Path, *, source: str) -> Any:
    """Read a UTF-8 JSON file; a missing or malformed file is a DataValidationError, not a traceback."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataValidationError(source, [FieldIssue(None, None, "文件", str(path), f"找不到文件 {path}")]) from None
    except UnicodeDecodeError:
        raise DataValidationError(source, [FieldIssue(None, None, "文件", str(path), "文件不是 UTF-8 编码")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        issue = FieldIssue(None, None, "文件", str(path), f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列（{exc.msg}）")
        raise DataValidationError(source, [issue]) from None
