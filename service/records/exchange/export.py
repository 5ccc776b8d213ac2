"""The store's records back out as the import workbooks: a centre downloads what it has (its own unit, or all for
the office), edits it in Excel and imports it again; the natural keys make that an update, never a duplicate."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.records.exchange.workbooks import roster_workbook, schedule_workbook
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
from service.records.store.writer import Batch, ClassRec, EnrolmentRec, TeacherRec, TraineeRec
from service.records.vocab import TRAINEE_CATEGORIES


def stored_batch(session: Session, unit: str | None = None) -> Batch:
    """Every record of the store (or of one unit: its classes with their enrolments, its trainees, and the
    teachers of its classes) as writer records, in a stable order."""
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    uid = next((i for i, n in names.items() if n == unit), None) if unit else None
    cq = select(TrainingClass).order_by(TrainingClass.start_date, TrainingClass.unit_id, TrainingClass.title)
    tq = select(Trainee).order_by(Trainee.unit_id, Trainee.name, Trainee.phone)
    if unit is not None:
        cq, tq = cq.where(TrainingClass.unit_id == uid), tq.where(Trainee.unit_id == uid)
    classes = list(session.scalars(cq))
    class_ids = {c.id for c in classes}
    teacher_names = dict(session.execute(select(Teacher.id, Teacher.name)).all())
    links: dict[int, list[tuple[int, str]]] = {}
    for cid, tid, pos in session.execute(select(ClassTeacher.class_id, ClassTeacher.teacher_id, ClassTeacher.position)):
        if cid in class_ids:
            links.setdefault(cid, []).append((pos, teacher_names[tid]))
    used = {n for v in links.values() for _, n in v}
    teachers = [TeacherRec(t.name, t.source, t.organisation, t.speciality, t.phone, t.volunteer)
                for t in session.scalars(select(Teacher).order_by(Teacher.name))
                if unit is None or t.name in used]
    crecs = {c.id: ClassRec(names[c.unit_id], c.title, c.start_date, c.end_date, c.category_no, c.model_code,
                            c.method, c.location, c.sessions, c.hours,
                            tuple(n for _, n in sorted(links.get(c.id, []))), c.audience, c.objective)
             for c in classes}
    cats: dict[int, set[str]] = {}
    for tid, cat in session.execute(select(TraineeCategory.trainee_id, TraineeCategory.category)):
        cats.setdefault(tid, set()).add(cat)
    trainee_rows = list(session.scalars(tq))
    all_trainees = {t.id: t for t in session.scalars(select(Trainee))}
    marks: dict[int, list[tuple[int, str]]] = {}
    for eid, no, mark in session.execute(select(Attendance.enrolment_id, Attendance.session_no, Attendance.mark)):
        marks.setdefault(eid, []).append((no, mark))
    enrolments = []
    for e in session.scalars(select(Enrolment).order_by(Enrolment.class_id, Enrolment.id)):
        if e.class_id not in crecs:
            continue
        t = all_trainees[e.trainee_id]
        enrolments.append(EnrolmentRec(crecs[e.class_id].key, (names[t.unit_id], t.name, t.phone),
                                       "".join(m for _, m in sorted(marks.get(e.id, []))), e.notes_score,
                                       e.question_score))
    trainees = [TraineeRec(names[t.unit_id], t.name, t.phone, t.gender, t.birth_year,
                           tuple(c for c in TRAINEE_CATEGORIES if c in cats.get(t.id, ())))
                for t in trainee_rows]
    return Batch(teachers=teachers, classes=list(crecs.values()), trainees=trainees, enrolments=enrolments)


def export_workbooks(session: Session, unit: str | None = None) -> tuple[bytes, bytes]:
    """(class schedule, roster) workbooks holding the store's records (of `unit`, or all)."""
    return export_workbook(session, "schedule", unit), export_workbook(session, "roster", unit)


def export_workbook(session: Session, which: str, unit: str | None = None) -> bytes:
    """One workbook: "schedule" (classes and their teachers) or "roster" (trainees and enrolments)."""
    batch = stored_batch(session, unit)
    unit_names = list(session.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id)))
    if which == "schedule":
        return schedule_workbook(unit_names, batch.classes, batch.teachers)
    return roster_workbook(unit_names, batch.trainees, batch.enrolments)
