"""The office dashboard's figures: each unit's year against the notice's target, and the chart drawn from them.

Until the year-end indicators (service.yearend.indicators) are in this branch, the figures come from the
records store directly: persons trained in the year's classes (distinct trainees), 人次, 班次 and 课时 per unit,
against the notice's general target — 全年接受各类培训的社区成员达常住人口的 TARGET_SHARE 以上.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from service.records.models import Enrolment, TrainingClass, Unit

TARGET_SHARE = 0.40  # 实施方案 考核指标一：全年接受社区教育各类培训的社区成员达全体市民的40%以上


@dataclass(frozen=True)
class UnitFigures:
    unit: str
    kind: str
    population: int
    classes: int
    enrolments: int  # 人次
    persons: int  # distinct trainees
    hours: int

    @property
    def target(self) -> int:
        return math.ceil(self.population * TARGET_SHARE)

    @property
    def share(self) -> float | None:
        return self.persons / self.target if self.target else None


def years_with_classes(session: Session) -> list[int]:
    years = {d.year for d in session.scalars(select(TrainingClass.start_date))}
    return sorted(years, reverse=True)


def default_year(session: Session, today: dt.date | None = None) -> int:
    """This year; or, when it has no classes yet, the latest year that has."""
    this = (today or dt.date.today()).year
    years = [y for y in years_with_classes(session) if y <= this]
    return this if not years or this in years else years[0]


def unit_figures(session: Session, year: int) -> list[UnitFigures]:
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    in_year = (TrainingClass.start_date >= start) & (TrainingClass.start_date < end)
    classes = dict(session.execute(select(TrainingClass.unit_id, func.count(TrainingClass.id)).where(in_year)
                                   .group_by(TrainingClass.unit_id)).all())
    hours = dict(session.execute(select(TrainingClass.unit_id, func.sum(TrainingClass.hours)).where(in_year)
                                 .group_by(TrainingClass.unit_id)).all())
    joined = select(TrainingClass.unit_id, func.count(Enrolment.id), func.count(distinct(Enrolment.trainee_id))) \
        .join(Enrolment, Enrolment.class_id == TrainingClass.id).where(in_year).group_by(TrainingClass.unit_id)
    people = {uid: (n, p) for uid, n, p in session.execute(joined).all()}
    return [UnitFigures(unit=u.name, kind=u.kind, population=u.resident_population or 0,
                        classes=classes.get(u.id, 0), enrolments=people.get(u.id, (0, 0))[0],
                        persons=people.get(u.id, (0, 0))[1], hours=int(hours.get(u.id) or 0))
            for u in session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id))]


@dataclass(frozen=True)
class Bar:
    label: str
    y: float  # top of the row
    width: float  # of the achieved bar
    mark: float | None  # x of the target mark (None: no target, e.g. a school without resident population)
    text: str
    met: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    span: int  # drawable width right of `left`
    row: int
    bars: list[Bar]


def _bar_text(f: UnitFigures) -> str:
    if not f.target:
        return f"{f.persons}人（无目标）"
    return f"{f.persons}/{f.target}人（{f.share:.0%}）"


def bar_chart(figures: list[UnitFigures], width: int = 360, row: int = 44, left: int = 8, pad: int = 6) -> Chart:
    """Geometry of a horizontal bar chart (persons trained vs target, per unit), drawn as inline SVG."""
    span = width - left - 8
    top = max([max(f.persons, f.target) for f in figures] + [1])
    bars = [Bar(label=f.unit, y=pad + i * row, width=round(span * f.persons / top, 1),
                mark=round(left + span * f.target / top, 1) if f.target else None, text=_bar_text(f),
                met=f.target > 0 and f.persons >= f.target)
            for i, f in enumerate(figures)]
    return Chart(width=width, height=pad + row * len(bars) + 4, left=left, span=span, row=row, bars=bars)
