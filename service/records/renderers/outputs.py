"""The record documents as named files: what the CLI writes and the job tasks store. Each function takes a
session (or nothing, for blanks) and returns `OutputFile`s (Chinese name by service.naming, bytes, kind); the caller
decides where and how to write them (the CLI: a directory; the API: its atomic storage).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.files import write_atomic
from service.forms.annex3 import MonthlyReport, monthly_report_title, render_monthly_report
from service.naming import document_filename
from service.records.exchange.workbooks import blank_roster, blank_schedule
from service.records.queries import reports
from service.records.queries.documents import AssessmentSheet, LedgerCard, QuarterlyReport
from service.records.renderers.forms import render_assessment_sheet, render_ledger_card, render_quarterly_report
from service.records.renderers.forms.assessment_sheet import assessment_title
from service.records.renderers.forms.ledger_card import ledger_title
from service.records.renderers.forms.quarterly import quarterly_title
from service.records.renderers.word import render_assessment_docx, render_ledger_card_docx, render_quarterly_docx
from service.records.store.models import Unit
from service.records.store.session import township_short

XLSX, DOCX = ".xlsx", ".docx"
FORMATS = ("xlsx", "docx")


@dataclass(frozen=True)
class OutputFile:
    name: str  # Chinese file name (service.naming rule)
    data: bytes
    kind: str  # ledger_card | assessment | monthly_report | quarterly_report | import_template

    def write(self, directory: str | Path) -> Path:
        """Write into `directory` atomically (temporary name, then rename)."""
        return write_atomic(Path(directory) / self.name, self.data)


def _class_stem(info) -> str:
    return f"{info.unit}《{info.title}》（{info.start_date.isoformat()}）"


def _both(stem: str, kind: str, data, xlsx, docx, formats) -> list[OutputFile]:
    out = []
    if "xlsx" in formats:
        out.append(OutputFile(document_filename(stem, XLSX), xlsx(data), kind))
    if "docx" in formats:
        out.append(OutputFile(document_filename(stem, DOCX), docx(data), kind))
    return out


# -- from plain data (what a job item carries) -----------------------------------------------------------
def ledger_card_outputs(card: LedgerCard, formats=FORMATS) -> list[OutputFile]:
    """学员培训记录卡 files of one class's plain data."""
    return _both(_class_stem(card.klass) + "学员培训记录卡", "ledger_card", card, render_ledger_card,
                 render_ledger_card_docx, formats)


def assessment_outputs(sheet: AssessmentSheet, formats=FORMATS) -> list[OutputFile]:
    """学员考核表 files of one class's plain data."""
    return _both(_class_stem(sheet.klass) + "学员考核表", "assessment", sheet, render_assessment_sheet,
                 render_assessment_docx, formats)


def monthly_report_output(report: MonthlyReport) -> OutputFile:
    """Annex 3 月报表 file of one unit's month (Excel only: the form is a workbook)."""
    title = f"{report.unit} {report.year}年{report.month}月 {monthly_report_title(report.township_short)}"
    return OutputFile(document_filename(title, XLSX), render_monthly_report(report), "monthly_report")


def quarterly_report_outputs(report: QuarterlyReport, formats=FORMATS) -> list[OutputFile]:
    """季报 files of one quarter."""
    title = f"{quarterly_title(report.township_short)}（{report.period_text}）"
    return _both(title, "quarterly_report", report, render_quarterly_report, render_quarterly_docx, formats)


# -- from the store ----------------------------------------------------------------------------------------
def ledger_card_files(session: Session, class_id: int, formats=FORMATS) -> list[OutputFile]:
    """学员培训记录卡 of one class, as .xlsx and .docx."""
    return ledger_card_outputs(reports.ledger_card(session, class_id), formats)


def assessment_files(session: Session, class_id: int, formats=FORMATS) -> list[OutputFile]:
    """学员考核表 of one class, as .xlsx and .docx."""
    return assessment_outputs(reports.assessment_sheet(session, class_id), formats)


def ledger_files(session: Session, unit: str, year: int, month: int, formats=FORMATS) -> list[OutputFile]:
    """A unit's ledger cards for every class started in the month (empty list when none)."""
    start, end = reports.month_bounds(year, month)
    return [f for cid in reports.class_ids(session, unit, start, end)
            for f in ledger_card_files(session, cid, formats)]


def monthly_report_file(session: Session, unit: str, year: int, month: int, **header) -> OutputFile:
    """Annex 3 月报表 of one unit and month, filled from the records (header: filled_on, filler, phone, email)."""
    return monthly_report_output(reports.monthly_report(session, unit, year, month, **header))


def quarterly_report_files(session: Session, year: int, quarter: int, *, filled_on: dt.date | None = None,
                           formats=FORMATS) -> list[OutputFile]:
    """季报 of the township for one quarter, as .xlsx and .docx."""
    return quarterly_report_outputs(reports.quarterly_report(session, year, quarter, filled_on=filled_on), formats)


def blank_files(township: str, unit_names: list[str] | None = None) -> list[OutputFile]:
    """Blank versions of every record form (for filling by hand) and the two import workbooks."""
    blank = "（空白）"
    out = []
    for title, kind, xlsx, docx in (
            (ledger_title, "ledger_card", render_ledger_card, render_ledger_card_docx),
            (assessment_title, "assessment", render_assessment_sheet, render_assessment_docx),
            (monthly_report_title, "monthly_report", render_monthly_report, None),
            (quarterly_title, "quarterly_report", render_quarterly_report, render_quarterly_docx)):
        out.append(OutputFile(document_filename(title(township) + blank, XLSX), xlsx(None, township_short=township),
                              kind))
        if docx is not None:
            out.append(OutputFile(document_filename(title(township) + blank, DOCX),
                                  docx(None, township_short=township), kind))
    if unit_names is not None:
        out += [OutputFile(document_filename("培训班计划表（导入模板）", XLSX), blank_schedule(unit_names),
                           "import_template"),
                OutputFile(document_filename("学员名册（导入模板）", XLSX), blank_roster(unit_names), "import_template")]
    return out


def store_blank_files(session: Session) -> list[OutputFile]:
    """Blank forms titled with the store's township, import templates with its unit drop-down."""
    names = list(session.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id)))
    return blank_files(township_short(session), names)
