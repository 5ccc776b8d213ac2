"""Documents made from the records store: ledger cards, assessment sheets, monthly and quarterly reports, publicity.

`check` only looks that the unit (and a class in the scope) exists. `items` reads the store once (the worker
plans the job with it; `wenshu ledger …` does the same with its own store) and each document's plain data
(service.records.queries.documents) becomes an item: items render from that snapshot (no database reads while
rendering), the input hash in the register is the hash of exactly what was rendered, and the year-end work can
rebuild any document from it. Renderers are the public functions of service.records.renderers.outputs.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Callable, Literal

from pydantic import ConfigDict, Field

from service.kinds.kind import NOTHING_TO_MAKE, DocumentKind
from service.models.text import EMAIL_PATTERN, CleanText
from service.templates.template import Template
from service.units import Phone

Format = Literal["xlsx", "docx"]
UnitName = Annotated[str, Field(min_length=1, max_length=60)]


class _Params(CleanText):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassDocumentsParams(_Params):
    """一个单位（或全部单位）某月（或全年）开班的每个培训班各一份。"""

    unit: UnitName | None = Field(default=None, title="单位", description="不填为全部单位（仅党政办）")
    year: int = Field(ge=2000, le=2100, title="年度")
    month: int | None = Field(default=None, ge=1, le=12, title="月份", description="不填为全年")
    formats: list[Format] = Field(default=["xlsx", "docx"], min_length=1, max_length=2, title="格式")


class MonthlyReportParams(_Params):
    unit: UnitName = Field(title="填报单位")
    year: int = Field(ge=2000, le=2100, title="年度")
    month: int = Field(ge=1, le=12, title="月份")
    filled_on: dt.date | None = Field(default=None, title="填报时间")
    filler: str | None = Field(default=None, max_length=20, title="填表人")
    phone: Phone | None = Field(default=None, title="联系电话")
    email: str = Field(default="", max_length=100, pattern=EMAIL_PATTERN, title="邮箱")


class QuarterlyReportParams(_Params):
    year: int = Field(ge=2000, le=2100, title="年度")
    quarter: int = Field(ge=1, le=4, title="季度")
    filled_on: dt.date | None = Field(default=None, title="报出日期")
    formats: list[Format] = Field(default=["xlsx", "docx"], min_length=1, max_length=2, title="格式")


class PublicityParams(_Params):
    """培训项目公示：公示期后开班的培训项目（不含学员个人信息），GB/T 9704 正文版式，Word 与 PDF。"""

    unit: UnitName = Field(title="单位")
    start: dt.date = Field(title="公示开始日期")
    end: dt.date = Field(title="公示截止日期")
    until: dt.date | None = Field(default=None, title="只公示此日期前开班的项目", description="不填为公示截止后三个月内")
    phone: Phone = Field(title="监督电话")
    issuer: str | None = Field(default=None, min_length=1, max_length=60, title="公示单位",
                               description="不填为本镇社区教育学校")


def _span(p: ClassDocumentsParams) -> tuple[dt.date, dt.date]:
    from service.records.queries.reports import month_bounds

    return month_bounds(p.year, p.month) if p.month else (dt.date(p.year, 1, 1), dt.date(p.year + 1, 1, 1))


def _month_period(p) -> str:
    return f"{p.year}-{p.month:02d}" if p.month else str(p.year)


_UNIT_ID: dict = {}


def _unit_exists(s, p) -> None:
    """On the submit path: one indexed lookup on the request's connection, its statement built once, no Unit
    object (building the select per call cost more than running it)."""
    stmt = _UNIT_ID.get("stmt")
    if stmt is None:
        from sqlalchemy import bindparam, select

        from service.records.store.models import Unit

        stmt = _UNIT_ID["stmt"] = select(Unit.id).where(Unit.name == bindparam("name"))
    if s.connection().execute(stmt, {"name": p.unit}).first() is None:
        from service.records.queries.reports import unit_named

        unit_named(s, p.unit)  # raises the Chinese "找不到" for the unit


def _classes_exist(s, p: ClassDocumentsParams) -> None:
    from service.records.queries.reports import class_ids

    if not class_ids(s, p.unit, *_span(p)):
        raise LookupError(NOTHING_TO_MAKE)  # nothing in scope: 404, like an unknown unit


# -- one document per class --------------------------------------------------------------------------------------
def class_item(doc, formats) -> tuple[str, dict]:
    """The item of one class's document (a LedgerCard or AssessmentSheet of service.records.queries.documents)."""
    return f"{doc.klass.unit}《{doc.klass.title}》", {"data": doc.model_dump(mode="json"), "formats": list(formats)}


