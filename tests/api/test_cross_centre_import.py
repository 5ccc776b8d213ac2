"""Cross-centre writes through the import endpoint (issue 8, item 2): a centre token may create teachers and edit
only teachers used solely by its own classes (anything else refused, naming the row), and enrolling another
unit's trainee gives the same answer whether or not that trainee exists there (no oracle)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.conftest import UNIT_A, UNIT_B, auth
from tests.api.helpers import filled_template, upload_workbook

pytestmark = pytest.mark.usefixtures("worker")  # imports and exports run as jobs on a real worker


def _upload(client, token, data: bytes):
    return upload_workbook(client, auth(token), data)


def _teachers_by_units() -> dict[str, tuple]:
    """Stored teachers -> (teacher, set of units whose classes they teach)."""
    from service.db.session import session
    from service.records.store.models import ClassTeacher, Teacher, TrainingClass, Unit

    with session() as s:
        teachers = {t.id: t for t in s.scalars(select(Teacher))}
        units: dict[int, set] = {}
        for tid, unit in s.execute(select(ClassTeacher.teacher_id, Unit.name).join(
                TrainingClass, TrainingClass.id == ClassTeacher.class_id).join(Unit)):
            units.setdefault(tid, set()).add(unit)
    return {t.name: (t, units.get(tid, set())) for tid, t in teachers.items()}


def _teacher_row(t, **changes) -> dict:
    row = {"姓名": t.name, "来源": t.source, "所在单位": t.organisation, "专业特长": t.speciality,
           "联系电话": t.phone, "志愿者": "是" if t.volunteer else "否"}
    row.update(changes)
    return row


def test_centre_cannot_edit_another_units_teacher(client, tokens):
    teachers = _teachers_by_units()
    other = next(t for t, units in teachers.values() if units and UNIT_A not in units)
    data = filled_template("培训班计划表", "教师", [_teacher_row(other, 联系电话="13900000001", 所在单位="攻击者单位")])
    r = _upload(client, tokens["A"], data)
    assert r.status_code == 422 and r.content_type == "application/problem+json", r.json
    (err,) = r.json["errors"]
    assert err["field"] == "教师!A2" and other.name in err["message"] and "不能修改" in err["message"]
    after, _units = _teachers_by_units()[other.name]
    assert (after.phone, after.organisation) == (other.phone, other.organisation)  # nothing written


def test_centre_creates_teachers_and_edits_its_own(client, tokens):
    teachers = _teachers_by_units()
    rows = [{"姓名": "新来的老师甲", "来源": "学校", "联系电话": "13900000002"}]
    own = next((t for t, units in teachers.values() if units == {UNIT_A}), None)
    if own is not None:
        rows.append(_teacher_row(own, 专业特长="（本单位修改）"))
    r = _upload(client, tokens["A"], filled_template("培训班计划表", "教师", rows))
    assert r.status_code == 200, r.json
    assert r.json["tallies"]["教师"]["created"] == 1
    if own is not None:
        assert _teachers_by_units()[own.name][0].speciality == "（本单位修改）"


def test_office_may_edit_any_teacher(client, tokens):
    teachers = _teachers_by_units()
    other = next(t for t, units in teachers.values() if len(units) >= 1 and UNIT_A not in units)
    r = _upload(client, tokens["office"], filled_template("培训班计划表", "教师", [_teacher_row(other, 专业特长="党政办修改")]))
    assert r.status_code == 200, r.json


def _a_class_and_b_trainee():
    from service.db.session import session
    from service.records.store.models import Trainee, TrainingClass, Unit

    with session() as s:
        klass = s.scalars(select(TrainingClass).join(Unit).where(Unit.name == UNIT_A)).first()
        trainee = s.scalars(select(Trainee).join(Unit).where(Unit.name == UNIT_B)).first()
    return klass, trainee


def test_enrolling_another_units_trainee_reveals_nothing(client, tokens):
    klass, trainee = _a_class_and_b_trainee()

    def row(name, phone):
        return {"办班单位": UNIT_A, "培训项目": klass.title, "开班日期": klass.start_date, "学员所属单位": UNIT_B,
                "学员姓名": name, "学员联系电话": phone, "出勤": "到" * klass.sessions}

    answers = []
    for name, phone in ((trainee.name, trainee.phone or None), ("查无此人", "13911112222")):
        r = _upload(client, tokens["A"], filled_template("学员名册", "参训记录", [row(name, phone)]))
        assert r.status_code == 422, r.json
        answers.append((r.json["detail"], [(e["field"], e["title"], e["message"]) for e in r.json["errors"]]))
    assert answers[0] == answers[1]  # existing or not: the same answer
