"""Year end (issue 10 §1–2): 验收考核 figures, the 考核结果 workbook, the 表彰决定 and the 荣誉证书.

Public interface (stable; the archive batch calls it):

    from service.yearend import indicators, results_workbook, commendation

    assessment = indicators.assess(session, year, units=None)        # -> indicators.YearAssessment (pydantic)
        # .units: one UnitAssessment per unit (units-file order): .unit, .kind, .indicators (IndicatorResult:
        #   id, name, numerator, denominator, headcount, value, target, status in {met, not_met, missing,
        #   data_error}), .score (0–100), .met, .applicable, .rank;  .ranking(): units by rank
    xlsx = results_workbook.render(assessment)                         # -> bytes (考核结果 .xlsx)
    rule = commendation.load_config().rule                             # top N or a score threshold (config)
    selected = commendation.select(assessment, rule)                   # -> list[UnitAssessment], best first
    docx, pdf, pages = commendation.render_decision(assessment, selected, number=None, date=None, basis=None)
        # 表彰决定 (公文, GB/T 9704, measured layout); number: service.models.notice.DocNumber (default: the
        # configured 机关代字 or the basis notice's, serial 1 — the CLI takes the next serial from the register)
    honour, issuer = commendation.honour_of(assessment), commendation.issuer_of(assessment)
    cert = commendation.render_certificate(unit_name, honour, issuer, date, year=None)  # 荣誉证书 .docx (landscape)
    pdfs = commendation.certificate_pdfs({docx_name: docx_bytes}, date)  # {pdf_name: bytes}, one LibreOffice call
    results_workbook.filename(assessment), commendation.decision_filename(notice_or_title, suffix, number),
    commendation.certificate_filename(unit, suffix)                    # file names (service.naming)

Targets: config/yearend_targets.yaml; commendation wording and rule: config/yearend_commendation.yaml.
CLI: `wenshu yearend assess --year Y --out DIR`, `wenshu yearend commend --year Y --out DIR`.
"""
