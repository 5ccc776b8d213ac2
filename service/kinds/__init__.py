"""The document kinds: ONE list. Each kind (service.kinds.kind.DocumentKind) carries its params model, how it reads
the records (`items(session, params)`), its templates and its renderer; the API (POST /jobs, GET /kinds, the
OpenAPI document), the worker (service.jobs.pipeline) and `wenshu` all take kinds from here.

Adding a kind: define its DocumentKind in the module of its area (notice, records, yearend) with the Templates it
fills, add it to KINDS below, and draw its template in doc_templates/ with its sample JSON. Nothing else: the
template kinds (service.templates.catalogue) are read off this list.
"""
from __future__ import annotations

from service.kinds import notice, records, yearend
from service.kinds.kind import DocumentKind

KINDS: tuple[DocumentKind, ...] = (
    notice.NOTICE,
    notice.NOTICE_BUNDLE,
    records.LEDGER_CARDS,
    records.ASSESSMENT_SHEETS,
    records.MONTHLY_REPORT,
    records.QUARTERLY_REPORT,
    records.PUBLICITY,
    yearend.YEAR_END,
)
