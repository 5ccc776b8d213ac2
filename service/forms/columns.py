"""A form column as the form modules declare it (no openpyxl here: the request path imports the form models)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # Excel character units
    kind: str = "text"  # text | int | phone | seq
