"""Build every Word template in this folder from code (reproducible: the same code gives the same bytes).

    .venv/bin/python doc_templates/build.py
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

# template name -> builder module (each has build(path))
BUILDERS = {
    "notice": "service.docx.templates.notice",
    "certificate": "service.yearend.certificate_template",
}


def build_all(outdir: Path = HERE) -> list[Path]:
    paths = []
    for name, module in BUILDERS.items():
        path = outdir / f"{name}.docx"
        importlib.import_module(module).build(path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build_all():
        print(p)
