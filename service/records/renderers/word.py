"""Word (.docx) versions of the ledger card, the assessment sheet and the quarterly report, for printing.

The layout is in the committed templates doc_templates/{ledger_card,assessment,quarterly}.docx (an office may
override them, service.templates): labels, column widths, font sizes, row heights and the number of blank rows of a
blank form (`blank_rows(n)` in the row loop) are edited there, in Word. This module only turns the plain data
(the same the Excel renderers take; None gives the blank form) into each template's context; the compiled-template
engine (service.docx.engine) renders it. Every table repeats its header row(s) on each page (w:tblHeader) and no
row splits across pages (w:cantSplit), as drawn in the templates.
"""
from __future__ import annotations

from service.cndate import cn_date
from service.docx.engine import load_template
from service.records.queries.assessment import load_rules
from service.records.queries.documents import AssessmentSheet, LedgerCard, QuarterlyReport
from service.records.renderers.forms.assessment_sheet import assessment_title
from service.records.renderers.forms.ledger_card import ledger_title
from service.records.renderers.forms.quarterly import layout

_BLANK_FIELD = "＿＿"


def _core(title: str) -> dict:
    return {"title": title, "date": "2000-01-01T00:00:00Z"}


def _klass(k) -> dict:
    if k is None:
        return dict.fromkeys(("unit", "title", "dates", "location", "content", "model", "method", "load", "teachers"),
                             "")
    return {"unit": k.unit, "title": k.title, "dates": k.dates_text, "location": k.location,
            "content": k.category_name, "model": k.model_name, "method": k.method,
            "load": f"{k.sessions}次／{k.hours}课时", "teachers": k.teachers_text}


def _s(value) -> str:
    return "" if value is None else str(value)


def ledger_card_context(card: LedgerCard | None, *, township_short: str = "") -> dict:
    """The context of doc_templates/ledger_card.docx (rows empty: the template prints its blank rows)."""
    k = card.klass if card else None
    title = ledger_title(k.township_short if k else township_short)
    rows = [[str(r.seq), r.name, r.gender, _s(r.birth_year), r.home_unit, r.categories, f"{r.attended}/{r.sessions}",
             ""] for r in card.rows] if card else []
    return {"title": title, "k": _klass(k), "rows": rows, "core": _core(title)}


def assessment_context(sheet: AssessmentSheet | None, *, township_short: str = "") -> dict:
    """The context of doc_templates/assessment.docx."""
    k = sheet.klass if sheet else None
    title = assessment_title(k.township_short if k else township_short)
    rows, summary = [], {"total": _BLANK_FIELD, "passed": _BLANK_FIELD, "rate": _BLANK_FIELD + "%"}
    if sheet:
        rows = [[str(r.seq), r.name, r.gender, str(r.sessions), str(r.attended), f"{r.attendance_rate}",
                 _s(r.notes), _s(r.questions), f"{r.composite}", r.grade, r.result, ""] for r in sheet.rows]
        total = len(sheet.rows)
        rate = f"{sheet.passed * 100 / total:.1f}%" if total else "—"
        summary = {"total": str(total), "passed": str(sheet.passed), "rate": rate}
    return {"title": title, "k": _klass(k), "rows": rows, "s": summary, "core": _core(title),
            "rules": (sheet.rules_text if sheet else load_rules().describe()) + "。"}


def quarterly_context(report: QuarterlyReport | None, *, township_short: str = "", year: int | None = None,
                      quarter: int | None = None) -> dict:
    """The context of doc_templates/quarterly.docx: one column band per page (like the workbook)."""
    lay = layout(report, township_short=township_short, year=year, quarter=quarter, blank_rows=0)

    def cells(tallies, band, hide_zero: bool) -> list[str]:
        out = []
        for gi, _ in band:
            if tallies is None:
                out += ["", "", ""]
                continue
            t = tallies[gi]
            hide = hide_zero and gi > 0  # categories print empty for 0, like the workbook
            out += ["" if hide and v == 0 else str(v) for v in (t.classes, t.trainees, t.hours)]
        return out

    bands = [{"title": lay.title + ("（续表）" if b else ""), "heads": [h for _, h in band],
              "rows": [{"seq": str(i + 1), "unit": unit, "cells": cells(lay.values[i], band, True)}
                       for i, unit in enumerate(lay.units)],
              "total": cells(lay.totals, band, False)} for b, band in enumerate(lay.bands)]
    filled = report.filled_on if report else None
    return {"bands": bands, "core": _core(lay.title), "filled": report is not None, "period": lay.period,
            "township": lay.township,
            "reported": cn_date(filled)}


def render_ledger_card_docx(card: LedgerCard | None, *, township_short: str = "") -> bytes:
    """学员培训记录卡 .docx (portrait A4); `card=None` gives the blank form."""
    return load_template("ledger_card").render(ledger_card_context(card, township_short=township_short))


def render_assessment_docx(sheet: AssessmentSheet | None, *, township_short: str = "") -> bytes:
    """学员考核表 .docx (portrait A4); `sheet=None` gives the blank form."""
    return load_template("assessment").render(assessment_context(sheet, township_short=township_short))


def render_quarterly_docx(report: QuarterlyReport | None, *, township_short: str = "", year: int | None = None,
                          quarter: int | None = None) -> bytes:
    """季报 .docx (landscape A4, one column band per page like the workbook); `report=None` gives the blank."""
    return load_template("quarterly").render(
        quarterly_context(report, township_short=township_short, year=year, quarter=quarter))
