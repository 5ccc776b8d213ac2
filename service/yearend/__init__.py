"""Year end (issue 10 §1–2): 验收考核 figures, the 考核结果 workbook, the 表彰决定 and the 荣誉证书.

Public interface (stable; the archive batch calls it):

    from service.yearend import indicators, results_workbook, commendation

    assessment = indicators.assess(session, year, units=None)        # -> indicators.YearAssessment (pydantic)
        # .units: one UnitAssessment per unit (units-file order): .unit, .kind, .indicators (IndicatorResult:
        #   id, name, numerator, denominator, headcount, value, target, status in {met, not_met, missing,
        #   data_error}), .score (0–100), .met, .applicable, .rank;  .ranking(): units by rank
    xlsx = results_workbook.render(assessment)                         # -> bytes (考核结果 .xlsx)
    rule = commendation.load_config().rule                             # top N or a score threshold (config)
    selected = commendation.select(assessment, rule)                   # -> list[UnitAssessment], by rank
    docx, pdf, pages = commendation.render_decision(assessment, selected)   # 表彰决定 (公文, GB/T 9704)
    cert = commendation.render_certificate(unit_name, honour, issuer, date) # 荣誉证书 .docx (landscape A4)
    pdfs = commendation.certificate_pdfs({name: docx_bytes})           # PDFs via service.pdf.convert
    commendation.decision_filename(...), commendation.certificate_filename(unit)   # file names

Targets: config/yearend_targets.yaml; commendation wording and rule: config/yearend_commendation.yaml.
CLI: `wenshu yearend assess --year Y --out DIR`, `wenshu yearend commend --year Y --out DIR`.
"""
