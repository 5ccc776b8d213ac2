"""学员考核: attendance rate, 听课记录, 课堂提问 and a composite score by the weights in config/assessment.yaml,
with a pass mark and a grade. Exact decimal arithmetic, half-up rounding: the sheet shows what a hand check gives."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.config import CONFIG_DIR
from service.records.vocab import ATTENDANCE_MARKS

PASS, FAIL = "合格", "不合格"
HUNDRED = Decimal(100)


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    attendance: Decimal = Field(ge=0, le=1)
    notes: Decimal = Field(ge=0, le=1)
    questions: Decimal = Field(ge=0, le=1)


class Grade(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min: Decimal = Field(ge=0, le=100)
    name: str = Field(min_length=1)


class Rules(BaseModel):
    """config/assessment.yaml, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    weights: Weights
    attended_marks: tuple[str, ...]
    missing_score: Decimal = Field(default=Decimal(0), ge=0, le=100)
    decimals: int = Field(default=0, ge=0, le=2)
    pass_mark: Decimal = Field(ge=0, le=100)
    grades: tuple[Grade, ...]

    @model_validator(mode="after")
    def _consistent(self) -> "Rules":
        w = self.weights
        if w.attendance + w.notes + w.questions != 1:
            raise ValueError("考核权重之和应为1（出勤、听课记录、课堂提问）")
        bad = [m for m in self.attended_marks if m not in ATTENDANCE_MARKS]
        if bad:
            raise ValueError(f"计为出勤的标记只能是{'、'.join(ATTENDANCE_MARKS)}，不认识{'、'.join(bad)}")
        mins = [g.min for g in self.grades]
        if not mins or mins != sorted(mins, reverse=True) or mins[-1] != 0:
            raise ValueError("等级应按分数从高到低排列，最后一档的 min 为0")
        return self

    def describe(self) -> str:
        """The weighting in words, for the sheet's header."""
        w = self.weights
        return (f"综合得分＝出勤率×{_pct(w.attendance)}＋听课记录×{_pct(w.notes)}＋课堂提问×{_pct(w.questions)}；"
                f"{_num(self.pass_mark)}分及以上为合格")


def _pct(d: Decimal) -> str:
    return f"{_num(d * 100)}%"


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f")


@lru_cache(maxsize=None)
def load_rules(path: Path | None = None) -> Rules:
    with (path or CONFIG_DIR / "assessment.yaml").open(encoding="utf-8") as fh:
        return Rules.model_validate(yaml.safe_load(fh))


class Score(BaseModel):
    """One trainee's assessment."""

    model_config = ConfigDict(frozen=True)
    sessions: int
    attended: int
    attendance_rate: Decimal  # 0-100, rounded like the composite
    notes: int | None
    questions: int | None
    composite: Decimal
    grade: str
    result: str  # 合格 / 不合格


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def score(marks: str, sessions: int, notes: int | None, questions: int | None, rules: Rules | None = None) -> Score:
    """Assess one enrolment: `marks` holds one of 到/迟/假/缺 per session (sessions beyond the class are ignored)."""
    rules = rules or load_rules()
    attended = sum(1 for m in marks[:sessions] if m in rules.attended_marks)
    rate = Decimal(attended) * HUNDRED / Decimal(sessions) if sessions else Decimal(0)
    n = Decimal(notes) if notes is not None else rules.missing_score
    q = Decimal(questions) if questions is not None else rules.missing_score
    w = rules.weights
    composite = _round(rate * w.attendance + n * w.notes + q * w.questions, rules.decimals)
    grade = next(g.name for g in rules.grades if composite >= g.min)
    return Score(sessions=sessions, attended=attended, attendance_rate=_round(rate, max(rules.decimals, 1)),
                 notes=notes, questions=questions, composite=composite, grade=grade,
                 result=PASS if composite >= rules.pass_mark else FAIL)
