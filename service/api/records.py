"""Records through the API: the units a token may see, and the Excel import and export, run as jobs by a worker
(issue 8 item 9: never parsed or built inside a request thread).

The import request checks the upload's size and zip structure (service.records.exchange.upload, cheap), keeps it in the
storage folder and answers 202 with the job; the worker imports it (all or nothing, a centre only its own unit's
rows) and keeps the report (the first 200 errors and the total) and, when refused, the marked workbook, as the
job's files. GET /records/imports/<job> answers as the import request used to (200 / 422 with `error_count` and
`marked`), to the uploading token only. The export answers 202 with a job whose result is the workbook.
"""
from __future__ import annotations

import json
from typing import Literal

from flask import Response, current_app, jsonify, url_for
from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from service.access import audit
from service.api.auth import current
from service.api.problems import common_responses, problem, spec_response
from service.api.schemas import JobView
from service.db.session import session
from service.jobs.records_io_kinds import EXPORT_KIND, IMPORT_KIND, ExportParams, import_outcome, keep_upload
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


class ImportPath(BaseModel):
    job_id: str = Field(min_length=32, max_length=32, pattern=r"^[0-9a-f]+$", title="导入任务编号")


class ImportJobView(JobView):
    report: str = Field(title="导入结果地址", description="GET 该地址：未完成 202；成功 200；被拒 422")


class ImportPending(BaseModel):
    state: Literal["accepted", "running"] = Field(title="状态")
    job: str = Field(title="任务地址")


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
    from service.records.store.models import Unit

    who = current()
    stmt = select(Unit.name, Unit.kind).order_by(Unit.sort_order, Unit.id)
    if not who.is_office:
        stmt = stmt.where(Unit.name == who.unit)
    with session() as s:
        rows = s.execute(stmt).all()
    return {"items": [{"name": n, "kind": k} for n, k in rows]}


def _submit(who, kind_name: str, params: BaseModel) -> Response:
    """Submit an internal job (service.jobs.records_io_kinds) and answer 202 with its Location."""
    from service.api.views import job_view
    from service.jobs import kinds as registry
    from service.jobs.dispatch import publish_plan
    from service.jobs.store import submit

    job, _ = submit(who, registry.get(kind_name), params)
    publish_plan(job.id)  # after the commit; broker down: the outbox row stays and the sweep sends it
    body = job_view(job, [], []).model_dump(mode="json")
    if kind_name == IMPORT_KIND:
        body["report"] = url_for("records.import_report", job_id=job.id)
    resp = jsonify(body)
    resp.status_code = 202
    resp.headers["Location"] = body["href"]
    return resp


@records.post("/records/imports", tags=[T_RECORDS], summary="导入培训记录（Excel，后台任务）",
              responses={202: ImportJobView, 413: spec_response("工作簿过大（大小、行数、单元格数或解压后大小）"),
                         422: spec_response("不是有效的 .xlsx")})
def import_records(form: ImportForm):
    """上传填好的模板（.xlsx）：检查文件大小与结构后立即返回 202 与任务地址（Location），由工作进程解析与写入
    （全部无误才写入，一个事务）；结果见 `report`（GET /records/imports/{任务编号}）。重复导入不产生重复记录。
    学习中心只能导入本单位的记录。"""
    from service.records.exchange.upload import UploadRefused, UploadTooLarge, check_xlsx

    who = current()
    data = form.file.read()
    try:
        check_xlsx(data, max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
    except UploadRefused as exc:
        return problem(413 if isinstance(exc, UploadTooLarge) else 422, str(exc),
                       errors=[{"field": "form.file", "title": "工作簿", "message": str(exc)}])
    return _submit(who, IMPORT_KIND, keep_upload(who, data, form.file.filename or ""))


def import_job_report(job_id: str) -> tuple[str, dict | None, str | None]:
    """(state, report, marked document id) of an import job the current token submitted (NotFound otherwise)."""
    from werkzeug.exceptions import NotFound

    try:
        return import_outcome(job_id, current().token_id)
    except LookupError:
        raise NotFound() from None


@records.get("/records/imports/<job_id>", tags=[T_RECORDS], summary="导入结果",
             responses={200: ImportView, 202: ImportPending,
                        422: spec_response("工作簿有错误（前200处逐条给出工作表、行、列；error_count 为总数）")})
def import_report(path: ImportPath):
    """导入任务未完成时 202（带 Retry-After）；导入成功 200；被拒 422，列出前 200 处错误，`error_count` 为总数，
    `marked` 为标出全部错误的工作簿（只限上传者的令牌）。"""
    state, report, marked = import_job_report(path.job_id)
    if report is None:
        if state in ("accepted", "running"):
            resp = jsonify({"state": state, "job": f"/api/v1/jobs/{path.job_id}"})
            resp.status_code, resp.headers["Retry-After"] = 202, "1"
            return resp
        if state == "failed":
            return problem(422, "导入未能完成（工作簿无法读取或处理失败），没有写入任何记录。")
        return problem(410, "导入结果已过期删除。")
    if report["ok"]:
        return report
    errors = [{"field": f"{e['sheet']}!{e['column'] or ''}{e['row'] or ''}", "title": e["field"] or e["sheet"],
               "message": _cell_error_text(e)} for e in report["errors"]]
    members = {"error_count": report["error_count"]}
    if marked:
        members["marked"] = url_for("records.marked_workbook", job_id=path.job_id)
    return _with_members(problem(422, report["detail"], errors=errors), **members)


def _cell_error_text(e: dict) -> str:
    from service.records.exchange.reader import CellError

    return str(CellError(**e))


@records.get("/records/export/<workbook>", tags=[T_RECORDS], summary="导出培训记录（导入模板格式，后台任务）",
             responses={202: JobView})
def export_records(path: ExportPath, query: ExportQuery):
    """把记录库中的培训班或学员导出为导入模板格式的工作簿（后台任务：202 与任务地址，完成后从
    /jobs/{id}/result 下载），改好后可重新导入（只更新，不重复）。学习中心只能导出本单位（不填单位即本单位）。"""
    from service.records.queries.reports import NotFound, unit_named

    who = current()
    unit = query.unit if who.is_office else (query.unit or who.unit)
    if not who.may_see(unit) and not (who.is_office and unit is None):
        return problem(404, f"未找到单位“{unit}”。")
    if unit is not None:
        with session() as s:
            try:
                unit_named(s, unit)
            except NotFound as exc:
                return problem(404, str(exc))
    with session() as s:
        audit.record(s, who, "export", detail=f"{path.workbook} {unit or '全部单位'}")
    return _submit(who, EXPORT_KIND, ExportParams(workbook=path.workbook, unit=unit))


def _with_members(resp: Response, **members) -> Response:
    """Extension members of a problem document (RFC 9457 §3.2)."""
    body = json.loads(resp.get_data())
    body.update(members)
    resp.set_data(json.dumps(body, ensure_ascii=False))
    return resp


@records.get("/records/imports/<job_id>/marked", tags=[T_RECORDS], summary="下载标出错误的工作簿",
             responses={200: {"description": "原工作簿，错误单元格标红并加批注，另有“导入错误”表列出全部错误",
                              "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
def marked_workbook(path: ImportPath):
    """被拒绝的导入：原工作簿中每个出错的单元格标红并加中文批注，首张“导入错误”表列出全部错误（只限上传者的令牌）。
    由导入任务在工作进程中生成。"""
    from werkzeug.exceptions import NotFound

    from service.api.routes import _send_document

    _state, _report, marked = import_job_report(path.job_id)
    if marked is None:
        raise NotFound()
    return _send_document(marked)
