"""The job-kind registry: each document kind the service makes, as (params model, render callable).

    JobKind(name, title, params, render, items=..., unit=..., period=...)

- `params` is the pydantic model that validates the API request; the OpenAPI document is generated from it.
- `items(params)` splits a request into items, each `(label, plain data)`; a batch is chunked over workers.
- `render(data, out_dir)` takes one item's plain data (JSON-able) and writes its files into `out_dir`,
  returning their paths (or `(path, page_count)` when the renderer measured its pages). Renderers are the same
  functions the CLI calls; files are named by service.naming.
- `check(session, params)` (optional) is the request's only look at the records store: a cheap existence check
  (the unit, a class in the scope) raising LookupError/ValueError for a 422. The items themselves, i.e. the
  snapshot of the records, are taken by the worker (the job's planning task), never in the request.
- `unit(params)` names the unit a request belongs to (centre tokens may only touch their own unit);
  None means an office-level document (the notice), which a centre token cannot request.

Kinds are registered from the modules that implement them (see `_register_builtin`). No placeholder kinds.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pydantic import BaseModel


@dataclass(frozen=True)
class JobKind:
    name: str
    title: str  # Chinese, shown in the API docs and the job listing
    params: type[BaseModel]
    render: Callable[[dict, Path], list]  # -> list[Path | tuple[Path, int | None]]
    items: Callable[[BaseModel], list[tuple[str, dict]]] | None = None
    unit: Callable[[BaseModel], str | None] = field(default=lambda p: None)
    period: Callable[[BaseModel], str | None] = field(default=lambda p: None)
    description: str = ""
    office_only: bool = False  # True: only the office may request it (centre tokens get 403)
    check: Callable | None = None  # (session, params) -> None; raises LookupError / ValueError (refused, 422)
    internal: bool = False  # True: submitted by the service itself (records import/export), not through POST /jobs

    def split(self, params: BaseModel) -> list[tuple[str, dict]]:
        if self.items is not None:
            return self.items(params)
        return [(self.title, params.model_dump(mode="json"))]


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, JobKind]:
    """The public kinds (POST /jobs, GET /kinds, the OpenAPI document); internal kinds are left out."""
    return {n: k for n, k in _all().items() if not k.internal}


def _all() -> dict[str, JobKind]:
    if not _KINDS:
        _register_builtin()
    return _KINDS


def get(name: str) -> JobKind | None:
    return _all().get(name)


def input_hash(kind: str, params: dict) -> str:
    """SHA-256 of the canonical JSON of a request (kind + params): same input, same hash."""
    canon = json.dumps({"kind": kind, "params": params}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def write_outputs(files, out_dir: Path) -> list[Path]:
    """Write named files (objects with .name and .data, e.g. service.records.renderers.outputs.OutputFile) into out_dir."""
    paths = []
    for f in files:
        path = out_dir / f.name
        path.write_bytes(f.data)
        paths.append(path)
    return paths


def _register_builtin() -> None:
    """Every kind whose renderer is installed: the notice and its bundle, then the record documents."""
    if _available("service.render.notice"):
        from service.jobs import notice_kinds

        for kind in notice_kinds.kinds():
            register(kind)
    if _available("service.records.renderers.outputs"):
        from service.jobs import record_kinds

        for kind in record_kinds.kinds():
            register(kind)
    if _available("service.records.exchange.importer"):
        from service.jobs import records_io_kinds

        for kind in records_io_kinds.kinds():
            register(kind)
    if _available("service.yearend.batch"):
        from service.jobs import yearend_kinds

        for kind in yearend_kinds.kinds():
            register(kind)
