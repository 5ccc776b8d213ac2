"""Writes validated records into the store by natural key: new ones inserted, changed ones updated, every change
reported, and the year's other records (志愿者, 经费, 活动) added when new. Used by the Excel importer and by
the sample loader (one write path).

A teacher is its name; a class is (unit, title, start date); a trainee is (unit, name, phone); an enrolment is
(class, trainee). Inserts go in bulk (executemany with RETURNING), so a 5,000-trainee roster stays quick.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from service.records.store.models import (
    Activity,
    ActivityParticipants,
    Attendance,
    ClassTeacher,
    Enrolment,
    Funding,
    Teacher,
    Trainee,
    TraineeCategory,
    TrainingClass,
    Unit,
    Volunteer,
)

ClassKey = tuple[str, str, dt.date]  # unit name, title, start date
TraineeKey = tuple[str, str, str]  # unit name, name, phone ('' when none)


@dataclass(frozen=True)
class TeacherRec:
    name: str
    source: str
    organisation: str | None = None
    speciality: str | None = None
    phone: str | None = None
    volunteer: bool = False


@dataclass(frozen=True)
class ClassRec:
    unit: str
    title: str
    start_date: dt.date
    end_date: dt.date
    category_no: int
    model_code: str
    method: str
    location: str
    sessions: int
    hours: int
    teachers: tuple[str, ...]
    audience: str | None = None
    objective: str | None = None

    @property
    def key(self) -> ClassKey:
        return (self.unit, self.title, self.start_date)


@dataclass(frozen=True)
class TraineeRec:
    unit: str
    name: str
    phone: str
    gender: str
    birth_year: int | None
    categories: tuple[str, ...]

    @property
    def key(self) -> TraineeKey:
        return (self.unit, self.name, self.phone)


@dataclass(frozen=True)
class EnrolmentRec:
    class_key: ClassKey
    trainee_key: TraineeKey
    marks: str  # one of 到迟假缺 per session
    notes_score: int | None = None
    question_score: int | None = None


@dataclass(frozen=True)
class Change:
    """One field of one existing record that an import changed."""

    sheet: str
    row: int | None
    record: str
    field: str
    old: object
    new: object

    def __str__(self) -> str:
        where = f"【{self.sheet}】第{self.row}行 " if self.row else ""
        return f"{where}{self.record}：{self.field}由“{_show(self.old)}”改为“{_show(self.new)}”"


def _show(value: object) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (tuple, list)):
        return "、".join(str(v) for v in value)
    return str(value)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Batch:
    """Validated records to write, with the worksheet row each came from (for the change report)."""

    teachers: list[TeacherRec] = field(default_factory=list)
    classes: list[ClassRec] = field(default_factory=list)
    trainees: list[TraineeRec] = field(default_factory=list)
    enrolments: list[EnrolmentRec] = field(default_factory=list)
    rows: dict[int, int] = field(default_factory=dict)  # id(record) -> worksheet row
    extras: dict[str, list[dict]] = field(default_factory=dict)  # 志愿者/经费/活动 rows (service.records.exchange.extras)


@dataclass
class WriteResult:
    tallies: dict[str, Tally] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)


TEACHER_FIELDS = {"source": "来源", "organisation": "所在单位", "speciality": "专业特长", "phone": "联系电话",
                  "volunteer": "志愿者"}
CLASS_FIELDS = {"category_no": "培训内容类别", "model_code": "培训模式", "method": "培训方式", "location": "培训地点",
                "end_date": "结束日期", "sessions": "课次", "hours": "课时", "audience": "培训对象",
                "objective": "培训目标"}
TRAINEE_FIELDS = {"gender": "性别", "birth_year": "出生年份"}


class _Writer:
    def __init__(self, session: Session, batch: Batch):
        self.s = session
        self.batch = batch
        self.result = WriteResult()
        self.units = dict(session.execute(select(Unit.name, Unit.id)).all())

    def tally(self, sheet: str) -> Tally:
        return self.result.tallies.setdefault(sheet, Tally())

    def note(self, sheet: str, rec, label: str, attr_titles: dict[str, str], obj, new_values: dict) -> bool:
        changed = False
        for attr, title in attr_titles.items():
            old, new = getattr(obj, attr), new_values[attr]
            if old != new:
                self.result.changes.append(Change(sheet, self.batch.rows.get(id(rec)), label, title, old, new))
                setattr(obj, attr, new)
                changed = True
        return changed

    # -- teachers ----------------------------------------------------------------------------------------
    def teachers(self) -> dict[str, int]:
        existing = {t.name: t for t in self.s.scalars(select(Teacher))}
        new_rows = []
        for rec in self.batch.teachers:
            values = {k: getattr(rec, k) for k in TEACHER_FIELDS}
            obj = existing.get(rec.name)
            if obj is None:
                new_rows.append({"name": rec.name, **values})
                self.tally("教师").created += 1
            elif self.note("教师", rec, f"教师 {rec.name}", TEACHER_FIELDS, obj, values):
                self.tally("教师").updated += 1
            else:
                self.tally("教师").unchanged += 1
        if new_rows:
            self.s.execute(insert(Teacher), new_rows)
        self.s.flush()
        return dict(self.s.execute(select(Teacher.name, Teacher.id)).all())

    def child_changed(self, sheet: str, rec, label: str, title: str, old, new, obj_id: int,
                      pending: dict) -> bool:
        """Compare a record's child collection (teachers, categories, attendance); schedule a rewrite if changed."""
        if old == new:
            return False
        self.result.changes.append(Change(sheet, self.batch.rows.get(id(rec)), label, title, old, new))
        pending[obj_id] = new
        return True

    def counted(self, sheet: str, changed: bool) -> None:
        self.tally(sheet).updated += int(changed)
        self.tally(sheet).unchanged += int(not changed)

    def store(self, model, new_rows: list[dict], new_children: list, pending: dict, child_fk, child_model,
              child_rows) -> None:
        """Insert the new parents (ids back in order), replace the children of `pending` parents (existing ones
        whose children changed) and insert the children of the new ones: child_rows(parent id, value) -> rows."""
        self.s.flush()
        _delete_in(self.s, child_fk, pending)
        if new_rows:
            ids = self.s.execute(insert(model).returning(model.id, sort_by_parameter_order=True),
                                 new_rows).scalars().all()
            pending.update(zip(ids, new_children))
        rows = [row for pid, value in pending.items() for row in child_rows(pid, value)]
        if rows:
            self.s.execute(insert(child_model), rows)

    # -- classes -----------------------------------------------------------------------------------------
    def classes(self, teacher_ids: dict[str, int]) -> None:
        if not self.batch.classes:
            return
        names = {v: k for k, v in self.units.items()}
        existing = {(names[c.unit_id], c.title, c.start_date): c for c in self.s.scalars(select(TrainingClass))}
        links: dict[int, list[tuple[int, int]]] = {}
        for cid, tid, pos in self.s.execute(select(ClassTeacher.class_id, ClassTeacher.teacher_id,
                                                   ClassTeacher.position)):
            links.setdefault(cid, []).append((pos, tid))
        id_to_name = {v: k for k, v in teacher_ids.items()}
        new_rows, new_children, pending = [], [], {}
        for rec in self.batch.classes:
            values = {k: getattr(rec, k) for k in CLASS_FIELDS}
            obj = existing.get(rec.key)
            if obj is None:
                new_rows.append({"unit_id": self.units[rec.unit], "title": rec.title, "start_date": rec.start_date,
                                 **values})
                new_children.append(rec.teachers)
                self.tally("培训班").created += 1
                continue
            label = f"培训班 {rec.unit}《{rec.title}》{rec.start_date.isoformat()}"
            changed = self.note("培训班", rec, label, CLASS_FIELDS, obj, values)
            old = tuple(id_to_name[t] for _, t in sorted(links.get(obj.id, [])))
            changed |= self.child_changed("培训班", rec, label, "培训教师", old, rec.teachers, obj.id, pending)
            self.counted("培训班", changed)
        self.store(TrainingClass, new_rows, new_children, pending, ClassTeacher.class_id, ClassTeacher,
                   lambda cid, names_: [{"class_id": cid, "teacher_id": teacher_ids[n], "position": pos}
                                        for pos, n in enumerate(names_)])

    # -- trainees ----------------------------------------------------------------------------------------
    def trainees(self) -> None:
        if not self.batch.trainees:
            return
        names = {v: k for k, v in self.units.items()}
        existing = {(names[t.unit_id], t.name, t.phone): t for t in self.s.scalars(select(Trainee))}
        cats: dict[int, set[str]] = {}
        for tid, cat in self.s.execute(select(TraineeCategory.trainee_id, TraineeCategory.category)):
            cats.setdefault(tid, set()).add(cat)
        new_rows, new_children, pending = [], [], {}
        for rec in self.batch.trainees:
            values = {k: getattr(rec, k) for k in TRAINEE_FIELDS}
            obj = existing.get(rec.key)
            if obj is None:
                new_rows.append({"unit_id": self.units[rec.unit], "name": rec.name, "phone": rec.phone, **values})
                new_children.append(_ordered(rec.categories))
                self.tally("学员").created += 1
                continue
            label = f"学员 {rec.name}（{rec.unit}{'，' + rec.phone if rec.phone else ''}）"
            changed = self.note("学员", rec, label, TRAINEE_FIELDS, obj, values)
            changed |= self.child_changed("学员", rec, label, "学员类别", _ordered(cats.get(obj.id, ())),
                                          _ordered(rec.categories), obj.id, pending)
            self.counted("学员", changed)
        self.store(Trainee, new_rows, new_children, pending, TraineeCategory.trainee_id, TraineeCategory,
                   lambda tid, cs: [{"trainee_id": tid, "category": c} for c in cs])

    # -- enrolments --------------------------------------------------------------------------------------
    def enrolments(self) -> None:
        if not self.batch.enrolments:
            return
        names = {v: k for k, v in self.units.items()}
        class_ids = {(names[u], t, d): i for i, u, t, d in self.s.execute(
            select(TrainingClass.id, TrainingClass.unit_id, TrainingClass.title, TrainingClass.start_date))}
        trainee_ids = {(names[u], n, p): i for i, u, n, p in self.s.execute(
            select(Trainee.id, Trainee.unit_id, Trainee.name, Trainee.phone))}
        existing = {(e.class_id, e.trainee_id): e for e in self.s.scalars(select(Enrolment))}
        marks: dict[int, dict[int, str]] = {}
        if existing:
            for eid, no, mark in self.s.execute(select(Attendance.enrolment_id, Attendance.session_no,
                                                       Attendance.mark)):
                marks.setdefault(eid, {})[no] = mark
        scores = {"notes_score": "听课记录", "question_score": "课堂提问"}
        new_rows, new_children, pending = [], [], {}
        for rec in self.batch.enrolments:
            cid, tid = class_ids[rec.class_key], trainee_ids[rec.trainee_key]
            values = {"notes_score": rec.notes_score, "question_score": rec.question_score}
            obj = existing.get((cid, tid))
            if obj is None:
                new_rows.append({"class_id": cid, "trainee_id": tid, **values})
                new_children.append(rec.marks)
                self.tally("参训记录").created += 1
                continue
            label = f"{rec.trainee_key[1]}参加《{rec.class_key[1]}》"
            changed = self.note("参训记录", rec, label, scores, obj, values)
            old = "".join(m for _, m in sorted(marks.get(obj.id, {}).items()))
            changed |= self.child_changed("参训记录", rec, label, "出勤", old, rec.marks, obj.id, pending)
            self.counted("参训记录", changed)
        self.store(Enrolment, new_rows, new_children, pending, Attendance.enrolment_id, Attendance,
                   lambda eid, ms: [{"enrolment_id": eid, "session_no": no, "mark": m}
                                    for no, m in enumerate(ms, start=1)])


