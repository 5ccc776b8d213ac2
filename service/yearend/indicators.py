"""验收考核 figures: each unit's year from the records store against the targets in config/yearend_targets.yaml.

Head-counts (stated per indicator in the results, see the config's header):
- trained: distinct trainees of the unit (their home unit) who attended (config/assessment.yaml attended_marks)
  at least one session of a class that started in the year; enrolled-but-never-attended people do not count;
- activity: participant-times (人次) of the unit's activities of the listed kinds held in the year;
- volunteers: the unit's volunteers who joined by 31 December of the year (or with no date);
- funding: the unit's 收入 booked in the year (元).

Missing data (no denominator, or no records of the numerator's kind that year) is `missing`, never passed; a rate
above 100% is `data_error`, never met. Exact decimal arithmetic, half-up rounding.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from service.config import CONFIG_DIR
from service.records.queries.assessment import load_rules
from service.records.store.models import (
    Activity,
    ActivityParticipants,
    Attendance,
    Enrolment,
    Funding,
    Trainee,
    TraineeCategory,
    TrainingClass,
    Unit,
    UnitYearCounts,
    Volunteer,
)
from service.records.store.session import get_meta
from service.records.vocab import ACTIVITY_KINDS, FUNDING_DIRECTIONS, REGISTERED_COUNTS, TRAINEE_CATEGORIES
from service.units import UNIT_KINDS

TARGETS_PATH = CONFIG_DIR / "yearend_targets.yaml"
Status = Literal["met", "not_met", "missing", "data_error"]
STATUS_TEXT = {"met": "达标", "not_met": "未达标", "missing": "缺数据", "data_error": "数据错误"}
RATE_PLACES = Decimal("0.0001")  # 12.34%
MONEY_PLACES = Decimal("0.01")
SCORE_PLACES = Decimal("0.1")


class UnknownUnits(LookupError):
    """Units asked for that are not in the store (Chinese message naming them)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Numerator(_Model):
    headcount: Literal["trained", "activity", "volunteers", "funding"]
    categories: tuple[str, ...] = ()  # trainee categories (trained)
    class_categories: tuple[int, ...] = ()  # Annex 1 category numbers (trained)
    activity_kinds: tuple[str, ...] = ()
    participant_categories: tuple[str, ...] = ()
    direction: str = "收入"

    @model_validator(mode="after")
    def _known(self) -> "Numerator":
        bad = [c for c in (*self.categories, *self.participant_categories) if c not in TRAINEE_CATEGORIES]
        bad += [k for k in self.activity_kinds if k not in ACTIVITY_KINDS]
        if self.direction not in FUNDING_DIRECTIONS:
            bad.append(self.direction)
        if bad:
            raise ValueError(f"不认识的类别：{'、'.join(bad)}")
        if self.headcount == "activity" and not (self.activity_kinds and self.participant_categories):
            raise ValueError("活动覆盖面指标须列出 activity_kinds 和 participant_categories")
        return self


class Target(_Model):
    """One indicator of config/yearend_targets.yaml."""

    id: str = Field(pattern=r"^[a-z_]+$")
    name: str = Field(min_length=1)
    kind: Literal["rate", "per_head"]
    numerator: Numerator
    denominator: str
    target: Decimal = Field(gt=0)
    applies_to: tuple[str, ...]
    weight: Decimal = Field(gt=0)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> "Target":
        if self.denominator != "population" and self.denominator.removeprefix("registered.") not in REGISTERED_COUNTS:
            raise ValueError(f"分母“{self.denominator}”应为 population 或 registered.<{'/'.join(REGISTERED_COUNTS)}>")
        bad = [k for k in self.applies_to if k not in UNIT_KINDS]
        if bad or not self.applies_to:
            raise ValueError(f"applies_to 应为单位类别（{'、'.join(UNIT_KINDS)}），不认识：{'、'.join(bad)}")
        return self

    @property
    def unit_label(self) -> str:
        return "%" if self.kind == "rate" else "元/人"

    @property
    def target_text(self) -> str:
        return f"≥{format_value(self.target, self.kind)}"

    @property
    def denominator_label(self) -> str:
        if self.denominator == "population":
            return "常住人口"
        return "登记" + REGISTERED_COUNTS[self.denominator.removeprefix("registered.")]

    @property
    def headcount_text(self) -> str:
        n = self.numerator
        if n.headcount == "trained":
            who = "、".join(n.categories) + "类" if n.categories else ""
            what = f"附件1第{'、'.join(map(str, n.class_categories))}类培训" if n.class_categories else "培训班"
            text = f"本单位{who}学员中当年参加{what}且至少出勤一次的人数（按人去重，仅报名未出勤不计）"
        elif n.headcount == "activity":
            text = (f"当年{'、'.join(n.activity_kinds)}中{'、'.join(n.participant_categories)}的参与人次"
                    "（各次活动人数之和）")
        elif n.headcount == "volunteers":
            text = "年底在册志愿者人数"
        else:
            text = f"当年经费{n.direction}合计（元）"
        return f"{text} ÷ {self.denominator_label}"


