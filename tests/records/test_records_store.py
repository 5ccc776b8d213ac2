"""The records store on SQLite and PostgreSQL: schema = models, natural keys, units from units.json, 发文登记."""
from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, func, select, text
from sqlalchemy.exc import IntegrityError

from service.records.store import register as reg
from service.records.store.models import DocNumber, Trainee, TraineeCategory, Unit, UnitYearCounts
from service.records.store.session import unit_rows, upsert_units
from service.units import load_units, parse_units
from tests.records.conftest import RECORD_TABLES


def test_migration_creates_exactly_the_model_schema(store):
    meta = MetaData()
    for table in RECORD_TABLES:
        table.to_metadata(meta)
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": lambda name, type_, parent: (
            type_ != "table" or name in meta.tables)})
        diff = compare_metadata(ctx, meta)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_busy_timeout(store, backend):
    if backend != "sqlite":
        assert store.engine.dialect.name == "postgresql"
        return
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        # short on purpose: a held write lock answers a fast 503 instead of queueing requests (WENSHU_DB_BUSY_TIMEOUT)
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 2000


def test_units_load_from_the_same_units_file_and_round_trip(store, sample_dir):
    data = load_units(sample_dir / "units.json")
    with store.transaction() as s:
        assert upsert_units(s, data) == {"created": len(data.units), "updated": 0, "unchanged": 0}
    with store.transaction() as s:
        assert upsert_units(s, data) == {"created": 0, "updated": 0, "unchanged": len(data.units)}
        assert s.scalar(select(func.count()).select_from(Unit)) == len(data.units)
        school = s.scalars(select(Unit).where(Unit.name == "河岸小学")).one()
        assert school.kind == "学校"
        first = data.units[0]
        yc = s.scalars(select(UnitYearCounts).join(Unit).where(Unit.name == first.name)).one()
        assert (yc.year, yc.migrant_workers, yc.children) == (data.year, first.registered.migrant_workers,
                                                               first.registered.children)
        rows = unit_rows(s, data.year)
    again = parse_units({**data.model_dump(exclude={"units"}), "units": rows})
    assert again == data


def test_trainee_natural_key_and_category_vocabulary_are_enforced(store):
    with store.transaction() as s:
        unit = Unit(name="紫荆村", kind="村", sort_order=1)
        s.add(unit)
        s.flush()
        s.add(Trainee(unit_id=unit.id, name="张三", gender="男", birth_year=1960, phone="13800000000"))
    with pytest.raises(IntegrityError):
        with store.transaction() as s:
            s.add(Trainee(unit_id=unit.id, name="张三", gender="男", birth_year=1961, phone="13800000000"))
    with pytest.raises(IntegrityError):
        with store.transaction() as s:
            t = s.scalars(select(Trainee)).one()
            s.add(TraineeCategory(trainee_id=t.id, category="身份证"))
    with pytest.raises(IntegrityError):
        with store.transaction() as s:
            s.add(Unit(name="某单位", kind="公司", sort_order=2))


def test_register_allocates_in_order_and_refuses_a_used_number(store):
    with store.transaction() as s:
        a = reg.allocate(s, "涪百府发", 2020, "关于印发实施方案的通知")
        b = reg.allocate(s, "涪百府发", 2020)
        other = reg.allocate(s, "涪百府发", 2021)
        hand = reg.register(s, "涪百府发", 2020, 75, "关于表彰的决定")
    assert (a.serial, b.serial, other.serial) == (1, 2, 1)
    assert a.number == "涪百府发〔2020〕1号"
    with store.transaction() as s:
        assert reg.allocate(s, "涪百府发", 2020).serial == 76
        with pytest.raises(reg.NumberTaken, match=r"涪百府发〔2020〕75号已登记使用（关于表彰的决定）"):
            reg.register(s, "涪百府发", 2020, 75, "另一份文件")
        with pytest.raises(reg.RegisterError, match="机关代字"):
            reg.allocate(s, "FB", 2020)
    assert hand.serial == 75


def test_register_is_safe_under_concurrent_allocation(store):
    threads, per_thread = 6, 8
    got: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(per_thread):
                with store.transaction() as s:
                    serial = reg.allocate(s, "涪百府发", 2020).serial
                with lock:
                    got.append(serial)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    assert sorted(got) == list(range(1, threads * per_thread + 1))
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(DocNumber)) == threads * per_thread
