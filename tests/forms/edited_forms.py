"""Point the form loader at an edited copy of doc_templates/forms: what a clerk does in the YAML, in a test.

    edit_forms(monkeypatch, tmp_path, {"annex3": {"heights": {"footer": 45}}})

Each change is merged into the named form of whichever file holds it (dicts merge, anything else replaces)."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from service.forms import geometry


def _merge(into: dict, change: dict) -> None:
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def edit_forms(monkeypatch, tmp_path: Path, changes: dict[str, dict]) -> Path:
    folder = tmp_path / "forms"
    shutil.copytree(geometry.FORMS_DIR, folder)
    left = dict(changes)
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        touched = [name for name in left if name in data]
        for name in touched:
            _merge(data[name], left.pop(name))
        if touched:
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert not left, f"no such form: {sorted(left)}"
    monkeypatch.setattr(geometry, "FORMS_DIR", folder)
    return folder
