"""Opening the records store and the unit data in it.

Units come from the same `units.json` that Annex 4 is rendered from (service.units, one source); `upsert_units`
loads it, `unit_rows` gives it back in that file's shape so the one Annex 4 renderer can read either.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from service.db import make_engine, make_sessionmaker, upgrade
from service.records.store.models import RecordsMeta, Unit, UnitYearCounts
from service.records.vocab import REGISTERED_COUNTS
from service.units import PEOPLE, UnitsFile
from service.units import Unit as UnitModel


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One session, one transaction: committed when the block ends, rolled back on any exception."""
        with self.sessions() as session, session.begin():
            yield session


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """The store at `url`, brought to every Alembic head. The configured database (no `url`, or the same one) is
    opened on the process's one engine and session factory (service.db.session); another URL gets its own engine."""
    from service.config import settings

    if url is None or url == settings().database_url:
        from service.db import session as db

        if migrate:
            db.migrate()
        return Store(db.engine(), db.sessions())
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Store(engine, make_sessionmaker(engine))


def unit_by_name(session: Session, name: str) -> Unit | None:
    return session.scalars(select(Unit).where(Unit.name == name)).one_or_none()


def set_meta(session: Session, **values: str) -> None:
    for key, value in values.items():
        row = session.get(RecordsMeta, key)
        if row is None:
            session.add(RecordsMeta(key=key, value=value))
        else:
            row.value = value


def get_meta(session: Session, key: str, default: str = "") -> str:
    row = session.get(RecordsMeta, key)
    return row.value if row is not None else default


def township_short(session: Session) -> str:
    """The township's short name (e.g. 百胜镇) as loaded with the units; used in form titles."""
    return get_meta(session, "township_short")


def upsert_units(session: Session, data: UnitsFile) -> dict[str, int]:
    """Insert or update every unit of a validated units file, and its registered counts for the file's year.

    Returns {"created": n, "updated": n, "unchanged": n}.
    """
    set_meta(session, township=data.township, township_short=data.township_short)
    existing = {u.name: u for u in session.scalars(select(Unit))}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for order, src in enumerate(data.units, start=1):
        known = src.name in existing
        changed = save_unit(session, src, data.year, order)
        if known:
            counts["updated" if changed else "unchanged"] += 1
        else:
            counts["created"] += 1
    session.flush()
    return counts


def save_unit(session: Session, src: UnitModel, year: int, order: int | None = None) -> bool:
    """Insert or update one unit (Annex 4 row) and its registered counts for `year`; True when anything changed.
    A new unit without `order` goes last."""
    unit = unit_by_name(session, src.name)
    if order is None:
        order = unit.sort_order if unit is not None else (session.scalar(select(func.max(Unit.sort_order))) or 0) + 1
    values = {
        "kind": src.kind,
        "resident_population": src.resident_population,
        **src.leadership().model_dump(),  # activity_room, one column per role (PEOPLE), leader_phone
        "sort_order": order,
    }
    if unit is None:
        unit = Unit(name=src.name, **values)
        session.add(unit)
        session.flush()
        changed = True
    else:
        changed = any(getattr(unit, k) != v for k, v in values.items())
        for k, v in values.items():
            setattr(unit, k, v)
    year_values = {k: getattr(src.registered, k) for k in REGISTERED_COUNTS}
    row = session.scalars(
        select(UnitYearCounts).where(UnitYearCounts.unit_id == unit.id, UnitYearCounts.year == year)
    ).one_or_none()
    if row is None:
        session.add(UnitYearCounts(unit_id=unit.id, year=year, **year_values))
        changed = True
    elif any(getattr(row, k) != v for k, v in year_values.items()):
        for k, v in year_values.items():
            setattr(row, k, v)
        changed = True
    session.flush()
    return changed


def unit_rows(session: Session, year: int) -> list[dict]:
    """The units as `units.json` rows (the shape service.units.parse_units validates), in file order."""
    rows = []
    units = session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id))
    for u in units:
        yc = session.scalars(
            select(UnitYearCounts).where(UnitYearCounts.unit_id == u.id, UnitYearCounts.year == year)
        ).one_or_none()
        rows.append({
            "name": u.name,
            "kind": u.kind,
            "resident_population": u.resident_population or 0,
            "activity_room": u.activity_room or u.name,
            **{role: {"name": getattr(u, role) or ""} for role in PEOPLE},
            "leader_phone": u.leader_phone or "",
            "registered": {k: (getattr(yc, k) if yc else 0) for k in REGISTERED_COUNTS},
        })
    return rows
