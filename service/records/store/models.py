"""The records store's tables (SQLAlchemy 2). The schema itself is created by Alembic revision 0002_records.

A natural key is a unique constraint on every entity that is imported, so a re-import finds the same row:
a trainee is (unit, name, phone); a class is (unit, title, start date); a teacher is its name.
No ID-card numbers are kept: the forms do not need them.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base
from service.docnumber import doc_number
from service.records.vocab import (
    ACTIVITY_KINDS,
    ATTENDANCE_MARKS,
    FUNDING_DIRECTIONS,
    GENDERS,
    TEACHER_SOURCES,
    TRAINEE_CATEGORIES,
)
from service.units import UNIT_KINDS


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class RecordsMeta(Base):
    """Facts about the whole store: the township's full and short name (from the units file)."""

    __tablename__ = "records_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Unit(Base):
    """A learning centre's unit: a village, a residents' committee, a school or a related body (Annex 4 row)."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(_in("kind", UNIT_KINDS), name="ck_units_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    resident_population: Mapped[int | None] = mapped_column(Integer)
    activity_room: Mapped[str | None] = mapped_column(String(80))
    leader: Mapped[str | None] = mapped_column(String(60))
    deputy: Mapped[str | None] = mapped_column(String(60))
    staff: Mapped[str | None] = mapped_column(String(120))
    leader_phone: Mapped[str | None] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    year_counts: Mapped[list[UnitYearCounts]] = relationship(back_populates="unit", cascade="all, delete-orphan")


class UnitYearCounts(Base):
    """The year's registered persons of a unit: the denominators of the year-end training rates."""

    __tablename__ = "unit_year_counts"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_unit_year_counts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    laid_off: Mapped[int] = mapped_column(Integer, default=0)
    migrant_workers: Mapped[int] = mapped_column(Integer, default=0)
    rural_labour: Mapped[int] = mapped_column(Integer, default=0)
    children: Mapped[int] = mapped_column(Integer, default=0)
    parents: Mapped[int] = mapped_column(Integer, default=0)
    managers: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[Unit] = relationship(back_populates="year_counts")


class Teacher(Base):
    __tablename__ = "teachers"
    __table_args__ = (CheckConstraint(_in("source", TEACHER_SOURCES), name="ck_teachers_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    source: Mapped[str] = mapped_column(String(8))
    organisation: Mapped[str | None] = mapped_column(String(80))
    speciality: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    volunteer: Mapped[bool] = mapped_column(Boolean, default=False)


class ClassTeacher(Base):
    __tablename__ = "class_teachers"

    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="RESTRICT"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TrainingClass(Base):
    """A class (培训班): one 学员培训记录卡, one 学员考核表."""

    __tablename__ = "training_classes"
    __table_args__ = (
        UniqueConstraint("unit_id", "title", "start_date", name="uq_training_classes_key"),
        CheckConstraint("category_no BETWEEN 1 AND 99", name="ck_training_classes_category"),
        CheckConstraint("sessions >= 1", name="ck_training_classes_sessions"),
        CheckConstraint("hours >= 0", name="ck_training_classes_hours"),
        CheckConstraint("end_date >= start_date", name="ck_training_classes_dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    category_no: Mapped[int] = mapped_column(Integer)
    model_code: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(80))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date] = mapped_column(Date)
    sessions: Mapped[int] = mapped_column(Integer)
    hours: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str | None] = mapped_column(String(80))
    objective: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit] = relationship()
    teacher_links: Mapped[list[ClassTeacher]] = relationship(
        order_by=ClassTeacher.position, cascade="all, delete-orphan"
    )
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="training_class", cascade="all, delete-orphan")


class Trainee(Base):
    __tablename__ = "trainees"
    __table_args__ = (
        UniqueConstraint("unit_id", "name", "phone", name="uq_trainees_key"),
        CheckConstraint(_in("gender", GENDERS), name="ck_trainees_gender"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(2))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(20), default="")  # '' when none: part of the natural key

    unit: Mapped[Unit] = relationship()
    category_rows: Mapped[list[TraineeCategory]] = relationship(cascade="all, delete-orphan")


class TraineeCategory(Base):
    """A trainee's categories (multi-valued: an older farmer is both 老年 and 农民)."""

    __tablename__ = "trainee_categories"
    __table_args__ = (CheckConstraint(_in("category", TRAINEE_CATEGORIES), name="ck_trainee_categories_category"),)

    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(8), primary_key=True)


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("class_id", "trainee_id", name="uq_enrolments_key"),
        CheckConstraint("notes_score IS NULL OR (notes_score >= 0 AND notes_score <= 100)", name="ck_enrolments_notes"),
        CheckConstraint(
            "question_score IS NULL OR (question_score >= 0 AND question_score <= 100)", name="ck_enrolments_question"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="RESTRICT"), index=True)
    notes_score: Mapped[int | None] = mapped_column(Integer)  # 听课记录, 0-100
    question_score: Mapped[int | None] = mapped_column(Integer)  # 课堂提问, 0-100

    training_class: Mapped[TrainingClass] = relationship(back_populates="enrolments")
    trainee: Mapped[Trainee] = relationship()
    attendance: Mapped[list[Attendance]] = relationship(
        order_by="Attendance.session_no", cascade="all, delete-orphan"
    )


class Attendance(Base):
    """One mark per enrolment and session (到/迟/假/缺)."""

    __tablename__ = "attendance"
    __table_args__ = (
        CheckConstraint(_in("mark", ATTENDANCE_MARKS), name="ck_attendance_mark"),
        CheckConstraint("session_no >= 1", name="ck_attendance_session"),
    )

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    session_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    mark: Mapped[str] = mapped_column(String(2))


class Activity(Base):
    """An activity that is not a class (holiday activities for children, parent-child activities, volunteer services)."""

    __tablename__ = "activities"
    __table_args__ = (CheckConstraint(_in("kind", ACTIVITY_KINDS), name="ck_activities_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(80))

    participants: Mapped[list[ActivityParticipants]] = relationship(cascade="all, delete-orphan")


class ActivityParticipants(Base):
    __tablename__ = "activity_participants"
    __table_args__ = (
        CheckConstraint(_in("category", TRAINEE_CATEGORIES), name="ck_activity_participants_category"),
        CheckConstraint("count >= 0", name="ck_activity_participants_count"),
    )

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class Volunteer(Base):
    """A community-education volunteer: a teacher (teacher_id set) or anyone else."""

    __tablename__ = "volunteers"
    __table_args__ = (UniqueConstraint("unit_id", "name", "phone", name="uq_volunteers_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20), default="")
    occupation: Mapped[str | None] = mapped_column(String(40))
    joined_on: Mapped[dt.date | None] = mapped_column(Date)


class Funding(Base):
    """Money received (收入) or spent (支出) by a unit, per source."""

    __tablename__ = "funding"
    __table_args__ = (
        CheckConstraint(_in("direction", FUNDING_DIRECTIONS), name="ck_funding_direction"),
        CheckConstraint("amount >= 0", name="ck_funding_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    source: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    booked_on: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(String(120))


class DocNumber(Base):
    """发文登记: one row per 发文字号 (机关代字〔year〕serial号); a number once used is never issued again."""

    __tablename__ = "doc_numbers"
    __table_args__ = (
        UniqueConstraint("agency_code", "year", "serial", name="uq_doc_numbers_number"),
        CheckConstraint("serial >= 1", name="ck_doc_numbers_serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    @property
    def number(self) -> str:
        return doc_number(self.agency_code, self.year, self.serial)
