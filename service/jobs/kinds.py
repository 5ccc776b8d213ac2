"""The job-kind registry: each document kind the service makes, as (params model, render callable).

    JobKind(name, title, params, render, items=..., unit=..., period=...)

- `params` is the pydantic model that validates the API request; the OpenAPI document is generated from it.
- `items(params)` splits a request into items, each `(label, plain data)`; a batch is chunked over workers.
- `render(data, out_dir)` takes one item's plain data (JSON-able) and writes its files into `out_dir`,
  returning their paths. Renderers are the same functions the CLI calls; files are named by service.naming.
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
from typing import Any, Callable

from pydantic import BaseModel


@dataclass(frozen=True)
class JobKind:
    name: str
    title: str  # Chinese, shown in the API docs and the job listing
    params: type[BaseModel]
    render: Callable[[dict, Path], list[Path]]
    items: Callable[[BaseModel], list[tuple[str, dict]]] | None = None
    unit: Callable[[BaseModel], str | None] = field(default=lambda p: None)
    period: Callable[[BaseModel], str | None] = field(default=lambda p: None)
    description: str = ""
    office_only: bool = False  # True: only the office may request it (centre tokens get 403)

    def split(self, params: BaseModel) -> list[tuple[str, dict]]:
        if self.items is not None:
            return self.items(params)
        return [(self.title, params.model_dump(mode="json"))]


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, JobKind]:
    if not _KINDS:
        _register_builtin()
    return dict(_KINDS)


def get(name: str) -> JobKind | None:
    return kinds().get(name)


def input_hash(kind: str, params: dict) -> str:
    """SHA-256 of the canonical JSON of a request (kind + params): same input, same hash."""
    canon = json.dumps({"kind": kind, "params": params}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


# --- built-in kinds -------------------------------------------------------------------------------------------


def _render_notice(data: dict, out_dir: Path) -> list[Path]:
    from service.models.notice import parse_notice
    from service.naming import document_filename
    from service.ooxml import normalize_ooxml
    from service.render.notice import render_notice_docx

    notice = parse_notice(data)
    path = out_dir / document_filename(notice.title, ".docx", str(notice.number))
    path.write_bytes(normalize_ooxml(render_notice_docx(notice), notice.signature.date))
    return [path]


def _render_notice_bundle(data: dict, out_dir: Path) -> list[Path]:
    """The source files the bundle reads (notice.json, units.json, monthly_report.json), then build_bundle."""
    import tempfile

    from service import bundle

    with tempfile.TemporaryDirectory(prefix="wenshu-src-") as tmp:
        src = Path(tmp)
        for name, key in ((bundle.NOTICE_FILE, "notice"), (bundle.UNITS_FILE, "units"),
                          (bundle.MONTHLY_REPORT_FILE, "monthly_report")):
            if data.get(key) is not None:
                (src / name).write_text(json.dumps(data[key], ensure_ascii=False, indent=2), encoding="utf-8")
        return [bundle.build_bundle(src, pdf=bool(data.get("pdf"))).write(out_dir)]


def _notice_bundle_params() -> type[BaseModel]:
    from pydantic import ConfigDict, Field

    from service.forms.annex3 import MonthlyReport
    from service.models.notice import Notice
    from service.units import UnitsFile

    class NoticeBundleParams(BaseModel):
        """通知及其附件、附件3/附件4 Excel 表（空白与填报）、可选 PDF，打包为一个 zip（含 manifest.json）。"""

        model_config = ConfigDict(extra="forbid", title="通知文件包参数")
        notice: Notice = Field(title="通知")
        units: UnitsFile = Field(title="单位数据")
        monthly_report: MonthlyReport | None = Field(default=None, title="月报表数据")
        pdf: bool = Field(default=False, title="同时生成 PDF")

    return NoticeBundleParams


def _register_builtin() -> None:
    if _available("service.render.notice"):
        from service.models.notice import Notice

        register(JobKind(
            name="notice",
            title="红头通知",
            params=Notice,
            render=_render_notice,
            period=lambda p: str(p.number.year),
            description="按 GB/T 9704-2012 版式生成红头通知及其附件（.docx）。",
            office_only=True,
        ))
    if _available("service.bundle"):
        register(JobKind(
            name="notice-bundle",
            title="通知文件包",
            params=_notice_bundle_params(),
            render=_render_notice_bundle,
            period=lambda p: str(p.notice.number.year),
            description="通知（含附件）、附件3 月报表与附件4 领导小组成员表的 Excel 表（空白与填报）、可选 PDF，"
                        "打包为可复现的 zip，内含 manifest.json。",
            office_only=True,
        ))
