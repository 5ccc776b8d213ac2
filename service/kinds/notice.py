"""The office's notice: the notice alone (.docx, optional PDF) and the notice bundle (zip with forms and manifest).
`wenshu render notice` and the job render the same way (write_notice)."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from service.config import SAMPLES_DIR
from service.forms.annex3 import MonthlyReport
from service.kinds.kind import DocumentKind
from service.models.notice import Notice
from service.templates.template import Template
from service.units import UnitsFile


class NoticeParams(BaseModel):
    """红头通知（含附件），排版按 LibreOffice 实测定位版记；可同时生成 PDF（打印以 PDF 为准）。"""

    model_config = ConfigDict(extra="forbid", title="红头通知参数")
    notice: Notice = Field(title="通知")
    pdf: bool = Field(default=False, title="同时生成 PDF")


class NoticeBundleParams(BaseModel):
    """通知及其附件、附件3/附件4 Excel 表（空白与填报）、可选 PDF，打包为一个 zip（含 manifest.json）。"""

    model_config = ConfigDict(extra="forbid", title="通知文件包参数")
    notice: Notice = Field(title="通知")
    units: UnitsFile = Field(title="单位数据")
    monthly_report: MonthlyReport | None = Field(default=None, title="月报表数据")
    pdf: bool = Field(default=False, title="同时生成 PDF")


def notice_filename(n: Notice, suffix: str) -> str:
    from service.naming import document_filename

    return document_filename(n.title, suffix, str(n.number))


def write_notice(n: Notice, out_dir: Path, *, pdf: bool):
    """Render with the measured layout (LibreOffice places the 版记) and write the .docx (and the PDF) into
    `out_dir`. Returns (paths, the service.render.paginate.Rendered with its layout report)."""
    from service.files import write_atomic
    from service.layout import glyphs
    from service.ooxml.normalize import normalize_pdf
    from service.render.paginate import render_measured

    with glyphs.collecting() as warnings:
        rendered = render_measured(n)
    rendered.report.notes.extend(w for w in warnings if w not in rendered.report.notes)
    files = {notice_filename(n, ".docx"): rendered.docx}
    if pdf:
        files[notice_filename(n, ".pdf")] = normalize_pdf(rendered.pdf, n.signature.date)
    return [write_atomic(out_dir / name, data) for name, data in files.items()], rendered


def render_notice(data: dict, out_dir: Path) -> list[tuple[Path, int]]:
    """One notice; page counts from the measured PDF go into the register."""
    from service.models.notice import parse_notice

    paths, rendered = write_notice(parse_notice(data["notice"]), out_dir, pdf=bool(data.get("pdf")))
    return [(p, rendered.report.pages) for p in paths]


def render_notice_bundle(data: dict, out_dir: Path) -> list[Path]:
    """The bundle of the validated params, handed to service.bundle as models (no source folder)."""
    from service import bundle

    params = NoticeBundleParams.model_validate(data)
    notice = bundle.notice_document(params.notice)
    sources = {bundle.NOTICE_FILE: data["notice"], bundle.UNITS_FILE: data["units"]}
    if data.get("monthly_report") is not None:
        sources[bundle.MONTHLY_REPORT_FILE] = data["monthly_report"]
    src = bundle.bundle_source(notice, params.units, params.monthly_report, sources)
    return [bundle.assemble_bundle(src, pdf=params.pdf).write(out_dir)]


def _notice_context(data: dict) -> dict:
    from service.models.notice import parse_notice
    from service.render.notice import ImprintPlacement, context

    return context(parse_notice(data), ImprintPlacement())


# the notice body; the year-end's 表彰决定 is a notice too (service.kinds.yearend)
NOTICE_TEMPLATE = Template("notice", "红头文件（通知正文）", _notice_context,
                           sample=SAMPLES_DIR / "baisheng-2020" / "notice.json")

NOTICE = DocumentKind(
    name="notice", title="红头通知", params=NoticeParams, render=render_notice, templates=(NOTICE_TEMPLATE,),
    period=lambda p: str(p.notice.number.year), office_only=True,
    description="按 GB/T 9704-2012 版式生成红头通知及其附件（.docx，可选 PDF）。",
)
NOTICE_BUNDLE = DocumentKind(
    name="notice-bundle", title="通知文件包", params=NoticeBundleParams, render=render_notice_bundle,
    templates=(NOTICE_TEMPLATE,), period=lambda p: str(p.notice.number.year), office_only=True,
    description="通知（含附件）、附件3 月报表与附件4 领导小组成员表的 Excel 表（空白与填报）、可选 PDF，"
                "打包为可复现的 zip，内含 manifest.json。",
)