def _per_class(build: Callable) -> Callable:
    def items(s, p: ClassDocumentsParams) -> list[tuple[str, dict]]:
        from service.records.queries.reports import class_ids

        return [class_item(build(s, cid), p.formats) for cid in class_ids(s, p.unit, *_span(p))]

    return items


def _ledger_items(s, p: ClassDocumentsParams) -> list[tuple[str, dict]]:
    from service.records.queries.reports import ledger_card

    return _per_class(ledger_card)(s, p)


def _assessment_items(s, p: ClassDocumentsParams) -> list[tuple[str, dict]]:
    from service.records.queries.reports import assessment_sheet

    return _per_class(assessment_sheet)(s, p)


def render_ledger_cards(data: dict, out_dir: Path) -> list[Path]:
    from service.records.queries.documents import LedgerCard
    from service.records.renderers.outputs import ledger_card_outputs

    return [f.write(out_dir) for f in ledger_card_outputs(LedgerCard.model_validate(data["data"]), data["formats"])]


def render_assessment_sheets(data: dict, out_dir: Path) -> list[Path]:
    from service.records.queries.documents import AssessmentSheet
    from service.records.renderers.outputs import assessment_outputs

    return [f.write(out_dir) for f in assessment_outputs(AssessmentSheet.model_validate(data["data"]), data["formats"])]


# -- reports -------------------------------------------------------------------------------------------------------
def _monthly_items(s, p: MonthlyReportParams) -> list[tuple[str, dict]]:
    from service.records.queries.reports import monthly_report

    report = monthly_report(s, p.unit, p.year, p.month, filled_on=p.filled_on, filler=p.filler, phone=p.phone,
                            email=p.email)
    return [(f"{p.unit} {p.year}年{p.month}月月报表", report.model_dump(mode="json"))]


def render_monthly(data: dict, out_dir: Path) -> list[Path]:
    from service.forms.annex3 import MonthlyReport
    from service.records.renderers.outputs import monthly_report_output

    return [monthly_report_output(MonthlyReport.model_validate(data)).write(out_dir)]


def _quarterly_items(s, p: QuarterlyReportParams) -> list[tuple[str, dict]]:
    from service.records.queries.reports import quarterly_report

    report = quarterly_report(s, p.year, p.quarter, filled_on=p.filled_on)
    return [(f"{p.year}年第{p.quarter}季度季报", {"data": report.model_dump(mode="json"), "formats": p.formats})]


def render_quarterly(data: dict, out_dir: Path) -> list[Path]:
    from service.records.queries.documents import QuarterlyReport
    from service.records.renderers.outputs import quarterly_report_outputs

    report = QuarterlyReport.model_validate(data["data"])
    return [f.write(out_dir) for f in quarterly_report_outputs(report, data["formats"])]


# -- publicity -----------------------------------------------------------------------------------------------------
def _publicity_items(s, p: PublicityParams) -> list[tuple[str, dict]]:
    from pydantic import ValidationError

    from service.models.errors import chinese_errors, inline_errors
    from service.records.queries.reports import project_notice
    from service.records.store.session import township_short
    from service.render.public_notice import Publicity

    notice = project_notice(s, p.unit, p.end, p.until or p.end + dt.timedelta(days=92))
    issuer = p.issuer or f"{township_short(s)}社区教育学校"
    try:
        pub = Publicity(issuer=issuer, start=p.start, end=p.end, phone=p.phone, date=p.start)
    except ValidationError as exc:
        raise ValueError(inline_errors(chinese_errors(exc, Publicity))) from None
    return [(f"{p.unit}培训项目公示", {"notice": notice.model_dump(mode="json"), "publicity": pub.model_dump(mode="json")})]


