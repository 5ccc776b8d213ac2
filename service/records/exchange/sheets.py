"""The import sheets: one definition per sheet, used by the blank workbooks (headers, drop-downs, validation)
and by the importer (header matching; cells are read by service.records.exchange.cells). One source for both.

The class-schedule workbook holds 培训班 + 教师; the roster workbook holds 学员 + 参训记录. The importer reads any
workbook with any of these sheets, in dependency order (教师 → 培训班 → 学员 → 参训记录).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from service.records import vocab

Choices = Callable[[], Sequence[str]]


@dataclass(frozen=True)
class Field:
    key: str
    title: str
    kind: str  # text | int | date | phone | choice | multi | marks | score | bool | money
    required: bool = False
    choices: Choices | None = None  # drop-down values (choice) or allowed values (multi)
    low: int | None = None
    high: int | None = None
    max_len: int | None = None
    hint: str = ""
    width_key: str = ""  # its width in the sheet's form description, when not under its own key

    @property
    def header(self) -> str:
        return f"{self.title}*" if self.required else self.title


@dataclass(frozen=True)
class SheetSpec:
    name: str
    form: str  # its column widths: doc_templates/forms/exchange.yaml
    fields: tuple[Field, ...]
    note: str = ""
    key: tuple[str, ...] = field(default=())  # natural key: the same key twice is the same record
    label: str = ""  # the column marked when a key repeats
    same: str = ""  # what makes two rows the same record, for the message

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)


def _unit_names() -> Sequence[str]:  # replaced per workbook by the names in the store (see workbooks.py)
    return ()


def category_label(no: int) -> str:
    cat = vocab.category_by_no(no)
    return f"{no}.{cat.name}" if cat else str(no)


def _category_labels() -> list[str]:
    return [category_label(c.no) for c in vocab.annex1_categories()]


def _model_names() -> list[str]:
    return [m.name for m in vocab.training_models()]


YES, NO = "是", "否"

TEACHERS = SheetSpec("教师", "import_teachers", (
    Field("name", "姓名", "text", True, max_len=40),
    Field("source", "来源", "choice", True, lambda: vocab.TEACHER_SOURCES, hint="学校、农技、卫生院或社会"),
    Field("organisation", "所在单位", "text", max_len=80),
    Field("speciality", "专业特长", "text", max_len=80),
    Field("phone", "联系电话", "phone", hint="11位手机号码，或带区号的固定电话"),
    Field("volunteer", "志愿者", "bool", choices=lambda: (YES, NO), hint="是或否"),
), note="授课教师名单。培训班表中的“培训教师”须在本表或系统中已登记。", key=("name",), label="name", same="姓名相同即为同一位教师")

CLASSES = SheetSpec("培训班", "import_classes", (
    Field("unit", "办班单位", "choice", True, _unit_names),
    Field("title", "培训项目", "text", True, max_len=100),
    Field("category_no", "培训内容类别", "choice", True, _category_labels, hint="附件1的13类培训内容之一"),
    Field("model_code", "培训模式", "choice", True, _model_names, hint="短平快、能人带动、自选培训、流动培训、资源共享"),
    Field("method", "培训方式", "choice", True, vocab.training_methods),
    Field("location", "培训地点", "text", True, max_len=80),
    Field("start_date", "开班日期", "date", True, hint="如 2020-05-06"),
    Field("end_date", "结束日期", "date", hint="不填则与开班日期相同"),
    Field("sessions", "课次", "int", True, low=1, high=200, hint="上课次数，1至200"),
    Field("hours", "课时", "int", True, low=0, high=1000, hint="总课时，整数"),
    Field("teachers", "培训教师", "multi", True, hint="多名教师用顿号分隔，如：张华、李明"),
    Field("audience", "培训对象", "text", max_len=80),
    Field("objective", "培训目标", "text", max_len=2000),
), note="每行一个培训班。办班单位、培训项目和开班日期相同即为同一个班，重复导入会更新而不会重复。",
    key=("unit", "title", "start_date"), label="title", same="办班单位、培训项目和开班日期相同即为同一个班")

TRAINEES = SheetSpec("学员", "import_trainees", (
    Field("unit", "所属单位", "choice", True, _unit_names),
    Field("name", "姓名", "text", True, max_len=40),
    Field("gender", "性别", "choice", True, lambda: vocab.GENDERS),
    Field("birth_year", "出生年份", "int", low=1900, high=2100, hint="四位年份，如 1965"),
    Field("phone", "联系电话", "phone", hint="11位手机号码，或带区号的固定电话"),
    Field("categories", "学员类别", "multi", True, lambda: vocab.TRAINEE_CATEGORIES,
          hint="可填多个，用顿号分隔：" + "、".join(vocab.TRAINEE_CATEGORIES)),
), note="学员名册。所属单位、姓名和联系电话相同即为同一人。不收集身份证号码。", key=("unit", "name", "phone"),
    label="name", same="所属单位、姓名和联系电话相同即为同一人")

ENROLMENTS = SheetSpec("参训记录", "import_enrolments", (
    Field("class_unit", "办班单位", "choice", True, _unit_names),
    Field("class_title", "培训项目", "text", True, max_len=100),
    Field("class_start", "开班日期", "date", True),
    Field("trainee_unit", "学员所属单位", "choice", True, _unit_names),
    Field("trainee_name", "学员姓名", "text", True, max_len=40),
    Field("trainee_phone", "学员联系电话", "phone"),
    Field("marks", "出勤", "marks", True, hint="每次课一个字：到、迟、假、缺，如“到到缺到”"),
    Field("notes_score", "听课记录", "score", low=0, high=100, hint="0至100分"),
    Field("question_score", "课堂提问", "score", low=0, high=100, hint="0至100分"),
), note="每行一名学员参加一个培训班：培训班须已导入，学员须在学员表或系统中已登记。",
    key=("class_unit", "class_title", "class_start", "trainee_unit", "trainee_name", "trainee_phone"),
    label="trainee_name", same="同一学员参加同一个培训班只填一行")

# The year's other records (志愿者, 经费, 活动): the denominators' companions of the year-end 验收考核.
VOLUNTEERS = SheetSpec("志愿者", "import_volunteers", (
    Field("unit", "所属单位", "choice", True, _unit_names),
    Field("name", "姓名", "text", True, max_len=40),
    Field("phone", "联系电话", "phone", hint="11位手机号码，或带区号的固定电话"),
    Field("occupation", "职业身份", "text", max_len=40, hint="如退休教师、党员志愿者"),
    Field("joined_on", "加入日期", "date", hint="如 2020-03-01；年底前加入的计入当年志愿者人数"),
    Field("teacher", "教师姓名", "text", max_len=40, hint="志愿者是已登记的授课教师时填写其姓名"),
), note="社区教育志愿者名单。所属单位、姓名和联系电话相同即为同一人。", key=("unit", "name", "phone"), label="name",
    same="所属单位、姓名和联系电话相同即为同一人")

FUNDING = SheetSpec("经费", "import_funding", (
    Field("unit", "单位", "choice", True, _unit_names),
    Field("direction", "收支", "choice", True, lambda: vocab.FUNDING_DIRECTIONS, hint="收入或支出"),
    Field("source", "来源或用途类别", "text", True, max_len=40, hint="如 镇财政拨款、资料印刷"),
    Field("amount", "金额", "money", True, hint="单位：元；不小于0，最多两位小数"),
    Field("booked_on", "日期", "date", True, hint="如 2020-05-15"),
    Field("purpose", "摘要", "text", max_len=120),
), note="社区教育经费收支。单位、收支、类别、金额和日期都相同即为同一笔，重复导入不会重复记账。",
    key=("unit", "direction", "source", "amount", "booked_on"), label="amount",
    same="单位、收支、类别、金额和日期相同即为同一笔")

ACTIVITIES = SheetSpec("活动", "import_activities", (
    Field("unit", "举办单位", "choice", True, _unit_names),
    Field("kind", "活动类别", "choice", True, lambda: vocab.ACTIVITY_KINDS, hint="、".join(vocab.ACTIVITY_KINDS)),
    Field("title", "活动名称", "text", True, max_len=120),
    Field("held_on", "活动日期", "date", True, hint="如 2020-07-15"),
    Field("location", "活动地点", "text", max_len=80),
    *(Field(f"n_{c}", f"{c}人数", "int", low=0, high=100000, hint=f"参加活动的{c}人数（人次）",
          width_key="participants")
      for c in vocab.TRAINEE_CATEGORIES),
), note="不属于培训班的活动（假期儿童活动、亲子活动、志愿服务等）及各类人员的参加人数。"
        "举办单位、活动类别、活动名称和活动日期相同即为同一次活动。",
    key=("unit", "kind", "title", "held_on"), label="title", same="举办单位、活动类别、名称和日期相同即为同一次活动")

EXTRA_SHEETS = (VOLUNTEERS, FUNDING, ACTIVITIES)
ALL_SHEETS = (TEACHERS, CLASSES, TRAINEES, ENROLMENTS, *EXTRA_SHEETS)  # dependency order
SCHEDULE_SHEETS = (CLASSES, TEACHERS)
ROSTER_SHEETS = (TRAINEES, ENROLMENTS)