class Targets(_Model):
    indicators: tuple[Target, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "Targets":
        ids = [t.id for t in self.indicators]
        if len(set(ids)) != len(ids):
            raise ValueError("指标 id 重复")
        return self


@lru_cache(maxsize=4)
def load_targets(path: str | None = None) -> Targets:
    with open(path or TARGETS_PATH, encoding="utf-8") as fh:
        return Targets.model_validate(yaml.safe_load(fh))


def format_value(value: Decimal | None, kind: str) -> str:
    """12.34% for a rate, 2.15 for 元/人; empty for None."""
    if value is None:
        return ""
    if kind == "rate":
        pct = (value * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return f"{pct.normalize():f}%"
    return f"{value.quantize(MONEY_PLACES, ROUND_HALF_UP):f}"


class IndicatorResult(_Model):
    id: str
    name: str
    kind: Literal["rate", "per_head"]
    numerator: Decimal | None  # persons, participant-times or 元
    denominator: int | None
    headcount: str  # the head-count rule in words
    value: Decimal | None  # ratio (0.4 = 40%) or 元 per resident
    target: Decimal
    status: Status
    note: str = ""
    source: str = ""

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.kind)

    @property
    def target_text(self) -> str:
        return f"≥{format_value(self.target, self.kind)}"


class UnitAssessment(_Model):
    unit: str
    kind: str
    population: int | None
    indicators: tuple[IndicatorResult, ...]
    score: Decimal  # 0–100, one decimal
    met: int
    applicable: int
    rank: int = 0  # among all assessed units
    kind_rank: int = 0  # among the assessed units of the same kind (村, 居委, 学校, 相关单位)

    def indicator(self, indicator_id: str) -> IndicatorResult | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)


class YearAssessment(_Model):
    year: int
    township: str
    township_short: str
    targets: tuple[Target, ...]
    units: tuple[UnitAssessment, ...]  # units-file order

    def ranking(self) -> list[UnitAssessment]:
        return sorted(self.units, key=lambda u: (u.rank, self.units.index(u)))

    def unit(self, name: str) -> UnitAssessment:
        return next(u for u in self.units if u.unit == name)


# ------------------------------------------------------------------------------------------------ numerators

def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _trained(session: Session, year: int, n: Numerator, attended: tuple[str, ...]) -> dict[int, int]:
    """unit id -> distinct trainees with at least one attended session in a class started in the year."""
    start, end = _year(year)
    attended_q = select(Attendance.enrolment_id).where(Attendance.enrolment_id == Enrolment.id,
                                                       Attendance.mark.in_(attended)).exists()
    q = (select(Trainee.unit_id, func.count(func.distinct(Trainee.id)))
         .join(Enrolment, Enrolment.trainee_id == Trainee.id)
         .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
         .where(TrainingClass.start_date >= start, TrainingClass.start_date < end, attended_q))
    if n.class_categories:
        q = q.where(TrainingClass.category_no.in_(n.class_categories))
    if n.categories:
        q = q.where(select(TraineeCategory.trainee_id).where(TraineeCategory.trainee_id == Trainee.id,
                                                             TraineeCategory.category.in_(n.categories)).exists())
    return dict(session.execute(q.group_by(Trainee.unit_id)).all())


def _enrolled_units(session: Session, year: int) -> set[int]:
    """Units whose trainees have any enrolment in a class started in the year (their training data exists)."""
    start, end = _year(year)
    q = (select(Trainee.unit_id).join(Enrolment, Enrolment.trainee_id == Trainee.id)
         .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
         .where(TrainingClass.start_date >= start, TrainingClass.start_date < end).distinct())
    return set(session.scalars(q))


def _activity(session: Session, year: int, n: Numerator) -> tuple[dict[int, int], set[int]]:
    """(unit id -> participant-times of the listed categories, units with any activity of the listed kinds)."""
    start, end = _year(year)
    in_year = and_(Activity.held_on >= start, Activity.held_on < end, Activity.kind.in_(n.activity_kinds))
    held = set(session.scalars(select(Activity.unit_id).where(in_year).distinct()))
    q = (select(Activity.unit_id, func.sum(ActivityParticipants.count))
         .join(ActivityParticipants, ActivityParticipants.activity_id == Activity.id)
         .where(in_year, ActivityParticipants.category.in_(n.participant_categories)).group_by(Activity.unit_id))
    return {u: int(c or 0) for u, c in session.execute(q)}, held


def _volunteers(session: Session, year: int) -> dict[int, int]:
    q = (select(Volunteer.unit_id, func.count(Volunteer.id))
         .where(or_(Volunteer.joined_on.is_(None), Volunteer.joined_on < _year(year)[1])).group_by(Volunteer.unit_id))
    return dict(session.execute(q).all())


def _funding(session: Session, year: int, n: Numerator) -> dict[int, Decimal]:
    start, end = _year(year)
    q = (select(Funding.unit_id, func.sum(Funding.amount))
         .where(Funding.direction == n.direction, Funding.booked_on >= start, Funding.booked_on < end)
         .group_by(Funding.unit_id))
    return {u: Decimal(str(a)) for u, a in session.execute(q)}


