"""Records through the API: the units a token may see, and the Excel import (one upload, all or nothing).

A centre token imports only its own unit's rows (the importer's unit scope) and sees only its own unit.
A refused import answers with the first MAX_ERRORS errors and the total (`error_count`); the upload and all its
errors are kept in the storage folder (imports/<id>/) so that the workbook with every error marked can be
downloaded from `marked` (the same token only; kept WENSHU_RESULT_TTL seconds like job results).
"""
from __future__ import annotations

import json
import secrets
from typing import Literal

from flask import Response, send_file, url_for
from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from service.api.auth import current
from service.api.problems import common_responses, problem, spec_response
from service.jobs import audit
from service.jobs.db import session
from service.models.text import CleanText

records = APIBlueprint("records", __name__, url_prefix="/api/v1", abp_security=[{"bearer": []}],
                       abp_responses=common_responses())
T_RECORDS = Tag(name="培训记录", description="单位与培训记录的 Excel 导入")


class UnitView(BaseModel):
    name: str = Field(title="单位")
    kind: str = Field(title="类别")


class UnitList(BaseModel):
    items: list[UnitView]


class ImportForm(BaseModel):
    file: FileStorage = Field(title="工作簿（.xlsx）", description="培训班计划表或学员名册（系统模板）")


class ExportPath(BaseModel):
    workbook: Literal["schedule", "roster"] = Field(title="工作簿", description="schedule：培训班计划表；roster：学员名册")


class ExportQuery(CleanText):
    model_config = ConfigDict(strict=False)
    unit: str | None = Field(default=None, min_length=1, max_length=60, title="单位",
                             description="党政办可不填（全部单位）；学习中心只能导出本单位")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ERRORS = 200  # errors listed in a response; the marked workbook carries all of them


class ImportPath(BaseModel):
    import_id: str = Field(min_length=32, max_length=32, pattern=r"^[0-9a-f]+$", title="导入编号")


class CellErrorView(BaseModel):
    sheet: str = Field(title="工作表")
    row: int | None = Field(title="行")
    column: str | None = Field(title="列")
    field: str | None = Field(title="字段")
    message: str = Field(title="错误说明")


class TallyView(BaseModel):
    created: int
    updated: int
    unchanged: int


class ImportView(BaseModel):
    ok: bool = Field(title="已导入")
    summary: str = Field(title="结果说明")
    sheets: list[str] = Field(title="工作表")
    tallies: dict[str, TallyView] = Field(title="各表新增/更新/未变条数")
    changes: list[str] = Field(title="更新的字段")


@records.get("/units", tags=[T_RECORDS], summary="单位列表", responses={200: UnitList})
def list_units():
    """党政办：全部单位；学习中心：本单位。"""
    from service.records.models import Unit

    who = current()
    stmt = select(Unit.name, Unit.kind).order_by(Unit.sort_order, Unit.id)
    if not who.is_office:
        stmt = stmt.where(Unit.name == who.unit)
    with session() as s:
        rows = s.execute(stmt).all()
    return {"items": [{"name": n, "kind": k} for n, k in rows]}


@records.post("/records/imports", tags=[T_RECORDS], summary="导入培训记录（Excel）",
              responses={200: ImportView, 422: spec_response("工作簿有错误（逐条给出工作表、行、列）或不是有效的 .xlsx")})
def import_records(form: ImportForm):
    """上传填好的模板（.xlsx）。全部无误才写入（一个事务）；重复导入不产生重复记录。
    学习中心只能导入本单位的记录。"""
    from service.records.importer import import_workbook
    from service.records.upload import UploadRefused, UploadTooLarge

    who = current()
    data = form.file.read()
    try:
        with session() as s:
            result = import_workbook(s, data, unit_scope=None if who.is_office else who.unit)
            if result.ok:
                audit.record(s, who, "import", detail=f"{form.file.filename or ''} {len(data)} bytes")
    except UploadRefused as exc:
        return problem(413 if isinstance(exc, UploadTooLarge) else 422, str(exc),
                       errors=[{"field": "form.file", "title": "工作簿", "message": str(exc)}])
    if not result.ok:
        errors = [{"field": f"{e.sheet}!{e.column or ''}{e.row or ''}", "title": e.field or e.sheet,
                   "message": str(e)} for e in result.errors[:MAX_ERRORS]]
        detail = result.summary().splitlines()[0]
        if len(result.errors) > MAX_ERRORS:
            detail += f"下面列出前{MAX_ERRORS}处；全部错误已标在工作簿中，可从 marked 下载。"
        import_id = _keep_refused(who, data, result.errors)
        return _with_members(problem(422, detail, errors=errors), error_count=len(result.errors),
                             marked=url_for("records.marked_workbook", import_id=import_id))
    return {"ok": True, "summary": result.summary(), "sheets": result.sheets,
            "tallies": {k: vars(t) for k, t in result.tallies.items()}, "changes": [str(c) for c in result.changes]}


