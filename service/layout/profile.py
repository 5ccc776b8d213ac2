"""The GB/T 9704-2012 layout profile, loaded once from config/gbt9704-2012.yaml.

Every layout number the renderer and the measuring tests use comes from here, addressed by clause:
`PROFILE["7.2.4"]["top_below_type_area_mm"]`. Derived quantities (twips, the 字 pitch) are computed, not stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import yaml

from service.config import CONFIG_DIR

PROFILE_FILE = CONFIG_DIR / "gbt9704-2012.yaml"

MM_PER_PT = 25.4 / 72
TWIPS_PER_PT = 20


def mm_to_twips(mm: float) -> int:
    return round(mm / MM_PER_PT * TWIPS_PER_PT)


def pt_to_mm(pt: float) -> float:
    return pt * MM_PER_PT


@dataclass(frozen=True)
class Profile:
    data: dict[str, Any]

    def __getitem__(self, clause: str) -> dict[str, Any]:
        return self.data[clause]

    # --- derived geometry -------------------------------------------------------------------------------
    @cached_property
    def line_twips(self) -> int:
        return int(self["5.2.3"]["line_twips"])

    @cached_property
    def line_pt(self) -> float:
        return self.line_twips / TWIPS_PER_PT

    @cached_property
    def body_size_pt(self) -> float:
        return float(self["5.2.2"]["body_size_pt"])

    @cached_property
    def char_twips(self) -> int:
        """One 字 on a body line: the 3号 glyph plus the (negative) character spacing."""
        return round(self.body_size_pt * TWIPS_PER_PT) + int(self["5.2.3"]["char_spacing_twips"])

    def chars(self, n: float) -> int:
        """n 字 in twips."""
        return round(n * self.char_twips)

    @cached_property
    def margins_mm(self) -> dict[str, float]:
        return dict(self["5.2.1"]["margins_mm"])

    @cached_property
    def type_area_mm(self) -> dict[str, float]:
        return dict(self["5.2.1"]["type_area_mm"])

    @cached_property
    def type_area_twips(self) -> tuple[int, int]:
        ta = self.type_area_mm
        return mm_to_twips(ta["width"]), mm_to_twips(ta["height"])

    @property
    def red(self) -> str:
        return str(self["6.2"]["red"])


@lru_cache(maxsize=1)
def profile() -> Profile:
    with open(PROFILE_FILE, encoding="utf-8") as fh:
        return Profile(yaml.safe_load(fh))
