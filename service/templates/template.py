"""What a template is: the file a document kind's renderer fills, declared by the kind (service.kinds) in its
`templates`. The template kinds (`wenshu template …`, POST /api/v1/templates) are read off the document kinds
(service.templates.catalogue), so there is no second list to keep in step.

    Template(name, title, context, suffix=".docx", sample=None, folder=TEMPLATE_DIR)

- `name`: the file is `<folder>/<name><suffix>` (doc_templates/ for every shipped kind); an office's override is
  `<instance>/templates/<name><suffix>` (service.templates.store) and wins.
- `context`: the kind's sample data (JSON, `sample` or doc_templates/samples/<name>.json) -> the template context
  its renderer builds. The tag fields a template may use are read off that context, so the fields listing, the
  upload check and the dry run all agree with what the renderer passes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from service.config import TEMPLATE_DIR

SAMPLE_DIR = TEMPLATE_DIR / "samples"


@dataclass(frozen=True)
class Template:
    name: str
    title: str  # Chinese, shown in the listing and in the check's reasons
    context: Callable[[Any], dict]  # sample JSON -> the template context the renderer builds
    suffix: str = ".docx"
    sample: Path | None = None  # default: doc_templates/samples/<name>.json
    folder: Path = TEMPLATE_DIR  # where the shipped file lies

    @property
    def shipped(self) -> Path:
        return self.folder / f"{self.name}{self.suffix}"

    def sample_context(self) -> dict:
        path = self.sample or SAMPLE_DIR / f"{self.name}.json"
        return self.context(json.loads(path.read_text(encoding="utf-8")))