def render_publicity(data: dict, out_dir: Path) -> list[tuple[Path, int]]:
    from service.naming import document_filename
    from service.ooxml import normalize_pdf
    from service.records.queries.documents import ProjectNotice
    from service.render.public_notice import Publicity, notice_title, render_public_notice

    pn, pub = ProjectNotice.model_validate(data["notice"]), Publicity.model_validate(data["publicity"])
    rendered = render_public_notice(pn, pub)
    out = []
    for suffix, body in ((".docx", rendered.docx), (".pdf", normalize_pdf(rendered.pdf, pub.date))):
        path = out_dir / document_filename(notice_title(pn), suffix)
        path.write_bytes(body)
        out.append((path, rendered.report.pages))
    return out


# -- templates: each one's sample data (doc_templates/samples/<name>.json) -> the context its renderer builds ------
def _ledger_card_context(data: dict) -> dict:
    from service.records.queries.documents import LedgerCard
    from service.records.renderers.word import ledger_card_context

    return ledger_card_context(LedgerCard.model_validate(data))


def _assessment_context(data: dict) -> dict:
    from service.records.queries.documents import AssessmentSheet
    from service.records.renderers.word import assessment_context

    return assessment_context(AssessmentSheet.model_validate(data))


def _quarterly_context(data: dict) -> dict:
    from service.records.queries.documents import QuarterlyReport
    from service.records.renderers.word import quarterly_context

    return quarterly_context(QuarterlyReport.model_validate(data))


def _public_notice_context(data: dict) -> dict:
    from service.records.queries.documents import ProjectNotice
    from service.render.public_notice import Publicity, public_notice_context

    return public_notice_context(ProjectNotice.model_validate(data["notice"]),
                                 Publicity.model_validate(data["publicity"]))


LEDGER_CARD_TEMPLATE = Template("ledger_card", "学员培训记录卡", _ledger_card_context)
ASSESSMENT_TEMPLATE = Template("assessment", "学员考核表", _assessment_context)
QUARTERLY_TEMPLATE = Template("quarterly", "社区教育培训季报表", _quarterly_context)
PUBLIC_NOTICE_TEMPLATE = Template("public_notice", "培训项目公示", _public_notice_context)


def _class_kind(name: str, title: str, items: Callable, render: Callable, template: Template) -> DocumentKind:
    """A kind with one document per class of a unit's month (or year): .xlsx and/or .docx."""
    return DocumentKind(
        name=name, title=title, params=ClassDocumentsParams, items=items, check=_classes_exist, render=render,
        templates=(template,), unit=lambda p: p.unit, period=_month_period,
        description=f"某单位某月（或全年）开班的每个培训班的{title}（Excel 与 Word），多份时打包为 zip。",
    )


LEDGER_CARDS = _class_kind("ledger-cards", "学员培训记录卡", _ledger_items, render_ledger_cards,
                           LEDGER_CARD_TEMPLATE)
ASSESSMENT_SHEETS = _class_kind("assessment-sheets", "学员考核表", _assessment_items, render_assessment_sheets,
                                ASSESSMENT_TEMPLATE)
MONTHLY_REPORT = DocumentKind(
    name="monthly-report", title="社区教育培训月报表", params=MonthlyReportParams, items=_monthly_items,
    render=render_monthly, check=_unit_exists, unit=lambda p: p.unit, period=_month_period,
    description="某单位某月的月报表（附件3，Excel），由培训记录填写。",
)
QUARTERLY_REPORT = DocumentKind(
    name="quarterly-report", title="社区教育培训季报表", params=QuarterlyReportParams, items=_quarterly_items,
    render=render_quarterly, templates=(QUARTERLY_TEMPLATE,), office_only=True, period=lambda p: f"{p.year}-Q{p.quarter}",
    description="全镇某季度的季报表（横向 A4，Excel 与 Word），每单位一行，按附件1类别分列。",
)
PUBLICITY = DocumentKind(
    name="publicity", title="培训项目公示", params=PublicityParams, items=_publicity_items, check=_unit_exists,
    render=render_publicity, templates=(PUBLIC_NOTICE_TEMPLATE,), unit=lambda p: p.unit, period=lambda p: p.start.isoformat(),
    description="学习中心的培训项目公示（培训目标、方案、计划；公示期与监督电话），Word 与 PDF。",
)
