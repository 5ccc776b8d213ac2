"""The record forms' geometry, read from doc_templates/forms/records.yaml (column titles and widths, row heights,
blank rows, margins): a clerk changes the printed form there, not in Python."""
from __future__ import annotations

from functools import lru_cache

import yaml

from service.config import TEMPLATE_DIR
from service.forms import sheet

FORMS_FILE = TEMPLATE_DIR / "forms" / "records.yaml"


@lru_cache(maxsize=1)
def _forms() -> dict:
    with FORMS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def form(name: str) -> dict:
    return _forms()[name]


def columns(name: str) -> list[sheet.Column]:
    return [sheet.Column(c["title"], c["width"], c.get("kind", "text")) for c in form(name)["columns"]]