@records.get("/records/export/<workbook>", tags=[T_RECORDS], summary="导出培训记录（导入模板格式）",
             responses={200: {"description": "工作簿", "content": {XLSX: {"schema": {"type": "string",
                                                                                    "format": "binary"}}}}})
def export_records(path: ExportPath, query: ExportQuery):
    """把记录库中的培训班或学员导出为导入模板格式的工作簿，改好后可重新导入（只更新，不重复）。
    学习中心只能导出本单位（不填单位即本单位）。"""
    from service.naming import content_disposition, document_filename
    from service.records.export import export_workbook
    from service.records.reports import NotFound, unit_named

    who = current()
    unit = query.unit if who.is_office else (query.unit or who.unit)
    if not who.may_see(unit) and not (who.is_office and unit is None):
        return problem(404, f"未找到单位“{unit}”。")
    with session() as s:
        if unit is not None:
            try:
                unit_named(s, unit)
            except NotFound as exc:
                return problem(404, str(exc))
        data = export_workbook(s, path.workbook, unit)  # only the workbook asked for
        audit.record(s, who, "export", detail=f"{path.workbook} {unit or '全部单位'}")
    title = "培训班计划表" if path.workbook == "schedule" else "学员名册"
    name = document_filename(f"{unit + ' ' if unit else ''}{title}", ".xlsx")
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": content_disposition(name),
                                                  "Cache-Control": "private, no-store"})


def _with_members(resp: Response, **members) -> Response:
    """Extension members of a problem document (RFC 9457 §3.2)."""
    body = json.loads(resp.get_data())
    body.update(members)
    resp.set_data(json.dumps(body, ensure_ascii=False))
    return resp


def _imports_dir(import_id: str):
    from service.jobs import storage

    return storage.storage_root() / "imports" / import_id


def _keep_refused(who, data: bytes, errors) -> str:
    """Keep a refused upload and all its errors for the marked workbook; returns the import id."""
    from dataclasses import asdict

    from service.jobs import storage

    import_id = secrets.token_hex(16)
    folder = _imports_dir(import_id)
    folder.mkdir(parents=True, exist_ok=True)
    storage.write_atomic(folder / "upload.xlsx", data)
    meta = {"token_id": who.token_id, "errors": [asdict(e) for e in errors]}
    storage.write_atomic(folder / "errors.json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    return import_id


@records.get("/records/imports/<import_id>/marked", tags=[T_RECORDS], summary="下载标出错误的工作簿",
             responses={200: {"description": "原工作簿，错误单元格标红并加批注，另有“导入错误”表列出全部错误",
                              "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
def marked_workbook(path: ImportPath):
    """被拒绝的导入：原工作簿中每个出错的单元格标红并加中文批注，首张“导入错误”表列出全部错误（只限上传者的令牌）。"""
    from werkzeug.exceptions import NotFound

    from service.jobs.storage import write_atomic
    from service.naming import content_disposition
    from service.records.importer import CellError
    from service.records.marking import mark_errors

    folder = _imports_dir(path.import_id)
    try:
        meta = json.loads((folder / "errors.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotFound() from None
    if meta.get("token_id") != current().token_id:
        raise NotFound()
    marked = folder / "marked.xlsx"
    if not marked.is_file():
        errors = [CellError(**e) for e in meta["errors"]]
        write_atomic(marked, mark_errors((folder / "upload.xlsx").read_bytes(), errors))
    resp = send_file(marked, mimetype=XLSX, as_attachment=True, download_name="marked.xlsx", max_age=0)
    resp.headers["Content-Disposition"] = content_disposition("导入错误标注.xlsx")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
