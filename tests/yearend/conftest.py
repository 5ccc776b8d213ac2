"""Year-end fixtures: the records store fixtures (SQLite AND PostgreSQL, per-session databases, the loaded sample)
reused from tests/records, and a tiny hand-made year for missing-data and data-error cases."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from service.records.store.models import Activity, ActivityParticipants, Funding, Unit, Volunteer
from service.records.store.session import upsert_units
from service.records.store.writer import Batch, ClassRec, EnrolmentRec, TeacherRec, TraineeRec, write_batch
from service.units import parse_units
from tests.records.conftest import _clean_store, backend, databases, sample_dir, sample_store, store  # noqa: F401

YEAR = 2020


def _unit(name: str, kind: str, population: int, **registered) -> dict:
    counts = {"laid_off": 0, "migrant_workers": 0, "rural_labour": 0, "children": 0, "parents": 0, "managers": 0}
    counts.update(registered)
    return {"name": name, "kind": kind, "resident_population": population, "activity_room": f"{name}活动室",
            "leader": {"name": "甲"}, "deputy": {"name": "乙"}, "staff": {"name": "丙"},
            "leader_phone": "13800000000", "registered": counts}


def load_tiny_year(session, *, error_unit: str = "错数村", odd_name: str = "=SUM(1,2)") -> None:
    """Three units:
    - 甲村 (村, 100 residents): 3 trainees; 2 attended (one 农民 in a class of category 4, one 管理人员),
      one enrolled but absent every session; 2 volunteers, 250 元 income, parent-child activity with 10 家长;
    - 错数村 (村, 50 residents): registers 1 管理人员 but 2 管理人员 attended -> 200%, a data error;
    - `odd_name` (居委, population 0, no records): everything missing; its name is formula-like text."""
    units = parse_units({"synthetic": True, "township": "某县某镇", "township_short": "某镇", "year": YEAR, "units": [
        _unit("甲村", "村", 100, rural_labour=10, migrant_workers=4, children=8, parents=40, managers=2),
        _unit(error_unit, "村", 50, rural_labour=5, managers=1, parents=4),
        _unit(odd_name, "居委", 0, laid_off=3),
    ]})
    upsert_units(session, units)
    day = dt.date(YEAR, 5, 6)
    classes = [ClassRec("甲村", "柑橘栽培", day, day, 4, "短平快", "讲座", "甲村活动室", 2, 4, ("王老师",)),
               ClassRec(error_unit, "政策宣讲", day, day, 1, "短平快", "讲座", "活动室", 1, 2, ("王老师",))]
    trainees = [TraineeRec("甲村", "张农", "13800000001", "男", 1970, ("农民",)),
                TraineeRec("甲村", "李管", "13800000002", "女", 1980, ("管理人员",)),
                TraineeRec("甲村", "赵缺", "13800000003", "男", 1975, ("农民", "进城务工")),
                TraineeRec(error_unit, "钱一", "13800000004", "男", 1975, ("管理人员",)),
                TraineeRec(error_unit, "孙二", "13800000005", "女", 1976, ("管理人员",))]
    marks = {"张农": "到缺", "李管": "缺迟", "赵缺": "缺假"}
    enrolments = [EnrolmentRec(classes[0].key, t.key, marks[t.name], 80, 80) for t in trainees[:3]]
    enrolments += [EnrolmentRec(classes[1].key, t.key, "到", 80, 80) for t in trainees[3:]]
    write_batch(session, Batch(teachers=[TeacherRec("王老师", "学校")], classes=classes, trainees=trainees,
                               enrolments=enrolments))
    ids = {u.name: u.id for u in session.query(Unit)}
    a = ids["甲村"]
    session.add_all([
        Volunteer(unit_id=a, name="志愿一", phone="13900000001", joined_on=dt.date(YEAR, 3, 1)),
        Volunteer(unit_id=a, name="志愿二", phone="13900000002", joined_on=None),
        Volunteer(unit_id=a, name="明年才来", phone="13900000003", joined_on=dt.date(YEAR + 1, 2, 1)),
        Funding(unit_id=a, direction="收入", source="镇财政拨款", amount=Decimal("200.00"), booked_on=day),
        Funding(unit_id=a, direction="收入", source="自筹", amount=Decimal("50.00"), booked_on=day),
        Funding(unit_id=a, direction="支出", source="资料印刷", amount=Decimal("999.00"), booked_on=day),
        Funding(unit_id=a, direction="收入", source="上年拨款", amount=Decimal("500.00"), booked_on=dt.date(YEAR - 1, 5, 1)),
        Activity(unit_id=a, kind="亲子活动", title="亲子阅读", held_on=day,
                 participants=[ActivityParticipants(category="家长", count=10),
                               ActivityParticipants(category="青少年", count=12)]),
    ])
    session.flush()


@pytest.fixture
def tiny_store(store):
    with store.transaction() as s:
        load_tiny_year(s)
    return store
