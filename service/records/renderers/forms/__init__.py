"""Documents made from records, as files: plain data in (service.records.queries.documents), bytes out.

    render_ledger_card(card | None)        学员培训记录卡 .xlsx (None: the blank form)
    render_assessment_sheet(sheet | None)  学员考核表 .xlsx
    render_quarterly_report(report | None) 季报 .xlsx (landscape A4)
    monthly reports: service.forms.annex3.render_monthly_report (one renderer per form)
"""
from service.records.renderers.forms.assessment_sheet import render_assessment_sheet
from service.records.renderers.forms.ledger_card import render_ledger_card
from service.records.renderers.forms.quarterly import render_quarterly_report

__all__ = ["render_assessment_sheet", "render_ledger_card", "render_quarterly_report"]
