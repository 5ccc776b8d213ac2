"""The Excel forms' geometry, read from the YAML form descriptions in doc_templates/forms/*.yaml: column titles and
widths, row heights, font faces and sizes, blank rows, print margins. A clerk changes the printed forms there, not in
Python; this is the one reader (no openpyxl here: the request path imports the form models).

    form("annex3").columns()        -> [Column("序号", 5, "seq"), ...]
    form("annex3").height("footer") -> 30.0

Every top-level key of every file is one form; a name in two files, an unknown key or a bad number is refused with
the file named. Files are read once per directory (`FORMS_DIR`; tests point it at an edited copy).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveFloat, PositiveInt, ValidationError

from service.config import TEMPLATE_DIR
from service.forms.columns import Column
from service.models.errors import chinese_errors, inline_errors

FORMS_DIR = TEMPLATE_DIR / "forms"

Points = Annotated[float, Field(gt=0, le=1000)]
Margin = Annotated[float, Field(ge=0, le=100)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Model):
    title: str = Field(min_length=1)
    width: Annotated[float, Field(gt=0, le=255)]  # Excel character units
    kind: Literal["text", "int", "seq", "phone"] = "text"


class Form(_Model):
    """One form's geometry. Which keys of `widths`, `heights`, `sizes` and `fonts` a form has is up to its renderer;
    a key it needs and does not find stops the render with the file and key named."""

    columns: tuple[ColumnSpec, ...] = ()
    widths: dict[str, PositiveFloat] = {}  # named widths: Excel character units (pixels where the key ends in _px)
    heights: dict[str, Points] = {}  # row heights in points (pixels where the key ends in _px)
    sizes: dict[str, Annotated[float, Field(ge=1, le=409)]] = {}  # font sizes in points
    fonts: dict[str, Annotated[str, Field(min_length=1)]] = {}  # font faces
    blank_rows: NonNegativeInt | None = None
    groups_per_band: PositiveInt | None = None
    margins_mm: tuple[Margin, Margin, Margin, Margin] | None = None  # top, right, bottom, left
    header_footer_mm: Margin | None = None
    name: str = Field(default="", exclude=True)  # where it came from, for messages
    source: str = Field(default="", exclude=True)

    def columns_list(self) -> list[Column]:
        if not self.columns:
            self._missing("columns")
        return [Column(c.title, c.width, c.kind) for c in self.columns]

    def width(self, key: str) -> float:
        return self._get("widths", key)

    def height(self, key: str) -> float:
        return self._get("heights", key)

    def size(self, key: str) -> float:
        return self._get("sizes", key)

    def font(self, key: str) -> str:
        return self._get("fonts", key)

    def margins(self) -> tuple[float, float, float, float]:
        return self._required("margins_mm")

    def groups(self) -> int:
        return self._required("groups_per_band")

    def header_footer(self) -> float:
        return self._required("header_footer_mm")

    def rows(self) -> int:
        return self._required("blank_rows")

    def _required(self, field: str):
        value = getattr(self, field)
        return value if value is not None else self._missing(field)

    def _get(self, group: str, key: str):
        values = getattr(self, group)
        if key not in values:
            self._missing(f"{group}.{key}")
        return values[key]

    def _missing(self, what: str):
        raise ValueError(f"表格格式 {self.source}：{self.name} 缺少 {what}")


class FormError(ValueError):
    """A form description that cannot be used (Chinese message naming the file)."""


@lru_cache(maxsize=4)
def _load(forms_dir: Path) -> dict[str, Form]:
    forms: dict[str, Form] = {}
    for path in sorted(forms_dir.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise FormError(f"表格格式 {path.name} 不是有效的 YAML：{exc}") from exc
        if not isinstance(raw, dict):
            raise FormError(f"表格格式 {path.name} 应为“表格名: 格式”的映射")
        for name, spec in raw.items():
            if name in forms:
                raise FormError(f"表格格式 {path.name}：{name} 已在 {forms[name].source} 中定义")
            try:
                forms[name] = Form.model_validate({**(spec or {}), "name": name, "source": path.name})
            except ValidationError as exc:
                problems = inline_errors(chinese_errors(exc, Form, whole=name))
                raise FormError(f"表格格式 {path.name}：{name} 有误（{problems}）") from exc
    return forms


def forms() -> dict[str, Form]:
    """Every form description of `FORMS_DIR`, by name."""
    return _load(Path(FORMS_DIR))


def form(name: str) -> Form:
    found = forms().get(name)
    if found is None:
        raise FormError(f"表格格式目录 {FORMS_DIR} 中没有 {name}")
    return found
