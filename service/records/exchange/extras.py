"""Import of the year's other records — 志愿者, 经费, 活动 — with the importer's rules (located Chinese errors, all or
nothing, no duplicates on re-import). The sample dataset (samples.synthetic) holds rows of the same shape, so one
writer stores both: service.records.store.writer.write_extras (an existing record is left as it is).

    blank_extras(unit_names) -> the 年度资料 import workbook (sheets 志愿者, 经费, 活动)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.records.exchange.sheets import ACTIVITIES, EXTRA_SHEETS, FUNDING, VOLUNTEERS
from service.records.store.models import Teacher
from service.records.store.writer import Tally, write_extras
from service.records.vocab import TRAINEE_CATEGORIES

EXTRAS_TITLE = "社区教育年度资料"


def read(reader, rows: dict, session: Session, batch) -> None:
    """Check the extra sheets' rows (already parsed by the reader) and put valid ones in batch.extras."""
    extras: dict[str, list[dict]] = {}
    teachers = set(session.scalars(select(Teacher.name))) | {t.name for t in batch.teachers}
    for row in reader.unique(VOLUNTEERS, rows.get(VOLUNTEERS.name, [])):
        v = row.values
        ok = reader.check_unit(VOLUNTEERS, row, "unit")
        if v["teacher"] and v["teacher"] not in teachers:
            reader.error(VOLUNTEERS, row, "teacher", f"教师“{v['teacher']}”未登记：请先导入教师，或不填此列")
            ok = False
        if ok and v["name"]:
            extras.setdefault(VOLUNTEERS.name, []).append({
                "unit": v["unit"], "name": v["name"], "phone": v["phone"] or "", "teacher": v["teacher"],
                "occupation": v["occupation"], "joined_on": v["joined_on"].isoformat() if v["joined_on"] else None})
    for row in reader.unique(FUNDING, rows.get(FUNDING.name, [])):
        v = row.values
        if reader.check_unit(FUNDING, row, "unit") and all(v[f.key] is not None for f in FUNDING.fields if f.required):
            extras.setdefault(FUNDING.name, []).append({
                "unit": v["unit"], "direction": v["direction"], "source": v["source"], "amount": f"{v['amount']:.2f}",
                "booked_on": v["booked_on"].isoformat(), "purpose": v["purpose"]})
    for row in reader.unique(ACTIVITIES, rows.get(ACTIVITIES.name, [])):
        v = row.values
        people = {c: v[f"n_{c}"] for c in TRAINEE_CATEGORIES if v.get(f"n_{c}")}
        ok = reader.check_unit(ACTIVITIES, row, "unit")
        if ok and not people and all(v[f.key] is not None for f in ACTIVITIES.fields if f.required):
            reader.error(ACTIVITIES, row, "n_" + TRAINEE_CATEGORIES[0], "至少填写一类人员的参加人数")
            ok = False
        if ok and all(v[f.key] is not None for f in ACTIVITIES.fields if f.required):
            extras.setdefault(ACTIVITIES.name, []).append({
                "unit": v["unit"], "kind": v["kind"], "title": v["title"], "held_on": v["held_on"].isoformat(),
                "location": v["location"], "participants": people})
    batch.extras = extras


def write(session: Session, batch) -> dict[str, Tally]:
    """Store batch.extras (after the batch's teachers exist); tallies per sheet name."""
    extras = batch.extras
    if not extras:
        return {}
    added = write_extras(session, extras.get(ACTIVITIES.name, []), extras.get(VOLUNTEERS.name, []),
                         extras.get(FUNDING.name, []))
    keys = {VOLUNTEERS.name: "volunteers", FUNDING.name: "funding", ACTIVITIES.name: "activities"}
    return {name: Tally(created=added[keys[name]], unchanged=len(rows) - added[keys[name]])
            for name, rows in extras.items()}


def blank_extras(unit_names: Sequence[str], when: dt.date | None = None, rows: dict | None = None) -> bytes:
    """The 年度资料 import workbook: sheets 志愿者, 经费 and 活动 (drop-downs, validation, 填写说明)."""
    from service.records.exchange.workbooks import blank_workbook

    return blank_workbook(EXTRAS_TITLE, EXTRA_SHEETS, unit_names, when, rows)
