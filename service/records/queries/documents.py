"""Plain data of the documents made from records: what a renderer needs, nothing else (no ORM objects, no personal
data beyond the form: no phone numbers, no ID numbers). JSON-serialisable, so a Celery task can carry it.

The store builds them (service.records.queries.reports); the renderers (service.records.renderers.forms) turn them into files.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from service.cndate import cn_date


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)




class ClassInfo(_Model):
    """The header of a class's forms."""

    id: int
    township_short: str = ""
    unit: str
    title: str
    category_no: int
    category_name: str
    model_name: str  # 培训模式
    method: str  # 培训方式
    location: str
    start_date: dt.date
    end_date: dt.date
    sessions: int
    hours: int
    teachers: tuple[str, ...]
    audience: str = ""

    @property
    def dates_text(self) -> str:
        """办班时间: `2020年5月6日` or `2020年5月6日—5月8日` (—2021年1月2日 across a year)."""
        start, end = self.start_date, self.end_date
        if end == start:
            return cn_date(start)
        tail = cn_date(end) if end.year != start.year else f"{end.month}月{end.day}日"
        return f"{cn_date(start)}—{tail}"

    @property
    def content_text(self) -> str:
        """培训内容: the project title and its Annex 1 category."""
        return f"{self.title}（{self.category_name}）"

    @property
    def teachers_text(self) -> str:
        return "、".join(self.teachers)


class LedgerRow(_Model):
    seq: int
    name: str
    gender: str
    birth_year: int | None
    home_unit: str
    categories: str  # 农民、老年
    attended: int
    sessions: int


class LedgerCard(_Model):
    """学员培训记录卡 (one per class)."""

    klass: ClassInfo
    rows: tuple[LedgerRow, ...]


class AssessmentRow(_Model):
    seq: int
    name: str
    gender: str
    sessions: int
    attended: int
    attendance_rate: Decimal
    notes: int | None
    questions: int | None
    composite: Decimal
    grade: str
    result: str


class AssessmentSheet(_Model):
    """学员考核表 (one per class)."""

    klass: ClassInfo
    rules_text: str
    weights: tuple[Decimal, Decimal, Decimal]  # attendance, notes, questions
    pass_mark: Decimal
    rows: tuple[AssessmentRow, ...]

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r.composite >= self.pass_mark)


class Tally(_Model):
    """班次 (classes), 人次 (enrolments) and 课时 (class hours) of a group of classes."""

    classes: int = 0
    trainees: int = 0
    hours: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(classes=self.classes + other.classes, trainees=self.trainees + other.trainees,
                     hours=self.hours + other.hours)


class CategoryHead(_Model):
    no: int
    name: str


class QuarterlyRow(_Model):
    unit: str
    total: Tally
    by_category: tuple[Tally, ...]  # aligned with QuarterlyReport.categories


class QuarterlyReport(_Model):
    """季报: a row per unit, 班次/人次/课时 overall and per Annex 1 category, then the totals."""

    township_short: str = ""
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    categories: tuple[CategoryHead, ...]
    rows: tuple[QuarterlyRow, ...]
    filled_on: dt.date | None = None

    @property
    def totals(self) -> QuarterlyRow:
        zero = Tally()
        total = sum((r.total for r in self.rows), zero)
        by_cat = tuple(sum((r.by_category[i] for r in self.rows), zero) for i in range(len(self.categories)))
        return QuarterlyRow(unit="合计", total=total, by_category=by_cat)

    @property
    def period_text(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"


class NoticeItem(_Model):
    """One coming class as the public sees it: no trainee's personal data."""

    title: str
    category_name: str
    audience: str
    objective: str  # 培训目标
    plan: str  # 方案/计划: 办班时间, 课次与课时, 方式与模式
    location: str
    hours: int
    teachers: str


class ProjectNotice(_Model):
    """培训项目公示 of a unit's coming classes (plain data for the foundation's GB/T 9704 body renderer)."""

    township_short: str = ""
    unit: str
    activity_room: str = ""
    items: tuple[NoticeItem, ...]
