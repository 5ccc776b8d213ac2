"""Volunteers, funding and activities imported from Excel like classes and trainees: a round trip of the sample's
records through the 年度资料 workbook, all-or-nothing with located Chinese errors, no duplicates on re-import."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from samples.loader import sample_dataset
from service.records.exchange.extras import blank_extras
from service.records.exchange.importer import import_workbook
from service.records.store.models import Activity, ActivityParticipants, Funding, Unit, Volunteer
from service.records.store.session import upsert_units
from service.units import load_units
from service.yearend.indicators import assess

UNITS = ("紫荆村", "百胜社区居委会")


@pytest.fixture
def units_store(store, sample_dir):
    with store.transaction() as s:
        upsert_units(s, load_units(sample_dir / "units.json"))
    return store


def _sample_rows(sample_dir) -> dict[str, list[dict]]:
    _, data = sample_dataset(sample_dir)
    vols = [v for v in data.volunteers if v["unit"] in UNITS and not v["teacher"]]
    funding = [f for f in data.funding if f["unit"] in UNITS]
    acts = [a for a in data.activities if a["unit"] in UNITS]
    return {
        "志愿者": [{**v, "joined_on": dt.date.fromisoformat(v["joined_on"])} for v in vols],
        "经费": [{**f, "amount": float(f["amount"]), "booked_on": dt.date.fromisoformat(f["booked_on"])}
                 for f in funding],
        "活动": [{"unit": a["unit"], "kind": a["kind"], "title": a["title"],
                  "held_on": dt.date.fromisoformat(a["held_on"]), "location": a["location"],
                  **{f"n_{c}": n for c, n in a["participants"].items()}} for a in acts],
    }


def _stored(session) -> tuple[set, set, set]:
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    vols = {(names[v.unit_id], v.name, v.phone, v.occupation, v.joined_on) for v in session.scalars(select(Volunteer))}
    funds = {(names[f.unit_id], f.direction, f.source, Decimal(f.amount), f.booked_on, f.purpose)
             for f in session.scalars(select(Funding))}
    acts = set()
    for a in session.scalars(select(Activity)):
        people = tuple(sorted((p.category, p.count) for p in a.participants))
        acts.add((names[a.unit_id], a.kind, a.title, a.held_on, a.location, people))
    return vols, funds, acts


def test_round_trip_of_the_sample_records(units_store, sample_dir):
    rows = _sample_rows(sample_dir)
    assert all(rows.values())
    data = blank_extras(list(UNITS), rows=rows)
    with units_store.transaction() as s:
        result = import_workbook(s, data)
    assert result.ok, result.summary()
    assert result.sheets == ["志愿者", "经费", "活动"]
    assert {n: t.created for n, t in result.tallies.items()} == {n: len(r) for n, r in rows.items()}
    with units_store.transaction() as s:
        vols, funds, acts = _stored(s)
    assert vols == {(v["unit"], v["name"], v["phone"], v["occupation"], v["joined_on"]) for v in rows["志愿者"]}
    assert funds == {(f["unit"], f["direction"], f["source"], Decimal(f"{f['amount']:.2f}"), f["booked_on"],
                      f["purpose"]) for f in rows["经费"]}
    _, data_set = sample_dataset(sample_dir)
    assert acts == {(a["unit"], a["kind"], a["title"], dt.date.fromisoformat(a["held_on"]), a["location"],
                     tuple(sorted(a["participants"].items()))) for a in data_set.activities if a["unit"] in UNITS}
    with units_store.transaction() as s:  # re-import: nothing new
        again = import_workbook(s, data)
        counts = [s.scalar(select(func.count()).select_from(m)) for m in (Volunteer, Funding, Activity)]
    assert again.ok and all(t.created == 0 for t in again.tallies.values())
    assert counts == [len(rows["志愿者"]), len(rows["经费"]), len(rows["活动"])]
    with units_store.transaction() as s:  # the imported records feed the 验收考核
        a = assess(s, 2020, units=list(UNITS))
    v = a.unit("紫荆村").indicator("volunteers")
    assert v.numerator == len([x for x in rows["志愿者"] if x["unit"] == "紫荆村"]) and v.status != "missing"
    f = a.unit("紫荆村").indicator("funding_per_resident")
    income = sum(Decimal(f"{x['amount']:.2f}") for x in rows["经费"] if x["unit"] == "紫荆村" and x["direction"] == "收入")
    assert f.numerator == income


def test_bad_rows_are_located_in_chinese_and_nothing_is_written(units_store):
    day = dt.date(2020, 7, 15)
    rows = {
        "志愿者": [{"unit": "紫荆村", "name": "张三", "phone": "13800001111"},
                   {"unit": "不存在村", "name": "李四"},
                   {"unit": "紫荆村", "name": "张三", "phone": "13800001111"},
                   {"unit": "紫荆村", "name": "王五", "teacher": "没登记的老师"}],
        "经费": [{"unit": "紫荆村", "direction": "收入", "source": "镇财政拨款", "amount": "一千元", "booked_on": day},
                 {"unit": "紫荆村", "direction": "收入", "source": "自筹", "amount": 12.345, "booked_on": day}],
        "活动": [{"unit": "紫荆村", "kind": "亲子活动", "title": "亲子阅读", "held_on": day},
                 {"unit": "紫荆村", "kind": "篝火晚会", "title": "晚会", "held_on": day, "n_家长": 3}],
    }
    with units_store.transaction() as s:
        result = import_workbook(s, blank_extras(list(UNITS), rows=rows))
        counts = [s.scalar(select(func.count()).select_from(m)) for m in (Volunteer, Funding, Activity,
                                                                            ActivityParticipants)]
    assert not result.ok and counts == [0, 0, 0, 0]
    text = [str(e) for e in result.errors]
    assert any(t.startswith("【志愿者】第3行A列（所属单位）") and "不存在村" in t for t in text), text
    assert any(t.startswith("【志愿者】第4行B列（姓名）") and "与第2行重复" in t for t in text), text
    assert any(t.startswith("【志愿者】第5行F列（教师姓名）") for t in text), text
    assert any(t.startswith("【经费】第2行D列（金额）") and "一千元" in t for t in text), text
    assert any(t.startswith("【经费】第3行D列") and "两位小数" in t for t in text), text
    assert any(t.startswith("【活动】第2行") and "至少填写一类人员" in t for t in text), text
    assert any(t.startswith("【活动】第3行B列（活动类别）") and "篝火晚会" in t for t in text), text


def test_blank_workbook_has_the_sheets_and_drop_downs():
    wb = load_workbook(io.BytesIO(blank_extras(list(UNITS))))
    assert wb.sheetnames[:3] == ["志愿者", "经费", "活动"]
    assert [c.value for c in wb["经费"][1]] == ["单位*", "收支*", "来源或用途类别*", "金额*", "日期*", "摘要"]
    assert "假期儿童活动人数" not in [c.value for c in wb["活动"][1]] and "青少年人数" in [c.value for c in wb["活动"][1]]
    assert any(dv.type == "list" for dv in wb["经费"].data_validations.dataValidation)
