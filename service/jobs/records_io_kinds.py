"""Internal job kinds (issue 8 item 9): the records import and export, run by a worker instead of an API request
thread. They are jobs, not documents: not in the list of document kinds (service.kinds), not offered through
POST /jobs nor listed in GET /kinds; service.jobs.kinds adds them to the kinds a job may have, and the records
endpoints (service.api.records) and the centre's web page submit them.

- `records-import`: the upload is kept in the storage folder by the request (after the cheap size/zip checks);
  the worker parses and writes it (all or nothing, the importer's unit scope) and writes `导入结果.json` (the
  report: the first MAX_ERRORS errors and the total) and, for a refused import, `导入错误标注.xlsx` (every error
  marked). A successful import is written to the audit log as before.
- `records-export`: the import-format workbook of the store's records (one unit, or all for the office).

`wenshu records import|export` run these same kinds (service.records.cli: keep_upload, then DocumentKind.make or
write_items, the path the worker takes), so the command and the job cannot drift apart.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from service.kinds.kind import DocumentKind

MAX_ERRORS = 200  # errors listed in a report; the marked workbook carries all of them
REPORT_NAME = "导入结果.json"
MARKED_NAME = "导入错误标注.xlsx"
IMPORT_KIND, EXPORT_KIND = "records-import", "records-export"
WORKBOOK_TITLES = {"schedule": "培训班计划表", "roster": "学员名册"}


class ImportParams(BaseModel):
    upload: str = Field(description="the kept upload, relative to the storage folder")
    filename: str = ""
    size: int = 0
    scope: str | None = None  # a centre's unit (the importer's unit scope); None: the office
    token_id: str | None = None
    role: str = "office"


class ExportParams(BaseModel):
    workbook: Literal["schedule", "roster"]
    unit: str | None = None


def import_report(result) -> dict:
    """What the API and the web page show of an import: the outcome, or the first MAX_ERRORS errors and the total."""
    if result.ok:
        return {"ok": True, "summary": result.summary(), "sheets": result.sheets,
                "tallies": {k: vars(t) for k, t in result.tallies.items()},
                "changes": [str(c) for c in result.changes]}
    detail = result.summary().splitlines()[0]
    if len(result.errors) > MAX_ERRORS:
        detail += f"下面列出前{MAX_ERRORS}处；全部错误已标在工作簿中，可从 marked 下载。"
    return {"ok": False, "detail": detail, "error_count": len(result.errors),
            "errors": [asdict(e) for e in result.errors[:MAX_ERRORS]]}


def keep_upload(who, data: bytes, filename: str) -> ImportParams:
    """Keep an upload in the storage folder (imports/<random>/, removed after the result TTL) for its import job."""
    import secrets

    from service.jobs import storage

    path = storage.write_atomic(storage.storage_root() / "imports" / secrets.token_hex(16) / "upload.xlsx", data)
    return ImportParams(upload=storage.relative(path), filename=filename[:255], size=len(data),
                        scope=None if who.is_office else who.unit, token_id=who.token_id, role=who.role)


def discard_upload(p: ImportParams) -> None:
    """Remove a kept upload at once (`wenshu records import` is done with it; the API's waits for the TTL)."""
    import shutil

    from service.jobs import storage

    shutil.rmtree(storage.absolute(p.upload).parent, ignore_errors=True)


def import_outcome(job_id: str, token_id: str) -> tuple[str, dict | None, str | None]:
    """(job state, report or None while running/expired, marked workbook's document id) of an import job that
    token submitted; LookupError for any other job."""
    from sqlalchemy import select

    from service.db.session import session
    from service.jobs import storage
    from service.jobs.models import Document, Job

    with session() as s:
        job = s.get(Job, job_id)
        if job is None or job.kind != IMPORT_KIND or job.token_id != token_id:
            raise LookupError(job_id)
        docs = {d.filename: d for d in s.scalars(select(Document).where(Document.job_id == job_id))}
    report = docs.get(REPORT_NAME)
    if job.state in ("accepted", "running") or report is None or report.storage_path is None:
        return job.state, None, None
    data = json.loads(storage.absolute(report.storage_path).read_text(encoding="utf-8"))
    marked = docs.get(MARKED_NAME)
    return job.state, data, marked.id if marked is not None else None


def _render_import(data: dict, out_dir: Path, session) -> list[Path]:
    from service.access import audit
    from service.access.tokens import Principal
    from service.jobs import storage
    from service.records.exchange.importer import ImportResult, import_workbook
    from service.records.exchange.marking import mark_errors
    from service.records.exchange.reader import CellError
    from service.records.exchange.upload import UploadRefused

    p = ImportParams.model_validate(data)
    upload = storage.absolute(p.upload).read_bytes()
    who = Principal(token_id=p.token_id, role=p.role, unit=p.scope) if p.token_id else None  # None: the command
    try:
        with session() as s:
            result = import_workbook(s, upload, unit_scope=p.scope)
            if result.ok:
                audit.record(s, who, "import", detail=f"{p.filename} {p.size} bytes")
    except UploadRefused as exc:  # found only while parsing (the request's checks passed): the reason is the detail
        result = ImportResult(errors=[CellError("工作簿", None, None, None, str(exc))])
        report = dict(import_report(result), detail=str(exc))
    else:
        report = import_report(result)
    paths = [out_dir / REPORT_NAME]
    paths[0].write_bytes(json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"))
    if not result.ok:
        marked = out_dir / MARKED_NAME
        try:
            marked.write_bytes(mark_errors(upload, result.errors))
            paths.append(marked)
        except Exception:  # a workbook the parser refused cannot be marked: the report alone says why
            pass
    return paths


def render_export(data: dict, out_dir: Path, session) -> list[Path]:
    from service.naming import document_filename
    from service.records.exchange.export import export_workbook

    p = ExportParams.model_validate(data)
    with session() as s:
        content = export_workbook(s, p.workbook, p.unit)
    path = out_dir / document_filename(f"{p.unit + ' ' if p.unit else ''}{WORKBOOK_TITLES[p.workbook]}", ".xlsx")
    path.write_bytes(content)
    return [path]


KINDS = (
    DocumentKind(IMPORT_KIND, "培训记录导入", ImportParams, _render_import, unit=lambda p: p.scope,
                 store=True, description="上传的工作簿由工作进程解析与写入（全部无误才写入）"),
    DocumentKind(EXPORT_KIND, "培训记录导出", ExportParams, render_export, unit=lambda p: p.unit,
                 store=True, period=lambda p: p.workbook, description="导入模板格式的工作簿"),
)
