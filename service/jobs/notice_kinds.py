"""Job kinds of the office's notice: the notice alone (.docx) and the notice bundle (zip with forms and manifest)."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from service.jobs.kinds import JobKind


def render_notice(data: dict, out_dir: Path) -> list[tuple[Path, int]]:
    """The notice with its measured layout (LibreOffice places the 版记), as the CLI renders it; page counts
    from the measured PDF go into the register."""
    from service.models.notice import parse_notice
    from service.render.cli import render_notice_files

    paths, rendered = render_notice_files(parse_notice(data["notice"]), out_dir, pdf=bool(data.get("pdf")))
    return [(p, rendered.report.pages) for p in paths]


def notice_params() -> type[BaseModel]:
    from service.models.notice import Notice

    class NoticeParams(BaseModel):
        """红头通知（含附件），排版按 LibreOffice 实测定位版记；可同时生成 PDF（打印以 PDF 为准）。"""

        model_config = ConfigDict(extra="forbid", title="红头通知参数")
        notice: Notice = Field(title="通知")
        pdf: bool = Field(default=False, title="同时生成 PDF")

    return NoticeParams


def render_notice_bundle(data: dict, out_dir: Path) -> list[Path]:
    """Lay out the source files the bundle reads (notice.json, units.json, monthly_report.json), then build it."""
    from service import bundle

    with tempfile.TemporaryDirectory(prefix="wenshu-src-") as tmp:
        src = Path(tmp)
        for name, key in ((bundle.NOTICE_FILE, "notice"), (bundle.UNITS_FILE, "units"),
                          (bundle.MONTHLY_REPORT_FILE, "monthly_report")):
            if data.get(key) is not None:
                (src / name).write_text(json.dumps(data[key], ensure_ascii=False, indent=2), encoding="utf-8")
        return [bundle.build_bundle(src, pdf=bool(data.get("pdf"))).write(out_dir)]


def notice_bundle_params() -> type[BaseModel]:
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


def kinds() -> list[JobKind]:
    return [
        JobKind(
            name="notice", title="红头通知", params=notice_params(), render=render_notice,
            period=lambda p: str(p.notice.number.year), office_only=True,
            description="按 GB/T 9704-2012 版式生成红头通知及其附件（.docx，可选 PDF）。",
        ),
        JobKind(
            name="notice-bundle", title="通知文件包", params=notice_bundle_params(), render=render_notice_bundle,
            period=lambda p: str(p.notice.number.year), office_only=True,
            description="通知（含附件）、附件3 月报表与附件4 领导小组成员表的 Excel 表（空白与填报）、可选 PDF，"
                        "打包为可复现的 zip，内含 manifest.json。",
        ),
    ]
