"""The JSON API under /api/v1: jobs (submit, poll, download) and the document register."""
from __future__ import annotations

from flask import Response, request, send_file
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from service.access import audit
from service.api import schemas as S
from service.api.auth import current, require_office
from service.api.problems import common_responses, problem, spec_response, validation_problem
from service.api.views import document_view, job_view
from service.db.session import session
from service.jobs import kinds as registry
from service.jobs import storage
from service.jobs.models import Document, Job
from service.jobs.settings import redis_client
from service.jobs.store import (
    IdempotencyConflict,
    NothingToGenerate,
    RequestRefused,
    ScopeRefused,
    check_scope,
    items_of,
    submit,
    visible_job,
)
from service.naming import content_disposition

SECURITY = [{"bearer": []}]
api = APIBlueprint("api", __name__, url_prefix="/api/v1", abp_security=SECURITY, abp_responses=common_responses())
public = APIBlueprint("public", __name__, url_prefix="/api/v1", abp_responses=common_responses())

T_JOBS = Tag(name="任务", description="提交文书生成任务、查询进度、下载结果")
T_DOCS = Tag(name="文书登记", description="永久登记：单位、种类、期间、输入与文件哈希、页数")
T_META = Tag(name="服务", description="种类、身份、健康状态、审计日志")

FILE_TYPES = sorted(set(storage.MEDIA_TYPES.values()))
FILE_RESPONSES = {
    200: {"description": "文件（支持 Range、ETag）",
          "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES},
          "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": "RFC 6266 / 5987 文件名"},
                      "ETag": {"schema": {"type": "string"}, "description": "文件的 SHA-256"}}},
    206: {"description": "部分内容（Range）",
          "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES}},
    304: {"description": "未修改（If-None-Match）"},
    409: spec_response("任务尚未完成"),
    410: spec_response("文件已过期（登记仍保留）"),
    416: spec_response("Range 超出文件范围"),
}


def _page(stmt, q: S.Page):
    with session() as s:
        total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = list(s.scalars(stmt.limit(q.limit).offset(q.offset)))
    return rows, total


def _listing(model, query: S.Page, filters):
    """Rows of `model` this token may see (centre: its unit), newest first, filtered and paged."""
    who = current()
    stmt = select(model).order_by(model.created_at.desc(), model.id)
    if not who.is_office:
        stmt = stmt.where(model.unit == who.unit)
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    return _page(stmt, query)


def _job_response(job: Job) -> dict:
    with session() as s:
        docs = list(s.scalars(select(Document).where(Document.job_id == job.id)
                              .order_by(Document.item_idx, Document.filename)))
    return job_view(job, items_of(job.id), docs).model_dump(mode="json")


@api.post("/jobs", tags=[T_JOBS], summary="提交文书生成任务",
          responses={202: S.JobView, 200: S.JobView, 403: spec_response("该文书仅限党政办生成"),
                     409: spec_response("幂等键已用于不同的请求")})
def create_job(body: S.job_request_model(), header: S.SubmitHeaders):  # type: ignore[valid-type]
    """提交一项生成任务，立即返回 202 与任务地址（Location）；文书由后台工作进程生成。
    带 Idempotency-Key 重复提交同一请求时返回原任务（200）。"""
    from service.jobs.dispatch import publish_plan

    req = body.root
    kind = registry.get(req.kind)
    if kind is None:  # no renderer installed
        return validation_problem([{"field": "kind", "title": "文书种类", "message": "暂无可用的文书种类"}])
    who = current()
    try:
        check_scope(who, kind, req.params)
        job, created = submit(who, kind, req.params, header.idempotency_key)
    except ScopeRefused as exc:
        return problem(exc.status, str(exc))
    except IdempotencyConflict as exc:
        return problem(409, f"幂等键已用于另一不同的请求（任务 {exc.args[0]}）。")
    except NothingToGenerate as exc:
        return problem(404, str(exc))
    except RequestRefused as exc:
        return validation_problem([{"field": "params", "title": "参数", "message": str(exc)}])
    if not created:
        body_out = _job_response(job)
        return body_out, 200, {"Location": body_out["href"]}
    publish_plan(job.id)  # after the commit; broker down: the outbox row stays and the sweep sends it
    view = job_view(job, [], [])  # what was just written: nothing to re-read
    return Response(view.model_dump_json(), 202, {"Location": view.href}, mimetype="application/json")


