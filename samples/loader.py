"""Loading a sample set (`wenshu load samples/<set>/`): its units.json, then its synthetic records (samples.synthetic).

Loading is idempotent: units, teachers, classes, trainees and enrolments are upserted by natural key (the importer's
writer); activities, volunteers and funding rows already present (same unit, title/name, date...) are skipped.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from samples.synthetic import Dataset, generate
from service.records.store import writer
from service.records.store.session import upsert_units
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
    return writer.write_extras(session, data.activities, data.volunteers, data.funding)


def load_sample(session: Session, sample_dir: str | Path) -> dict:
    """Load a sample set into the session's transaction (the caller commits). Returns counts per kind."""
    units, data = sample_dataset(sample_dir)
    summary: dict = {"units": upsert_units(session, units)}
    if data is not None:
        written = writer.write_batch(session, data.batch)
        summary.update({name: vars(t) for name, t in written.tallies.items()})
        summary.update(write_extras(session, data))
    return summary


def main(argv: list[str] | None = None) -> int:
    """`python -m samples.loader DIR [--write-digest]`: print (or record) the dataset digest."""
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
