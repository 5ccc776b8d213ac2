"""Plain data from the store for every document: ledger cards, assessment sheets, monthly and quarterly reports.

A class counts in the month and quarter of its start date. 人数/人次 = enrolments; 课时 = the class's hours; 班次 =
classes. Every function returns the plain-data models of service.records.queries.documents (or Annex 3's MonthlyReport)
for the renderers, which the CLI and the job tasks call unchanged.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.forms.annex3 import MonthlyReport, MonthlyReportRow
from service.records.queries.assessment import Rules, load_rules, score
from service.records.queries.documents import (
    AssessmentRow,
    AssessmentSheet,
    CategoryHead,
    ClassInfo,
    LedgerCard,
    LedgerRow,
    NoticeItem,
    ProjectNotice,
    QuarterlyReport,
    QuarterlyRow,
    Tally,
)
from service.records.store.models import (
    Attendance,
    ClassTeacher,
    Enrolment,
    Teacher,
    Trainee,
    TraineeCategory,
    TrainingClass,
    Unit,
)
from service.records.store.session import township_short
from service.records.vocab import TRAINEE_CATEGORIES, annex1_categories, category_by_no, model_by_code


class NotFound(LookupError):
    """A unit or class that is not in the store (Chinese message naming it)."""


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    return first, month_bounds(year, 3 * quarter)[1]


def unit_named(session: Session, name: str) -> Unit:
    unit = session.scalars(select(Unit).where(Unit.name == name)).one_or_none()
    if unit is None:
        raise NotFound(f"【单位】找不到“{name}”：请核对名称，或先运行 wenshu load 载入单位数据")
    return unit


def class_ids(session: Session, unit: str | None = None, start: dt.date | None = None,
              end: dt.date | None = None) -> list[int]:
    """Classes of a unit (or all) whose start date is in [start, end), by date then title."""
    q = select(TrainingClass.id).join(Unit)
    if unit is not None:
        q = q.where(Unit.id == unit_named(session, unit).id)
    if start is not None:
        q = q.where(TrainingClass.start_date >= start)
    if end is not None:
        q = q.where(TrainingClass.start_date < end)
    return list(session.scalars(q.order_by(TrainingClass.start_date, Unit.sort_order, TrainingClass.title,
                                           TrainingClass.id)))


def class_info(session: Session, class_id: int) -> ClassInfo:
    c = session.get(TrainingClass, class_id)
    if c is None:
        raise NotFound(f"【培训班编号】找不到编号为{class_id}的培训班")
    teachers = session.scalars(select(Teacher.name).join(ClassTeacher, ClassTeacher.teacher_id == Teacher.id)
                               .where(ClassTeacher.class_id == c.id).order_by(ClassTeacher.position))
    cat = category_by_no(c.category_no)
    model = model_by_code(c.model_code)
    return ClassInfo(id=c.id, township_short=township_short(session), unit=c.unit.name, title=c.title,
                     category_no=c.category_no, category_name=cat.name if cat else str(c.category_no),
                     model_name=model.name if model else c.model_code, method=c.method, location=c.location,
                     start_date=c.start_date, end_date=c.end_date, sessions=c.sessions, hours=c.hours,
                     teachers=tuple(teachers), audience=c.audience or "")


def _enrolled(session: Session, class_id: int):
    """(enrolment, trainee, home unit name) of a class, in enrolment order."""
    return session.execute(
        select(Enrolment, Trainee, Unit.name).join(Trainee, Enrolment.trainee_id == Trainee.id)
        .join(Unit, Trainee.unit_id == Unit.id).where(Enrolment.class_id == class_id).order_by(Enrolment.id)).all()


def _marks(session: Session, enrolment_ids: list[int]) -> dict[int, str]:
    out: dict[int, list[tuple[int, str]]] = {}
    for eid, no, mark in session.execute(select(Attendance.enrolment_id, Attendance.session_no, Attendance.mark)
                                         .where(Attendance.enrolment_id.in_(enrolment_ids))):
        out.setdefault(eid, []).append((no, mark))
    return {eid: "".join(m for _, m in sorted(v)) for eid, v in out.items()}


def ledger_card(session: Session, class_id: int, rules: Rules | None = None) -> LedgerCard:
    """学员培训记录卡 data for one class."""
    rules = rules or load_rules()
    info = class_info(session, class_id)
    rows = _enrolled(session, class_id)
    marks = _marks(session, [e.id for e, _, _ in rows])
    cats: dict[int, set[str]] = {}
    for tid, cat in session.execute(select(TraineeCategory.trainee_id, TraineeCategory.category)
                                    .where(TraineeCategory.trainee_id.in_([t.id for _, t, _ in rows]))):
        cats.setdefault(tid, set()).add(cat)
    out = []
    for seq, (e, t, home) in enumerate(rows, start=1):
        attended = sum(1 for m in marks.get(e.id, "")[:info.sessions] if m in rules.attended_marks)
        out.append(LedgerRow(seq=seq, name=t.name, gender=t.gender, birth_year=t.birth_year, home_unit=home,
                             categories="、".join(c for c in TRAINEE_CATEGORIES if c in cats.get(t.id, ())),
                             attended=attended, sessions=info.sessions))
    return LedgerCard(klass=info, rows=tuple(out))


def assessment_sheet(session: Session, class_id: int, rules: Rules | None = None) -> AssessmentSheet:
    """学员考核表 data for one class, scored by config/assessment.yaml (or `rules`)."""
    rules = rules or load_rules()
    info = class_info(session, class_id)
    rows = _enrolled(session, class_id)
    marks = _marks(session, [e.id for e, _, _ in rows])
    out = []
    for seq, (e, t, _) in enumerate(rows, start=1):
        s = score(marks.get(e.id, ""), info.sessions, e.notes_score, e.question_score, rules)
        out.append(AssessmentRow(seq=seq, name=t.name, gender=t.gender, sessions=s.sessions, attended=s.attended,
                                 attendance_rate=s.attendance_rate, notes=s.notes, questions=s.questions,
                                 composite=s.composite, grade=s.grade, result=s.result))
    w = rules.weights
    return AssessmentSheet(klass=info, rules_text=rules.describe(), weights=(w.attendance, w.notes, w.questions),
                           pass_mark=rules.pass_mark, rows=tuple(out))


def _class_tallies(session: Session, start: dt.date, end: dt.date):
    """(unit id, category no, hours, enrolment count) per class started in [start, end)."""
    counts = (select(Enrolment.class_id, func.count(Enrolment.id).label("n"))
              .group_by(Enrolment.class_id).subquery())
    return session.execute(
        select(TrainingClass.unit_id, TrainingClass.category_no, TrainingClass.hours,
               func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.class_id == TrainingClass.id)
        .where(TrainingClass.start_date >= start, TrainingClass.start_date < end)).all()


def monthly_report(session: Session, unit: str, year: int, month: int, *, filled_on: dt.date | None = None,
                   filler: str | None = None, phone: str | None = None, email: str = "") -> MonthlyReport:
    """Annex 3 月报表 of one unit and month: a row per class started that month (人数 = enrolments).

    填表人 defaults to the unit's 工作人员; the phone and e-mail are left for the centre unless given.
    """
    u = unit_named(session, unit)
    start, end = month_bounds(year, month)
    counts = (select(Enrolment.class_id, func.count(Enrolment.id).label("n"))
              .group_by(Enrolment.class_id).subquery())
    classes = session.execute(
        select(TrainingClass, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.class_id == TrainingClass.id)
        .where(TrainingClass.unit_id == u.id, TrainingClass.start_date >= start, TrainingClass.start_date < end)
        .order_by(TrainingClass.start_date, TrainingClass.title, TrainingClass.id)).all()
    rows = [MonthlyReportRow(project=c.title, trainees=n, location=c.location, hours=c.hours, method=c.method)
            for c, n in classes]
    return MonthlyReport(township_short=township_short(session) or "", unit=u.name, year=year, month=month,
                         filled_on=filled_on, rows=rows, filler=filler if filler is not None else (u.staff or ""),
                         phone=phone, email=email)


def quarterly_report(session: Session, year: int, quarter: int, *, filled_on: dt.date | None = None
                     ) -> QuarterlyReport:
    """季报: every unit (in units-file order), 班次/人次/课时 overall and per Annex 1 category."""
    if quarter not in (1, 2, 3, 4):
        raise NotFound(f"【季度】应为1至4，不能是{quarter}")
    cats = annex1_categories()
    index = {c.no: i for i, c in enumerate(cats)}
    units = session.execute(select(Unit.id, Unit.name).order_by(Unit.sort_order, Unit.id)).all()
    grid = {uid: [Tally() for _ in cats] for uid, _ in units}
    for unit_id, cat_no, hours, n in _class_tallies(session, *quarter_bounds(year, quarter)):
        i = index[cat_no]
        grid[unit_id][i] = grid[unit_id][i] + Tally(classes=1, trainees=n, hours=hours)
    rows = tuple(QuarterlyRow(unit=name, total=sum(grid[uid], Tally()), by_category=tuple(grid[uid]))
                 for uid, name in units)
    return QuarterlyReport(township_short=township_short(session) or "", year=year, quarter=quarter,
                           categories=tuple(CategoryHead(no=c.no, name=c.name) for c in cats), rows=rows,
                           filled_on=filled_on)


def project_notice(session: Session, unit: str, start: dt.date, end: dt.date | None = None) -> ProjectNotice:
    """培训项目公示 data: the unit's classes starting in [start, end) (all coming ones when end is None), with
    培训目标, 方案 and 计划 as the public sees them. The 公示期, 监督电话 and layout belong to the renderer."""
    u = unit_named(session, unit)
    items = []
    for cid in class_ids(session, unit, start, end):
        k = class_info(session, cid)
        plan = f"{k.dates_text}，共{k.sessions}次课、{k.hours}课时；{k.method}，“{k.model_name}”培训模式"
        items.append(NoticeItem(title=k.title, category_name=k.category_name, audience=k.audience or "辖区居民",
                                objective=session.get(TrainingClass, cid).objective or "", plan=plan,
                                location=k.location, hours=k.hours, teachers=k.teachers_text))
    return ProjectNotice(township_short=township_short(session) or "", unit=u.name,
                         activity_room=u.activity_room or "", items=tuple(items))