@api.get("/jobs", tags=[T_JOBS], summary="任务列表", responses={200: S.JobList})
def list_jobs(query: S.JobQuery):
    """本令牌可见的任务（党政办：全部；学习中心：本单位），新的在前。"""
    jobs, total = _listing(Job, query, ((Job.state, query.state), (Job.kind, query.kind)))
    return {"items": [_job_response(j) for j in jobs], "total": total}


@api.get("/jobs/<job_id>", tags=[T_JOBS], summary="任务状态", responses={200: S.JobView})
def get_job(path: S.JobPath):
    """状态、进度（完成数/总数）、各项错误与结果链接。"""
    job = visible_job(current(), path.job_id)
    if job is None:
        raise NotFound()
    return _job_response(job)


@api.get("/jobs/<job_id>/result", tags=[T_JOBS], summary="下载任务结果", responses=FILE_RESPONSES)
def job_result(path: S.JobPath):
    """单份文书任务返回该文件，批量任务返回 zip 文件包（含 manifest.json）。"""
    job = visible_job(current(), path.job_id)
    if job is None:
        raise NotFound()
    if job.result_document_id is None:
        if job.state in ("accepted", "running"):
            return problem(409, f"任务尚未完成（{job.done}/{job.total}）。", headers={"Retry-After": "2"})
        return problem(410 if job.expired else 404, "该任务没有可下载的结果。")
    return _send_document(job.result_document_id)


@api.get("/documents", tags=[T_DOCS], summary="文书登记列表", responses={200: S.DocumentList})
def list_documents(query: S.DocumentQuery):
    """永久登记的每一份文书（文件过期后登记仍在）。"""
    docs, total = _listing(Document, query, ((Document.kind, query.kind), (Document.unit, query.unit),
                                             (Document.period, query.period), (Document.role, query.role)))
    return {"items": [document_view(d).model_dump(mode="json") for d in docs], "total": total}


def _visible_document(document_id: str) -> Document:
    with session() as s:
        doc = s.get(Document, document_id)
    if doc is None or not current().may_see(doc.unit):
        raise NotFound()
    return doc


@api.get("/documents/<document_id>", tags=[T_DOCS], summary="文书登记详情", responses={200: S.DocumentView})
def get_document(path: S.DocumentPath):
    return document_view(_visible_document(path.document_id)).model_dump(mode="json")


@api.get("/documents/<document_id>/file", tags=[T_DOCS], summary="下载文书文件", responses=FILE_RESPONSES)
def document_file(path: S.DocumentPath):
    return _send_document(path.document_id)


def _send_document(document_id: str):
    doc = _visible_document(document_id)
    if doc.storage_path is None:
        return problem(410, "文件已过期删除；登记仍保留，可重新提交同一请求生成。")
    file_path = storage.absolute(doc.storage_path)
    if not file_path.is_file():
        return problem(410, "文件已不在存储目录中；可重新提交同一请求生成。")
    if request.method == "GET" and not request.headers.get("Range") and not request.headers.get("If-None-Match"):
        with session() as s:
            audit.record(s, current(), "download", job_id=doc.job_id, document_id=doc.id, detail=doc.filename)
    resp = send_file(file_path, mimetype=doc.media_type, conditional=True, etag=doc.file_hash, max_age=0,
                     as_attachment=True, download_name=doc.filename)
    resp.headers["Content-Disposition"] = content_disposition(doc.filename)
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


@api.get("/kinds", tags=[T_META], summary="可生成的文书种类", responses={200: S.KindList})
def list_kinds():
    return {"items": [{"name": k.name, "title": k.title, "description": k.description, "office_only": k.office_only}
                      for k in registry.kinds().values()]}


@api.get("/whoami", tags=[T_META], summary="当前令牌", responses={200: S.WhoAmI})
def whoami():
    who = current()
    return {"token_id": who.token_id, "role": who.role, "unit": who.unit}


@api.get("/audit", tags=[T_META], summary="审计日志（仅党政办）", responses={200: S.AuditList})
def audit_log(query: S.Page):
    require_office()
    with session() as s:
        rows = audit.entries(s, query.limit, query.offset)
    return {"items": [S.AuditView.model_validate(r, from_attributes=True).model_dump(mode="json") for r in rows]}


@public.get("/health", tags=[T_META], summary="健康检查（无需令牌）", responses={200: S.Health})
def health():
    db_ok = broker_ok = True
    try:
        with session() as s:
            s.execute(select(1))
    except Exception:
        db_ok = False
    try:
        redis_client(timeout=0.5).ping()
    except Exception:
        broker_ok = False
    return {"status": "ok" if db_ok and broker_ok else "degraded", "database": db_ok, "broker": broker_ok}
