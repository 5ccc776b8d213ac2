"""Records store: units and their yearly registered counts, teachers, classes, trainees, enrolments and attendance,
activities, volunteers, funding and the 发文登记 register.

Revision ID: 0002_records
Revises: 0001_baseline
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_records"
down_revision = "0001_baseline"
branch_labels = ("records",)
depends_on = None


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


UNIT_KINDS = ("村", "居委", "学校", "相关单位")
TEACHER_SOURCES = ("学校", "农技", "卫生院", "社会")
GENDERS = ("男", "女")
CATEGORIES = ("农民", "下岗待业", "进城务工", "老年", "青少年", "家长", "管理人员", "其他")
MARKS = ("到", "迟", "假", "缺")
ACTIVITY_KINDS = ("假期儿童活动", "亲子活动", "志愿服务", "其他活动")
DIRECTIONS = ("收入", "支出")


def upgrade() -> None:
    op.create_table(
        "records_meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(60), nullable=False, unique=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("resident_population", sa.Integer),
        sa.Column("activity_room", sa.String(80)),
        sa.Column("leader", sa.String(60)),
        sa.Column("deputy", sa.String(60)),
        sa.Column("staff", sa.String(120)),
        sa.Column("leader_phone", sa.String(20)),
        sa.Column("sort_order", sa.Integer, nullable=False),
        sa.CheckConstraint(_in("kind", UNIT_KINDS), name="ck_units_kind"),
    )
    op.create_table(
        "unit_year_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        *[sa.Column(c, sa.Integer, nullable=False)
          for c in ("laid_off", "migrant_workers", "rural_labour", "children", "parents", "managers")],
        sa.UniqueConstraint("unit_id", "year", name="uq_unit_year_counts"),
    )
    op.create_table(
        "teachers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False, unique=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("organisation", sa.String(80)),
        sa.Column("speciality", sa.String(80)),
        sa.Column("phone", sa.String(20)),
        sa.Column("volunteer", sa.Boolean, nullable=False),
        sa.CheckConstraint(_in("source", TEACHER_SOURCES), name="ck_teachers_source"),
    )
    op.create_table(
        "training_classes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("category_no", sa.Integer, nullable=False),
        sa.Column("model_code", sa.String(20), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("location", sa.String(80), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("hours", sa.Integer, nullable=False),
        sa.Column("audience", sa.String(80)),
        sa.Column("objective", sa.Text),
        sa.UniqueConstraint("unit_id", "title", "start_date", name="uq_training_classes_key"),
        sa.CheckConstraint("category_no BETWEEN 1 AND 99", name="ck_training_classes_category"),
        sa.CheckConstraint("sessions >= 1", name="ck_training_classes_sessions"),
        sa.CheckConstraint("hours >= 0", name="ck_training_classes_hours"),
        sa.CheckConstraint("end_date >= start_date", name="ck_training_classes_dates"),
    )
    op.create_index("ix_training_classes_unit_id", "training_classes", ["unit_id"])
    op.create_index("ix_training_classes_start_date", "training_classes", ["start_date"])
    op.create_table(
        "class_teachers",
        sa.Column("class_id", sa.Integer, sa.ForeignKey("training_classes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("teacher_id", sa.Integer, sa.ForeignKey("teachers.id", ondelete="RESTRICT"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("gender", sa.String(2), nullable=False),
        sa.Column("birth_year", sa.Integer),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.UniqueConstraint("unit_id", "name", "phone", name="uq_trainees_key"),
        sa.CheckConstraint(_in("gender", GENDERS), name="ck_trainees_gender"),
    )
    op.create_index("ix_trainees_unit_id", "trainees", ["unit_id"])
    op.create_table(
        "trainee_categories",
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("category", sa.String(8), primary_key=True),
        sa.CheckConstraint(_in("category", CATEGORIES), name="ck_trainee_categories_category"),
    )
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("training_classes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("trainee_id", sa.Integer, sa.ForeignKey("trainees.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("notes_score", sa.Integer),
        sa.Column("question_score", sa.Integer),
        sa.UniqueConstraint("class_id", "trainee_id", name="uq_enrolments_key"),
        sa.CheckConstraint("notes_score IS NULL OR (notes_score >= 0 AND notes_score <= 100)",
                           name="ck_enrolments_notes"),
        sa.CheckConstraint("question_score IS NULL OR (question_score >= 0 AND question_score <= 100)",
                           name="ck_enrolments_question"),
    )
    op.create_index("ix_enrolments_class_id", "enrolments", ["class_id"])
    op.create_index("ix_enrolments_trainee_id", "enrolments", ["trainee_id"])
    op.create_table(
        "attendance",
        sa.Column("enrolment_id", sa.Integer, sa.ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("session_no", sa.Integer, primary_key=True),
        sa.Column("mark", sa.String(2), nullable=False),
        sa.CheckConstraint(_in("mark", MARKS), name="ck_attendance_mark"),
        sa.CheckConstraint("session_no >= 1", name="ck_attendance_session"),
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("location", sa.String(80)),
        sa.CheckConstraint(_in("kind", ACTIVITY_KINDS), name="ck_activities_kind"),
    )
    op.create_index("ix_activities_unit_id", "activities", ["unit_id"])
    op.create_table(
        "activity_participants",
        sa.Column("activity_id", sa.Integer, sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("category", sa.String(8), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.CheckConstraint(_in("category", CATEGORIES), name="ck_activity_participants_category"),
        sa.CheckConstraint("count >= 0", name="ck_activity_participants_count"),
    )
    op.create_table(
        "volunteers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("teacher_id", sa.Integer, sa.ForeignKey("teachers.id", ondelete="SET NULL")),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("occupation", sa.String(40)),
        sa.Column("joined_on", sa.Date),
        sa.UniqueConstraint("unit_id", "name", "phone", name="uq_volunteers_key"),
    )
    op.create_index("ix_volunteers_unit_id", "volunteers", ["unit_id"])
    op.create_table(
        "funding",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("booked_on", sa.Date, nullable=False),
        sa.Column("purpose", sa.String(120)),
        sa.CheckConstraint(_in("direction", DIRECTIONS), name="ck_funding_direction"),
        sa.CheckConstraint("amount >= 0", name="ck_funding_amount"),
    )
    op.create_index("ix_funding_unit_id", "funding", ["unit_id"])
    op.create_table(
        "doc_numbers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency_code", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("serial", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("registered_at", sa.DateTime, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.UniqueConstraint("agency_code", "year", "serial", name="uq_doc_numbers_number"),
        sa.CheckConstraint("serial >= 1", name="ck_doc_numbers_serial"),
    )


def downgrade() -> None:
    for name in ("doc_numbers", "funding", "volunteers", "activity_participants", "activities", "attendance",
                 "enrolments", "trainee_categories", "trainees", "class_teachers", "training_classes", "teachers",
                 "unit_year_counts", "units", "records_meta"):
        op.drop_table(name)
