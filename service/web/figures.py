"""The office dashboard's chart: each unit's year against the notice's targets, from the year-end indicators
(service.yearend.indicators.assess, targets in config/yearend_targets.yaml). Nothing is computed here but the
chart's geometry."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.records.store.models import TrainingClass
from service.yearend.indicators import YearAssessment


def years_with_classes(session: Session) -> list[int]:
    return sorted({d.year for d in session.scalars(select(TrainingClass.start_date))}, reverse=True)


def default_year(session: Session, today: dt.date | None = None) -> int:
    """This year; or, when it has no classes yet, the latest year that has."""
    this = (today or dt.date.today()).year
    years = [y for y in years_with_classes(session) if y <= this]
    return this if not years or this in years else years[0]


@dataclass(frozen=True)
class Bar:
    label: str
    y: float  # top of the row
    width: float  # of the achieved bar
    text: str
    status: str  # met | not_met | missing | data_error


@dataclass(frozen=True)
class Chart:
    indicator: str  # id
    title: str
    target_text: str
    width: int
    height: int
    left: int
    span: int  # drawable width right of `left`
    mark: float  # x of the target (100% of it)
    bars: list[Bar]


def bar_chart(assessment: YearAssessment, indicator: str, width: int = 360, row: int = 44, left: int = 8,
              pad: int = 6) -> Chart:
    """A horizontal bar per unit the indicator applies to: its value as a share of the target, with the target
    as a vertical mark; the axis reaches the best unit when it is above target (at most twice the target)."""
    target = next(t for t in assessment.targets if t.id == indicator)
    results = [(u.unit, u.indicator(indicator)) for u in assessment.units]
    results = [(name, r) for name, r in results if r is not None]
    ratios = [float(r.value / r.target) if r.value is not None else 0.0 for _, r in results]
    top = min(2.0, max(ratios + [1.0]))
    span = width - left - 8
    bars = [Bar(label=name, y=pad + i * row, width=round(span * min(ratio, top) / top, 1),
                text=f"{r.value_text}（{r.status_text}）" if r.value is not None else r.status_text, status=r.status)
            for i, ((name, r), ratio) in enumerate(zip(results, ratios))]
    return Chart(indicator=indicator, title=target.name, target_text=target.target_text, width=width,
                 height=pad + row * len(bars) + 4, left=left, span=span, mark=round(left + span / top, 1), bars=bars)