# ------------------------------------------------------------------------------------------------ assessment

def _judge(t: Target, numerator: Decimal | None, denominator: int | None, missing_note: str) -> IndicatorResult:
    common = {"id": t.id, "name": t.name, "kind": t.kind, "numerator": numerator, "denominator": denominator,
                  "headcount": t.headcount_text, "target": t.target, "source": t.source}
    if not denominator:
        return IndicatorResult(value=None, status="missing", note=f"缺少{t.denominator_label}", **common)
    if numerator is None:
        return IndicatorResult(value=None, status="missing", note=missing_note, **common)
    places = RATE_PLACES if t.kind == "rate" else MONEY_PLACES
    exact = Decimal(numerator) / Decimal(denominator)
    value = exact.quantize(places, ROUND_HALF_UP)
    if t.kind == "rate" and exact > 1:
        return IndicatorResult(value=value, status="data_error",
                               note=f"{numerator}÷{denominator}超过100%：请核对{t.denominator_label}或记录", **common)
    return IndicatorResult(value=value, status="met" if exact >= t.target else "not_met", **common)


def _score(results: Iterable[IndicatorResult], weights: dict[str, Decimal]) -> Decimal:
    total = got = Decimal(0)
    for r in results:
        w = weights[r.id]
        total += w
        if r.status == "met":
            got += w
        elif r.status == "not_met" and r.value is not None:
            got += w * min(Decimal(1), r.value / r.target)
    if not total:
        return Decimal(0)
    return (got / total * 100).quantize(SCORE_PLACES, ROUND_HALF_UP)


def _ranks(units: list[UnitAssessment]) -> dict[int, int]:
    """Competition ranking by score (1, 2, 2, 4): equal scores share a rank."""
    order = sorted(units, key=lambda u: -u.score)
    ranks: dict[int, int] = {}
    for i, u in enumerate(order):
        ranks[id(u)] = ranks[id(order[i - 1])] if i and order[i - 1].score == u.score else i + 1
    return ranks


def _ranked(units: list[UnitAssessment]) -> list[UnitAssessment]:
    overall = _ranks(units)
    by_kind: dict[int, int] = {}
    for kind in {u.kind for u in units}:
        by_kind.update(_ranks([u for u in units if u.kind == kind]))
    return [u.model_copy(update={"rank": overall[id(u)], "kind_rank": by_kind[id(u)]}) for u in units]


def assess(session: Session, year: int, *, units: Iterable[str] | None = None,
           targets: Targets | None = None) -> YearAssessment:
    """Every unit's (or the named units') 验收考核 for `year`, ranked."""
    targets = targets or load_targets()
    attended = tuple(load_rules().attended_marks)
    q = select(Unit).order_by(Unit.sort_order, Unit.id)
    if units is not None:
        wanted = list(units)
        q = q.where(Unit.name.in_(wanted))
    rows = list(session.scalars(q))
    if units is not None and len(rows) != len(set(wanted)):
        missing = sorted(set(wanted) - {u.name for u in rows})
        raise UnknownUnits(f"【单位】找不到“{'、'.join(missing)}”：请核对名称，或先运行 wenshu load 载入单位数据")
    counts = {c.unit_id: c for c in session.scalars(select(UnitYearCounts).where(UnitYearCounts.year == year))}

    enrolled = _enrolled_units(session, year)
    volunteers = _volunteers(session, year)
    numerators: dict[str, tuple[dict, set[int], str]] = {}
    for t in targets.indicators:
        n = t.numerator
        if n.headcount == "trained":
            numerators[t.id] = (_trained(session, year, n, attended), enrolled, f"{year}年无本单位学员参训记录")
        elif n.headcount == "activity":
            values, held = _activity(session, year, n)
            numerators[t.id] = (values, held, f"{year}年无{'、'.join(n.activity_kinds)}记录")
        elif n.headcount == "volunteers":
            numerators[t.id] = (volunteers, set(volunteers), "无志愿者登记")
        else:
            values = _funding(session, year, n)
            numerators[t.id] = (values, set(values), f"{year}年无经费{n.direction}记录")

    weights = {t.id: t.weight for t in targets.indicators}
    out = []
    for u in rows:
        yc = counts.get(u.id)
        results = []
        for t in targets.indicators:
            if u.kind not in t.applies_to:
                continue
            if t.denominator == "population":
                denominator = u.resident_population
            else:
                denominator = getattr(yc, t.denominator.removeprefix("registered.")) if yc else None
            values, present, note = numerators[t.id]
            numerator = Decimal(values.get(u.id, 0)) if u.id in present else None
            results.append(_judge(t, numerator, denominator, note))
        out.append(UnitAssessment(unit=u.name, kind=u.kind, population=u.resident_population,
                                  indicators=tuple(results), score=_score(results, weights),
                                  met=sum(r.status == "met" for r in results), applicable=len(results)))
    return YearAssessment(year=year, township=get_meta(session, "township"),
                          township_short=get_meta(session, "township_short"), targets=targets.indicators,
                          units=tuple(_ranked(out)))
