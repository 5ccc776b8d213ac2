"""Loading a sample set (`wenshu load samples/<set>/`): its units.json, then its synthetic records.

Loading is idempotent: units, teachers, classes, trainees and enrolments are upserted by natural key (the importer's
writer); activities, volunteers and funding rows already present (same unit, title/name, date...) are skipped.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.records.models import Activity, ActivityParticipants, Funding, Teacher, Unit, Volunteer
from service.records.store import upsert_units
from service.records.synthetic import Dataset, generate
from service.records.writer import write_batch
from service.units import UnitsFile, load_units

SPEC_PATH = Path("records") / "dataset.yaml"
DIGEST_PATH = Path("records") / "dataset.sha256"


def read_spec(sample_dir: str | Path) -> dict | None:
    path = Path(sample_dir) / SPEC_PATH
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def sample_dataset(sample_dir: str | Path) -> tuple[UnitsFile, Dataset | None]:
    """The set's units and its generated records (None when the set has no records spec)."""
    units = load_units(Path(sample_dir) / "units.json")
    spec = read_spec(sample_dir)
    return units, (generate(units, spec) if spec else None)


def write_extras(session: Session, data: Dataset) -> dict[str, int]:
    """Activities, volunteers and funding of a dataset; rows already stored are left alone."""
    units = dict(session.execute(select(Unit.name, Unit.id)).all())
    teachers = dict(session.execute(select(Teacher.name, Teacher.id)).all())
    added = {"activities": 0, "volunteers": 0, "funding": 0}
    have = {(u, k, t, d) for u, k, t, d in session.execute(
        select(Activity.unit_id, Activity.kind, Activity.title, Activity.held_on))}
    for a in data.activities:
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
    for v in data.volunteers:
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
    for f in data.funding:
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


def load_sample(session: Session, sample_dir: str | Path) -> dict:
    """Load a sample set into the session's transaction (the caller commits). Returns counts per kind."""
    units, data = sample_dataset(sample_dir)
    summary: dict = {"units": upsert_units(session, units)}
    if data is not None:
        written = write_batch(session, data.batch)
        summary.update({name: vars(t) for name, t in written.tallies.items()})
        summary.update(write_extras(session, data))
    return summary


def main(argv: list[str] | None = None) -> int:
    """`python -m service.records.sample DIR [--write-digest]`: print (or record) the dataset digest."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    write = "--write-digest" in args
    sample_dir = Path(next(a for a in args if not a.startswith("--")))
    _, data = sample_dataset(sample_dir)
    if data is None:
        print(f"{sample_dir} 没有 {SPEC_PATH}")
        return 1
    digest = data.digest()
    if write:
        (sample_dir / DIGEST_PATH).write_text(digest + "\n", encoding="ascii")
    print(digest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