def _delete_in(session: Session, column, ids: Iterable[int], chunk: int = 5000) -> None:
    """Delete the rows whose `column` is one of `ids` (existing records being rewritten), in chunks."""
    ids = list(ids)
    for i in range(0, len(ids), chunk):
        session.execute(delete(column.class_).where(column.in_(ids[i:i + chunk])))


def _ordered(categories: Iterable[str]) -> tuple[str, ...]:
    from service.records.vocab import TRAINEE_CATEGORIES

    return tuple(c for c in TRAINEE_CATEGORIES if c in set(categories))


def write_batch(session: Session, batch: Batch) -> WriteResult:
    """Write every record of `batch` (validated beforehand) in the session's transaction; nothing is committed."""
    w = _Writer(session, batch)
    teacher_ids = w.teachers()
    w.classes(teacher_ids)
    w.trainees()
    w.enrolments()
    session.flush()
    session.expire_all()
    return w.result


def write_extras(session: Session, activities: Iterable[dict], volunteers: Iterable[dict], funding: Iterable[dict]
                 ) -> dict[str, int]:
    """The year's activities, volunteers and funding rows (the shape service.records.exchange.extras reads and the
    sample dataset holds); rows already stored are left alone. Counts added per kind."""
    units = dict(session.execute(select(Unit.name, Unit.id)).all())
    teachers = dict(session.execute(select(Teacher.name, Teacher.id)).all())
    added = {"activities": 0, "volunteers": 0, "funding": 0}
    have = {(u, k, t, d) for u, k, t, d in session.execute(
        select(Activity.unit_id, Activity.kind, Activity.title, Activity.held_on))}
    for a in activities:
        held = dt.date.fromisoformat(a["held_on"])
        key = (units[a["unit"]], a["kind"], a["title"], held)
        if key in have:
            continue
        have.add(key)
        session.add(Activity(unit_id=key[0], kind=a["kind"], title=a["title"], held_on=held, location=a["location"],
                             participants=[ActivityParticipants(category=c, count=n)
                                           for c, n in a["participants"].items()]))
        added["activities"] += 1
    have = {(u, n, p) for u, n, p in session.execute(select(Volunteer.unit_id, Volunteer.name, Volunteer.phone))}
    for v in volunteers:
        key = (units[v["unit"]], v["name"], v["phone"])
        if key in have:
            continue
        have.add(key)
        session.add(Volunteer(unit_id=key[0], name=v["name"], phone=v["phone"], occupation=v["occupation"],
                              teacher_id=teachers.get(v["teacher"]) if v["teacher"] else None,
                              joined_on=dt.date.fromisoformat(v["joined_on"]) if v["joined_on"] else None))
        added["volunteers"] += 1
    have = {(u, d, s, a, b) for u, d, s, a, b in session.execute(
        select(Funding.unit_id, Funding.direction, Funding.source, Funding.amount, Funding.booked_on))}
    for f in funding:
        key = (units[f["unit"]], f["direction"], f["source"], Decimal(f["amount"]),
               dt.date.fromisoformat(f["booked_on"]))
        if key in have:
            continue
        have.add(key)
        session.add(Funding(unit_id=key[0], direction=key[1], source=key[2], amount=key[3], booked_on=key[4],
                            purpose=f["purpose"]))
        added["funding"] += 1
    session.flush()
    return added
