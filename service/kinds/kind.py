"""What a document kind is: one object carrying everything the API, the worker and the CLI need of it.

    DocumentKind(name, title, params, render, items=..., templates=..., unit=..., period=..., check=...)

- `params`: the pydantic model of a request (POST /jobs validates with it; the OpenAPI document is made from it;
  the CLI builds one from its options).
- `items(session, params)`: the snapshot of the records a request needs, split into items `(label, plain data)`;
  the worker calls it once when it plans the job (the CLI with its own store). None: one item, the params.
- `render(data, out_dir)`: writes one item's files into `out_dir` and returns their paths (or `(path, pages)`
  when the renderer measured its pages). Renderers never read the store; a kind whose renderer must (the year-end
  archive, the records import) says `store=True` and is called `render(data, out_dir, store)` with a session
  factory (a context manager giving a transaction).
- `templates`: the templates its renderer fills (service.templates.template.Template: file, title, how its
  sample data becomes the context). They are the template kinds of `wenshu template …` and /api/v1/templates
  (service.templates.catalogue reads them off KINDS), so an override is checked against what the kind provides
  and traceable in the register.
- `check(session, params)`: the request's only look at the store, a cheap existence check raising LookupError
  (404) or ValueError (422). `unit(params)` names the unit (None: an office-level document), `period(params)`
  the period shown in the register.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

from pydantic import BaseModel
from sqlalchemy.orm import Session

from service.files import TMP_PREFIX, publish
from service.templates.template import Template

Sessions = Callable[[], ContextManager[Session]]  # e.g. service.db.session.session, or Store.transaction of the CLI
NOTHING_TO_MAKE = "所选范围内没有可生成的文书（例如该月没有开班记录）"


@dataclass(frozen=True)
class DocumentKind:
    name: str
    title: str  # Chinese, shown in the API docs and the job listing
    params: type[BaseModel]
    render: Callable[..., list]  # (data, out_dir) -> list[Path | tuple[Path, int | None]]
    items: Callable[[Session, BaseModel], list[tuple[str, dict]]] | None = None
    templates: tuple[Template, ...] = ()  # the templates its renderer fills
    unit: Callable[[BaseModel], str | None] = field(default=lambda p: None)
    period: Callable[[BaseModel], str | None] = field(default=lambda p: None)
    description: str = ""
    office_only: bool = False  # only the office may request it (centre tokens get 403)
    check: Callable[[Session, BaseModel], None] | None = None
    store: bool = False  # the renderer reads or writes the store: called render(data, out_dir, store)

    def split(self, params: BaseModel, store: Sessions) -> list[tuple[str, dict]]:
        """The request's items, read from the store in one transaction."""
        if self.items is None:
            return [(self.title, params.model_dump(mode="json"))]
        with store() as s:
            return self.items(s, params)

    def write(self, data: dict, out_dir: Path, store: Sessions) -> list:
        """Render one item into `out_dir`."""
        return self.render(data, out_dir, store) if self.store else self.render(data, out_dir)


def make(kind: DocumentKind, params: BaseModel, store: Sessions, out_dir: Path) -> list[Path]:
    """What `wenshu` does with a kind: the request's items read from the store, then written (write_items)."""
    return write_items(kind, kind.split(params, store), store, out_dir)


def write_items(kind: DocumentKind, items: list[tuple[str, dict]], store: Sessions, out_dir: Path) -> list[Path]:
    """Render every item, then move the files into `out_dir` (only when all are done: nothing partial is left).
    Returns the files written, in item order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out_dir))
    try:
        done = [Path(r[0] if isinstance(r, tuple) else r) for _label, data in items
                for r in kind.write(data, scratch, store)]
        return [publish(p, out_dir / p.name) for p in done]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
